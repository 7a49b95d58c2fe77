"""DCGAN (Radford et al., 2016): strided (transposed) convolutions, batch norm, ReLU/LeakyReLU.

Sized by image size (a power of two >= 8) and channels: each block doubles (G) or halves (D)
the resolution from/to 4x4.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ..checks import check_choice, check_tensor


@dataclass
class DCGANConfig:
    image_size: int = 32      # 8, 16, 32 or 64
    channels: int = 1         # 1 for digits/MNIST, 3 for colour
    latent_dim: int = 64      # size of the noise vector z
    width: int = 64           # feature maps at the full-resolution layer; doubles per halving
    d_norm: str = "batch"     # "batch" (DCGAN), "layer" or "none" (WGAN-GP critics avoid batch norm)

    @property
    def blocks(self) -> int:  # resolution doublings between 4x4 and image_size
        return self.image_size.bit_length() - 3

    def __post_init__(self):
        check_choice(self.image_size, "image_size", (8, 16, 32, 64))
        check_choice(self.d_norm, "d_norm", ("batch", "layer", "none"))


def init_dcgan_weights(module: nn.Module) -> None:
    """N(0, 0.02) for convolutions, N(1, 0.02) for norm scales, as in the DCGAN paper."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, (nn.BatchNorm2d, nn.GroupNorm)):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def _d_norm(kind: str, ch: int) -> nn.Module:
    if kind == "batch":
        return nn.BatchNorm2d(ch)
    if kind == "layer":
        return nn.GroupNorm(1, ch)  # normalises each sample over (C, H, W): no batch coupling
    return nn.Identity()


class DCGANGenerator(nn.Module):
    """z (B, latent_dim) -> images (B, channels, image_size, image_size) in [-1, 1]."""

    def __init__(self, cfg: DCGANConfig | None = None):
        super().__init__()
        cfg = cfg or DCGANConfig()
        self.cfg, self.latent_dim = cfg, cfg.latent_dim
        ch = cfg.width * 2 ** (cfg.blocks - 1)
        layers = [nn.ConvTranspose2d(cfg.latent_dim, ch, 4, 1, 0, bias=False),  # (B, ch, 4, 4)
                  nn.BatchNorm2d(ch), nn.ReLU(True)]
        for _ in range(cfg.blocks - 1):
            layers += [nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ch // 2), nn.ReLU(True)]
            ch //= 2
        layers += [nn.ConvTranspose2d(ch, cfg.channels, 4, 2, 1), nn.Tanh()]  # last doubling
        self.net = nn.Sequential(*layers)
        self.apply(init_dcgan_weights)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        check_tensor(z, "z", shape=(None, self.latent_dim))
        return self.net(z[:, :, None, None])


class DCGANDiscriminator(nn.Module):
    """images (B, channels, image_size, image_size) -> one logit (or critic score) per image (B,)."""

    def __init__(self, cfg: DCGANConfig | None = None):
        super().__init__()
        cfg = cfg or DCGANConfig()
        self.cfg = cfg
        ch = cfg.width
        layers = [nn.Conv2d(cfg.channels, ch, 4, 2, 1), nn.LeakyReLU(0.2, True)]  # no norm on the input layer
        for _ in range(cfg.blocks - 1):
            layers += [nn.Conv2d(ch, ch * 2, 4, 2, 1, bias=cfg.d_norm == "none"),
                       _d_norm(cfg.d_norm, ch * 2), nn.LeakyReLU(0.2, True)]
            ch *= 2
        layers += [nn.Conv2d(ch, 1, 4, 1, 0)]  # (B, 1, 1, 1)
        self.net = nn.Sequential(*layers)
        self.apply(init_dcgan_weights)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = self.cfg.image_size
        check_tensor(x, "images", shape=(None, self.cfg.channels, s, s))
        return self.net(x).flatten()
