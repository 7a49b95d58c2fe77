"""Mode coverage on the PacGAN toys: GAN, LSGAN, PacGAN and WGAN-GP on the ring (8 modes) and the
grid (25 modes), several seeds each, scored with the PacGAN/VEEGAN protocol (2,500 samples, 3 sigma).

    python -m benchmarks.toy2d                # 3 seeds, full settings; writes results/toy2d.json
    python -m benchmarks.toy2d --seeds 1 --steps 500 --datasets grid --methods gan   # a quick look
    python -m benchmarks.toy2d --rescore      # re-score the saved samples without training

The final 2,500 samples of every run are saved as results/toy2d/<dataset>_<method>_seed<k>.npy, so
they can be re-scored with any implementation of the protocol.
Published anchors (PacGAN, Table 1, grid): GAN 17.3 modes / 94.8% / 0.70; PacGAN4 24.8 / 93.6% / 0.04.
"""
from __future__ import annotations

import argparse
import copy
import statistics
import time
from dataclasses import dataclass

import numpy as np
import torch

import ganlab
from benchmarks import answers
from benchmarks.common import RESULTS, report
from ganlab.data import GRID_STD, RING_STD, grid, grid_means, ring, ring_means
from ganlab.metrics import mode_coverage
from ganlab.models import MLPConfig, MLPDiscriminator, MLPGenerator, Packed

DATASETS = {"ring": (ring, ring_means(), RING_STD), "grid": (grid, grid_means(), GRID_STD)}
SAMPLES = 2500
SAVED = RESULTS / "toy2d"


@dataclass(frozen=True)
class Method:
    d_loss: callable
    g_loss: callable
    pack: int = 1              # PacGAN degree: the discriminator sees `pack` samples at once
    n_critic: int = 1          # discriminator steps per generator step
    lr: float = 1e-3           # both networks; decays linearly to 1% over the run
    betas: tuple = (0.5, 0.999)
    penalty: bool = False      # WGAN-GP's gradient penalty (lambda = 10)
    step_cost: int = 1         # relative cost of one generator step, to give every method equal time


METHODS = {
    "gan": Method(answers.discriminator_loss, answers.generator_loss),
    "lsgan": Method(answers.ls_discriminator_loss, answers.ls_generator_loss),
    "pacgan4": Method(answers.discriminator_loss, answers.generator_loss, pack=4),
    # Gulrajani et al.'s settings: n_critic 5, Adam(1e-4, betas (0, 0.9)), lambda 10.
    "wgan_gp": Method(answers.critic_loss, answers.wgan_generator_loss, n_critic=5, lr=1e-4, betas=(0.0, 0.9), penalty=True,
                      step_cost=4),
}


def networks(method: Method, latent_dim: int = 8, width: int = 256):
    g = MLPGenerator(MLPConfig((2,), latent_dim, width, 3, batch_norm=True))
    d = MLPDiscriminator(MLPConfig((2 * method.pack,), latent_dim, width, 3))
    return g, (Packed(d, answers.pack, method.pack) if method.pack > 1 else d)


class Averaged:
    """Callback: an exponential moving average of the generator's weights (Yazici et al., 2019)."""

    def __init__(self, generator, decay: float = 0.99):
        self.model, self.decay = copy.deepcopy(generator), decay

    @torch.no_grad()
    def __call__(self, step, generator, discriminator, history):
        for avg, p in zip(self.model.parameters(), generator.parameters()):
            avg.lerp_(p, 1 - self.decay)
        for avg, b in zip(self.model.buffers(), generator.buffers()):
            avg.copy_(b)


def linear_decay(optimizers, steps: int, floor: float = 0.01):
    """Callback: every learning rate falls linearly from its start value to `floor` times it."""
    start = [[g["lr"] for g in o.param_groups] for o in optimizers]

    def cb(step, *_):
        for o, lrs in zip(optimizers, start):
            for g, lr in zip(o.param_groups, lrs):
                g["lr"] = lr * max(floor, 1 - step / steps)
    return cb


def run(dataset: str, name: str, seed: int, steps: int, batch_size: int = 256) -> dict:
    sample, means, std = DATASETS[dataset]
    method = METHODS[name]
    ganlab.seed_everything(seed)
    g, d = networks(method)
    g_opt = torch.optim.Adam(g.parameters(), method.lr, betas=method.betas)
    d_opt = torch.optim.Adam(d.parameters(), method.lr, betas=method.betas)
    steps = max(1, steps // method.step_cost)
    averaged = Averaged(g)
    start = time.perf_counter()
    ganlab.train_gan(g, d, sample, method.d_loss, method.g_loss, steps=steps, batch_size=batch_size,
                     n_critic=method.n_critic, d_opt=d_opt, g_opt=g_opt,
                     d_penalty=answers.gradient_penalty if method.penalty else None,
                     callbacks=[linear_decay([g_opt, d_opt], steps), averaged], progress=False)
    seconds = time.perf_counter() - start
    averaged.model.eval()
    with torch.no_grad():
        x = averaged.model(torch.randn(SAMPLES, g.latent_dim)).numpy()
    SAVED.mkdir(parents=True, exist_ok=True)
    np.save(SAVED / f"{dataset}_{name}_seed{seed}.npy", x)
    return score(dataset, name, seed, x) | {"seconds": seconds, "g_steps": steps}


def score(dataset: str, name: str, seed: int, x) -> dict:
    _, means, std = DATASETS[dataset]
    cov = mode_coverage(torch.as_tensor(x), means, std)
    return {"dataset": dataset, "method": name, "seed": seed, "modes": cov.modes,
            "high_quality": cov.high_quality, "reverse_kl": cov.reverse_kl}


def summary(runs: list[dict]) -> list[dict]:
    rows = []
    for dataset in DATASETS:
        for name in METHODS:
            mine = [r for r in runs if r["dataset"] == dataset and r["method"] == name]
            if not mine:
                continue
            row = {"dataset": dataset, "method": name, "seeds": len(mine)}
            for key in ("modes", "high_quality", "reverse_kl", "seconds"):
                if key in mine[0]:
                    row[key] = float(statistics.mean(r[key] for r in mine))
            rows.append(row)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=4000, help="generator steps of a GAN (fewer for WGAN-GP)")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (networks this small gain nothing from more)")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--rescore", action="store_true", help="score saved samples, do not train")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    runs = []
    for dataset in args.datasets:
        for name in args.methods:
            for seed in range(args.seeds):
                if args.rescore:
                    runs.append(score(dataset, name, seed, np.load(SAVED / f"{dataset}_{name}_seed{seed}.npy")))
                else:
                    runs.append(run(dataset, name, seed, args.steps))
                print({k: round(v, 3) if isinstance(v, float) else v for k, v in runs[-1].items()}, flush=True)
    report("toy2d_rescored" if args.rescore else "toy2d", summary(runs))


if __name__ == "__main__":
    main()
