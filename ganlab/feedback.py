"""Assertions for notebook test cells: each failure says what was expected, what was got,
and a hint the student can act on. Generic checks only; no answer lives here."""
from __future__ import annotations

import contextlib
import copy
import inspect
import math

import torch
from torch import nn


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


# ---- references for loss tests: exact values in float64, and a hint naming the classic mistake a value matches
def reference_cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Cross-entropy per sample, -log softmax(logits)[label], in float64: (B, K), (B,) -> (B,)."""
    z = logits.detach().double()
    return torch.logsumexp(z, 1) - z.gather(1, labels[:, None]).squeeze(1)


def reference_softplus(x: torch.Tensor) -> torch.Tensor:
    """softplus(x) = log(1 + e^x) in float64."""
    return torch.nn.functional.softplus(x.detach().double())


def which_mistake(got, mistakes: dict) -> str:
    """A hint naming the classic mistake whose value `got` matches, if any: `mistakes` maps a description
    ("leaving out the class term") to the value that mistake gives."""
    got = float(got)
    if not math.isfinite(got):
        return "a log of a probability that underflowed to 0: compute everything from the logits (softplus, cross_entropy)"
    for name, value in mistakes.items():
        if abs(got - value) <= 1e-3 * max(1.0, abs(value)):
            return f"your value is what {name} gives"
    return "compare your value with each of the terms above"


# ---- for tests of a training step: run it alone, with stand-ins for the other graded functions it calls
@contextlib.contextmanager
def replaced(namespace: dict, **names):
    """Rebind `names` in `namespace` (a notebook's `globals()`) inside a `with` block, then restore them
    (or remove those that were not there), so a mistake in one exercise costs only that exercise's tests."""
    missing = object()
    saved = {name: namespace.get(name, missing) for name in names}
    namespace.update(names)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


def stand_in_gan_losses() -> dict:
    """Stand-ins for `discriminator_loss` and `generator_loss`: exponential losses, not the GAN's, that push
    the logits the same ways (real up, fake down; the generator's fakes up) with simple gradients. The
    generator's refuses `saturating=True`."""
    def discriminator_loss(real_logits, fake_logits):
        return torch.exp(-real_logits).mean() + torch.exp(fake_logits).mean()

    def generator_loss(fake_logits, saturating=False):
        assert not saturating, "expected the non-saturating generator loss (the default), got saturating=True"
        return torch.exp(-fake_logits).mean()

    return {"discriminator_loss": discriminator_loss, "generator_loss": generator_loss}


class SpySGD(torch.optim.SGD):
    """Plain SGD that records its calls: `steps` (how many) and `after_step` (the parameters' values after
    the latest step, in `param_groups` order)."""

    def __init__(self, params, lr: float):
        super().__init__(params, lr=lr)
        self.steps, self.after_step = 0, None

    def step(self, closure=None):
        loss = super().step(closure)
        self.steps += 1
        self.after_step = [p.detach().clone() for group in self.param_groups for p in group["params"]]
        return loss


# ---- fixtures for test cells: critics with known gradients, spies, references for one training step

def linear_critic(w) -> nn.Module:
    """f(x) = w . x + b on flattened inputs, one score per sample: its gradient is w at every point."""
    w = torch.as_tensor(w, dtype=torch.float32)
    layer = nn.Linear(len(w), 1)
    with torch.no_grad():
        layer.weight.copy_(w[None])
    return nn.Sequential(nn.Flatten(), layer, nn.Flatten(0))


class HalfSquaredNorm(nn.Module):
    """f(x) = a ||x||^2 / 2 per sample, with a = 1 (a parameter): its gradient at x is x itself."""

    def __init__(self):
        super().__init__()
        self.a = nn.Parameter(torch.ones(()))

    def forward(self, x):
        return 0.5 * self.a * x.flatten(1).pow(2).sum(1)


class Spy(nn.Module):
    """Wraps a module and keeps a copy of every batch it is called on (`seen`)."""

    def __init__(self, module: nn.Module):
        super().__init__()
        self.module, self.seen = module, []

    def forward(self, x):
        self.seen.append(x.detach().clone())
        return self.module(x)


def as_image(w: torch.Tensor) -> torch.Tensor:
    """A generator with G(w) = w: latents (B, 4) laid out as images (B, 1, 2, 2)."""
    return w.reshape(len(w), 1, 2, 2)


class LinearFeatures(nn.Module):
    """A stand-in classifier with known features: features(x) = flattened x @ m (B, F); calling it gives
    exp(features), which are not the features (a test tells the two apart)."""

    def __init__(self, m: torch.Tensor):
        super().__init__()
        self.m = m

    def features(self, x):
        return x.flatten(1) @ self.m

    def forward(self, x):
        return self.features(x).exp()


def segment_coefficients(x, real, fake):
    """t_i such that x_i = fake_i + t_i (real_i - fake_i) (least squares), and how far off that line x lies."""
    assert x.shape == real.shape, (f"expected the critic to be called on interpolates of shape {tuple(real.shape)}, "
                                   f"got {tuple(x.shape)}")
    d, e = (real - fake).flatten(1), (x - fake).flatten(1)
    t = (e * d).sum(1) / (d * d).sum(1)
    return t, (e - t[:, None] * d).abs().max().item()


class Recorder:
    """A function that records every call, its arguments bound to `fn`'s signature (defaults filled in),
    then returns what `fn` returns: `calls` is a list of dicts, e.g. calls[0]["lambda_gp"]."""

    def __init__(self, fn):
        self.fn, self.calls = fn, []
        self._signature = inspect.signature(fn)

    def __call__(self, *args, **kwargs):
        bound = self._signature.bind(*args, **kwargs)
        bound.apply_defaults()
        self.calls.append(dict(bound.arguments))
        return self.fn(*args, **kwargs)


def expect_called(spy: Recorder, name: str, caller: str) -> None:
    """`spy`, a Recorder swapped in for the graded function `name` (with `replaced`) while `caller` ran, saw a
    call: a step that computes the loss inline is told so, not only that its update differs."""
    assert spy.calls, (f"your {caller} never called `{name}`: call it by name (the tests swap in a stand-in for it, "
                       f"so that a mistake in `{name}` costs only its own exercise), not a formula of your own or a "
                       "copy under another name")


def fill_grads(module: nn.Module, value: float = 1e3) -> None:
    """Garbage in every parameter's .grad, as a previous step would leave it: an update that forgets to
    zero the gradients first then shows it."""
    for p in module.parameters():
        p.grad = torch.full_like(p, value)


def parameters(module: nn.Module) -> list[torch.Tensor]:
    """Detached copies of a module's parameters, to compare before and after a step."""
    return [p.detach().clone() for p in module.parameters()]


def sgd_update(module: nn.Module, loss_fn, lr: float) -> list[torch.Tensor]:
    """The parameters of `module` after one SGD step of size `lr` on `loss_fn(copy)`, computed on a copy
    (the module itself is not changed): the reference a training step is compared with."""
    clone = copy.deepcopy(module)
    params = list(clone.parameters())
    grads = torch.autograd.grad(loss_fn(clone), params, allow_unused=True)
    return [(p - lr * (torch.zeros_like(p) if g is None else g)).detach() for p, g in zip(params, grads)]


def projection_head(n_classes: int, n_features: int, seed: int = 0) -> tuple[nn.Embedding, nn.Linear]:
    """A projection discriminator's head, (nn.Embedding(n_classes, F), nn.Linear(F, 1)), with N(0, 1) weights
    drawn from a generator of its own (the global RNG is left alone)."""
    g = torch.Generator().manual_seed(seed)
    embedding = nn.utils.skip_init(nn.Embedding, n_classes, n_features)   # no default initialisation: no RNG use
    linear = nn.utils.skip_init(nn.Linear, n_features, 1)
    with torch.no_grad():
        for p in (embedding.weight, linear.weight, linear.bias):
            p.copy_(torch.randn(p.shape, generator=g))
    return embedding, linear


def small_critic(dim: int = 2, hidden: int = 4) -> nn.Module:
    """A tanh MLP critic: points (B, dim) -> scores (B,)."""
    return nn.Sequential(nn.Linear(dim, hidden), nn.Tanh(), nn.Linear(hidden, 1), nn.Flatten(0))


# Stand-ins for the WGAN losses while a training step is tested: known formulas with their own weights (deliberately
# not the WGAN ones), so that a step's update can be computed by hand whatever the student's losses do.
def stand_in_critic_loss(real_scores, fake_scores):
    return 0.5 * fake_scores.mean() - 2.0 * real_scores.mean()


def stand_in_penalty(critic, real, fake, lambda_gp=10.0):
    return 0.01 * lambda_gp * (critic(real).mean() - critic(fake).mean()) ** 2


def stand_in_generator_loss(fake_scores):
    return (fake_scores - 1.0).pow(2).mean()
