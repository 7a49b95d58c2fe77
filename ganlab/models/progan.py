"""Progressive growing of GANs (ProGAN; Karras et al., 2018), small enough for digits.

G and D grow from 4x4 by doubling: stage s works at resolution 4 * 2**s. When a new block is added
it is faded in: with weight alpha the new block's output, with weight 1 - alpha the previous stage's
output upsampled (in G) or the input downsampled by average pooling and fed to the previous stage's
from_rgb (in D). The blend is the student's `fade_in(alpha, upscaled, generated)`, passed in:

    G, D = ProGenerator(cfg), ProDiscriminator(cfg)
    images = G(z, stage=1, alpha=0.3, fade_in=fade_in)        # (B, C, 8, 8)
    scores = D(images, alpha=0.3, fade_in=fade_in)             # (B,); the stage follows from the size
    history = train_progressive(G, D, real, d_loss, g_loss, fade_in, steps_per_phase=200)

The paper's other three tricks are here too: pixel normalisation in G, minibatch standard deviation
at the end of D (layers.MinibatchStd), and the equalised learning rate (EqualizedLinear, EqualizedConv2d).
ganlab holds no graded answer: the blend and the losses are arguments.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from ..checks import check_choice, check_positive, check_tensor
from ..data import batches
from ..device import grading
from .layers import MinibatchStd


# ---------------------------------------------------------------- the three tricks
class PixelNorm(nn.Module):
    """x / sqrt(mean over channels of x^2 + eps), per sample and pixel (ProGAN's G after every conv)."""

    def __init__(self, eps: float = 1e-8):
        super().__init__()
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(dim=1, keepdim=True) + self.eps)  # (B, C, ...) / (B, 1, ...)


class EqualizedLinear(nn.Module):
    """A linear layer with the equalised learning rate: weights stored ~ N(0, 1) / lr_mul and scaled at
    run time by lr_mul * gain / sqrt(fan_in) (He's constant), so Adam's step is the same for every layer.
    lr_mul < 1 slows a layer down (StyleGAN's mapping network: 0.01)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, gain: float = math.sqrt(2),
                 lr_mul: float = 1.0, bias_init: float = 0.0):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_features, in_features) / lr_mul)
        self.bias = nn.Parameter(torch.full((out_features,), bias_init / lr_mul)) if bias else None
        self.scale, self.lr_mul = lr_mul * gain / math.sqrt(in_features), lr_mul

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        bias = None if self.bias is None else self.bias * self.lr_mul
        return F.linear(x, self.weight * self.scale, bias)

    def extra_repr(self) -> str:
        return f"{self.weight.shape[1]} -> {self.weight.shape[0]}, lr_mul={self.lr_mul:g}"


class EqualizedConv2d(nn.Module):
    """A convolution with the equalised learning rate (stride 1, 'same' padding)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, gain: float = math.sqrt(2),
                 padding: int | None = None):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.scale = gain / math.sqrt(in_channels * kernel_size ** 2)
        self.padding = kernel_size // 2 if padding is None else padding

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight * self.scale, self.bias, padding=self.padding)

    def extra_repr(self) -> str:
        o, i, k, _ = self.weight.shape
        return f"{i} -> {o}, kernel {k}"


def _act() -> nn.Module:
    return nn.LeakyReLU(0.2)


# ---------------------------------------------------------------- config
@dataclass
class ProGANConfig:
    image_size: int = 16      # final resolution: 8, 16 or 32 (stages 4x4, 8x8, ... up to it)
    channels: int = 1         # 1 for digits
    latent_dim: int = 64      # size of z
    width: int = 64           # feature maps up to 8x8, halved at every doubling above (ProGAN: 512 up to 32x32)

    @property
    def stages(self) -> int:  # resolutions 4, 8, ..., image_size
        return self.image_size.bit_length() - 2

    def resolution(self, stage: int) -> int:
        return 4 * 2 ** stage

    def features(self, stage: int) -> int:  # feature maps at a stage: width, width, width / 2, width / 4
        return max(1, self.width // max(1, 2 ** (stage - 1)))

    def __post_init__(self):
        check_choice(self.image_size, "image_size", (8, 16, 32))
        for name in ("channels", "latent_dim", "width"):
            check_positive(getattr(self, name), name, integer=True)


def check_stage(cfg: ProGANConfig, stage, alpha, fade_in) -> int:
    """The stage as an int in [0, cfg.stages); alpha in [0, 1]; a fade-in function whenever alpha < 1."""
    stage = cfg.stages - 1 if stage is None else stage
    if isinstance(stage, bool) or not isinstance(stage, int) or not 0 <= stage < cfg.stages:
        raise ValueError(f"stage: expected an int from 0 (4x4) to {cfg.stages - 1} ({cfg.image_size}x"
                         f"{cfg.image_size}), got {stage!r}")
    if not isinstance(alpha, (int, float)) or not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha: expected a number in [0, 1], got {alpha!r}")
    if alpha < 1 and stage > 0 and not callable(fade_in):
        raise ValueError(f"alpha = {alpha:g} < 1 blends two paths: pass fade_in=<your fade_in(alpha, upscaled, "
                         f"generated)>, got {fade_in!r}")
    return stage


# ---------------------------------------------------------------- generator
def _g_block(cin: int, cout: int) -> nn.Sequential:
    """Upsample x2 (nearest), then two 3x3 convolutions, each followed by LeakyReLU and pixel norm."""
    return nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"),
                         EqualizedConv2d(cin, cout, 3), _act(), PixelNorm(),
                         EqualizedConv2d(cout, cout, 3), _act(), PixelNorm())


class ProGenerator(nn.Module):
    """z (B, latent_dim) -> images (B, channels, R, R) at the stage's resolution R = 4 * 2**stage.

    forward(z, stage=None, alpha=1.0, fade_in=None): stage None is the last one; with alpha < 1 the
    newest block is blended with the previous stage's image, upsampled: fade_in(alpha, upscaled, generated).
    The output is linear (no tanh), as in the paper; real images are in [-1, 1].
    """

    def __init__(self, cfg: ProGANConfig | None = None):
        super().__init__()
        cfg = cfg or ProGANConfig()
        self.cfg, self.latent_dim, c, f = cfg, cfg.latent_dim, cfg.width, cfg.features
        self.first = nn.Sequential(PixelNorm(), EqualizedLinear(cfg.latent_dim, c * 16, gain=math.sqrt(2) / 4),
                                   nn.Unflatten(1, (c, 4, 4)), _act(), PixelNorm(),       # (B, c, 4, 4)
                                   EqualizedConv2d(c, c, 3), _act(), PixelNorm())
        self.blocks = nn.ModuleList([nn.Identity()] + [_g_block(f(s - 1), f(s)) for s in range(1, cfg.stages)])
        self.to_rgb = nn.ModuleList([EqualizedConv2d(f(s), cfg.channels, 1, gain=1.0) for s in range(cfg.stages)])

    def forward(self, z: torch.Tensor, stage: int | None = None, alpha: float = 1.0,
                fade_in: Callable | None = None) -> torch.Tensor:
        check_tensor(z, "z", shape=(None, self.latent_dim))
        stage = check_stage(self.cfg, stage, alpha, fade_in)
        x = self.first(z)                                           # (B, c, 4, 4)
        for block in self.blocks[1:stage]:
            x = block(x)                                            # (B, c, R/2, R/2) after the loop
        if stage == 0:
            return self.to_rgb[0](x)
        generated = self.to_rgb[stage](self.blocks[stage](x))      # (B, channels, R, R): the new block
        if alpha >= 1:
            return generated
        upscaled = F.interpolate(self.to_rgb[stage - 1](x), scale_factor=2, mode="nearest")  # the old path
        return fade_in(alpha, upscaled, generated)


# ---------------------------------------------------------------- discriminator
def _d_block(cin: int, cout: int) -> nn.Sequential:
    """Two 3x3 convolutions with LeakyReLU, then average pooling /2."""
    return nn.Sequential(EqualizedConv2d(cin, cin, 3), _act(), EqualizedConv2d(cin, cout, 3), _act(),
                         nn.AvgPool2d(2))


class ProDiscriminator(nn.Module):
    """images (B, channels, R, R) -> one raw score per image (B,), at any stage's resolution R.

    forward(x, alpha=1.0, fade_in=None): the stage follows from R. With alpha < 1 the newest block's
    features are blended with those of the image downsampled (average pooling) and fed to the previous
    stage's from_rgb: fade_in(alpha, downscaled path, new path). The last block appends the minibatch
    standard deviation (group size 4) before its convolutions.
    """

    def __init__(self, cfg: ProGANConfig | None = None, group_size: int = 4):
        super().__init__()
        cfg = cfg or ProGANConfig()
        self.cfg, c, f = cfg, cfg.width, cfg.features
        self.from_rgb = nn.ModuleList([nn.Sequential(EqualizedConv2d(cfg.channels, f(s), 1), _act())
                                       for s in range(cfg.stages)])
        self.blocks = nn.ModuleList([nn.Identity()] + [_d_block(f(s), f(s - 1)) for s in range(1, cfg.stages)])
        self.final = nn.Sequential(MinibatchStd(group_size), EqualizedConv2d(c + 1, c, 3), _act(),
                                   EqualizedConv2d(c, c, 4, padding=0), _act(), nn.Flatten(),   # (B, c)
                                   EqualizedLinear(c, 1, gain=1.0))

    def stage_of(self, x: torch.Tensor) -> int:
        sizes = [self.cfg.resolution(s) for s in range(self.cfg.stages)]
        check_tensor(x, "images", ndim=4)
        if x.shape[1] != self.cfg.channels or x.shape[2] != x.shape[3] or x.shape[-1] not in sizes:
            raise ValueError(f"images: expected shape (B, {self.cfg.channels}, R, R) with R in {sizes}, "
                             f"got {tuple(x.shape)}")
        return sizes.index(x.shape[-1])

    def forward(self, x: torch.Tensor, alpha: float = 1.0, fade_in: Callable | None = None) -> torch.Tensor:
        stage = check_stage(self.cfg, self.stage_of(x), alpha, fade_in)
        h = self.from_rgb[stage](x)                                 # (B, c, R, R)
        if stage > 0:
            h = self.blocks[stage](h)                               # (B, c, R/2, R/2)
            if alpha < 1:
                downscaled = self.from_rgb[stage - 1](F.avg_pool2d(x, 2))
                h = fade_in(alpha, downscaled, h)
            for block in reversed(self.blocks[1:stage]):
                h = block(h)
        return self.final(h).flatten()                              # (B,)


# ---------------------------------------------------------------- progressive training
def alpha_schedule(step: int, fade_steps: int) -> float:
    """alpha rises linearly from 0 to 1 over the fade phase, then stays at 1."""
    return min(1.0, step / fade_steps) if fade_steps > 0 else 1.0


def phase_steps(stages: int, steps_per_phase) -> list[tuple[int, int]]:
    """(fade steps, stabilising steps) per stage; stage 0 has nothing to fade in. steps_per_phase is one int
    for every stage or one int per stage (small images are cheap: give them more steps)."""
    per_stage = [steps_per_phase] * stages if isinstance(steps_per_phase, int) else list(steps_per_phase)
    if len(per_stage) != stages:
        raise ValueError(f"steps_per_phase: expected an int or {stages} ints (one per stage), got {steps_per_phase!r}")
    for n in per_stage:
        check_positive(n, "steps_per_phase", integer=True)
    return [(0 if s == 0 else n, n) for s, n in enumerate(per_stage)]


def phase_ends(stages: int, steps_per_phase) -> list[int]:
    """The (1-based) training steps at which each phase ends: where to take snapshots."""
    ends, step = [], 0
    for fade, stable in phase_steps(stages, steps_per_phase):
        for n in (fade, stable):
            if n:
                step += n
                ends.append(step)
    return ends


def train_progressive(
    generator: ProGenerator,
    discriminator: ProDiscriminator,
    images: torch.Tensor,                  # real images (N, C, S, S) in [-1, 1] at the final size
    d_loss_fn: Callable,                   # (real_scores, fake_scores) -> scalar
    g_loss_fn: Callable,                   # (fake_scores) -> scalar
    fade_in: Callable,                     # fade_in(alpha, upscaled, generated)
    *,
    steps_per_phase=500,                   # per stage (an int, or one per stage): fade-in steps, then as many stable
    batch_size: int = 64,
    lr: float = 1e-3,                      # ProGAN: Adam(1e-3, betas (0, 0.99))
    betas: tuple = (0.0, 0.99),
    callbacks=(),                          # cb(stage, alpha, step, generator, history) after every step
    progress: bool | None = None,
) -> dict:
    """Grow G and D from 4x4 to the final size. At stage s the real images are average-pooled to
    4 * 2**s and, while alpha < 1, blended with their own 2x-downsampled-then-upsampled version, as in
    the paper, so the discriminator sees real images as blurry as the fakes. Returns a history dict
    of lists: step, stage, alpha, d_loss, g_loss."""
    cfg = generator.cfg
    check_tensor(images, "images", shape=(None, cfg.channels, cfg.image_size, cfg.image_size))
    phases = phase_steps(cfg.stages, steps_per_phase)
    device = next(generator.parameters()).device
    d_opt = torch.optim.Adam(discriminator.parameters(), lr=lr, betas=betas)
    g_opt = torch.optim.Adam(generator.parameters(), lr=lr, betas=betas)
    history = {k: [] for k in ("step", "stage", "alpha", "d_loss", "g_loss")}
    sample = batches(images, batch_size)
    total = sum(fade + stable for fade, stable in phases)
    bar = tqdm(total=total, desc="growing", disable=grading() if progress is None else not progress)
    step = 0
    for stage, (fade, stable) in enumerate(phases):
        res = cfg.resolution(stage)
        for i in range(fade + stable):
            step += 1
            alpha = alpha_schedule(i, fade)
            real = F.adaptive_avg_pool2d(next(sample).to(device), res)          # (B, C, res, res)
            if alpha < 1:
                blurred = F.interpolate(F.avg_pool2d(real, 2), scale_factor=2, mode="nearest")
                real = fade_in(alpha, blurred, real)
            z = torch.randn(len(real), cfg.latent_dim, device=device)
            with torch.no_grad():
                fake = generator(z, stage, alpha, fade_in)
            real_scores = discriminator(real, alpha, fade_in)                     # (B,)
            d_loss = d_loss_fn(real_scores, discriminator(fake, alpha, fade_in))
            d_loss = d_loss + 1e-3 * real_scores.pow(2).mean()   # ProGAN's drift term keeps scores near 0
            d_opt.zero_grad(set_to_none=True)
            d_loss.backward()
            d_opt.step()
            z = torch.randn(batch_size, cfg.latent_dim, device=device)
            g_loss = g_loss_fn(discriminator(generator(z, stage, alpha, fade_in), alpha, fade_in))
            g_opt.zero_grad(set_to_none=True)
            g_loss.backward()
            g_opt.step()
            for key, value in zip(history, (step, stage, alpha, d_loss.item(), g_loss.item())):
                history[key].append(value)
            for cb in callbacks:
                cb(stage, alpha, step, generator, history)
            bar.update()
        bar.set_postfix(resolution=f"{res}x{res}")
    bar.close()
    return history
