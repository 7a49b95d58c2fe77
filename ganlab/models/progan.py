"""Progressive growing of GANs (ProGAN; Karras et al., 2018), small enough for digits.

G and D grow from 4x4 by doubling: stage s works at resolution 4 * 2**s. When a new block is added
it is faded in: with weight alpha the new block's output, with weight 1 - alpha the previous stage's
output upsampled (in G) or the input downsampled by average pooling and fed to the previous stage's
from_rgb (in D). The blend is the student's `fade_in(alpha, upscaled, generated)`, passed in:

    G, D = ProGenerator(cfg), ProDiscriminator(cfg)
    images = G(z, stage=1, alpha=0.3, fade_in=fade_in)        # (B, C, 8, 8)
    scores = D(images, alpha=0.3, fade_in=fade_in)             # (B,); the stage follows from the size
    history = train_progressive(G, D, real, d_loss, g_loss, fade_in, steps_per_phase=200)   # ganlab.training

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

from ..checks import check_choice, check_positive, check_tensor
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
