"""A small StyleGAN (Karras et al., 2019), one piece per idea of the paper:

    z (B, D) --MappingNetwork--> w (B, D)                 8 layers in the paper, 4 here; tracks w_avg
    w per layer --StyleAffine (A)--> (scale, bias) (B, C)  one style per synthesis layer
    ConstantInput (1, C, 4, 4) --StyleLayer x L--> image   conv, NoiseInjection (B), LeakyReLU, AdaIN(style)

The synthesis network has 2 layers per resolution (4x4, 8x8, ..., image_size): L = 6 at 16x16, 8 at 32x32.
AdaIN and truncation are the student's functions, passed in (ganlab holds no graded answer):

    G = StyleGenerator(StyleConfig(image_size=16), adain=adain)        # adain(content, scale, bias, eps)
    images = G(z)                                                      # training: style mixing regularisation
    w = G.mapping(z);  w = G.truncate(w, psi=0.7, truncate=truncate)   # truncate(w, w_avg, psi)
    images = G.synthesize(mix_styles(w1, w2, crossover=2, num_layers=G.num_layers))

The discriminator is ProGAN's at the final resolution: ProDiscriminator(cfg.progan()).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from ..checks import check_choice, check_positive, check_tensor
from .progan import EqualizedConv2d, EqualizedLinear, PixelNorm, ProGANConfig, _act

NOISE_MODES = ("random", "const", "none")


@dataclass
class StyleConfig:
    image_size: int = 16       # 8, 16 or 32: synthesis from 4x4 by doubling
    channels: int = 1          # 1 for digits
    latent_dim: int = 64       # size of z and of w
    mapping_layers: int = 4    # depth of the mapping network (paper: 8)
    width: int = 64            # feature maps up to 8x8, halved at every doubling above (paper: 512 up to 32x32)
    lr_mul: float = 0.01       # learning-rate multiplier of the mapping network (paper: 0.01)
    w_avg_beta: float = 0.995  # w_avg <- beta * w_avg + (1 - beta) * mean of the batch's w, while training
    mixing_prob: float = 0.9   # style mixing regularisation: chance a training sample mixes two w's

    @property
    def num_layers(self) -> int:  # synthesis layers, each with its own style: 2 per resolution
        return 2 * (self.image_size.bit_length() - 2)

    def progan(self) -> ProGANConfig:
        """The config of the matching discriminator (ProGAN's, at image_size)."""
        return ProGANConfig(self.image_size, self.channels, self.latent_dim, self.width)

    def __post_init__(self):
        check_choice(self.image_size, "image_size", (8, 16, 32))
        for name in ("channels", "latent_dim", "mapping_layers", "width"):
            check_positive(getattr(self, name), name, integer=True)
        check_positive(self.lr_mul, "lr_mul")
        if not 0.0 <= self.w_avg_beta < 1.0 or not 0.0 <= self.mixing_prob <= 1.0:
            raise ValueError(f"w_avg_beta: expected [0, 1), mixing_prob: expected [0, 1], "
                             f"got {self.w_avg_beta!r} and {self.mixing_prob!r}")


# ---------------------------------------------------------------- z -> w
class MappingNetwork(nn.Module):
    """z (B, D) -> w (B, D): pixel norm, then an MLP of equalised linear layers with learning rate x lr_mul.
    In training mode every call moves the buffer `w_avg` towards the batch's mean w (an exponential
    moving average with w_avg_beta): the centre that truncation pulls towards."""

    def __init__(self, latent_dim: int, layers: int, lr_mul: float = 0.01, w_avg_beta: float = 0.995):
        super().__init__()
        self.latent_dim, self.w_avg_beta = latent_dim, w_avg_beta
        body = [PixelNorm()]
        for _ in range(layers):
            body += [EqualizedLinear(latent_dim, latent_dim, lr_mul=lr_mul), _act()]
        self.net = nn.Sequential(*body)
        self.register_buffer("w_avg", torch.zeros(latent_dim))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        check_tensor(z, "z", shape=(None, self.latent_dim))
        w = self.net(z)                                                     # (B, D)
        if self.training:
            with torch.no_grad():
                self.w_avg.copy_(w.detach().mean(0).lerp(self.w_avg, self.w_avg_beta))
        return w


# ---------------------------------------------------------------- the synthesis network's pieces
class ConstantInput(nn.Module):
    """The learned 4x4 input of the synthesis network, the same for every sample: (B, C, 4, 4)."""

    def __init__(self, channels: int, size: int = 4):
        super().__init__()
        self.const = nn.Parameter(torch.randn(1, channels, size, size))

    def forward(self, batch: int) -> torch.Tensor:
        return self.const.expand(batch, -1, -1, -1)


class NoiseInjection(nn.Module):
    """x + strength * noise: one noise image (B, 1, H, W) per sample, scaled per channel by a learned
    strength (C,) that starts at zero, so a new network ignores the noise until it finds it useful."""

    def __init__(self, channels: int):
        super().__init__()
        self.strength = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor, noise: torch.Tensor | None) -> torch.Tensor:
        if noise is None:
            return x
        return x + self.strength.view(1, -1, 1, 1) * noise                  # (B, C, H, W) + (1, C, 1, 1) * (B, 1, H, W)


class StyleAffine(nn.Module):
    """A in the paper: w (B, D) -> (style_scale, style_bias), each (B, C). The scale's bias starts at 1,
    so an untrained style is the identity."""

    def __init__(self, w_dim: int, channels: int):
        super().__init__()
        self.channels = channels
        self.scale = EqualizedLinear(w_dim, channels, gain=1.0, bias_init=1.0)
        self.bias = EqualizedLinear(w_dim, channels, gain=1.0)

    def forward(self, w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.scale(w), self.bias(w)                                  # (B, C), (B, C)


class StyleLayer(nn.Module):
    """One synthesis layer: [upsample x2] [3x3 conv] -> noise -> LeakyReLU -> AdaIN with this layer's style.
    The first layer (on the constant input) has no convolution."""

    def __init__(self, cin: int, cout: int, w_dim: int, resolution: int, conv: bool = True, upsample: bool = False):
        super().__init__()
        self.upsample = upsample
        self.conv = EqualizedConv2d(cin, cout, 3) if conv else None
        self.noise = NoiseInjection(cout)
        self.act = _act()
        self.style = StyleAffine(w_dim, cout)
        g = torch.Generator().manual_seed(resolution * 1000 + cout + 2 * upsample + conv)
        self.register_buffer("noise_const", torch.randn(1, 1, resolution, resolution, generator=g))

    def forward(self, x: torch.Tensor, w: torch.Tensor, adain: Callable, noise_mode: str = "random") -> torch.Tensor:
        if self.upsample:
            x = F.interpolate(x, scale_factor=2, mode="nearest")
        if self.conv is not None:
            x = self.conv(x)                                                # (B, C, H, W)
        noise = {"random": lambda: torch.randn(len(x), 1, *x.shape[2:], device=x.device, dtype=x.dtype),
                 "const": lambda: self.noise_const.expand(len(x), -1, -1, -1),
                 "none": lambda: None}[noise_mode]()
        x = self.act(self.noise(x, noise))
        scale, bias = self.style(w)                                         # (B, C) each
        out = adain(x, scale, bias)
        if not isinstance(out, torch.Tensor) or out.shape != x.shape:
            got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
            raise ValueError(f"adain: expected a tensor of the content's shape {tuple(x.shape)}, got {got}")
        return out


class SynthesisNetwork(nn.Module):
    """ws (B, L, D), one w per layer -> images (B, channels, S, S); linear output, as in the paper."""

    def __init__(self, cfg: StyleConfig):
        super().__init__()
        f, d = cfg.progan().features, cfg.latent_dim
        self.num_layers = cfg.num_layers
        self.input = ConstantInput(f(0))
        layers = [StyleLayer(f(0), f(0), d, 4, conv=False), StyleLayer(f(0), f(0), d, 4)]
        for s in range(1, cfg.num_layers // 2):
            layers += [StyleLayer(f(s - 1), f(s), d, 4 * 2 ** s, upsample=True), StyleLayer(f(s), f(s), d, 4 * 2 ** s)]
        self.layers = nn.ModuleList(layers)
        self.to_rgb = EqualizedConv2d(f(cfg.num_layers // 2 - 1), cfg.channels, 1, gain=1.0)

    def forward(self, ws: torch.Tensor, adain: Callable, noise_mode: str = "random") -> torch.Tensor:
        check_tensor(ws, "ws", shape=(None, self.num_layers, None))
        x = self.input(len(ws))                                             # (B, C, 4, 4)
        for i, layer in enumerate(self.layers):
            x = layer(x, ws[:, i], adain, noise_mode)
        return self.to_rgb(x)


# ---------------------------------------------------------------- styles: mixing and truncation
def mix_styles(w1: torch.Tensor, w2: torch.Tensor, crossover: int, num_layers: int) -> torch.Tensor:
    """Style mixing: ws (B, L, D) with w1 (B, D) for layers [0, crossover) and w2 for [crossover, L).
    crossover = 0 is all w2, crossover = L all w1. Low layers (coarse, 4x4-8x8) set pose and shape,
    high layers (fine) stroke and texture."""
    check_tensor(w1, "w1", ndim=2)
    check_tensor(w2, "w2", shape=tuple(w1.shape))
    if isinstance(crossover, bool) or not isinstance(crossover, int) or not 0 <= crossover <= num_layers:
        raise ValueError(f"crossover: expected an int from 0 to {num_layers}, got {crossover!r}")
    first = torch.arange(num_layers, device=w1.device) < crossover                      # (L,)
    return torch.where(first[None, :, None], w1[:, None], w2[:, None])                 # (B, L, D)


def truncated_z(n: int, dim: int, threshold: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """BigGAN's truncation trick in z: N(0, I) samples (n, dim) whose entries beyond +-threshold are
    redrawn until none is left."""
    check_positive(threshold, "threshold")
    z = torch.randn(n, dim, generator=generator)
    while (bad := z.abs() > threshold).any():
        z[bad] = torch.randn(int(bad.sum()), generator=generator)
    return z


class StyleGenerator(nn.Module):
    """z (B, latent_dim) -> images (B, channels, S, S).

    adain: the AdaIN function adain(content (B, C, H, W), style_scale (B, C), style_bias (B, C)); set it
    at construction or later (G.adain = adain, e.g. after load_model). In training mode forward() mixes
    the styles of two z's at a random crossover for a fraction mixing_prob of the samples.
    """

    def __init__(self, cfg: StyleConfig | None = None, adain: Callable | None = None):
        super().__init__()
        cfg = cfg or StyleConfig()
        self.cfg, self.latent_dim, self.num_layers = cfg, cfg.latent_dim, cfg.num_layers
        self.mapping = MappingNetwork(cfg.latent_dim, cfg.mapping_layers, cfg.lr_mul, cfg.w_avg_beta)
        self.synthesis = SynthesisNetwork(cfg)
        self.adain = adain

    def _adain(self) -> Callable:
        if not callable(self.adain):
            raise ValueError("StyleGenerator: no AdaIN function; pass StyleGenerator(cfg, adain=adain) "
                             "or set G.adain = adain")
        return self.adain

    def truncate(self, w: torch.Tensor, psi: float, truncate: Callable) -> torch.Tensor:
        """truncate(w, w_avg, psi): pull each w towards the tracked average; psi = 1 leaves it alone."""
        if not callable(truncate):
            raise ValueError(f"truncate: expected your truncate(w, w_avg, psi) function, got {truncate!r}")
        out = truncate(w, self.mapping.w_avg, psi)
        if not isinstance(out, torch.Tensor) or out.shape != w.shape:
            got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
            raise ValueError(f"truncate: expected a tensor of w's shape {tuple(w.shape)}, got {got}")
        return out

    def synthesize(self, ws: torch.Tensor, noise_mode: str = "random") -> torch.Tensor:
        """Images from styles: ws (B, D) for every layer, or (B, L, D) one per layer (mix_styles)."""
        check_choice(noise_mode, "noise_mode", NOISE_MODES)
        if ws.dim() == 2:
            ws = ws[:, None].expand(-1, self.num_layers, -1)                 # (B, L, D)
        return self.synthesis(ws, self._adain(), noise_mode)

    def forward(self, z: torch.Tensor, psi: float = 1.0, truncate: Callable | None = None,
                noise_mode: str = "random") -> torch.Tensor:
        w = self.mapping(z)                                                 # (B, D)
        if psi != 1.0:
            w = self.truncate(w, psi, truncate)
        ws = w[:, None].expand(-1, self.num_layers, -1)                     # (B, L, D)
        if self.training and self.cfg.mixing_prob > 0:
            w2 = self.mapping(torch.randn_like(z))
            cross = torch.randint(1, self.num_layers, (len(z), 1), device=z.device)       # (B, 1)
            cross = torch.where(torch.rand(len(z), 1, device=z.device) < self.cfg.mixing_prob,
                                cross, self.num_layers)
            first = torch.arange(self.num_layers, device=z.device)[None] < cross          # (B, L)
            ws = torch.where(first[..., None], ws, w2[:, None])
        return self.synthesize(ws, noise_mode)
