"""Input checks shared by the public functions: each error says what was expected and what came."""
from __future__ import annotations

import numpy as np
import torch


def as_tensor(x, name: str) -> torch.Tensor:
    """A tensor from a tensor or an array-like; anything else is a ValueError naming `name`."""
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, (np.ndarray, list, tuple)):
        return torch.as_tensor(np.asarray(x))
    raise ValueError(f"{name}: expected a torch.Tensor or numpy array, got {type(x).__name__}")


def check_tensor(x, name: str, *, ndim: int | tuple[int, ...] | None = None,
                 shape: tuple | None = None, floating: bool = True) -> torch.Tensor:
    """Validate `x`; `shape` may hold None for free dimensions, e.g. (None, 2)."""
    x = as_tensor(x, name)
    if floating and not x.is_floating_point():
        raise ValueError(f"{name}: expected a floating-point tensor, got dtype {x.dtype}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if x.dim() not in allowed:
            raise ValueError(f"{name}: expected {' or '.join(map(str, allowed))} dimensions, "
                             f"got shape {tuple(x.shape)}")
    if shape is not None:
        ok = x.dim() == len(shape) and all(s is None or s == d for s, d in zip(shape, x.shape))
        if not ok:
            want = "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name}: expected shape {want}, got {tuple(x.shape)}")
    return x


def check_positive(value, name: str, *, integer: bool = False):
    """A positive number (an int when `integer`)."""
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or value <= 0:
        what = "a positive int" if integer else "a positive number"
        raise ValueError(f"{name}: expected {what}, got {value!r}")
    return value


def check_counts(**counts) -> None:
    """Each keyword a positive int: a loop's steps, batch size, logging interval and the like."""
    for name, value in counts.items():
        check_positive(value, name, integer=True)


def check_choice(value, name: str, choices) -> None:
    if value not in choices:
        raise ValueError(f"{name}: expected one of {sorted(choices)}, got {value!r}")
