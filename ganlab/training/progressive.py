"""Progressive growing (ProGAN; Karras et al., 2018): the schedule of stages and fade-ins, and the loop that grows
G and D from 4x4 to the final size. The blend `fade_in(alpha, upscaled, generated)` and the losses are the
student's, passed in:

    history = train_progressive(G, D, real, d_loss, g_loss, fade_in, steps_per_phase=200)
"""
from __future__ import annotations

from typing import Callable, Iterable

import torch
import torch.nn.functional as F

from ..checks import check_counts, check_positive, check_tensor
from ..models.progan import ProDiscriminator, ProGenerator
from .loop import notify, sampler, scalar_loss, start, update

DRIFT = 1e-3   # ProGAN's drift term: D's loss + DRIFT * mean(real scores^2) keeps the scores near 0


def alpha_schedule(step: int, fade_steps: int) -> float:
    """alpha rises linearly from 0 to 1 over the fade phase, then stays at 1."""
    return min(1.0, step / fade_steps) if fade_steps > 0 else 1.0


def phase_steps(stages: int, steps_per_phase) -> list[tuple[int, int]]:
    """(fade steps, stabilising steps) per stage; stage 0 has nothing to fade in. steps_per_phase is one int
    for every stage or one int per stage (small images are cheap: give them more steps)."""
    per_stage = [steps_per_phase] * stages if isinstance(steps_per_phase, int) else list(steps_per_phase)
    if len(per_stage) != stages:
        raise ValueError(f"steps_per_phase: expected an int or {stages} ints (one per stage), got {steps_per_phase!r}")
    for n in per_stage:
        check_positive(n, "steps_per_phase", integer=True)
    return [(0 if s == 0 else n, n) for s, n in enumerate(per_stage)]


def phase_ends(stages: int, steps_per_phase) -> list[int]:
    """The (1-based) training steps at which each phase ends: where to take snapshots."""
    ends, step = [], 0
    for fade, stable in phase_steps(stages, steps_per_phase):
        for n in (fade, stable):
            if n:
                step += n
                ends.append(step)
    return ends


def _schedule(stages: int, steps_per_phase) -> list[tuple[int, float, bool]]:
    """(stage, alpha, last step of a phase) for every training step, in order."""
    out = []
    for stage, (fade, stable) in enumerate(phase_steps(stages, steps_per_phase)):
        out += [(stage, alpha_schedule(i, fade), i in (fade - 1, fade + stable - 1)) for i in range(fade + stable)]
    return out


def train_progressive(
    generator: ProGenerator,
    discriminator: ProDiscriminator,
    images: torch.Tensor,                  # real images (N, C, S, S) in [-1, 1] at the final size
    d_loss_fn: Callable,                   # (real_scores, fake_scores) -> scalar
    g_loss_fn: Callable,                   # (fake_scores) -> scalar
    fade_in: Callable,                     # fade_in(alpha, upscaled, generated)
    *,
    steps_per_phase=500,                   # per stage (an int, or one per stage): fade-in steps, then as many stable
    batch_size: int = 64,
    lr: float = 1e-3,                      # ProGAN: Adam(1e-3, betas (0, 0.99)) for both (G's unless g_lr)
    g_lr: float | None = None,
    betas: tuple = (0.0, 0.99),
    callbacks: Iterable[Callable] = (),    # cb(step, generator, discriminator, history) after every step
    log_every: int = 10,
    seed: int | None = None,               # the order of the minibatches; None: torch's global RNG
    device=None,                           # where batches go; default: the generator's device
    progress: bool | None = None,          # tqdm bar; default: on, except while autograding
) -> dict:
    """Grow G and D from 4x4 to the final size. At stage s the real images are average-pooled to 4 * 2**s and,
    while alpha < 1, blended with their own 2x-downsampled-then-upsampled version, as in the paper, so the
    discriminator sees real images as blurry as the fakes. D's loss gets ProGAN's drift term.

    Returns the history: step, stage, alpha (at the logged step), d_loss, g_loss (means since the previous entry),
    logged every `log_every` steps and at the end of every phase, so a callback finds the current stage and alpha
    in history["stage"][-1], history["alpha"][-1] at the phase ends (`phase_ends`).
    """
    cfg = generator.cfg
    check_tensor(images, "images", shape=(None, cfg.channels, cfg.image_size, cfg.image_size))
    check_counts(batch_size=batch_size, log_every=log_every)
    schedule = _schedule(cfg.stages, steps_per_phase)
    run = start(generator, discriminator, steps=len(schedule), keys=("d_loss", "g_loss"), desc="growing", lr=lr,
                g_lr=g_lr, betas=betas, log_every=log_every, device=device, progress=progress,
                latest=("stage", "alpha"), sources={"d_loss": "d_loss_fn", "g_loss": "g_loss_fn"})
    device, d_opt, g_opt, log, bar = run.device, run.d_opt, run.g_opt, run.log, run.bar
    sample = sampler(images, batch_size, device, seed)
    for step, (stage, alpha, phase_end) in zip(bar, schedule):
        res = cfg.resolution(stage)
        real = F.adaptive_avg_pool2d(sample(), res)                          # (B, C, res, res)
        if alpha < 1:
            blurred = F.interpolate(F.avg_pool2d(real, 2), scale_factor=2, mode="nearest")
            real = fade_in(alpha, blurred, real)
        with torch.no_grad():
            fake = generator(torch.randn(len(real), cfg.latent_dim, device=device), stage, alpha, fade_in)
        real_scores = discriminator(real, alpha, fade_in)                     # (B,)
        d_loss = scalar_loss(d_loss_fn(real_scores, discriminator(fake, alpha, fade_in)), "d_loss_fn")
        update(d_opt, d_loss + DRIFT * real_scores.pow(2).mean())
        fake = generator(torch.randn(batch_size, cfg.latent_dim, device=device), stage, alpha, fade_in)
        g_loss = scalar_loss(g_loss_fn(discriminator(fake, alpha, fade_in)), "g_loss_fn")
        update(g_opt, g_loss)
        log.add(step, [d_loss, g_loss], flush=phase_end, stage=stage, alpha=alpha)
        notify(callbacks, step, generator, discriminator, log.history)
        if phase_end:
            bar.set_description(f"growing {res}x{res}")
    return log.history
