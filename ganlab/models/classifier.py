"""The course's small digit CNN: the feature extractor behind its Frechet distance and the judge of
class-conditional samples (trained by training.train_classifier; ganlab.classifier keeps one per data set)."""
from __future__ import annotations

import torch
from torch import nn

from ..checks import check_tensor


class DigitClassifier(nn.Module):
    """images (B, 1, S, S) in [-1, 1] -> logits (B, 10); `features` gives the 64-d penultimate layer."""

    def __init__(self, image_size: int = 16):
        super().__init__()
        self.image_size = image_size
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(4), nn.Flatten(),
            nn.Linear(64 * 16, 64), nn.ReLU())
        self.head = nn.Linear(64, 10)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        s = self.image_size
        check_tensor(x, "images", shape=(None, 1, s, s))
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))
