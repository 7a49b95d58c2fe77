"""Fully connected generator and discriminator, for 1-D/2-D toys and small images."""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from ..checks import check_tensor


@dataclass
class MLPConfig:
    data_shape: tuple = (2,)   # shape of one sample: (2,) for 2-D toys, (1, 16, 16) for images
    latent_dim: int = 16       # size of the noise vector z
    hidden: int = 128          # width of each hidden layer
    depth: int = 3             # number of hidden layers
    tanh_output: bool = False  # squash G's output to [-1, 1] (images), or leave it free (toys)

    @property
    def data_dim(self) -> int:
        return math.prod(self.data_shape)


def _stack(sizes, act) -> list[nn.Module]:
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), act()]
    return layers


class MLPGenerator(nn.Module):
    """z (B, latent_dim) -> x (B, *data_shape)."""

    def __init__(self, cfg: MLPConfig | None = None):
        super().__init__()
        cfg = cfg or MLPConfig()
        self.cfg, self.latent_dim = cfg, cfg.latent_dim
        hidden = _stack([cfg.latent_dim] + [cfg.hidden] * cfg.depth, nn.ReLU)
        out = [nn.Linear(cfg.hidden, cfg.data_dim)] + ([nn.Tanh()] if cfg.tanh_output else [])
        self.net = nn.Sequential(*hidden, *out)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        check_tensor(z, "z", shape=(None, self.latent_dim))
        return self.net(z).view(len(z), *self.cfg.data_shape)


class MLPDiscriminator(nn.Module):
    """x (B, *data_shape) -> one logit per sample (B,)."""

    def __init__(self, cfg: MLPConfig | None = None):
        super().__init__()
        cfg = cfg or MLPConfig()
        self.cfg = cfg
        hidden = _stack([cfg.data_dim] + [cfg.hidden] * cfg.depth, lambda: nn.LeakyReLU(0.2))
        self.net = nn.Sequential(*hidden, nn.Linear(cfg.hidden, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor(x, "x", shape=(None, *self.cfg.data_shape))
        return self.net(x.flatten(1)).squeeze(1)
