"""Image-to-image loops (lecture 06): pix2pix, CycleGAN, SRResNet/SRGAN. The losses are arguments, so a notebook
trains with the student's own `pix2pix_generator_loss` and `cycle_consistency_loss` (ganlab holds no graded answer):

    history = train_pix2pix(G, D, x, y, d_loss_fn=discriminator_loss, g_loss_fn=pix2pix_generator_loss, steps=500)
    history = train_cyclegan(G_ab, G_ba, D_a, D_b, a, b, d_loss_fn, g_loss_fn, cycle_loss_fn, steps=500)
    history = train_sr(G, lr, hr, content_loss_fn, discriminator=D, d_loss_fn=..., g_loss_fn=..., adv_weight=1e-3)

    d_loss_fn(real_logits, fake_logits) -> scalar        (lecture 01's discriminator loss; logits of any shape)
    g_loss_fn(fake_logits) -> scalar                      (CycleGAN / SRGAN adversarial term)
    pix2pix g_loss_fn(fake_logits, fake, target) -> scalar
    cycle_loss_fn(real_a, rec_a, real_b, rec_b) -> scalar
    content_loss_fn(sr, hr) -> scalar
"""
from __future__ import annotations

from typing import Callable, Iterable

import torch
import torch.nn.functional as F
from torch import nn

from ..checks import check_counts, check_tensor
from .loop import aligned_batches, notify, scalar_loss, start, update

SOURCES = {"d_loss": "d_loss_fn", "g_loss": "g_loss_fn", "cycle": "cycle_loss_fn", "content": "content_loss_fn"}


def train_pix2pix(
    generator: nn.Module,                  # G(x) -> y
    discriminator: nn.Module | None,       # D(x, y) -> logits (B, 1, h, w); None: no adversarial training
    inputs: torch.Tensor,                  # x (N, C_in, H, W)
    targets: torch.Tensor,                 # y (N, C_out, H, W), aligned with inputs
    d_loss_fn: Callable | None,            # (real_logits, fake_logits) -> scalar
    g_loss_fn: Callable,                   # (fake_logits or None, fake, target) -> scalar
    *,
    steps: int = 1000,                     # iterations: one D update, then one G update
    batch_size: int = 16,
    lr: float = 2e-4,                      # pix2pix: Adam(2e-4, betas (0.5, 0.999)) for both (G's unless g_lr)
    g_lr: float | None = None,
    betas: tuple = (0.5, 0.999),
    callbacks: Iterable[Callable] = (),    # cb(step, generator, discriminator, history) after every step
    log_every: int = 10,
    seed: int | None = None,               # the order of the minibatches; None: drawn from torch's global RNG
    device=None,                           # where batches go; default: the generator's device
    progress: bool | None = None,          # tqdm bar; default: on, except while autograding
) -> dict:
    """pix2pix (Isola et al., 2017): D learns to tell (x, y) from (x, G(x)); G minimises g_loss_fn.

    history: step, d_loss, g_loss, l1 (mean |G(x) - y| of the batch). With discriminator None, G is trained on
    g_loss_fn(None, fake, target) alone (e.g. an L1-only baseline) and d_loss is logged as 0.
    """
    check_counts(steps=steps, batch_size=batch_size, log_every=log_every)
    inputs, targets = check_tensor(inputs, "inputs", ndim=4), check_tensor(targets, "targets", ndim=4)
    run = start(generator, discriminator, steps=steps, keys=("d_loss", "g_loss", "l1"), desc="pix2pix", lr=lr,
                g_lr=g_lr, betas=betas, log_every=log_every, device=device, progress=progress, sources=SOURCES)
    device, d_opt, g_opt, log = run.device, run.d_opt, run.g_opt, run.log
    data = aligned_batches(inputs, targets, batch_size=batch_size, seed=seed)
    zero = torch.zeros((), device=device)
    for step in run.bar:
        x, y = (t.to(device) for t in next(data))
        fake = generator(x)
        d_loss = zero
        if discriminator is not None:
            d_loss = scalar_loss(d_loss_fn(discriminator(x, y), discriminator(x, fake.detach())), "d_loss_fn")
            update(d_opt, d_loss)
        fake_logits = discriminator(x, fake) if discriminator is not None else None
        g_loss = scalar_loss(g_loss_fn(fake_logits, fake, y), "g_loss_fn")
        update(g_opt, g_loss)         # D's gradients from this step are cleared before its next update
        log.add(step, [d_loss, g_loss, (fake.detach() - y).abs().mean()])
        notify(callbacks, step, generator, discriminator, log.history)
    return log.history


def train_cyclegan(
    g_ab: nn.Module,                       # G: A -> B
    g_ba: nn.Module,                       # F: B -> A
    d_a: nn.Module,                        # D_A(a) -> logits: real A or F(b)?
    d_b: nn.Module,                        # D_B(b) -> logits: real B or G(a)?
    a: torch.Tensor,                       # domain A images (N_a, C, H, W)
    b: torch.Tensor,                       # domain B images (N_b, C, H, W): no pairing with A
    d_loss_fn: Callable,                   # (real_logits, fake_logits) -> scalar
    g_loss_fn: Callable,                   # (fake_logits) -> scalar, the generators' adversarial term
    cycle_loss_fn: Callable | None,        # (real_a, rec_a, real_b, rec_b) -> scalar; None: no cycle loss
    *,
    identity_weight: float = 0.0,          # Zhu et al.: 0.5 * lambda_cyc times mean |G(b) - b| + mean |F(a) - a|
    steps: int = 1000,
    batch_size: int = 16,
    lr: float = 2e-4,                      # both discriminators (and generators unless g_lr)
    g_lr: float | None = None,
    betas: tuple = (0.5, 0.999),
    callbacks: Iterable[Callable] = (),    # cb(step, (g_ab, g_ba), (d_a, d_b), history) after every step
    log_every: int = 10,
    seed: int | None = None,               # the order of the minibatches (domain B: seed + 1); None: drawn
                                           # from torch's global RNG
    device=None,                           # where batches go; default: g_ab's device
    progress: bool | None = None,          # tqdm bar; default: on, except while autograding
) -> dict:
    """CycleGAN (Zhu et al., 2017): two translators trained adversarially in both directions, tied by a
    cycle-consistency loss F(G(a)) ~ a, G(F(b)) ~ b. One update of both generators, then of both discriminators.

    history: step, d_loss (D_A + D_B), g_loss (total), cycle (cycle_loss_fn's value; 0 without it), rec_error
    (mean |F(G(a)) - a|, whether or not it is trained).
    """
    check_counts(steps=steps, batch_size=batch_size, log_every=log_every)
    a, b = check_tensor(a, "a", ndim=4), check_tensor(b, "b", ndim=4)
    run = start([g_ab, g_ba], [d_a, d_b], steps=steps, keys=("d_loss", "g_loss", "cycle", "rec_error"),
                desc="CycleGAN", lr=lr, g_lr=g_lr, betas=betas, log_every=log_every, device=device, progress=progress,
                sources=SOURCES)
    device, d_opt, g_opt, log = run.device, run.d_opt, run.g_opt, run.log
    data_a = aligned_batches(a, batch_size=batch_size, seed=seed)
    data_b = aligned_batches(b, batch_size=batch_size, seed=None if seed is None else seed + 1)
    zero = torch.zeros((), device=device)
    for step in run.bar:
        (real_a,), (real_b,) = (t.to(device) for t in next(data_a)), (t.to(device) for t in next(data_b))
        fake_b, fake_a = g_ab(real_a), g_ba(real_b)          # G(a), F(b)
        rec_a, rec_b = g_ba(fake_b), g_ab(fake_a)            # F(G(a)), G(F(b))
        adv = scalar_loss(g_loss_fn(d_b(fake_b)), "g_loss_fn") + scalar_loss(g_loss_fn(d_a(fake_a)), "g_loss_fn")
        cyc = zero
        if cycle_loss_fn is not None:
            cyc = scalar_loss(cycle_loss_fn(real_a, rec_a, real_b, rec_b), "cycle_loss_fn")
        g_loss = adv + cyc
        if identity_weight:
            g_loss = g_loss + identity_weight * ((g_ab(real_b) - real_b).abs().mean() +
                                                 (g_ba(real_a) - real_a).abs().mean())
        update(g_opt, g_loss)
        d_loss = (scalar_loss(d_loss_fn(d_a(real_a), d_a(fake_a.detach())), "d_loss_fn") +
                  scalar_loss(d_loss_fn(d_b(real_b), d_b(fake_b.detach())), "d_loss_fn"))
        update(d_opt, d_loss)
        log.add(step, [d_loss, g_loss, cyc, (rec_a.detach() - real_a).abs().mean()])
        notify(callbacks, step, (g_ab, g_ba), (d_a, d_b), log.history)
    return log.history


def train_sr(
    generator: nn.Module,                  # SR(lr) -> hr
    lr_images: torch.Tensor,               # (N, C, h, w)
    hr_images: torch.Tensor,               # (N, C, s*h, s*w), aligned
    content_loss_fn: Callable,             # (sr, hr) -> scalar: MSE on pixels, or on features (SRGAN)
    *,
    discriminator: nn.Module | None = None,  # D(hr) -> logits (B,); None: no adversarial term (SRResNet)
    d_loss_fn: Callable | None = None,     # (real_logits, fake_logits) -> scalar
    g_loss_fn: Callable | None = None,     # (fake_logits) -> scalar
    adv_weight: float = 1e-3,              # SRGAN: content + 1e-3 * adversarial
    steps: int = 1000,
    batch_size: int = 16,
    lr: float = 1e-4,                      # SRGAN: Adam(1e-4, betas (0.9, 0.999)) for both (G's unless g_lr)
    g_lr: float | None = None,
    betas: tuple = (0.9, 0.999),
    callbacks: Iterable[Callable] = (),    # cb(step, generator, discriminator, history) after every step
    log_every: int = 10,
    seed: int | None = None,               # the order of the minibatches; None: drawn from torch's global RNG
    device=None,                           # where batches go; default: the generator's device
    progress: bool | None = None,          # tqdm bar; default: on, except while autograding
) -> dict:
    """SRResNet (content loss only) or SRGAN (content + adv_weight * adversarial; Ledig et al., 2017).

    history: step, d_loss (0 without a discriminator), g_loss, content, mse (pixel MSE of the batch)."""
    check_counts(steps=steps, batch_size=batch_size, log_every=log_every)
    if discriminator is not None and (d_loss_fn is None or g_loss_fn is None):
        raise ValueError("train_sr: a discriminator needs d_loss_fn and g_loss_fn")
    run = start(generator, discriminator, steps=steps, keys=("d_loss", "g_loss", "content", "mse"),
                desc="SRGAN" if discriminator is not None else "SRResNet", lr=lr, g_lr=g_lr, betas=betas,
                log_every=log_every, device=device, progress=progress, sources=SOURCES)
    device, d_opt, g_opt, log = run.device, run.d_opt, run.g_opt, run.log
    data = aligned_batches(check_tensor(lr_images, "lr_images", ndim=4), check_tensor(hr_images, "hr_images", ndim=4),
                           batch_size=batch_size, seed=seed)
    zero = torch.zeros((), device=device)
    for step in run.bar:
        x, y = (t.to(device) for t in next(data))
        sr = generator(x)
        d_loss = zero
        if discriminator is not None:
            d_loss = scalar_loss(d_loss_fn(discriminator(y), discriminator(sr.detach())), "d_loss_fn")
            update(d_opt, d_loss)
        content = scalar_loss(content_loss_fn(sr, y), "content_loss_fn")
        g_loss = content
        if discriminator is not None:
            g_loss = g_loss + adv_weight * scalar_loss(g_loss_fn(discriminator(sr)), "g_loss_fn")
        update(g_opt, g_loss)
        log.add(step, [d_loss, g_loss, content, F.mse_loss(sr.detach(), y)])
        notify(callbacks, step, generator, discriminator, log.history)
    return log.history
