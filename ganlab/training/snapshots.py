"""A callback that keeps the generator's output on fixed noise over training."""
from __future__ import annotations

import torch
from torch import nn

from ..checks import check_positive
from .loop import device_of


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
        device = device_of(generator)
        self.samples.append(generator(*(t.to(device) for t in (self.fixed_noise, *self.codes))).cpu())
        self.steps.append(step)

    def __call__(self, step, generator, discriminator, history):
        if step % self.every == 0:
            self.take(step, generator)
