"""A learned GAN inversion: an encoder from images to the generator's intermediate latent w (lecture 08;
trained by training.train_encoder)."""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ..checks import check_choice, check_positive, check_tensor


@dataclass
class EncoderConfig:
    image_size: int = 16   # input images are image_size x image_size (8, 16 or 32)
    channels: int = 1      # 1 for digits
    w_dim: int = 32        # size of w: the generator's latent_dim
    width: int = 16        # feature maps of the first convolution, doubled at each halving
    hidden: int = 128      # the fully connected layer before the output

    def __post_init__(self):
        check_choice(self.image_size, "image_size", (8, 16, 32))
        for name in ("channels", "w_dim", "width", "hidden"):
            check_positive(getattr(self, name), name, integer=True)


class LatentEncoder(nn.Module):
    """images (B, C, S, S) in [-1, 1] -> w (B, w_dim) in W: a small CNN down to 4x4, then w_avg plus a learned
    offset. The output layer starts at zero, so an untrained encoder answers w_avg for every image (pSp and e4e
    also predict offsets from the average latent)."""

    def __init__(self, cfg: EncoderConfig | None = None, w_avg: torch.Tensor | None = None):
        super().__init__()
        cfg = cfg or EncoderConfig()
        self.cfg = cfg
        layers, c = [nn.Conv2d(cfg.channels, cfg.width, 3, padding=1), nn.LeakyReLU(0.2)], cfg.width
        for _ in range(cfg.image_size.bit_length() - 3):                      # halve down to 4x4
            layers += [nn.Conv2d(c, 2 * c, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
            c *= 2
        self.body = nn.Sequential(*layers, nn.Flatten(), nn.Linear(c * 16, cfg.hidden), nn.LeakyReLU(0.2))
        self.head = nn.Linear(cfg.hidden, cfg.w_dim)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)
        w_avg = torch.zeros(cfg.w_dim) if w_avg is None else check_tensor(w_avg, "w_avg", shape=(cfg.w_dim,))
        self.register_buffer("w_avg", w_avg.detach().clone())

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        s = self.cfg.image_size
        check_tensor(images, "images", shape=(None, self.cfg.channels, s, s))
        return self.w_avg + self.head(self.body(images))                      # (B, w_dim)
