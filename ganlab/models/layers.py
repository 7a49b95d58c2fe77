"""Discriminator layers against mode collapse: minibatch standard deviation (ProGAN) and
packing (PacGAN). Both let the discriminator look at several samples at once, so a generator
that puts all its samples in one place becomes easy to spot.

    D = nn.Sequential(MinibatchStd(group_size=4), ...)   # (B, F) -> (B, F + 1) or (B, C, H, W) -> (B, C + 1, H, W)
    D = Packed(MLPDiscriminator(MLPConfig(data_shape=(2 * k,))), pack, k)   # `pack` is the student's own

Packed takes the packing function as an argument, so ganlab holds no graded answer.
"""
from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from ..checks import check_positive, check_tensor


class MinibatchStd(nn.Module):
    """Append one feature (or channel) holding how much the samples of a group differ.

    Karras et al. (2018), ProGAN: split the batch into groups of `group_size` samples, take the
    standard deviation of every feature (and pixel) over each group (biased, with 1e-8 inside the
    square root), average it over features (and pixels) to one number per group, and append that
    number to every sample of the group as an extra feature (a constant extra channel for images).

    Groups are strided as in ProGAN: with M = B // group_size groups, sample i belongs to group i % M.
    group_size None uses the whole batch as one group; a group_size larger than the batch shrinks to
    the batch, as in ProGAN. B must be divisible by the group size.

    (B, F) -> (B, F + 1);  (B, C, H, W) -> (B, C + 1, H, W).
    """

    def __init__(self, group_size: int | None = None, eps: float = 1e-8):
        super().__init__()
        if group_size is not None:
            check_positive(group_size, "group_size", integer=True)
        self.group_size, self.eps = group_size, eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor(x, "x", ndim=(2, 4))
        b = len(x)
        g = b if self.group_size is None else min(self.group_size, b)
        if g == 0 or b % g != 0:
            raise ValueError(f"MinibatchStd: a batch of {b} samples cannot be split into groups of {g}; "
                             "use a batch size divisible by group_size")
        y = x.reshape(g, b // g, *x.shape[1:])                                  # (g, M, F) or (g, M, C, H, W)
        std = (y.var(dim=0, unbiased=False) + self.eps).sqrt()                   # (M, F) or (M, C, H, W)
        stat = std.flatten(1).mean(dim=1)                                        # (M,): one number per group
        stat = stat.repeat(g)                                                    # (B,): sample i gets group i % M
        stat = stat.view(b, 1, *([1] * (x.dim() - 2))).expand(b, 1, *x.shape[2:])  # (B, 1) or (B, 1, H, W)
        return torch.cat([x, stat.to(x.dtype)], dim=1)

    def extra_repr(self) -> str:
        return f"group_size={self.group_size}"


class Packed(nn.Module):
    """A PacGAN discriminator (Lin et al., 2018): forward(x) = discriminator(pack_fn(x, k)).

    pack_fn(x, k) turns a batch (B, *rest) into (B // k, k * rest[0], *rest[1:]): k samples side by
    side along dim 1. The wrapped discriminator must accept that shape (e.g. an MLP with data_shape
    (k * 2,) for 2-D points) and returns one score per pack, (B // k,).
    """

    def __init__(self, discriminator: nn.Module, pack_fn: Callable, k: int):
        super().__init__()
        if not callable(pack_fn):
            raise ValueError(f"pack_fn: expected a function pack(x, k), got {type(pack_fn).__name__}")
        self.discriminator, self.pack_fn = discriminator, pack_fn
        self.k = check_positive(k, "k", integer=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor(x, "x")
        if x.dim() < 2:
            raise ValueError(f"x: expected a batch (B, ...) with at least 2 dimensions, got shape {tuple(x.shape)}")
        return self.discriminator(self.pack_fn(x, self.k))  # (B // k,)

    def extra_repr(self) -> str:
        return f"k={self.k}, pack_fn={getattr(self.pack_fn, '__name__', repr(self.pack_fn))}"
