"""Image-to-image networks of pix2pix (Isola et al., 2017): the U-Net generator and the PatchGAN discriminator.

    G = UNetGenerator(UNetConfig(in_channels=1, out_channels=1, depth=4))   # x (B, 1, H, W) -> y (B, 1, H, W)
    D = PatchGAN(PatchGANConfig(in_channels=2, n_layers=3))                 # D(x, y) -> logits (B, 1, h, w)

The U-Net is an encoder-decoder with N = 2 * depth layers whose skip connections concatenate the channels of
layer i with those of layer N - i (so fine detail from the input reaches the output without squeezing through
the bottleneck). The generator takes no noise: pix2pix found the noise ignored; its only randomness is optional
dropout. PatchGAN classifies every overlapping patch of its input as real or fake: one logit per patch, the
patch size being the receptive field of its stack of (kernel, stride) convolutions, listed in `D.layers`.
The losses are not here: the trainers take them as arguments (ganlab holds no graded answer).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ..checks import check_choice, check_positive, check_tensor
from .dcgan import init_dcgan_weights
from .inference import evaluating

NORMS = ("batch", "instance", "none")


def norm_layer(kind: str, ch: int) -> nn.Module:
    """batch norm (pix2pix), instance norm (CycleGAN; affine, no running statistics) or nothing."""
    if kind == "batch":
        return nn.BatchNorm2d(ch)
    if kind == "instance":
        return nn.InstanceNorm2d(ch, affine=True)
    return nn.Identity()


def check_images(x, name: str, channels: int, multiple: int = 1, min_size: int = 1) -> torch.Tensor:
    """A batch (B, channels, H, W) with H, W multiples of `multiple` and at least `min_size`."""
    x = check_tensor(x, name, shape=(None, channels, None, None))
    h, w = x.shape[-2:]
    if h % multiple or w % multiple or min(h, w) < min_size:
        raise ValueError(f"{name}: expected height and width that are multiples of {multiple} and at least "
                         f"{max(min_size, multiple)}, got {h}x{w}")
    return x


# ---------------------------------------------------------------- U-Net
@dataclass
class UNetConfig:
    in_channels: int = 1      # channels of the input image x
    out_channels: int = 1     # channels of the translated image G(x)
    depth: int = 4            # downsamplings (the U-Net has 2 * depth layers); H, W must be multiples of 2**depth
    width: int = 64           # feature maps of the first layer; doubles per layer down to max_width
    max_width: int = 512      # pix2pix: 64, 128, 256, 512, 512, ...
    norm: str = "batch"       # "batch" (pix2pix), "instance" (CycleGAN) or "none"
    dropout: float = 0.0      # pix2pix: 0.5 in the three innermost decoder layers (its only noise)
    skips: bool = True        # False: a plain encoder-decoder (the ablation of the pix2pix paper)

    def __post_init__(self):
        for name in ("in_channels", "out_channels", "depth", "width", "max_width"):
            check_positive(getattr(self, name), name, integer=True)
        check_choice(self.norm, "norm", NORMS)
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout: expected a probability in [0, 1), got {self.dropout!r}")

    @property
    def widths(self) -> list[int]:  # output channels of encoder layers 1..depth
        return [min(self.width * 2 ** i, self.max_width) for i in range(self.depth)]


class UNetGenerator(nn.Module):
    """x (B, in_channels, H, W) -> G(x) (B, out_channels, H, W) in [-1, 1].

    Encoder layer i (i = 1..depth) halves the resolution: e_i = LeakyReLU(Norm(Conv4x4/2(e_{i-1}))).
    Decoder layer depth + j doubles it; its input is the previous layer's output concatenated with the
    encoder's e_{depth - j + 1}: layer i and layer N - i are joined (N = 2 * depth).
    """

    def __init__(self, cfg: UNetConfig | None = None):
        super().__init__()
        cfg = cfg or UNetConfig()
        self.cfg = cfg
        w, d = cfg.widths, cfg.depth
        self.down = nn.ModuleList()
        ch = cfg.in_channels
        for i, out in enumerate(w):
            inner = i in (0, d - 1)  # no norm on the input layer nor on the 1x1-ish bottleneck
            self.down.append(nn.Sequential(nn.Conv2d(ch, out, 4, 2, 1, bias=inner or cfg.norm != "batch"),
                                           nn.Identity() if inner else norm_layer(cfg.norm, out),
                                           nn.LeakyReLU(0.2, True)))
            ch = out
        self.up = nn.ModuleList()
        for j in range(1, d + 1):              # decoder layer d + j, output at the resolution of e_{d-j}
            skip = w[d - j] if (cfg.skips and j > 1) else 0   # channels of e_{d-j+1}, concatenated to the input
            if j == d:
                block = [nn.ConvTranspose2d(ch + skip, cfg.out_channels, 4, 2, 1), nn.Tanh()]
            else:
                out = w[d - j - 1]
                block = [nn.ConvTranspose2d(ch + skip, out, 4, 2, 1, bias=cfg.norm != "batch"),
                         norm_layer(cfg.norm, out)]
                if cfg.dropout and j <= 3:
                    block.append(nn.Dropout(cfg.dropout))
                block.append(nn.ReLU(True))
                ch = out
            self.up.append(nn.Sequential(*block))
        self.apply(init_dcgan_weights)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_images(x, "x", self.cfg.in_channels, multiple=2 ** self.cfg.depth)
        skips = []
        for layer in self.down:
            x = layer(x)                            # e_i: (B, widths[i-1], H / 2^i, W / 2^i)
            skips.append(x)
        skips.pop()                                 # the bottleneck e_depth is the decoder's input itself
        for j, layer in enumerate(self.up, start=1):
            if j > 1 and self.cfg.skips:
                x = torch.cat([x, skips.pop()], 1)  # layer N - i gets layer i's channels
            x = layer(x)
        return x


# ---------------------------------------------------------------- PatchGAN
@dataclass
class PatchGANConfig:
    in_channels: int = 2      # all channels D sees: pix2pix's D judges (input, output) pairs, e.g. 1 + 1
    width: int = 64           # feature maps of the first layer; doubles per layer up to 8 * width
    n_layers: int = 3         # 0: PixelGAN (1x1 patches); 1: 16x16 patches; 3: 70x70 patches (pix2pix default)
    norm: str = "batch"       # "batch" (pix2pix), "instance" (CycleGAN) or "none"

    def __post_init__(self):
        check_positive(self.in_channels, "in_channels", integer=True)
        check_positive(self.width, "width", integer=True)
        if not isinstance(self.n_layers, int) or isinstance(self.n_layers, bool) or self.n_layers < 0:
            raise ValueError(f"n_layers: expected an int >= 0, got {self.n_layers!r}")
        check_choice(self.norm, "norm", NORMS)


class PatchGAN(nn.Module):
    """D(*images) -> logits (B, 1, h, w): one raw score per overlapping patch.

    The images are concatenated along channels (pix2pix: D(x, y) sees the input next to the output).
    As in pix2pix's NLayerDiscriminator: a 4x4 stride-2 convolution, n_layers - 1 more of them,
    then two 4x4 stride-1 convolutions (all with padding 1), the last one to 1 channel.
    n_layers = 0 is the PixelGAN: three 1x1 convolutions.
    """

    def __init__(self, cfg: PatchGANConfig | None = None):
        super().__init__()
        cfg = cfg or PatchGANConfig()
        self.cfg = cfg
        if cfg.n_layers == 0:
            k, strides, chans = 1, [1, 1, 1], [cfg.width, 2 * cfg.width, 1]
        else:
            k, strides = 4, [2] * cfg.n_layers + [1, 1]
            chans = [cfg.width * min(2 ** i, 8) for i in range(cfg.n_layers + 1)] + [1]
        self.layers = [(k, s) for s in strides]   # (kernel, stride) of each convolution, input side first
        blocks, ch = [], cfg.in_channels
        for i, (s, out) in enumerate(zip(strides, chans)):
            last = i == len(strides) - 1
            blocks.append(nn.Conv2d(ch, out, k, s, (k - 1) // 2, bias=i == 0 or last or cfg.norm != "batch"))
            if not last:
                blocks += [nn.Identity() if i == 0 else norm_layer(cfg.norm, out), nn.LeakyReLU(0.2, True)]
            ch = out
        self.net = nn.Sequential(*blocks)
        self.apply(init_dcgan_weights)

    def output_size(self, size: int) -> int:
        """Side of the logit map for a size x size input (0: too small)."""
        for k, s in self.layers:
            size = (size + 2 * ((k - 1) // 2) - k) // s + 1
        return max(size, 0)

    def forward(self, *images: torch.Tensor) -> torch.Tensor:
        if not images:
            raise ValueError("PatchGAN: expected at least one image batch")
        x = images[0] if len(images) == 1 else torch.cat(images, 1)
        small = min(x.shape[-2:]) if x.dim() == 4 else 0
        x = check_images(x, "images (concatenated along channels)", self.cfg.in_channels)
        if self.output_size(small) < 1:
            raise ValueError(f"images: {small}x{small} is too small for a PatchGAN with n_layers="
                             f"{self.cfg.n_layers}; use larger images or fewer layers")
        return self.net(x)


def input_gradient_mask(net: nn.Module, shape: tuple, at: tuple | None = None) -> torch.Tensor:
    """Which input pixels one output logit depends on, measured by backpropagation (not computed from a formula).

    shape: the input's (C, H, W); at: the (row, col) of the output logit (default: the centre).
    Returns a bool tensor (H, W): True where d logit / d input != 0 for some channel. Runs in eval mode, so
    batch norm uses running statistics (in training mode its batch statistics would connect every pixel).
    """
    param = next(net.parameters())
    x = torch.randn(1, *shape, device=param.device, dtype=param.dtype, requires_grad=True)
    with evaluating(net):
        out = net(x)                                    # (1, 1, h, w)
    h, w = out.shape[-2:]
    r, c = at if at is not None else (h // 2, w // 2)
    (grad,) = torch.autograd.grad(out[0, 0, r, c], x)
    return grad[0].abs().sum(0) > 0
