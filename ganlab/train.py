"""One generic GAN training loop. The losses are arguments, so a notebook trains with the
student's own `discriminator_loss` / `generator_loss` (ganlab holds no graded answer).

    history = train_gan(G, D, data, d_loss_fn=discriminator_loss, g_loss_fn=generator_loss, steps=2000)

history is a plain dict of lists, one entry per logged step:
    step, d_loss, g_loss, real_score, fake_score (mean raw D outputs), d_real, d_fake (mean sigmoid).
"""
from __future__ import annotations

from typing import Callable, Iterable

import torch
from torch import nn
from tqdm.auto import tqdm

from .checks import check_positive
from .data import batches
from .device import grading

HISTORY_KEYS = ("step", "d_loss", "g_loss", "real_score", "fake_score", "d_real", "d_fake")


def _sampler(data, batch_size: int, device) -> Callable[[], torch.Tensor]:
    """Minibatches from a tensor dataset, a `sample(batch_size)` callable, or an iterable."""
    if isinstance(data, torch.Tensor):
        it = batches(data, batch_size)
        return lambda: next(it).to(device, non_blocking=True)
    if callable(data):
        return lambda: data(batch_size).to(device)
    if isinstance(data, Iterable):
        def endless():  # a DataLoader ends with each epoch: start the next one
            while True:
                empty = True
                for b in data:
                    empty = False
                    yield (b[0] if isinstance(b, (tuple, list)) else b).to(device)
                if empty:
                    raise ValueError("data: the iterable yielded no batch")

        it = endless()
        return lambda: next(it)
    raise ValueError(f"data: expected a tensor, a sample(batch_size) callable or an iterable, "
                     f"got {type(data).__name__}")


def _scalar_loss(value, name: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor) or value.dim() != 0:
        got = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
        raise ValueError(f"{name} must return a scalar tensor (the batch mean), got {got}")
    if not torch.isfinite(value):
        raise FloatingPointError(f"{name} returned {value.item()}: check numerical stability "
                                 "(use logits with softplus/logsigmoid, not log(sigmoid(x)))")
    return value


def train_gan(
    generator: nn.Module,
    discriminator: nn.Module,
    data,                                  # tensor (N, ...), sample(batch_size) callable, or iterable
    d_loss_fn: Callable,                   # (real_scores, fake_scores) -> scalar
    g_loss_fn: Callable,                   # (fake_scores) -> scalar
    *,
    steps: int = 1000,                     # iterations: n_critic D updates, then g_steps G updates
    batch_size: int = 64,
    n_critic: int = 1,                     # discriminator updates per iteration
    g_steps: int = 1,                      # generator updates per iteration (GAN Lab's "G steps")
    lr: float = 2e-4,
    betas: tuple = (0.5, 0.999),
    d_opt: torch.optim.Optimizer | None = None,   # default: Adam(lr, betas)
    g_opt: torch.optim.Optimizer | None = None,
    d_penalty: Callable | None = None,     # (discriminator, real, fake) -> scalar added to D's loss
    after_d_step: Callable | None = None,  # e.g. lambda: clip_weights(D, 0.01)
    callbacks: Iterable[Callable] = (),    # cb(step, generator, discriminator, history) after every step
    log_every: int = 10,
    device=None,                           # default: the generator's device
    progress: bool | None = None,          # tqdm bar; default off while autograding
) -> dict:
    for name, value in (("steps", steps), ("batch_size", batch_size), ("n_critic", n_critic),
                        ("g_steps", g_steps), ("log_every", log_every)):
        check_positive(value, name, integer=True)
    latent_dim = getattr(generator, "latent_dim", None)
    if not isinstance(latent_dim, int):
        raise ValueError("generator: expected a module with an int `latent_dim` attribute")
    device = device or next(generator.parameters()).device
    sample = _sampler(data, batch_size, device)
    d_opt = d_opt or torch.optim.Adam(discriminator.parameters(), lr=lr, betas=betas)
    g_opt = g_opt or torch.optim.Adam(generator.parameters(), lr=lr, betas=betas)
    history = {k: [] for k in HISTORY_KEYS}
    running = torch.zeros(6, device=device)  # sums of d_loss, g_loss, real, fake, d_real, d_fake
    generator.train(), discriminator.train()

    bar = tqdm(range(1, steps + 1), desc="training", disable=grading() if progress is None else not progress)
    for step in bar:
        for _ in range(n_critic):
            real = sample()
            with torch.no_grad():
                fake = generator(torch.randn(len(real), latent_dim, device=device))
            real_scores, fake_scores = discriminator(real), discriminator(fake)
            d_loss = _scalar_loss(d_loss_fn(real_scores, fake_scores), "d_loss_fn")
            if d_penalty is not None:
                d_loss = d_loss + d_penalty(discriminator, real, fake)
            d_opt.zero_grad(set_to_none=True)
            d_loss.backward()
            d_opt.step()
            if after_d_step is not None:
                after_d_step()

        for _ in range(g_steps):
            fake_scores_g = discriminator(generator(torch.randn(batch_size, latent_dim, device=device)))
            g_loss = _scalar_loss(g_loss_fn(fake_scores_g), "g_loss_fn")
            g_opt.zero_grad(set_to_none=True)
            g_loss.backward()
            g_opt.step()

        with torch.no_grad():
            r, f = real_scores.detach(), fake_scores.detach()
            running += torch.stack([d_loss.detach(), g_loss.detach(), r.mean(), f.mean(),
                                    torch.sigmoid(r).mean(), torch.sigmoid(f).mean()])
        if step % log_every == 0 or step == steps:
            count = step - (history["step"][-1] if history["step"] else 0)
            for key, value in zip(HISTORY_KEYS[1:], (running / count).tolist()):
                history[key].append(value)
            history["step"].append(step)
            running.zero_()
            bar.set_postfix(d_loss=f"{history['d_loss'][-1]:.3f}", g_loss=f"{history['g_loss'][-1]:.3f}")
        for cb in callbacks:
            cb(step, generator, discriminator, history)
    return history


class SampleSnapshots:
    """Callback: every `every` steps (and at step 0 via `take`), keep G(fixed_noise) on the CPU.
    G stays in its current mode, so a batch-norm generator in training uses the fixed batch's statistics.

    snaps = SampleSnapshots(torch.randn(64, latent_dim), every=200)
    train_gan(..., callbacks=[snaps]);  snaps.steps, snaps.samples
    """

    def __init__(self, fixed_noise: torch.Tensor, every: int):
        self.fixed_noise, self.every = fixed_noise, check_positive(every, "every", integer=True)
        self.steps: list[int] = []
        self.samples: list[torch.Tensor] = []

    @torch.no_grad()
    def take(self, step: int, generator: nn.Module) -> None:
        z = self.fixed_noise.to(next(generator.parameters()).device)
        self.samples.append(generator(z).cpu())
        self.steps.append(step)

    def __call__(self, step, generator, discriminator, history):
        if step % self.every == 0:
            self.take(step, generator)
