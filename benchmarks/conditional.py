"""Conditional GANs on digits (lecture 05): cGAN, ACGAN and InfoGAN on DCGAN bodies, scored by the
course's digit classifier: class-conditional accuracy of G(z, y) (cGAN, ACGAN), agreement between
InfoGAN's categorical code c1 and the classifier's labels after the best renaming, Frechet distance
on classifier features, and training speed (images per second through one D step and one G step).

    python -m benchmarks.conditional --fast   # 16x16, small networks, CPU-sized; writes results/conditional_fast.json
    python -m benchmarks.conditional          # full settings (32x32, width 64); on the GPU when there is one
    python -m benchmarks.conditional --fast --methods acgan --seeds 2

Losses are the instructor's answers, loaded from lectures 01 and 05's solutions (benchmarks/answers.py).
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from functools import partial

import torch

import ganlab
from benchmarks import answers
from benchmarks.common import parse_training_args, report, timed, training_parser
from ganlab.classifier import code_class_agreement, conditional_accuracy, digit_classifier, digits_frechet_distance
from ganlab.data import digits
from ganlab.models import (ACGANDiscriminator, ConditionalConfig, ConditionalDiscriminator, ConditionalGenerator,
                           InfoGANDiscriminator, InfoGANGenerator, sample_conditional)


@dataclass(frozen=True)
class Settings:
    image_size: int
    width: int
    latent_dim: int
    steps: int                 # generator steps (one D step before each)
    batch_size: int = 64
    lr: float = 2e-4           # DCGAN's Adam(2e-4, betas (0.5, 0.999)) for D (and G unless g_lr)
    g_lr: float | None = None  # G's learning rate; None: lr, but 1e-3 for InfoGAN (its paper's 1e-3 for G, 2e-4 for D;
                               # on digits 16x16, 2,500 steps: code agreement 0.78 with 1e-3, 0.29 with 2e-4)
    lambda_cont: float = 1.0   # InfoGAN: weight of the continuous codes' information term


SETTINGS = {"fast": Settings(16, 32, 32, 1000), "full": Settings(32, 64, 64, 5000)}
METHODS = ("cgan", "acgan", "infogan")


def networks(method: str, s: Settings):
    cfg = ConditionalConfig(s.image_size, 1, s.latent_dim, 10, 2, s.width)
    if method == "cgan":
        return ConditionalGenerator(cfg), ConditionalDiscriminator(cfg)
    if method == "acgan":
        return ConditionalGenerator(cfg), ACGANDiscriminator(cfg)
    return InfoGANGenerator(cfg), InfoGANDiscriminator(cfg)


def d_loss(method: str, D, real, labels_real, fake, codes, *, s: Settings):
    if method == "cgan":
        return answers.discriminator_loss(D(real, labels_real), D(fake, *codes))
    if method == "acgan":
        (src_real, cls_real), (src_fake, cls_fake) = D(real), D(fake)
        return answers.acgan_discriminator_loss(src_real, src_fake, cls_real, cls_fake, labels_real, *codes)
    # InfoGAN: the Q head shares D's body, so the information term trains them here and G in g_loss
    src_fake, cat_logits, cont_mean = D(fake)
    return answers.discriminator_loss(D(real)[0], src_fake) + answers.infogan_info_loss(cat_logits, codes[0], cont_mean, codes[1],
                                                                         s.lambda_cont)


def g_loss(method: str, D, fake, codes, *, s: Settings):
    if method == "cgan":
        return answers.generator_loss(D(fake, *codes))
    if method == "acgan":
        return answers.acgan_generator_loss(*D(fake), *codes)
    src_fake, cat_logits, cont_mean = D(fake)
    return answers.generator_loss(src_fake) + answers.infogan_info_loss(cat_logits, codes[0], cont_mean, codes[1], s.lambda_cont)


def train(method: str, s: Settings, seed: int, device: torch.device):
    ganlab.seed_everything(seed)
    x, y = digits(s.image_size)
    G, D = (m.to(device) for m in networks(method, s))
    _, seconds = timed(lambda: ganlab.train_conditional(
        G, D, x, y, partial(d_loss, method, s=s), partial(g_loss, method, s=s), steps=s.steps,
        batch_size=s.batch_size, lr=s.lr, g_lr=s.g_lr or (1e-3 if method == "infogan" else s.lr), progress=False), device)
    return G, seconds


def run(method: str, s: Settings, seed: int, device: torch.device) -> dict:
    G, seconds = train(method, s, seed, device)
    clf = digit_classifier(s.image_size)
    real, _ = digits(s.image_size)
    row = {"method": method, "device": device.type, "image_size": s.image_size, "seed": seed, "g_steps": s.steps,
           "images_per_s": s.steps * s.batch_size / seconds, "seconds": seconds}
    if method == "infogan":
        agreement = code_class_agreement(G, 1000, clf)
        row |= {"accuracy": float("nan"), "worst_class": float("nan"), "code_agreement": agreement.accuracy}
    else:
        acc, per_class = conditional_accuracy(G, 100, clf)
        row |= {"accuracy": acc, "worst_class": min(per_class), "code_agreement": float("nan")}
    row["fd"] = digits_frechet_distance(sample_conditional(G, len(real), seed=1)[0], real, clf)
    return row


def summary(runs: list[dict]) -> list[dict]:
    rows = []
    for key in dict.fromkeys((r["method"], r["device"]) for r in runs):
        mine = [r for r in runs if (r["method"], r["device"]) == key]
        row = {k: mine[0][k] for k in ("method", "device", "image_size", "g_steps")} | {"seeds": len(mine)}
        for k in ("accuracy", "worst_class", "code_agreement", "fd", "images_per_s", "seconds"):
            row[k] = float(statistics.mean(r[k] for r in mine))
        rows.append(row)
    return rows


def main():
    parser = training_parser(__doc__, "CPU-sized settings (16x16, width 32, 1000 steps)")
    parser.add_argument("--steps", type=int, help="override the number of generator steps")
    parser.add_argument("--g-lr", type=float, help="override G's learning rate")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    args = parse_training_args(parser)
    name = args.mode
    s = SETTINGS[name]
    s = Settings(**{**s.__dict__, "steps": args.steps or s.steps, "g_lr": args.g_lr or s.g_lr})
    devices = [args.device]
    runs = []
    for device in devices:
        for method in args.methods:
            for seed in range(args.seeds):
                runs.append(run(method, s, seed, device))
                print({k: round(v, 3) if isinstance(v, float) else v for k, v in runs[-1].items()}, flush=True)
    report(f"conditional_{name}", summary(runs))


if __name__ == "__main__":
    main()
