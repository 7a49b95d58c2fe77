"""Running a model for its outputs: in eval mode for the duration (its mode restored after), in batches,
the results on the CPU."""
from __future__ import annotations

import contextlib

import torch
from torch import nn


@contextlib.contextmanager
def evaluating(model: nn.Module):
    """model.eval() inside the block (each sample independent of its batch), its mode restored after."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


@torch.no_grad()
def generate(model: nn.Module, *inputs: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """model(*inputs) in eval mode, `batch_size` rows at a time on the model's device; the outputs on the CPU.
    E.g. generate(G, z, labels) for a conditional generator, generate(G, x) for a translator."""
    device = next(model.parameters()).device
    with evaluating(model):
        return torch.cat([model(*(t.to(device) for t in batch)).cpu()
                          for batch in zip(*(t.split(batch_size) for t in inputs))])
