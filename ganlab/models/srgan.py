"""Super-resolution networks after SRGAN (Ledig et al., 2017), small enough for a CPU.

    G = SRGenerator(SRConfig(scale=4))   # low resolution (B, 3, h, w) -> high resolution (B, 3, 4h, 4w)
    D = SRDiscriminator(SRConfig())      # high-resolution image (B, 3, H, W) -> logit (B,)
    phi = FeatureNet()                    # features for the content loss, trained by training.train_feature_net

The generator is SRResNet: a 9x9 convolution, residual blocks (conv-BN-PReLU-conv-BN plus the block's input),
a long skip over all blocks, then one x2 upsampling step per factor 2 of `scale`, each a convolution to 4x the
channels followed by a pixel shuffle (sub-pixel convolution, Shi et al., 2016), and a 9x9 convolution out.
One change for short CPU runs (SRConfig.bicubic_skip): the network predicts what to add to the bicubic
upsampling of its input, and starts as exactly bicubic (its last convolution is zero-initialised).

The content loss. SRGAN compares VGG-19 features of SR(x) and the true image; a VGG pretrained on ImageNet
needs a download of half a gigabyte. This course instead trains a small FeatureNet in seconds, on the same
kind of photo patches, with a self-supervised task: predict by how many quarter turns a patch was rotated
(Gidaris et al., 2018). To tell the rotations apart the network must find edges, their orientation and
textures: the kind of features a perceptual loss needs. An untrained (random) FeatureNet is also a usable,
weaker, feature extractor.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..checks import check_positive
from .unet import check_images


@dataclass
class SRConfig:
    channels: int = 3         # colour photos
    scale: int = 4            # upscaling factor, a power of two (SRGAN: 4)
    width: int = 64           # feature maps in the residual trunk (SRGAN: 64)
    n_blocks: int = 16        # residual blocks (SRGAN: 16)
    d_width: int = 64         # discriminator: feature maps of its first layer, doubling every two layers
    bicubic_skip: bool = True  # add the bicubic upsampling of the input to the output (global residual learning,
                               # Kim et al., 2016): training starts from bicubic and learns the missing detail.
                               # False: SRGAN's original output, tanh of the last convolution

    def __post_init__(self):
        for name in ("channels", "scale", "width", "n_blocks", "d_width"):
            check_positive(getattr(self, name), name, integer=True)
        if self.scale & (self.scale - 1):
            raise ValueError(f"scale: expected a power of two (2, 4, 8, ...), got {self.scale}")


class ResidualBlock(nn.Module):
    """x + BN(conv(PReLU(BN(conv(x))))): the shape is kept."""

    def __init__(self, ch: int):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(ch, ch, 3, 1, 1, bias=False), nn.BatchNorm2d(ch), nn.PReLU(ch),
                                  nn.Conv2d(ch, ch, 3, 1, 1, bias=False), nn.BatchNorm2d(ch))

    def forward(self, x):
        return x + self.body(x)


class SRGenerator(nn.Module):
    """low resolution (B, C, h, w) in [-1, 1] -> super-resolved (B, C, scale*h, scale*w) in [-1, 1]."""

    def __init__(self, cfg: SRConfig | None = None):
        super().__init__()
        cfg = cfg or SRConfig()
        self.cfg, w = cfg, cfg.width
        self.head = nn.Sequential(nn.Conv2d(cfg.channels, w, 9, 1, 4), nn.PReLU(w))
        self.blocks = nn.Sequential(*[ResidualBlock(w) for _ in range(cfg.n_blocks)],
                                    nn.Conv2d(w, w, 3, 1, 1, bias=False), nn.BatchNorm2d(w))
        ups = []
        for _ in range(int(math.log2(cfg.scale))):
            ups += [nn.Conv2d(w, 4 * w, 3, 1, 1), nn.PixelShuffle(2), nn.PReLU(w)]   # (B, 4w, h, w) -> (B, w, 2h, 2w)
        self.upsample = nn.Sequential(*ups)
        self.tail = nn.Conv2d(w, cfg.channels, 9, 1, 4)
        if cfg.bicubic_skip:
            nn.init.zeros_(self.tail.weight)
            nn.init.zeros_(self.tail.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_images(x, "low-resolution images", self.cfg.channels)
        h = self.head(x)
        h = h + self.blocks(h)                        # the long skip over all residual blocks
        out = self.tail(self.upsample(h))             # (B, C, scale * h, scale * w)
        if not self.cfg.bicubic_skip:
            return torch.tanh(out)
        return out + F.interpolate(x, scale_factor=self.cfg.scale, mode="bicubic", align_corners=False)


class SRDiscriminator(nn.Module):
    """high-resolution images (B, C, H, W) -> one logit per image (B,).

    SRGAN's VGG-style stack: 3x3 convolutions, stride 2 every second one, widths doubling at each stride-1
    layer, LeakyReLU(0.2), batch norm after the first; global average pooling replaces the dense layer on
    the flattened map, so any size works.
    """

    def __init__(self, cfg: SRConfig | None = None, depth: int = 4):
        super().__init__()
        cfg = cfg or SRConfig()
        self.cfg = cfg
        check_positive(depth, "depth", integer=True)
        layers, ch = [], cfg.channels
        for i in range(2 * depth):
            out = cfg.d_width * 2 ** (i // 2)
            layers += [nn.Conv2d(ch, out, 3, 1 + i % 2, 1), nn.Identity() if i == 0 else nn.BatchNorm2d(out),
                       nn.LeakyReLU(0.2, True)]
            ch = out
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Linear(ch, 2 * ch), nn.LeakyReLU(0.2, True), nn.Linear(2 * ch, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_images(x, "images", self.cfg.channels)
        return self.head(self.features(x).mean((2, 3))).flatten()


class FeatureNet(nn.Module):
    """images (B, C, H, W) in [-1, 1] -> feature maps (B, 4 * width, H / 4, W / 4) for a content loss.

    Two stages of two 3x3 convolutions + ReLU, with a 2x2 max pool after each (VGG's pattern, 4 layers
    instead of 16). `rotation_head` is only used for training: average pooling to a 2x2 map (which keeps the
    coarse layout: sky above, ground below) and a linear layer to 4 classes.
    """

    def __init__(self, channels: int = 3, width: int = 16):
        super().__init__()
        check_positive(channels, "channels", integer=True)
        check_positive(width, "width", integer=True)
        self.channels = channels
        self.body = nn.Sequential(
            nn.Conv2d(channels, width, 3, 1, 1), nn.ReLU(True), nn.Conv2d(width, 2 * width, 3, 1, 1), nn.ReLU(True),
            nn.MaxPool2d(2),
            nn.Conv2d(2 * width, 4 * width, 3, 1, 1), nn.ReLU(True), nn.Conv2d(4 * width, 4 * width, 3, 1, 1),
            nn.ReLU(True), nn.MaxPool2d(2))
        self.rotation_head = nn.Sequential(nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(16 * width, 4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_images(x, "images", self.channels, multiple=4)
        return self.body(x)
