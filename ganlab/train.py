"""GAN training loops. The losses are arguments, so a notebook trains with the student's own
`discriminator_loss` / `generator_loss` (ganlab holds no graded answer).

    history = train_gan(G, D, data, d_loss_fn=discriminator_loss, g_loss_fn=generator_loss, steps=2000)
    history = train_conditional(G, D, images, labels, d_loss_fn, g_loss_fn, steps=2000)

history is a plain dict of lists, one entry per logged step: for train_gan
    step, d_loss, g_loss, real_score, fake_score (mean raw D outputs), d_real, d_fake (mean sigmoid);
for train_conditional (whose discriminators have several heads) step, d_loss, g_loss.
"""
from __future__ import annotations

from typing import Callable, Iterable

import torch
from torch import nn
from tqdm.auto import tqdm

from .checks import check_counts, check_positive, check_tensor
from .data import batches
from .device import grading
from .models.conditional import random_conditions

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


class _RunningMeans:
    """Sums of per-step scalars on the device (no sync per step), appended to `history` as means
    over the steps since the last entry every `every` steps and at the last one."""

    def __init__(self, keys: tuple, steps: int, every: int, device):
        self.keys, self.steps, self.every = keys, steps, every
        self.sums = torch.zeros(len(keys), device=device)
        self.history = {k: [] for k in ("step",) + keys}

    def add(self, step: int, values: list[torch.Tensor], bar) -> None:
        with torch.no_grad():
            self.sums += torch.stack([v.detach().float() for v in values])
        if step % self.every == 0 or step == self.steps:
            h = self.history
            count = step - (h["step"][-1] if h["step"] else 0)
            for key, value in zip(self.keys, (self.sums / count).tolist()):
                h[key].append(value)
            h["step"].append(step)
            self.sums.zero_()
            bar.set_postfix(d_loss=f"{h['d_loss'][-1]:.3f}", g_loss=f"{h['g_loss'][-1]:.3f}")


def _check_loop(steps, batch_size, log_every, generator, **counts) -> int:
    """Validate a loop's counts; return the generator's latent size."""
    check_counts(steps=steps, batch_size=batch_size, log_every=log_every, **counts)
    latent_dim = getattr(generator, "latent_dim", None)
    if not isinstance(latent_dim, int):
        raise ValueError("generator: expected a module with an int `latent_dim` attribute")
    return latent_dim


def _progress(steps: int, progress: bool | None, desc: str = "training"):
    return tqdm(range(1, steps + 1), desc=desc, disable=grading() if progress is None else not progress)


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
    latent_dim = _check_loop(steps, batch_size, log_every, generator, n_critic=n_critic, g_steps=g_steps)
    device = device or next(generator.parameters()).device
    sample = _sampler(data, batch_size, device)
    d_opt = d_opt or torch.optim.Adam(discriminator.parameters(), lr=lr, betas=betas)
    g_opt = g_opt or torch.optim.Adam(generator.parameters(), lr=lr, betas=betas)
    log = _RunningMeans(HISTORY_KEYS[1:], steps, log_every, device)
    generator.train(), discriminator.train()

    for step in (bar := _progress(steps, progress)):
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

        r, f = real_scores.detach(), fake_scores.detach()
        log.add(step, [d_loss, g_loss, r.mean(), f.mean(), torch.sigmoid(r).mean(), torch.sigmoid(f).mean()], bar)
        for cb in callbacks:
            cb(step, generator, discriminator, log.history)
    return log.history


def train_conditional(
    generator: nn.Module,                  # G(z, *codes)
    discriminator: nn.Module,
    images: torch.Tensor,                  # real images (N, C, H, W)
    labels: torch.Tensor,                  # their int64 class labels (N,)
    d_loss_fn: Callable,                   # (D, real, labels, fake, codes) -> scalar, fake detached
    g_loss_fn: Callable,                   # (D, fake, codes) -> scalar
    *,
    codes_fn: Callable | None = None,      # (batch, device) -> G's inputs after z; default: random_conditions
    steps: int = 1000,                     # iterations: one D update, then one G update
    batch_size: int = 64,
    lr: float = 2e-4,                      # D's Adam learning rate (and G's unless g_lr)
    g_lr: float | None = None,
    betas: tuple = (0.5, 0.999),
    callbacks: Iterable[Callable] = (),    # cb(step, generator, discriminator, history) after every step
    log_every: int = 10,
    progress: bool | None = None,          # tqdm bar; default off while autograding
) -> dict:
    """Train a GAN whose networks take more than noise: a cGAN's labels, ACGAN's classes, InfoGAN's codes.

    The loss callables wire the networks to the losses, so one loop serves every variant, e.g. for a cGAN
        d_loss_fn = lambda D, real, y, fake, codes: discriminator_loss(D(real, y), D(fake, *codes))
        g_loss_fn = lambda D, fake, codes: generator_loss(D(fake, *codes))
    G receives z and `codes_fn(batch, device)`: by default uniform labels (cGAN, ACGAN) or InfoGAN's codes drawn
    from their prior (models.random_conditions). G's step reuses the fakes D just saw, with their gradients.
    """
    latent_dim = _check_loop(steps, batch_size, log_every, generator)
    images = check_tensor(images, "images", ndim=4)
    if not isinstance(labels, torch.Tensor) or labels.shape != (len(images),) or labels.is_floating_point():
        got = f"{labels.dtype} {tuple(labels.shape)}" if isinstance(labels, torch.Tensor) else type(labels).__name__
        raise ValueError(f"labels: expected integer class labels of shape ({len(images)},), got {got}")
    device = next(generator.parameters()).device
    images, labels = images.to(device), labels.to(device)
    codes_fn = codes_fn or (lambda b, dev: random_conditions(generator, b, device=dev))
    d_opt = torch.optim.Adam(discriminator.parameters(), lr=lr, betas=betas)
    g_opt = torch.optim.Adam(generator.parameters(), lr=g_lr or lr, betas=betas)
    log = _RunningMeans(("d_loss", "g_loss"), steps, log_every, device)
    generator.train(), discriminator.train()

    for step in (bar := _progress(steps, progress)):
        idx = torch.randint(len(images), (batch_size,), device=device)
        codes = tuple(codes_fn(batch_size, device))
        fake = generator(torch.randn(batch_size, latent_dim, device=device), *codes)
        d_loss = _scalar_loss(d_loss_fn(discriminator, images[idx], labels[idx], fake.detach(), codes), "d_loss_fn")
        d_opt.zero_grad(set_to_none=True)
        d_loss.backward()
        d_opt.step()

        g_loss = _scalar_loss(g_loss_fn(discriminator, fake, codes), "g_loss_fn")
        g_opt.zero_grad(set_to_none=True)
        g_loss.backward()              # D's gradients from this step are cleared before its next update
        g_opt.step()

        log.add(step, [d_loss, g_loss], bar)
        for cb in callbacks:
            cb(step, generator, discriminator, log.history)
    return log.history


class SampleSnapshots:
    """Callback: every `every` steps (and at step 0 via `take`), keep G(fixed_noise, *codes) on the CPU.
    G stays in its current mode, so a batch-norm generator in training uses the fixed batch's statistics.

    snaps = SampleSnapshots(torch.randn(64, latent_dim), every=200)
    train_gan(..., callbacks=[snaps]);  snaps.steps, snaps.samples
    SampleSnapshots(z, every=200, codes=(labels,))      # a conditional generator: G(z, labels)
    """

    def __init__(self, fixed_noise: torch.Tensor, every: int, codes: tuple = ()):
        self.fixed_noise, self.every = fixed_noise, check_positive(every, "every", integer=True)
        self.codes = tuple(codes)
        self.steps: list[int] = []
        self.samples: list[torch.Tensor] = []

    @torch.no_grad()
    def take(self, step: int, generator: nn.Module) -> None:
        device = next(generator.parameters()).device
        self.samples.append(generator(*(t.to(device) for t in (self.fixed_noise, *self.codes))).cpu())
        self.steps.append(step)

    def __call__(self, step, generator, discriminator, history):
        if step % self.every == 0:
            self.take(step, generator)
