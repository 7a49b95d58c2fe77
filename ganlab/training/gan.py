"""GAN loops whose losses are arguments, so a notebook trains with the student's own losses (ganlab holds no
graded answer):

    history = train_gan(G, D, data, d_loss_fn=discriminator_loss, g_loss_fn=generator_loss, steps=2000)
    history = train_conditional(G, D, images, labels, d_loss_fn, g_loss_fn, steps=2000)
"""
from __future__ import annotations

from typing import Callable, Iterable

import torch
from torch import nn

from ..checks import check_counts, check_tensor
from ..models.conditional import random_conditions
from .loop import latent_size, notify, sampler, scalar_loss, start, update

HISTORY_KEYS = ("step", "d_loss", "g_loss", "real_score", "fake_score", "d_real", "d_fake")
LOSS_SOURCES = {"d_loss": "d_loss_fn", "g_loss": "g_loss_fn"}


def train_gan(
    generator: nn.Module,                  # G(z), z of size generator.latent_dim
    discriminator: nn.Module,              # D(x) -> scores (logits)
    data,                                  # tensor (N, ...), sample(batch_size) callable, or iterable
    d_loss_fn: Callable,                   # (real_scores, fake_scores) -> scalar
    g_loss_fn: Callable,                   # (fake_scores) -> scalar
    *,
    steps: int = 1000,                     # iterations: n_critic D updates, then g_steps G updates
    batch_size: int = 64,
    n_critic: int = 1,                     # discriminator updates per iteration
    g_steps: int = 1,                      # generator updates per iteration (GAN Lab's "G steps")
    lr: float = 2e-4,                      # D's Adam learning rate (and G's unless g_lr)
    g_lr: float | None = None,
    betas: tuple = (0.5, 0.999),
    d_opt: torch.optim.Optimizer | None = None,   # default: Adam(lr, betas)
    g_opt: torch.optim.Optimizer | None = None,   # default: Adam(g_lr, else lr, betas)
    d_penalty: Callable | None = None,     # (discriminator, real, fake) -> scalar added to D's loss
    after_d_step: Callable | None = None,  # e.g. lambda: clip_weights(D, 0.01)
    callbacks: Iterable[Callable] = (),    # cb(step, generator, discriminator, history) after every step
    log_every: int = 10,
    seed: int | None = None,               # the order of a tensor dataset's minibatches; None: torch's global RNG
    device=None,                           # where batches go; default: the generator's device
    progress: bool | None = None,          # tqdm bar; default: on, except while autograding
) -> dict:
    """Train a GAN: each iteration makes `n_critic` discriminator updates on fresh real batches and detached
    fakes, then `g_steps` generator updates on fresh noise. Both networks are put in training mode.

    Returns the history: step, d_loss, g_loss, real_score, fake_score (mean raw D outputs), d_real, d_fake (their
    mean sigmoid), each the mean over the steps since the previous entry, every `log_every` steps and at the last.
    """
    check_counts(steps=steps, batch_size=batch_size, log_every=log_every, n_critic=n_critic, g_steps=g_steps)
    latent_dim = latent_size(generator)
    run = start(generator, discriminator, steps=steps, keys=HISTORY_KEYS[1:], desc="training", lr=lr, g_lr=g_lr,
                betas=betas, log_every=log_every, device=device, progress=progress, sources=LOSS_SOURCES,
                g_opt=g_opt, d_opt=d_opt)
    device, d_opt, g_opt, log = run.device, run.d_opt, run.g_opt, run.log
    sample = sampler(data, batch_size, device, seed)

    for step in run.bar:
        for _ in range(n_critic):
            real = sample()
            with torch.no_grad():
                fake = generator(torch.randn(len(real), latent_dim, device=device))
            real_scores, fake_scores = discriminator(real), discriminator(fake)
            d_loss = scalar_loss(d_loss_fn(real_scores, fake_scores), "d_loss_fn")
            if d_penalty is not None:
                d_loss = d_loss + d_penalty(discriminator, real, fake)
            update(d_opt, d_loss)
            if after_d_step is not None:
                after_d_step()

        for _ in range(g_steps):
            fake_scores_g = discriminator(generator(torch.randn(batch_size, latent_dim, device=device)))
            g_loss = scalar_loss(g_loss_fn(fake_scores_g), "g_loss_fn")
            update(g_opt, g_loss)

        r, f = real_scores.detach(), fake_scores.detach()
        log.add(step, [d_loss, g_loss, r.mean(), f.mean(), torch.sigmoid(r).mean(), torch.sigmoid(f).mean()])
        notify(callbacks, step, generator, discriminator, log.history)
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
    seed: int | None = None,               # the choice of real batches; None: torch's global RNG
    device=None,                           # where images go; default: the generator's device
    progress: bool | None = None,          # tqdm bar; default: on, except while autograding
) -> dict:
    """Train a GAN whose networks take more than noise: a cGAN's labels, ACGAN's classes, InfoGAN's codes.

    The loss callables wire the networks to the losses, so one loop serves every variant, e.g. for a cGAN
        d_loss_fn = lambda D, real, y, fake, codes: discriminator_loss(D(real, y), D(fake, *codes))
        g_loss_fn = lambda D, fake, codes: generator_loss(D(fake, *codes))
    G receives z and `codes_fn(batch, device)`: by default uniform labels (cGAN, ACGAN) or InfoGAN's codes drawn
    from their prior (models.random_conditions). G's step reuses the fakes D just saw, with their gradients.
    Returns the history: step, d_loss, g_loss (means since the previous entry).
    """
    check_counts(steps=steps, batch_size=batch_size, log_every=log_every)
    latent_dim = latent_size(generator)
    images = check_tensor(images, "images", ndim=4)
    if not isinstance(labels, torch.Tensor) or labels.shape != (len(images),) or labels.is_floating_point():
        got = f"{labels.dtype} {tuple(labels.shape)}" if isinstance(labels, torch.Tensor) else type(labels).__name__
        raise ValueError(f"labels: expected integer class labels of shape ({len(images)},), got {got}")
    run = start(generator, discriminator, steps=steps, keys=("d_loss", "g_loss"), desc="training", lr=lr, g_lr=g_lr,
                betas=betas, log_every=log_every, device=device, progress=progress, sources=LOSS_SOURCES)
    device, d_opt, g_opt, log = run.device, run.d_opt, run.g_opt, run.log
    images, labels = images.to(device), labels.to(device)
    pick = None if seed is None else torch.Generator(device).manual_seed(seed)
    codes_fn = codes_fn or (lambda b, dev: random_conditions(generator, b, device=dev))

    for step in run.bar:
        idx = torch.randint(len(images), (batch_size,), device=device, generator=pick)
        codes = tuple(codes_fn(batch_size, device))
        fake = generator(torch.randn(batch_size, latent_dim, device=device), *codes)
        d_loss = scalar_loss(d_loss_fn(discriminator, images[idx], labels[idx], fake.detach(), codes), "d_loss_fn")
        update(d_opt, d_loss)
        g_loss = scalar_loss(g_loss_fn(discriminator, fake, codes), "g_loss_fn")
        update(g_opt, g_loss)          # D's gradients from this step are cleared before its next update
        log.add(step, [d_loss, g_loss])
        notify(callbacks, step, generator, discriminator, log.history)
    return log.history
