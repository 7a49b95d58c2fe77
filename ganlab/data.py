"""Datasets that work offline: 1-D and 2-D Gaussian mixtures, scikit-learn's handwritten
digits, and torchvision's MNIST / Fashion-MNIST when they can be downloaded.

Images are float tensors (N, C, H, W) in [-1, 1]; labels are int64 tensors (N,).
"""
from __future__ import annotations

import functools
import importlib.util
import math
import os
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .checks import check_choice, check_positive, check_tensor

IMAGE_SIZES = (8, 16, 32, 64)
DATA_ROOT = os.environ.get("GANLAB_DATA", os.path.join(os.path.expanduser("~"), ".cache", "ganlab"))


# ---------------------------------------------------------------- toy mixtures
def mixture_1d(n: int, means=(-2.0, 2.0), stds=(0.5, 0.5), weights=None,
               generator: torch.Generator | None = None) -> torch.Tensor:
    """n samples (n, 1) from a 1-D Gaussian mixture."""
    check_positive(n, "n", integer=True)
    means, stds = torch.as_tensor(means, dtype=torch.float32), torch.as_tensor(stds, dtype=torch.float32)
    if means.shape != stds.shape or means.dim() != 1:
        raise ValueError(f"means and stds: expected two 1-D sequences of one length, "
                         f"got shapes {tuple(means.shape)} and {tuple(stds.shape)}")
    w = torch.ones_like(means) if weights is None else torch.as_tensor(weights, dtype=torch.float32)
    k = torch.multinomial(w / w.sum(), n, replacement=True, generator=generator)
    return (means[k] + stds[k] * torch.randn(n, generator=generator)).unsqueeze(1)


def ring_means(modes: int = 8, radius: float = 1.0) -> torch.Tensor:
    """(modes, 2) means at angles 2*pi*i/modes (PacGAN/VEEGAN ring; no repeated mode)."""
    angles = 2 * math.pi * torch.arange(modes, dtype=torch.float32) / modes
    return radius * torch.stack([angles.cos(), angles.sin()], dim=1)


def grid_means(side: int = 5, spacing: float = 2.0) -> torch.Tensor:
    """(side**2, 2) means on a centred grid: {-4,-2,0,2,4}^2 for the defaults."""
    ticks = spacing * (torch.arange(side, dtype=torch.float32) - (side - 1) / 2)
    return torch.cartesian_prod(ticks, ticks)


def mixture_2d(n: int, means: torch.Tensor, std: float,
               generator: torch.Generator | None = None) -> torch.Tensor:
    """n samples (n, 2) from an equal-weight mixture of isotropic Gaussians."""
    check_positive(n, "n", integer=True)
    check_positive(std, "std")
    means = check_tensor(means, "means", shape=(None, 2))
    k = torch.randint(len(means), (n,), generator=generator)
    return means[k] + std * torch.randn(n, 2, generator=generator)


RING_STD = 0.01   # PacGAN protocol: 8 modes on the unit circle
GRID_STD = 0.05   # PacGAN protocol: 25 modes on {-4,-2,0,2,4}^2


def ring(n: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """The 2-D ring of 8 Gaussians (radius 1, std 0.01)."""
    return mixture_2d(n, ring_means(), RING_STD, generator)


def grid(n: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """The 2-D grid of 25 Gaussians (spacing 2, std 0.05)."""
    return mixture_2d(n, grid_means(), GRID_STD, generator)


# ---------------------------------------------------------------- images
def resize(images: torch.Tensor, size: int) -> torch.Tensor:
    """Resize (N, C, H, W) images to size x size (antialiased when shrinking)."""
    images = check_tensor(images, "images", ndim=4)
    if images.shape[-1] == size and images.shape[-2] == size:
        return images
    return F.interpolate(images, size=(size, size), mode="bilinear", align_corners=False,
                         antialias=size < images.shape[-1])


def digits(size: int = 16) -> tuple[torch.Tensor, torch.Tensor]:
    """scikit-learn's 1,797 real handwritten 8x8 digits, upsampled to size x size, in [-1, 1].

    Returns images (1797, 1, size, size) and labels (1797,). Offline: the data ships with scikit-learn.
    """
    check_choice(size, "size", IMAGE_SIZES)
    images, target = _digits_8x8()
    x = torch.tensor(images, dtype=torch.float32).unsqueeze(1) / 16.0  # (N, 1, 8, 8) in [0, 1]
    x = resize(x, size).clamp(0, 1) * 2 - 1
    return x, torch.tensor(target, dtype=torch.int64)


def sklearn_datasets_dir() -> Path | None:
    """scikit-learn's `datasets` folder (where its bundled data lives), found without importing scikit-learn
    (that import alone takes half a second); None when it is not installed as a plain folder."""
    spec = importlib.util.find_spec("sklearn")
    return Path(spec.origin).parent / "datasets" if spec and spec.origin else None


@functools.lru_cache(maxsize=1)
def _digits_8x8() -> tuple[np.ndarray, np.ndarray]:
    """load_digits()'s images (N, 8, 8) in [0, 16] and labels (N,), read from the CSV that ships with
    scikit-learn without importing it."""
    folder = sklearn_datasets_dir()
    csv = folder / "data" / "digits.csv.gz" if folder else None
    if csv is None or not csv.is_file():  # another layout: let scikit-learn find it
        from sklearn.datasets import load_digits

        bunch = load_digits()
        return bunch.images, bunch.target
    data = np.loadtxt(csv, delimiter=",")  # one row per digit: 64 pixels, then the label
    return data[:, :-1].reshape(-1, 8, 8), data[:, -1].astype(np.int64)


_TORCHVISION = {"mnist": "MNIST", "fashion_mnist": "FashionMNIST"}
DATASETS = ("digits",) + tuple(_TORCHVISION)


def image_dataset(name: str = "digits", size: int = 32, *, download: bool = True,
                  limit: int | None = None, root: str = DATA_ROOT) -> tuple[torch.Tensor, torch.Tensor]:
    """Images (N, 1, size, size) in [-1, 1] and labels (N,).

    `name` is "digits" (offline) or "mnist" / "fashion_mnist" (torchvision training split). When
    those cannot be loaded (no network, no torchvision), falls back to digits and says so.
    `limit` keeps the first `limit` images.
    """
    check_choice(name, "name", DATASETS)
    check_choice(size, "size", IMAGE_SIZES)
    if name == "digits":
        x, y = digits(size)
    else:
        try:
            x, y = _torchvision_images(name, root, download)
            x = resize(x, size)
        except Exception as err:  # offline, blocked, or corrupt download
            print(f"ganlab: could not load {name} ({type(err).__name__}: {err}); "
                  f"using scikit-learn digits instead (offline, 1,797 images).")
            x, y = digits(size)
    if limit is not None:
        check_positive(limit, "limit", integer=True)
        x, y = x[:limit], y[:limit]
    return x, y


def _torchvision_images(name: str, root: str, download: bool) -> tuple[torch.Tensor, torch.Tensor]:
    import torchvision

    ds = getattr(torchvision.datasets, _TORCHVISION[name])(root=root, train=True, download=download)
    x = ds.data.unsqueeze(1).float() / 127.5 - 1  # (N, 1, 28, 28) uint8 -> [-1, 1]
    return x, ds.targets.clone().long()


def batches(data: torch.Tensor, batch_size: int, generator: torch.Generator | None = None):
    """Endless random minibatches (with replacement across epochs) from a tensor dataset."""
    check_positive(batch_size, "batch_size", integer=True)  # here, not at the first next()
    return _batches(data, batch_size, generator)


def _batches(data: torch.Tensor, batch_size: int, generator: torch.Generator | None):
    n = len(data)
    while True:
        order = torch.randperm(n, generator=generator)
        for start in range(0, n - batch_size + 1, batch_size):
            yield data[order[start:start + batch_size]]
        if n < batch_size:
            yield data[torch.randint(n, (batch_size,), generator=generator)]


def to_numpy(x) -> np.ndarray:
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)
