"""Offline data for image-to-image translation (lecture 06): paired tasks for pix2pix, two unpaired domains
for CycleGAN, photo patches for x4 super-resolution. Images are float tensors (N, C, H, W) in [-1, 1].

    x, y = paired_task("outline2shapes", size=32, split="train")    # outlines (N, 1) -> coloured shapes (N, 3)
    a, b = unpaired_task("shapes", size=32)                          # solid shapes, striped shapes: unrelated draws
    lr, hr = sr_pairs(256, hr_size=32, scale=4, split="test")        # (N, 3, 8, 8), (N, 3, 32, 32)

Paired tasks: "edges2digits" (the outline of a handwritten digit -> the digit), "outline2shapes" (outlines of
random circles, squares and triangles -> the shapes filled, red, green or blue by kind: the colour can only be
inferred from the outline's shape), "grey2colour" (grey photo patches -> colour). Unpaired: "shapes" (solid
shapes <-> the same kind of shapes filled with stripes, a horse <-> zebra in miniature) and "digits" (thin <->
thick strokes). Super-resolution: textured patches of scikit-learn's two sample photographs; one 80 x 80 tile
in four, spread over each photograph, is held out for testing. Everything is generated or read from disk,
deterministically.

Online (Colab): paired_task("facades" | "maps") and unpaired_task("horse2zebra") download the sets of the
pix2pix / CycleGAN papers when `download=True`; when that fails they fall back to an offline twin and say so.
"""
from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .checks import check_choice, check_positive, check_tensor
from .data import DATA_ROOT, digits, resize, sklearn_datasets_dir

PAIRED_TASKS = ("edges2digits", "outline2shapes", "grey2colour")
UNPAIRED_TASKS = ("shapes", "digits")
ONLINE_PAIRED = {"facades": "outline2shapes", "maps": "grey2colour"}       # online set -> offline twin
ONLINE_UNPAIRED = {"horse2zebra": "shapes"}
_URLS = {"facades": "http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/facades.tar.gz",
         "maps": "http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/maps.tar.gz",
         "horse2zebra": "http://efrosgans.eecs.berkeley.edu/cyclegan/datasets/horse2zebra.zip"}
SPLIT_SEEDS = {"train": 0, "test": 1}
DIGITS_TRAIN = 1500            # scikit-learn digits: the first 1,500 train, the other 297 test
TILE = 80                      # photographs: split into 80 x 80 tiles, one in four held out for testing
COLOURS = torch.tensor([[0.85, 0.15, 0.15], [0.15, 0.65, 0.25], [0.15, 0.3, 0.9]])  # circle, square, triangle
BACKGROUND = 0.95


def _split_seed(split: str, seed: int) -> int:
    check_choice(split, "split", tuple(SPLIT_SEEDS))
    return 1000 * seed + SPLIT_SEEDS[split]


def to_unit(x: torch.Tensor) -> torch.Tensor:
    return x * 2 - 1            # [0, 1] -> [-1, 1]


# ---------------------------------------------------------------- morphology
def dilate(x: torch.Tensor, k: int = 3) -> torch.Tensor:
    return F.max_pool2d(x, k, 1, k // 2)


def erode(x: torch.Tensor, k: int = 3) -> torch.Tensor:
    return -F.max_pool2d(-x, k, 1, k // 2)


def outline(images: torch.Tensor) -> torch.Tensor:
    """The outline of bright shapes on a dark background, (N, C, H, W) in [-1, 1] -> (N, 1, H, W) in [-1, 1]:
    dilation minus erosion (the morphological gradient) of the channel mean, doubled for contrast."""
    x = (check_tensor(images, "images", ndim=4).mean(1, keepdim=True) + 1) / 2     # [0, 1]
    return to_unit((2 * (dilate(x) - erode(x))).clamp(0, 1))


# ---------------------------------------------------------------- procedural shapes
def random_shapes(n: int, max_shapes: int = 2, generator: torch.Generator | None = None) -> torch.Tensor:
    """Parameters of n scenes, (n, max_shapes, 5): kind (0 circle, 1 square, 2 triangle, -1 absent), centre x,
    centre y (in [0, 1], the image's width), radius, stripe phase. Every scene has at least one shape."""
    check_positive(n, "n", integer=True)
    g = generator
    kind = torch.randint(3, (n, max_shapes), generator=g).float()
    present = torch.rand(n, max_shapes, generator=g) < 0.5
    present[:, 0] = True
    kind[~present] = -1
    radius = 0.16 + 0.12 * torch.rand(n, max_shapes, generator=g)
    centre = radius[..., None] + (1 - 2 * radius[..., None]) * torch.rand(n, max_shapes, 2, generator=g)
    phase = torch.rand(n, max_shapes, generator=g)
    return torch.cat([kind[..., None], centre, radius[..., None], phase[..., None]], -1)


def _masks(params: torch.Tensor, size: int) -> torch.Tensor:
    """(n, S, size, size) coverage in {0, 1} of each shape slot."""
    t = (torch.arange(size) + 0.5) / size
    y, x = t[:, None], t[None, :]                                     # (size, 1), (1, size)
    kind, cx, cy, r = (params[..., i, None, None] for i in range(4))  # (n, S, 1, 1)
    u, v = (x - cx) / r, (y - cy) / r                                 # local coordinates, v pointing down
    circle = u ** 2 + v ** 2 <= 1
    square = torch.maximum(u.abs(), v.abs()) <= 0.85
    triangle = (v <= 0.75) & (1.6 * u.abs() <= v + 1)
    mask = torch.where(kind == 0, circle, torch.where(kind == 1, square, triangle)) & (kind >= 0)
    return mask.float()


def render_shapes(params: torch.Tensor, size: int = 32, style: str = "solid", supersample: int = 2) -> torch.Tensor:
    """Scenes (n, S, 5) from random_shapes -> images (n, 3, size, size) in [-1, 1], antialiased.

    style "solid": each shape filled with its kind's colour; "striped": the same colour in diagonal stripes
    on white; "outline": the shapes' outlines only, one channel (n, 1, size, size), white on black.
    """
    check_choice(style, "style", ("solid", "striped", "outline"))
    big = size * supersample
    masks = _masks(params, big)                                       # (n, S, big, big)
    if style == "outline":
        cover = masks.amax(1, keepdim=True)
        edge = (F.max_pool2d(cover, 2 * supersample + 1, 1, supersample) - cover).clamp(0, 1)
        return to_unit(F.avg_pool2d(edge, supersample))
    n, slots = masks.shape[:2]
    img = torch.full((n, 3, big, big), BACKGROUND)
    t = torch.arange(big, dtype=torch.float32)
    diagonal = (t[:, None] + t[None, :]) / big                        # (big, big), 0 .. 2
    for s in range(slots):                                            # later shapes are drawn on top
        colour = COLOURS[params[:, s, 0].clamp(min=0).long()][:, :, None, None]   # (n, 3, 1, 1)
        fill = colour.expand(n, 3, big, big)
        if style == "striped":
            phase = params[:, s, 4, None, None]
            stripes = (torch.sin(2 * math.pi * (5 * diagonal + phase)) > 0).float()[:, None]   # 5 stripes per side
            fill = stripes * fill + (1 - stripes) * 1.0
        m = masks[:, s, None]
        img = m * fill + (1 - m) * img
    return to_unit(F.avg_pool2d(img, supersample))


def _shapes_data(n: int, size: int, seed: int, styles: tuple) -> tuple:
    params = random_shapes(n, generator=torch.Generator().manual_seed(seed))
    return tuple(render_shapes(params, size, style) for style in styles)


# ---------------------------------------------------------------- photographs
@functools.lru_cache(maxsize=1)
def _photos() -> tuple[torch.Tensor, ...]:
    """scikit-learn's two sample photographs (china.jpg, flower.jpg), each (3, 427, 640) in [-1, 1]."""
    folder = sklearn_datasets_dir()
    folder = folder / "images" if folder else None
    files = sorted(folder.glob("*.jpg")) if folder and folder.is_dir() else []
    if files:
        from PIL import Image

        arrays = [np.asarray(Image.open(f).convert("RGB")) for f in files]
    else:                                                              # another layout: let scikit-learn find them
        from sklearn.datasets import load_sample_images

        arrays = load_sample_images().images
    return tuple(to_unit(torch.tensor(a, dtype=torch.float32).permute(2, 0, 1) / 255) for a in arrays)


def _tiles(photo: torch.Tensor, split: str) -> list[tuple[int, int]]:
    """Top-left corners of the TILE x TILE tiles of a photograph in a split: test tiles are those with
    (row + column) % 4 == 0, spread over the whole picture; the other three quarters are for training."""
    rows, cols = photo.shape[-2] // TILE, photo.shape[-1] // TILE
    test = [(r + c) % 4 == 0 for r in range(rows) for c in range(cols)]
    return [(TILE * r, TILE * c) for i, (r, c) in enumerate((r, c) for r in range(rows) for c in range(cols))
            if test[i] == (split == "test")]


def photo_patches(n: int, size: int = 32, split: str = "train", seed: int = 0, min_std: float = 0.1) -> torch.Tensor:
    """n random size x size crops (n, 3, size, size) of the sample photographs, half from each.

    Each crop lies inside one TILE x TILE tile of its split (see _tiles: train and test never overlap) and has
    a grey-level standard deviation of at least `min_std` (on [-1, 1]): flat sky and blurred background, which
    any method upsamples perfectly, are skipped (0 keeps every crop)."""
    check_positive(n, "n", integer=True)
    check_positive(size, "size", integer=True)
    if size > TILE:
        raise ValueError(f"size: expected at most {TILE} (the side of a tile), got {size}")
    g = torch.Generator().manual_seed(_split_seed(split, seed))
    out, tries = [], 0
    photos = _photos()
    tiles = [_tiles(p, split) for p in photos]
    while len(out) < n:
        i = len(out) % len(photos)
        top, left = tiles[i][int(torch.randint(len(tiles[i]), (1,), generator=g))]
        dy, dx = (int(v) for v in torch.randint(TILE - size + 1, (2,), generator=g))
        crop = photos[i][:, top + dy:top + dy + size, left + dx:left + dx + size]
        tries += 1
        if crop.mean(0).std() >= min_std or tries > 50 * n:   # give up filtering rather than loop forever
            out.append(crop)
    return torch.stack(out)


def downsample(hr: torch.Tensor, scale: int = 4) -> torch.Tensor:
    """The low-resolution input of super-resolution: bicubic, antialiased, (N, C, H, W) -> (N, C, H/s, W/s)."""
    hr = check_tensor(hr, "hr", ndim=4)
    check_positive(scale, "scale", integer=True)
    if hr.shape[-1] % scale or hr.shape[-2] % scale:
        raise ValueError(f"hr: expected a height and width divisible by scale={scale}, got {tuple(hr.shape[-2:])}")
    return F.interpolate(hr, scale_factor=1 / scale, mode="bicubic", antialias=True, align_corners=False).clamp(-1, 1)


def upsample_bicubic(lr: torch.Tensor, scale: int = 4) -> torch.Tensor:
    """The classic baseline: bicubic interpolation, (N, C, h, w) -> (N, C, s*h, s*w), clamped to [-1, 1]."""
    lr = check_tensor(lr, "lr", ndim=4)
    return F.interpolate(lr, scale_factor=scale, mode="bicubic", align_corners=False).clamp(-1, 1)


def sr_pairs(n: int, hr_size: int = 32, scale: int = 4, split: str = "train", seed: int = 0):
    """(low-resolution (n, 3, hr_size/scale, ...), high-resolution (n, 3, hr_size, hr_size)) photo patches."""
    hr = photo_patches(n, hr_size, split, seed)
    return downsample(hr, scale), hr


# ---------------------------------------------------------------- tasks
def _sizes(n, default):
    if n is None:
        return default
    check_positive(n, "n", integer=True)
    return n


def paired_task(name: str = "outline2shapes", size: int = 32, split: str = "train", n: int | None = None,
                seed: int = 0, *, download: bool = False, root: str = DATA_ROOT):
    """(inputs, targets) of a paired translation task, aligned sample by sample.

    Offline: "edges2digits" (1 -> 1 channel; train: the first 1,500 digits, test: the other 297),
    "outline2shapes" (1 -> 3; n scenes, default 2,000 train / 256 test), "grey2colour" (1 -> 3; photo patches,
    default 2,000 / 256). Online: "facades" (labels -> photo), "maps" (aerial photo -> map), with download=True.
    """
    check_choice(name, "name", PAIRED_TASKS + tuple(ONLINE_PAIRED))
    check_positive(size, "size", integer=True)
    s = _split_seed(split, seed)
    if name in ONLINE_PAIRED:
        try:
            return _online_pairs(name, size, split, n, download, root)
        except Exception as err:  # offline, blocked, corrupt
            twin = ONLINE_PAIRED[name]
            print(f"ganlab: could not load {name} ({type(err).__name__}: {err}); using the offline task "
                  f"{twin!r} instead.")
            name = twin
    if name == "edges2digits":
        if size not in (8, 16, 32, 64):
            raise ValueError(f"size: expected one of [8, 16, 32, 64] for edges2digits, got {size}")
        y = digits(size)[0]
        y = y[:DIGITS_TRAIN] if split == "train" else y[DIGITS_TRAIN:]
        y = y[:_sizes(n, len(y))]
        return outline(y), y
    if name == "outline2shapes":
        return _shapes_data(_sizes(n, 2000 if split == "train" else 256), size, s, ("outline", "solid"))
    y = photo_patches(_sizes(n, 2000 if split == "train" else 256), size, split, seed)   # grey2colour
    return y.mean(1, keepdim=True), y


def unpaired_task(name: str = "shapes", size: int = 32, split: str = "train", n: int | None = None,
                  seed: int = 0, *, download: bool = False, root: str = DATA_ROOT):
    """(domain A, domain B): two sets of images with no pairing between them.

    "shapes": solid shapes (A) and striped shapes (B) from independent random scenes; "digits": thin (A) and
    thick (B) strokes of different digits (A: even positions, B: odd positions of the split).
    Online: "horse2zebra" with download=True. For the offline tasks, `translation_truth` gives aligned pairs.
    """
    check_choice(name, "name", UNPAIRED_TASKS + tuple(ONLINE_UNPAIRED))
    check_positive(size, "size", integer=True)
    if name in ONLINE_UNPAIRED:
        try:
            return _online_unpaired(name, size, split, n, download, root)
        except Exception as err:
            print(f"ganlab: could not load {name} ({type(err).__name__}: {err}); using the offline task "
                  f"'shapes' instead.")
            name = "shapes"
    if name == "shapes":
        count = _sizes(n, 2000 if split == "train" else 256)
        s = _split_seed(split, seed)
        (a,) = _shapes_data(count, size, 2 * s + 10, ("solid",))
        (b,) = _shapes_data(count, size, 2 * s + 11, ("striped",))
        return a, b
    a, b = translation_truth("digits", size, split)
    count = _sizes(n, len(a) // 2)
    return a[0::2][:count], b[1::2][:count]


def translation_truth(name: str = "shapes", size: int = 32, split: str = "test", n: int | None = None, seed: int = 0):
    """Aligned pairs (a_i, b_i) of an offline unpaired task (the same scene or digit in both domains), to measure
    how faithful a translation is. Never used for training: CycleGAN does not see pairs."""
    check_choice(name, "name", UNPAIRED_TASKS)
    if name == "shapes":
        return _shapes_data(_sizes(n, 256), size, _split_seed(split, seed) + 20, ("solid", "striped"))
    thin = digits(size)[0] if size in (8, 16, 32, 64) else resize(digits(32)[0], size)
    thin = thin[:DIGITS_TRAIN] if split == "train" else thin[DIGITS_TRAIN:]
    thin = thin[:_sizes(n, len(thin))]
    return thin, dilate(thin, 3 if size <= 32 else 5)


# ---------------------------------------------------------------- online sets (Colab)
def _fetch(name: str, root: str, download: bool) -> Path:
    folder = Path(root) / name
    if not folder.is_dir():
        if not download:
            raise FileNotFoundError(f"{folder} not found and download=False")
        from torchvision.datasets.utils import download_and_extract_archive

        download_and_extract_archive(_URLS[name], download_root=str(root))
    return folder


def _read_images(files, n):
    from PIL import Image

    files = sorted(files)[:n] if n else sorted(files)
    if not files:
        raise FileNotFoundError("no images found")
    return [torch.tensor(np.asarray(Image.open(f).convert("RGB")), dtype=torch.float32).permute(2, 0, 1) / 255
            for f in files]


def _online_pairs(name, size, split, n, download, root):
    folder = _fetch(name, root, download)
    sub = "train" if split == "train" else ("test" if (folder / "test").is_dir() else "val")
    images = _read_images((folder / sub).glob("*.jpg"), n)
    both = F.interpolate(to_unit(torch.stack(images)), size=(size, 2 * size), mode="bilinear", antialias=True)
    left, right = both[..., :size], both[..., size:]
    return (right, left) if name == "facades" else (left, right)   # facades: labels (right) -> photo (left)


def _online_unpaired(name, size, split, n, download, root):
    folder = _fetch(name, root, download)
    part = "train" if split == "train" else "test"
    return tuple(resize(to_unit(torch.stack(_read_images((folder / f"{part}{d}").glob("*.jpg"), n))), size)
                 for d in "AB")
