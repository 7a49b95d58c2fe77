"""A critic trained alone, on two fixed distributions: lecture 03's neural estimate of W and lecture 04's look at
clipping and penalties. Its loss, penalty and weight constraint are arguments (ganlab holds no graded answer):

    history = train_critic(critic, sample_p, sample_q, lambda real, fake: fake.mean() - real.mean(), steps=500)
    history = train_critic(critic, ring, normal, critic_loss, after_step=lambda: clip_weights(critic, 0.01))
"""
from __future__ import annotations

from typing import Callable, Iterable

from torch import nn

from ..checks import check_counts
from .loop import notify, scalar_loss, start, update


def train_critic(
    critic: nn.Module,                     # f(x) -> scores
    sample_real: Callable,                 # sample_real(n) -> n samples of p (any device)
    sample_fake: Callable,                 # sample_fake(n) -> n samples of q
    loss_fn: Callable,                     # (real_scores, fake_scores) -> scalar, e.g. mean(fake) - mean(real)
    *,
    penalty: Callable | None = None,       # (critic, real, fake) -> scalar added to the loss, e.g. a gradient penalty
    after_step: Callable | None = None,    # after each update, e.g. lambda: clip_weights(critic, 0.01)
    steps: int = 1000,
    batch_size: int = 256,
    lr: float = 1e-3,                      # Adam
    betas: tuple = (0.0, 0.9),
    callbacks: Iterable[Callable] = (),    # cb(step, critic, None, history) after every step
    log_every: int = 10,
    device=None,                           # where batches go; default: the critic's device
    progress: bool | None = None,          # tqdm bar; default: on, except while autograding
    desc: str = "critic",
) -> dict:
    """Minimise `loss_fn` (+ `penalty`) over the critic on fresh batches of both distributions. The fake batch is
    scored first, then the real one: with a spectral-normalised critic, whose power iteration advances at each
    forward pass, lecture 03's measured numbers depend on that order. Returns the history: step, loss (the mean since
    the previous entry)."""
    check_counts(steps=steps, batch_size=batch_size, log_every=log_every)
    run = start(critic, steps=steps, keys=("loss",), desc=desc, lr=lr, betas=betas, log_every=log_every,
                device=device, progress=progress, sources={"loss": "loss_fn"})
    for step in run.bar:
        real, fake = sample_real(batch_size).to(run.device), sample_fake(batch_size).to(run.device)
        fake_scores = critic(fake)
        loss = scalar_loss(loss_fn(critic(real), fake_scores), "loss_fn")
        if penalty is not None:
            loss = loss + penalty(critic, real, fake)
        update(run.g_opt, loss)
        if after_step is not None:
            after_step()
        run.log.add(step, [loss])
        notify(callbacks, step, critic, None, run.log.history)
    return run.log.history
