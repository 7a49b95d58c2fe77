"""Measures for image-to-image translation (lecture 06): translate (a whole set through G in batches), psnr and
ssim per image. The loops that train pix2pix, CycleGAN and SRGAN are in ganlab.training.image_to_image."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .checks import check_tensor
from .models.inference import generate


# ---------------------------------------------------------------- measures
def translate(generator: nn.Module, x: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """G applied to a whole set in eval mode (batch norm's running statistics, no dropout), on the CPU."""
    return generate(generator, check_tensor(x, "x", ndim=4), batch_size=batch_size)


def psnr(x: torch.Tensor, y: torch.Tensor, data_range: float = 2.0) -> torch.Tensor:
    """Peak signal-to-noise ratio per image, in dB: 10 log10(range^2 / mean squared error), (N, ...) -> (N,).
    The default range 2 is for images in [-1, 1]."""
    x, y = check_tensor(x, "x"), check_tensor(y, "y")
    if x.shape != y.shape:
        raise ValueError(f"x and y: expected one shape, got {tuple(x.shape)} and {tuple(y.shape)}")
    mse = (x.double() - y.double()).pow(2).flatten(1).mean(1)
    return 10 * torch.log10(data_range ** 2 / mse.clamp_min(1e-20))


def ssim(x: torch.Tensor, y: torch.Tensor, data_range: float = 2.0, window: int = 7,
         sigma: float = 1.5) -> torch.Tensor:
    """Structural similarity (Wang et al., 2004) per image, (N, C, H, W) -> (N,): local means, variances and
    covariance under a `window` x `window` Gaussian window of standard deviation `sigma`, at the valid positions
    only (no padding), averaged over positions and channels; 1 for identical images. K1 = 0.01, K2 = 0.03 as in
    the paper. The paper's window is 11x11 (sigma 1.5): `window=11` gives exactly scikit-image's
    `structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False)`. The default, 7x7,
    leaves more valid positions on the course's 16- and 32-pixel patches; its values run a little lower."""
    x, y = check_tensor(x, "x", ndim=4).double(), check_tensor(y, "y", ndim=4).double()
    if x.shape != y.shape or min(x.shape[-2:]) < window:
        raise ValueError(f"x and y: expected one shape with sides >= {window}, "
                         f"got {tuple(x.shape)} and {tuple(y.shape)}")
    t = torch.arange(window, dtype=torch.float64, device=x.device) - (window - 1) / 2
    g = torch.exp(-t ** 2 / (2 * sigma ** 2))
    kernel = (g[:, None] * g[None, :] / g.sum() ** 2).expand(x.shape[1], 1, window, window)

    def blur(z):
        return F.conv2d(z, kernel, groups=x.shape[1])

    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    mx, my = blur(x), blur(y)
    vx, vy, cxy = blur(x * x) - mx ** 2, blur(y * y) - my ** 2, blur(x * y) - mx * my
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx ** 2 + my ** 2 + c1) * (vx + vy + c2))
    return s.flatten(1).mean(1)
