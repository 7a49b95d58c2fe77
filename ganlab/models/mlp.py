"""Fully connected generator and discriminator, for 1-D/2-D toys and small images."""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from ..checks import check_tensor
from .layers import MinibatchStd


@dataclass
class MLPConfig:
    data_shape: tuple = (2,)   # shape of one sample: (2,) for 2-D toys, (1, 16, 16) for images
    latent_dim: int = 16       # size of the noise vector z
    hidden: int = 128          # width of each hidden layer
    depth: int = 3             # number of hidden layers
    tanh_output: bool = False  # squash G's output to [-1, 1] (images), or leave it free (toys)
    batch_norm: bool = False   # G only: BatchNorm1d after each hidden Linear (PacGAN's toy generator)
    minibatch_std: bool = False  # D only: a MinibatchStd layer before its first Linear (data_dim + 1 inputs)
    minibatch_std_group: int | None = None  # its group size; None = the whole batch

    @property
    def data_dim(self) -> int:
        return math.prod(self.data_shape)


def _stack(sizes, act, batch_norm: bool = False) -> list[nn.Module]:
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b)] + ([nn.BatchNorm1d(b)] if batch_norm else []) + [act()]
    return layers


class MLPGenerator(nn.Module):
    """z (B, latent_dim) -> x (B, *data_shape)."""

    def __init__(self, cfg: MLPConfig | None = None):
        super().__init__()
        cfg = cfg or MLPConfig()
        self.cfg, self.latent_dim = cfg, cfg.latent_dim
        hidden = _stack([cfg.latent_dim] + [cfg.hidden] * cfg.depth, nn.ReLU, cfg.batch_norm)
        out = [nn.Linear(cfg.hidden, cfg.data_dim)] + ([nn.Tanh()] if cfg.tanh_output else [])
        self.net = nn.Sequential(*hidden, *out)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        check_tensor(z, "z", shape=(None, self.latent_dim))
        return self.net(z).view(len(z), *self.cfg.data_shape)


class MLPDiscriminator(nn.Module):
    """x (B, *data_shape) -> one logit per sample (B,).
    With cfg.minibatch_std, the flattened input first gets one extra feature: the batch's std (ProGAN)."""

    def __init__(self, cfg: MLPConfig | None = None):
        super().__init__()
        cfg = cfg or MLPConfig()
        self.cfg = cfg
        mbstd = [MinibatchStd(cfg.minibatch_std_group)] if cfg.minibatch_std else []
        hidden = _stack([cfg.data_dim + len(mbstd)] + [cfg.hidden] * cfg.depth, lambda: nn.LeakyReLU(0.2))
        self.net = nn.Sequential(*mbstd, *hidden, nn.Linear(cfg.hidden, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor(x, "x", shape=(None, *self.cfg.data_shape))
        return self.net(x.flatten(1)).squeeze(1)
