"""Training loops and measures for image-to-image translation (lecture 06): pix2pix, CycleGAN, SRGAN.

The losses are arguments, so a notebook trains with the student's own `pix2pix_generator_loss` and
`cycle_consistency_loss` (ganlab holds no graded answer):

    history = train_pix2pix(G, D, x, y, d_loss_fn=discriminator_loss, g_loss_fn=pix2pix_generator_loss, steps=500)
    history = train_cyclegan(G_ab, G_ba, D_a, D_b, a, b, d_loss_fn, g_loss_fn, cycle_loss_fn, steps=500)
    history = train_sr(G, lr, hr, content_loss_fn, D=D, d_loss_fn=..., g_loss_fn=..., adv_weight=1e-3)

    d_loss_fn(real_logits, fake_logits) -> scalar        (lecture 01's discriminator loss; logits of any shape)
    g_loss_fn(fake_logits) -> scalar                      (CycleGAN / SRGAN adversarial term)
    pix2pix g_loss_fn(fake_logits, fake, target) -> scalar
    cycle_loss_fn(real_a, rec_a, real_b, rec_b) -> scalar
    content_loss_fn(sr, hr) -> scalar

history is a plain dict of lists, one entry per logged step (means since the previous entry).
Measures: psnr and ssim per image, translate (a whole set through G in batches).
"""
from __future__ import annotations

from typing import Callable, Iterable

import torch
import torch.nn.functional as F
from torch import nn

from .checks import check_counts, check_tensor
from .models.inference import generate
from .train import _progress, _RunningMeans, _scalar_loss


# ---------------------------------------------------------------- plumbing
def _pairs(*tensors: torch.Tensor, batch_size: int, seed: int):
    """Endless aligned minibatches: the same random indices into every tensor (all of one length)."""
    n = len(tensors[0])
    if any(len(t) != n for t in tensors):
        raise ValueError(f"expected aligned tensors of one length, got lengths {[len(t) for t in tensors]}")
    g = torch.Generator().manual_seed(seed)
    while True:
        idx = torch.randint(n, (batch_size,), generator=g)
        yield tuple(t[idx] for t in tensors)


def _adam(modules, lr, betas):
    return torch.optim.Adam([p for m in modules for p in m.parameters()], lr=lr, betas=betas)


def _update(opt, loss):
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


# ---------------------------------------------------------------- pix2pix
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
    lr: float = 2e-4,                      # pix2pix: Adam(2e-4, betas (0.5, 0.999))
    betas: tuple = (0.5, 0.999),
    callbacks: Iterable[Callable] = (),    # cb(step, generator, discriminator, history) after every step
    log_every: int = 10,
    seed: int = 0,                         # the order of the minibatches
    progress: bool | None = None,
) -> dict:
    """pix2pix (Isola et al., 2017): D learns to tell (x, y) from (x, G(x)); G minimises g_loss_fn.

    history: step, d_loss, g_loss, l1 (mean |G(x) - y| of the batch). With discriminator None, G is trained on
    g_loss_fn(None, fake, target) alone (e.g. an L1-only baseline) and d_loss is logged as 0.
    """
    check_counts(steps=steps, batch_size=batch_size, log_every=log_every)
    inputs, targets = check_tensor(inputs, "inputs", ndim=4), check_tensor(targets, "targets", ndim=4)
    device = next(generator.parameters()).device
    data = _pairs(inputs, targets, batch_size=batch_size, seed=seed)
    g_opt = _adam([generator], lr, betas)
    d_opt = _adam([discriminator], lr, betas) if discriminator is not None else None
    log = _RunningMeans(("d_loss", "g_loss", "l1"), steps, log_every, device)
    generator.train()
    if discriminator is not None:
        discriminator.train()
    zero = torch.zeros((), device=device)
    for step in (bar := _progress(steps, progress, "pix2pix")):
        x, y = (t.to(device) for t in next(data))
        fake = generator(x)
        d_loss = zero
        if discriminator is not None:
            d_loss = _scalar_loss(d_loss_fn(discriminator(x, y), discriminator(x, fake.detach())), "d_loss_fn")
            _update(d_opt, d_loss)
        fake_logits = discriminator(x, fake) if discriminator is not None else None
        g_loss = _scalar_loss(g_loss_fn(fake_logits, fake, y), "g_loss_fn")
        _update(g_opt, g_loss)        # D's gradients from this step are cleared before its next update
        log.add(step, [d_loss, g_loss, (fake.detach() - y).abs().mean()], bar)
        for cb in callbacks:
            cb(step, generator, discriminator, log.history)
    return log.history


# ---------------------------------------------------------------- CycleGAN
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
    lr: float = 2e-4,
    betas: tuple = (0.5, 0.999),
    callbacks: Iterable[Callable] = (),    # cb(step, (g_ab, g_ba), (d_a, d_b), history)
    log_every: int = 10,
    seed: int = 0,
    progress: bool | None = None,
) -> dict:
    """CycleGAN (Zhu et al., 2017): two translators trained adversarially in both directions, tied by a
    cycle-consistency loss F(G(a)) ~ a, G(F(b)) ~ b. One update of both generators, then of both discriminators.

    history: step, d_loss (D_A + D_B), g_loss (total), cycle (cycle_loss_fn's value; 0 without it), rec_error
    (mean |F(G(a)) - a|, whether or not it is trained).
    """
    check_counts(steps=steps, batch_size=batch_size, log_every=log_every)
    a, b = check_tensor(a, "a", ndim=4), check_tensor(b, "b", ndim=4)
    device = next(g_ab.parameters()).device
    data_a = _pairs(a, batch_size=batch_size, seed=seed)
    data_b = _pairs(b, batch_size=batch_size, seed=seed + 1)
    g_opt, d_opt = _adam([g_ab, g_ba], lr, betas), _adam([d_a, d_b], lr, betas)
    log = _RunningMeans(("d_loss", "g_loss", "cycle", "rec_error"), steps, log_every, device)
    for m in (g_ab, g_ba, d_a, d_b):
        m.train()
    zero = torch.zeros((), device=device)
    for step in (bar := _progress(steps, progress, "CycleGAN")):
        (real_a,), (real_b,) = (t.to(device) for t in next(data_a)), (t.to(device) for t in next(data_b))
        fake_b, fake_a = g_ab(real_a), g_ba(real_b)          # G(a), F(b)
        rec_a, rec_b = g_ba(fake_b), g_ab(fake_a)            # F(G(a)), G(F(b))
        adv = _scalar_loss(g_loss_fn(d_b(fake_b)), "g_loss_fn") + _scalar_loss(g_loss_fn(d_a(fake_a)), "g_loss_fn")
        cyc = zero
        if cycle_loss_fn is not None:
            cyc = _scalar_loss(cycle_loss_fn(real_a, rec_a, real_b, rec_b), "cycle_loss_fn")
        g_loss = adv + cyc
        if identity_weight:
            g_loss = g_loss + identity_weight * ((g_ab(real_b) - real_b).abs().mean() +
                                                 (g_ba(real_a) - real_a).abs().mean())
        _update(g_opt, g_loss)
        d_loss = (_scalar_loss(d_loss_fn(d_a(real_a), d_a(fake_a.detach())), "d_loss_fn") +
                  _scalar_loss(d_loss_fn(d_b(real_b), d_b(fake_b.detach())), "d_loss_fn"))
        _update(d_opt, d_loss)
        log.add(step, [d_loss, g_loss, cyc, (rec_a.detach() - real_a).abs().mean()], bar)
        for cb in callbacks:
            cb(step, (g_ab, g_ba), (d_a, d_b), log.history)
    return log.history


# ---------------------------------------------------------------- super-resolution
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
    lr: float = 1e-4,                      # SRGAN: Adam(1e-4, betas (0.9, 0.999))
    betas: tuple = (0.9, 0.999),
    log_every: int = 10,
    seed: int = 0,
    progress: bool | None = None,
) -> dict:
    """SRResNet (content loss only) or SRGAN (content + adv_weight * adversarial). history: step, d_loss, g_loss,
    content, mse (pixel MSE of the batch)."""
    check_counts(steps=steps, batch_size=batch_size, log_every=log_every)
    if discriminator is not None and (d_loss_fn is None or g_loss_fn is None):
        raise ValueError("train_sr: a discriminator needs d_loss_fn and g_loss_fn")
    device = next(generator.parameters()).device
    data = _pairs(check_tensor(lr_images, "lr_images", ndim=4), check_tensor(hr_images, "hr_images", ndim=4),
                  batch_size=batch_size, seed=seed)
    g_opt = _adam([generator], lr, betas)
    d_opt = _adam([discriminator], lr, betas) if discriminator is not None else None
    log = _RunningMeans(("d_loss", "g_loss", "content", "mse"), steps, log_every, device)
    generator.train()
    zero = torch.zeros((), device=device)
    for step in (bar := _progress(steps, progress, "SRGAN" if discriminator is not None else "SRResNet")):
        x, y = (t.to(device) for t in next(data))
        sr = generator(x)
        d_loss = zero
        if discriminator is not None:
            discriminator.train()
            d_loss = _scalar_loss(d_loss_fn(discriminator(y), discriminator(sr.detach())), "d_loss_fn")
            _update(d_opt, d_loss)
        content = _scalar_loss(content_loss_fn(sr, y), "content_loss_fn")
        g_loss = content
        if discriminator is not None:
            g_loss = g_loss + adv_weight * _scalar_loss(g_loss_fn(discriminator(sr)), "g_loss_fn")
        _update(g_opt, g_loss)
        log.add(step, [d_loss, g_loss, content, F.mse_loss(sr.detach(), y)], bar)
    return log.history


# ---------------------------------------------------------------- measures
def translate(generator: nn.Module, x: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """G applied to a whole set in eval mode (batch norm's running statistics, no dropout), on the CPU."""
    return generate(generator, check_tensor(x, "x", ndim=4), batch_size=batch_size)


def psnr(x: torch.Tensor, y: torch.Tensor, data_range: float = 2.0) -> torch.Tensor:
    """Peak signal-to-noise ratio per image, in dB: 10 log10(range^2 / mean squared error), (N, ...) -> (N,).
    The default range 2 is for images in [-1, 1]."""
    x, y = check_tensor(x, "x"), check_tensor(y, "y")
    if x.shape != y.shape:
        raise ValueError(f"x and y: expected one shape, got {tuple(x.shape)} and {tuple(y.shape)}")
    mse = (x.double() - y.double()).pow(2).flatten(1).mean(1)
    return 10 * torch.log10(data_range ** 2 / mse.clamp_min(1e-20))


def ssim(x: torch.Tensor, y: torch.Tensor, data_range: float = 2.0, window: int = 7,
         sigma: float = 1.5) -> torch.Tensor:
    """Structural similarity (Wang et al., 2004) per image, (N, C, H, W) -> (N,): local means, variances and
    covariance under a `window` x `window` Gaussian window of standard deviation `sigma`, at the valid positions
    only (no padding), averaged over positions and channels; 1 for identical images. K1 = 0.01, K2 = 0.03 as in
    the paper. The paper's window is 11x11 (sigma 1.5): `window=11` gives exactly scikit-image's
    `structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False)`. The default, 7x7,
    leaves more valid positions on the course's 16- and 32-pixel patches; its values run a little lower."""
    x, y = check_tensor(x, "x", ndim=4).double(), check_tensor(y, "y", ndim=4).double()
    if x.shape != y.shape or min(x.shape[-2:]) < window:
        raise ValueError(f"x and y: expected one shape with sides >= {window}, "
                         f"got {tuple(x.shape)} and {tuple(y.shape)}")
    t = torch.arange(window, dtype=torch.float64, device=x.device) - (window - 1) / 2
    g = torch.exp(-t ** 2 / (2 * sigma ** 2))
    kernel = (g[:, None] * g[None, :] / g.sum() ** 2).expand(x.shape[1], 1, window, window)

    def blur(z):
        return F.conv2d(z, kernel, groups=x.shape[1])

    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    mx, my = blur(x), blur(y)
    vx, vy, cxy = blur(x * x) - mx ** 2, blur(y * y) - my ** 2, blur(x * y) - mx * my
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx ** 2 + my ** 2 + c1) * (vx + vy + c2))
    return s.flatten(1).mean(1)
