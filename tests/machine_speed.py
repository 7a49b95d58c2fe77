"""How slow this machine is, now, at the notebooks' kind of work, relative to the machine on which the notebooks'
stated fast-mode times were measured.

The same notebook costs two to three times the CPU time on one 2-core cloud machine as on another (seen here, each
notebook run alone: lecture 02 185 s against 62 s, lecture 08 54 s against 29 s). So the claims check
(tests/conftest.py) times a fixed workload of the same kind (a small convolutional GAN trained for a few steps on
one thread, as in fast mode) and divides the notebook's CPU time by `slowdown()` before comparing it with the
statement; the factor-2 band of tests/claims.py covers what one small workload cannot tell about a whole notebook.
"""
from __future__ import annotations

import time

import torch
from torch import nn

# CPU seconds of `_workload()` on the machine where the introductions' fast-mode times were measured (2 cores, AMD
# EPYC Zen 3, quiet: each notebook alone), 2026-12-07. Measure again with `python -m tests.machine_speed` when you
# restate the times on another machine.
REFERENCE_SECONDS = 1.5


def _workload(steps: int = 12) -> None:
    torch.manual_seed(0)
    generator = nn.Sequential(nn.Unflatten(1, (16, 1, 1)), nn.ConvTranspose2d(16, 64, 7), nn.BatchNorm2d(64), nn.ReLU(),
                              nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.BatchNorm2d(32), nn.ReLU(),
                              nn.ConvTranspose2d(32, 1, 4, 2, 1), nn.Tanh())
    critic = nn.Sequential(nn.Conv2d(1, 32, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(32, 64, 4, 2, 1), nn.LeakyReLU(0.2),
                           nn.Flatten(), nn.Linear(64 * 7 * 7, 1))
    optimizers = [torch.optim.Adam(m.parameters(), 2e-4) for m in (generator, critic)]
    real = torch.rand(64, 1, 28, 28) * 2 - 1
    for _ in range(steps):
        fake = generator(torch.randn(64, 16))
        loss = critic(fake).mean() - critic(real).mean() + (critic(fake.detach()) ** 2).mean()
        for opt in optimizers:
            opt.zero_grad()
        loss.backward()
        for opt in optimizers:
            opt.step()


def workload_seconds() -> float:
    """CPU seconds of the fixed workload on one thread, here and now."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        _workload(steps=2)                  # the first steps also build the kernels (several times slower)
        start = time.process_time()
        _workload()
        return time.process_time() - start
    finally:
        torch.set_num_threads(threads)


def median_seconds(runs: int = 3) -> tuple[float, list[float]]:
    """The median CPU seconds of `runs` runs of the workload, and all of them, sorted."""
    times = sorted(workload_seconds() for _ in range(runs))
    return times[runs // 2], times


def slowdown() -> float:
    """How many times longer the workload takes here and now than on the reference machine."""
    return median_seconds()[0] / REFERENCE_SECONDS


if __name__ == "__main__":
    median, runs = median_seconds(5)
    print(f"workload: {median:.3f} CPU s (median of {', '.join(f'{r:.3f}' for r in runs)}); "
          f"REFERENCE_SECONDS = {REFERENCE_SECONDS}")
