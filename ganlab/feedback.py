"""Assertions for notebook test cells: each failure says what was expected, what was got,
and a hint the student can act on. Generic checks only; no answer lives here."""
from __future__ import annotations

import torch


def expect_scalar(out, name: str) -> None:
    """`out` is a 0-dim floating tensor (a loss averaged over the batch)."""
    assert isinstance(out, torch.Tensor), f"{name}: expected a torch.Tensor, got {type(out).__name__}"
    assert out.dim() == 0, (f"{name}: expected a scalar (0-dim) tensor, got shape {tuple(out.shape)}; "
                            "hint: average over the batch with .mean()")
    assert out.is_floating_point(), f"{name}: expected a floating-point tensor, got {out.dtype}"


def expect_close(got, want, what: str, hint: str = "", rtol: float = 1e-4, atol: float = 1e-5) -> None:
    """`got` matches `want` (numbers or tensors) within tolerance."""
    got_t = torch.as_tensor(got.detach() if isinstance(got, torch.Tensor) else got, dtype=torch.float64).cpu()
    want_t = torch.as_tensor(want.detach() if isinstance(want, torch.Tensor) else want, dtype=torch.float64).cpu()
    assert got_t.shape == want_t.shape, f"{what}: expected shape {tuple(want_t.shape)}, got {tuple(got_t.shape)}"
    ok = torch.allclose(got_t, want_t, rtol=rtol, atol=atol, equal_nan=False)

    def show(t):
        return f"{t.item():.6g}" if t.numel() == 1 else str(t.numpy().round(6).tolist())

    assert ok, f"{what}: expected {show(want_t)}, got {show(got_t)}" + (f"; hint: {hint}" if hint else "")


def expect_finite(t, what: str, hint: str = "") -> None:
    """No inf or nan in `t` (a value or a gradient)."""
    assert isinstance(t, torch.Tensor), f"{what}: expected a tensor, got {type(t).__name__}"
    assert torch.isfinite(t).all(), f"{what}: expected finite values, got {t.detach().cpu().tolist()}" + (
        f"; hint: {hint}" if hint else "")
