"""The GPU proof in one call: lecture 04 (WGAN-GP through the student-loop code path) and lecture 01's DCGAN at
full settings, DCGAN throughput with AMP (bf16) and channels_last on and off against a plain fp32 loop, and every
lecture's hidden tests with CUDA visible.

    python -m benchmarks.gpu_proof --out DIR            # on a GPU machine: about 6-8 minutes in all
    python -m benchmarks.gpu_proof --out DIR --smoke    # the same code, tiny settings, CPU, seconds (make test)

The GPU machine is offline: the digits are scikit-learn's (upsampled to 32x32), not MNIST. Each part has a time
budget, stops early when it is spent (and says so), and writes its figures and numbers as soon as it ends:
DIR/proof.json (every number), DIR/*.png (sample grids, curves). Exit status 1 when a part failed.
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
import traceback
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

from benchmarks import common  # noqa: E402
from benchmarks.gpu_throughput import throughput  # noqa: E402
from instructor.config import Course  # noqa: E402
from instructor.notebooks import load_answers  # noqa: E402

import ganlab  # noqa: E402

FULL = dict(size=32, width=64, wgan_steps=2500, dcgan_steps=4000, dcgan_batch=128, fd_checks=10, fd_images=1000,
            judge_epochs=15, hidden_tests=None,                    # None: every lecture
            budget_s={"wgan_gp": 150, "dcgan": 120, "throughput": 100, "hidden_tests_cuda": 90})
SMOKE = dict(size=16, width=8, wgan_steps=3, dcgan_steps=3, dcgan_batch=16, fd_checks=2, fd_images=64,
             judge_epochs=1, hidden_tests=("03_wasserstein",),
             budget_s={"wgan_gp": 30, "dcgan": 30, "throughput": 30, "hidden_tests_cuda": 60})


class TimeUp(Exception):
    """Raised by a callback when a part's time budget is spent."""


class Monitor:
    """Training callback: FD of fixed-noise samples every `every` steps, progress lines, the time budget."""

    def __init__(self, name, steps, checks, judge, real, deadline, device, latent_dim):
        self.name, self.steps, self.every = name, steps, max(1, steps // checks)
        self.judge, self.real, self.deadline, self.device = judge, real, deadline, device
        self.z = torch.randn(len(real), latent_dim, device=device, generator=torch.Generator(device).manual_seed(1))
        self.fd_steps, self.fd, self.done, self.start = [], [], 0, time.perf_counter()

    @torch.no_grad()
    def __call__(self, step, generator, critic, history):
        self.done = step
        if step % self.every == 0 or step == self.steps:
            fake = ganlab.models.generate(generator, self.z)
            self.fd_steps.append(step)
            self.fd.append(ganlab.classifier.digits_frechet_distance(fake, self.real, classifier=self.judge))
            print(f"   {self.name}: step {step}/{self.steps}, FD {self.fd[-1]:.2f}, "
                  f"{time.perf_counter() - self.start:.0f} s", flush=True)
        if time.perf_counter() > self.deadline:
            raise TimeUp(f"stopped at step {step} of {self.steps}: the time budget is spent")


@functools.lru_cache(maxsize=2)
def _data(size, fd_images, judge_epochs):
    """Offline digits at size x size, the FD judge (the course's digit classifier) and the FD floor."""
    images, labels = ganlab.data.image_dataset("digits", size=size, download=False)
    judge, accuracy = ganlab.training.train_classifier(images, labels, epochs=judge_epochs)
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(0))
    real, other = images[order[:fd_images]], images[order[-fd_images:]]
    floor = ganlab.classifier.digits_frechet_distance(other, real, classifier=judge)
    print(f"   judge: held-out accuracy {accuracy:.1%}; FD floor (real vs real) {floor:.2f}", flush=True)
    return images, judge.requires_grad_(False), real, floor


def _figures(out, name, monitor, generator, curves):
    """name_samples.png (64 fixed-noise samples) and name_curves.png (training curves, FD)."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.5), layout="tight")
    for label, values in curves.items():
        axes[0].plot(range(1, len(values) + 1), values, lw=1, label=label)
    axes[0].set(xlabel="iteration", title=f"{name}: training curves")
    axes[0].legend(fontsize=8)
    axes[1].plot(monitor.fd_steps, monitor.fd, "o-")
    axes[1].set(xlabel="iteration", ylabel="FD", yscale="log", title=f"{name}: Frechet distance to real digits")
    fig.savefig(out / f"{name}_curves.png", dpi=90)
    plt.close(fig)
    fig = ganlab.plot.image_grid(ganlab.models.generate(generator, monitor.z[:64]), title=f"{name}: samples")
    fig.savefig(out / f"{name}_samples.png", dpi=90)
    plt.close(fig)


def part_wgan_gp(out, s, device, deadline):
    """Lecture 04 at full settings: lecture 01's generator and the reference build_critic, trained by the reference
    train_wgan_gp, as the notebook's digits run."""
    fns = load_answers("04_wgan_gp", "wgan_gp", (
        "critic_loss", "wgan_generator_loss", "gradient_penalty", "critic_step", "generator_step", "train_wgan_gp",
        "build_critic"))
    images, judge, real, floor = _data(s["size"], s["fd_images"], s["judge_epochs"])
    ganlab.seed_everything(0)
    cfg = ganlab.models.DCGANConfig(image_size=s["size"], channels=1, latent_dim=64, width=s["width"])
    G = ganlab.models.DCGANGenerator(cfg).to(device)
    D = fns["build_critic"](s["size"], 1, s["width"]).apply(ganlab.models.init_dcgan_weights).to(device)
    monitor = Monitor("wgan_gp", s["wgan_steps"], s["fd_checks"], judge, real, deadline, device, cfg.latent_dim)
    history, stopped, start = {"w": [], "gp": [], "g_loss": []}, None, time.perf_counter()

    def keep(step, g, c, h):
        history.update(h)
        monitor(step, g, c, h)

    try:
        fns["train_wgan_gp"](G, D, lambda n: images[torch.randint(len(images), (n,))], s["wgan_steps"],
                             n_critic=5, batch_size=64, lr=1e-4, betas=(0.0, 0.9), callback=keep)
    except TimeUp as e:
        stopped = str(e)
    seconds = time.perf_counter() - start
    _figures(out, "wgan_gp", monitor, G, {"critic's W estimate": history["w"], "gradient penalty": history["gp"]})
    return {"steps_done": monitor.done, "steps_planned": s["wgan_steps"], "seconds": seconds,
            "iterations_per_s": monitor.done / seconds, "fd_steps": monitor.fd_steps, "fd": monitor.fd,
            "fd_floor_real_vs_real": floor, "w_first": history["w"][:1], "w_last": history["w"][-1:],
            "stopped": stopped}


def part_dcgan(out, s, device, deadline):
    """Lecture 01's DCGAN at full settings: the reference build_generator, build_discriminator and gan_step."""
    fns = load_answers("01_gan_basics", "gan_basics", (
        "discriminator_loss", "generator_loss", "gan_step", "build_discriminator", "build_generator"))
    images, judge, real, floor = _data(s["size"], s["fd_images"], s["judge_epochs"])
    ganlab.seed_everything(0)
    latent_dim = 64
    G = fns["build_generator"](latent_dim, s["size"], 1, s["width"])
    G.apply(ganlab.models.init_dcgan_weights).to(device)
    D = fns["build_discriminator"](s["size"], 1, s["width"]).to(device)
    D.apply(ganlab.models.init_dcgan_weights)
    d_opt = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    g_opt = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    monitor = Monitor("dcgan", s["dcgan_steps"], s["fd_checks"], judge, real, deadline, device, latent_dim)
    losses, stopped, start = {"d_loss": [], "g_loss": []}, None, time.perf_counter()
    batches = ganlab.data.batches(images, s["dcgan_batch"])
    try:
        for step in range(1, s["dcgan_steps"] + 1):
            real_batch = next(batches).to(device, non_blocking=True)
            z = torch.randn(len(real_batch), latent_dim, device=device)
            for key, value in zip(losses, fns["gan_step"](G, D, real_batch, z, d_opt, g_opt)):
                losses[key].append(value)
            monitor(step, G, D, losses)
    except TimeUp as e:
        stopped = str(e)
    seconds = time.perf_counter() - start
    _figures(out, "dcgan", monitor, G, losses)
    return {"steps_done": monitor.done, "steps_planned": s["dcgan_steps"], "seconds": seconds,
            "steps_per_s": monitor.done / seconds, "images_per_s": monitor.done * s["dcgan_batch"] / seconds,
            "fd_steps": monitor.fd_steps, "fd": monitor.fd, "fd_floor_real_vs_real": floor, "stopped": stopped}


def part_hidden_tests(s, deadline):
    """Every lecture's instructor notebook graded in-process with CUDA visible: the hidden tests' CUDA branches run."""
    from instructor import notebooks
    from tests.autograde import inprocess
    from tests.autograde.tables import ALL

    rows = {}
    for table in [t for t in ALL if s["hidden_tests"] is None or t.assignment in s["hidden_tests"]]:
        start = time.perf_counter()
        outcomes = inprocess.grade(notebooks.read(Course().source(table.assignment, table.notebook)), {})
        failed = {k: o.detail.strip().splitlines()[-1] for k, o in outcomes.items() if not o.passed}
        rows[table.assignment] = {"test_cells": len(outcomes), "failed": failed,
                                  "seconds": time.perf_counter() - start}
        print(f"   {table.assignment}: {len(outcomes) - len(failed)}/{len(outcomes)} test cells pass", flush=True)
        if time.perf_counter() > deadline:
            rows["stopped"] = "the time budget is spent"
            break
    if any(r["failed"] for r in rows.values() if isinstance(r, dict)):
        raise AssertionError(f"hidden tests failed with CUDA visible: {rows}")
    return {"cuda_visible": torch.cuda.is_available(), "lectures": rows}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for proof.json and the PNG figures")
    parser.add_argument("--smoke", action="store_true", help="tiny settings on the CPU (seconds)")
    args = parser.parse_args(argv)
    if not args.smoke and not torch.cuda.is_available():
        print("no CUDA device: run on a GPU machine, or pass --smoke for the CPU smoke run", file=sys.stderr)
        return 2
    s = SMOKE if args.smoke else FULL
    device = torch.device("cpu" if args.smoke else "cuda")
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ["TQDM_DISABLE"] = "1"   # progress comes as lines; the student loop's bar would interleave
    if args.smoke:
        torch.set_num_threads(1)
    proof = {"machine": common.machine(), "settings": "smoke" if args.smoke else "full", "parts": {}}
    parts = {"hidden_tests_cuda": lambda d: part_hidden_tests(s, d),
             "wgan_gp": lambda d: part_wgan_gp(args.out, s, device, d),
             "dcgan": lambda d: part_dcgan(args.out, s, device, d),
             "throughput": lambda d: throughput(device, smoke=args.smoke, deadline=d)}
    for name, run in parts.items():
        print(f"== {name} (budget {s['budget_s'][name]} s)", flush=True)
        start = time.perf_counter()
        try:
            proof["parts"][name] = {"ok": True, **run(start + s["budget_s"][name])}
        except Exception as e:  # noqa: BLE001 - record the failure, go on with the next part
            traceback.print_exc()
            proof["parts"][name] = {"ok": False, "error": f"{type(e).__name__}: {e}"[:2000]}
        proof["parts"][name]["wall_s"] = time.perf_counter() - start
        (args.out / "proof.json").write_text(json.dumps(proof, indent=1, default=float))
    failed = [n for n, p in proof["parts"].items() if not p["ok"]]
    print(f"== proof written to {args.out / 'proof.json'}; " + (f"FAILED: {failed}" if failed else "all parts ok"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
