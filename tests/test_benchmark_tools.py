"""The benchmarks' shared tools (benchmarks/common.py) and the SSIM of ganlab.translation against scikit-image."""
import math

import numpy as np
import torch
from skimage.metrics import structural_similarity

from benchmarks import common
from ganlab.translation import ssim
from ganlab.models import UNetConfig, UNetGenerator


def test_images_per_second_times_eval_mode_forward_passes():
    g = UNetGenerator(UNetConfig(1, 1, depth=2, width=4, dropout=0.5))
    speed = common.images_per_second(g, torch.randn(10, 1, 8, 8), reps=2)
    assert math.isfinite(speed) and speed > 0 and g.training   # the mode is restored


def test_ssim_with_the_papers_window_matches_scikit_image():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(3, 3, 24, 20, generator=g) * 2 - 1
    y = (x + 0.3 * torch.randn(x.shape, generator=g)).clamp(-1, 1)
    want = [structural_similarity(a.double().numpy(), b.double().numpy(), data_range=2.0, channel_axis=0,
                                  gaussian_weights=True, sigma=1.5, use_sample_covariance=False)
            for a, b in zip(x, y)]
    np.testing.assert_allclose(ssim(x, y, window=11).numpy(), want, rtol=1e-10)
    assert (ssim(x, y) < 1).all() and torch.allclose(ssim(x, x), torch.ones(3, dtype=torch.float64))
