"""The pieces every training loop of ganlab is made of: input checks, minibatch sources, one optimiser update,
loss checks, running means logged without a GPU sync per step, a progress bar, and the callbacks.

Every loop calls its callbacks after each step as `cb(step, generator, discriminator, history)`, step = 1 ... steps
(CycleGAN passes its pairs of networks; loops without an adversary pass None as the discriminator), and returns
`history`, a plain dict of lists with one entry per logged step."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterable

import torch
from torch import nn
from tqdm.auto import tqdm

from ..data import batches
from ..device import grading


def latent_size(generator: nn.Module) -> int:
    """The generator's `latent_dim`: the size of the noise it takes."""
    latent_dim = getattr(generator, "latent_dim", None)
    if not isinstance(latent_dim, int):
        raise ValueError("generator: expected a module with an int `latent_dim` attribute")
    return latent_dim


def device_of(module: nn.Module, device=None) -> torch.device:
    """`device` when given, else where the module's parameters are."""
    return torch.device(device) if device is not None else next(module.parameters()).device


def sampler(data, batch_size: int, device, seed: int | None = None) -> Callable[[], torch.Tensor]:
    """sample() -> a minibatch on `device`, from a tensor dataset (shuffled each epoch, seeded by `seed` when
    given), a `sample(batch_size)` callable, or an iterable such as a DataLoader (restarted at each epoch's end)."""
    if isinstance(data, torch.Tensor):
        it = batches(data, batch_size, None if seed is None else torch.Generator().manual_seed(seed))
        return lambda: next(it).to(device, non_blocking=True)
    if callable(data):
        return lambda: data(batch_size).to(device)
    if isinstance(data, Iterable):
        def endless():
            while True:
                empty = True
                for b in data:
                    empty = False
                    yield (b[0] if isinstance(b, (tuple, list)) else b).to(device)
                if empty:
                    raise ValueError("data: the iterable yielded no batch")

        it = endless()
        return lambda: next(it)
    raise ValueError(f"data: expected a tensor, a sample(batch_size) callable or an iterable, "
                     f"got {type(data).__name__}")


def cpu_generator(seed: int | None) -> torch.Generator:
    """A CPU random generator seeded by `seed`; None: by a draw from torch's global RNG (so `seed_everything`
    still makes the run reproducible)."""
    if seed is None:
        seed = int(torch.randint(2**62, ()))
    return torch.Generator().manual_seed(seed)


def aligned_batches(*tensors: torch.Tensor, batch_size: int, seed: int | None):
    """Endless random minibatches drawn with the same indices from every tensor (all of one length)."""
    n = len(tensors[0])
    if any(len(t) != n for t in tensors):
        raise ValueError(f"expected aligned tensors of one length, got lengths {[len(t) for t in tensors]}")
    g = cpu_generator(seed)
    while True:
        idx = torch.randint(n, (batch_size,), generator=g)
        yield tuple(t[idx] for t in tensors)


def adam(modules, lr: float, betas: tuple) -> torch.optim.Adam:
    """One Adam optimiser over the parameters of one module or several."""
    modules = modules if isinstance(modules, (list, tuple)) else [modules]
    return torch.optim.Adam([p for m in modules for p in m.parameters()], lr=lr, betas=betas)


def update(opt: torch.optim.Optimizer, loss: torch.Tensor) -> None:
    """Clear the optimiser's gradients, backpropagate `loss`, step."""
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def _non_finite(name: str, value: float, where: str = "") -> FloatingPointError:
    return FloatingPointError(f"{name} returned {value}{where}: check numerical stability "
                              "(use logits with softplus/logsigmoid, not log(sigmoid(x)))")


def scalar_loss(value, name: str) -> torch.Tensor:
    """`value` if it is a scalar tensor; a clear error naming the loss function `name` otherwise. Finiteness is
    checked here on the CPU, and by RunningMeans at each logged step on a GPU (a check per step would sync)."""
    if not isinstance(value, torch.Tensor) or value.dim() != 0:
        got = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
        raise ValueError(f"{name} must return a scalar tensor (the batch mean), got {got}")
    if value.device.type == "cpu" and not torch.isfinite(value):
        raise _non_finite(name, value.item())
    return value


class RunningMeans:
    """Scalar tensors added each step, summed on their device (no GPU sync per step). Every `every` steps, at the
    last step and when `add(..., flush=True)`, their means since the previous entry go into `history`, with the
    step and the `latest` values passed then (plain numbers, e.g. ProGAN's stage); a non-finite mean raises.
    `sources` names the loss function behind a key, for that error."""

    def __init__(self, keys: tuple, steps: int, every: int, device, bar=None, latest: tuple = (),
                 sources: dict | None = None):
        self.keys, self.steps, self.every, self.bar = keys, steps, every, bar
        self.sources = sources or {}
        self.sums = torch.zeros(len(keys), device=device)
        self.history = {k: [] for k in ("step",) + tuple(latest) + tuple(keys)}

    def add(self, step: int, values: list[torch.Tensor], flush: bool = False, **latest) -> None:
        with torch.no_grad():
            self.sums += torch.stack([torch.as_tensor(v).detach().float() for v in values])
        if not (flush or step % self.every == 0 or step == self.steps):
            return
        h = self.history
        first = h["step"][-1] + 1 if h["step"] else 1
        means = (self.sums / (step - first + 1)).tolist()
        self.sums.zero_()
        for key, value in zip(self.keys, means):
            if not math.isfinite(value):
                raise _non_finite(self.sources.get(key, key), value, f" in steps {first}-{step}")
        h["step"].append(step)
        for key, value in [*latest.items(), *zip(self.keys, means)]:
            h[key].append(value)
        if self.bar is not None:
            self.bar.set_postfix({k: f"{h[k][-1]:.3f}" for k in self.keys[:2]})


def progress_bar(steps: int, progress: bool | None, desc: str):
    """A tqdm bar over steps 1 ... steps; `progress` None: shown except while autograding."""
    return tqdm(range(1, steps + 1), desc=desc, disable=grading() if progress is None else not progress)


@dataclass(frozen=True)
class Start:
    """What every loop starts with (`start`)."""
    device: torch.device
    g_opt: torch.optim.Optimizer                # Adam over the generator(s), or the model a loop trains
    d_opt: torch.optim.Optimizer | None         # Adam over the discriminator(s); None without one
    bar: Iterable[int]                          # tqdm over steps 1 ... steps
    log: RunningMeans                           # the history, logged every `log_every` steps


def _modules(networks) -> list[nn.Module]:
    networks = networks if isinstance(networks, (list, tuple)) else [networks]
    return [m for m in networks if m is not None]


def start(generators, discriminators=None, *, steps: int, keys: tuple, desc: str, lr: float, betas: tuple,
          g_lr: float | None = None, log_every: int, device=None, progress: bool | None = None,
          latest: tuple = (), sources: dict | None = None, g_opt=None, d_opt=None) -> Start:
    """The set-up every loop shares: the device (`device`, else the first generator's), one Adam per side (lr and
    betas; the generators' at `g_lr` when given; `g_opt`/`d_opt` when the caller brings its own), the progress bar,
    the running means of `keys`; every network put in training mode. `generators` and `discriminators` are a
    module, a list of modules, or None."""
    gs, ds = _modules(generators), _modules(discriminators)
    device = device_of(gs[0], device)
    g_opt = g_opt or adam(gs, lr if g_lr is None else g_lr, betas)
    d_opt = d_opt or (adam(ds, lr, betas) if ds else None)
    bar = progress_bar(steps, progress, desc)
    log = RunningMeans(keys, steps, log_every, device, bar, latest=latest, sources=sources)
    for m in gs + ds:
        m.train()
    return Start(device, g_opt, d_opt, bar, log)


def notify(callbacks: Iterable[Callable], step: int, generator, discriminator, history: dict) -> None:
    """Call every callback as cb(step, generator, discriminator, history)."""
    for cb in callbacks:
        cb(step, generator, discriminator, history)
