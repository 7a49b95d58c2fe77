"""The small StyleGAN of lecture 07 on digits: training and sampling speed (images per second) on the CPU,
and on the GPU when there is one (also with bf16 autocast and channels_last), then a training run scored
by the Frechet distance on the course's digit-classifier features.

    python -m benchmarks.stylegan --fast      # 16x16, width 32, CPU-sized; writes results/stylegan_fast.json
    python -m benchmarks.stylegan             # full settings (32x32, width 64, MNIST when it can be downloaded)
    python -m benchmarks.stylegan --fast --save stylegan_digits16.pt    # also save the trained generator

AdaIN, truncation and the losses are the instructor's answers, loaded from solutions/ (benchmarks/answers.py).
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch

import ganlab
from benchmarks import answers
from benchmarks.common import parse_training_args, report, timed, training_parser
from ganlab.classifier import digits_frechet_distance
from ganlab.models import ProDiscriminator, StyleConfig, StyleGenerator, save_model


@dataclass(frozen=True)
class Settings:
    image_size: int
    width: int
    latent_dim: int
    steps: int                  # training iterations for the FD run (one D step, one G step each)
    dataset: str = "digits"
    batch_size: int = 32
    lr: float = 2e-3            # StyleGAN: Adam(2e-3, betas (0, 0.99)); the mapping network learns 100x slower
    mapping_layers: int = 4
    speed_steps: int = 20       # timed iterations per speed row


SETTINGS = {"fast": Settings(16, 32, 32, 2000), "full": Settings(32, 64, 64, 10000, "mnist", 64)}


def networks(s: Settings, device):
    cfg = StyleConfig(s.image_size, 1, s.latent_dim, s.mapping_layers, s.width)
    return StyleGenerator(cfg, adain=answers.adain).to(device), ProDiscriminator(cfg.progan()).to(device)


def autocast(device, amp: bool):
    return torch.autocast(device.type, dtype=torch.bfloat16) if amp else contextlib.nullcontext()


def speed(s: Settings, device, amp: bool = False, channels_last: bool = False) -> dict:
    """Images per second through training iterations (train_gan: a D step and a G step) and through sampling."""
    ganlab.seed_everything(0)
    G, D = networks(s, device)
    if channels_last:
        G, D = G.to(memory_format=torch.channels_last), D.to(memory_format=torch.channels_last)
    data = (torch.rand(512, 1, s.image_size, s.image_size) * 2 - 1).to(device)
    train = dict(d_loss_fn=answers.discriminator_loss, g_loss_fn=answers.generator_loss, batch_size=s.batch_size, lr=s.lr,
                 betas=(0.0, 0.99), progress=False)
    with autocast(device, amp):
        ganlab.train_gan(G, D, data, steps=3, **train)                                 # warm-up
        _, train_s = timed(lambda: ganlab.train_gan(G, D, data, steps=s.speed_steps, **train), device)
        G.eval()
        z = torch.randn(256, s.latent_dim, device=device)
        with torch.no_grad():
            G(z)                                                                       # warm-up
            _, sample_s = timed(lambda: [G(z) for _ in range(5)], device)
    return {"device": device.type, "amp": amp, "channels_last": channels_last, "batch": s.batch_size,
            "train_images_per_s": s.speed_steps * s.batch_size / train_s, "sample_images_per_s": 5 * 256 / sample_s}


def quality(s: Settings, device, save: str | None = None) -> dict:
    """Train for s.steps iterations; FD of 1,000 samples (psi = 1 and 0.7) against 1,000 real images."""
    images, _ = ganlab.data.image_dataset(s.dataset, s.image_size)
    ganlab.seed_everything(0)
    G, D = networks(s, device)
    _, seconds = timed(lambda: ganlab.train_gan(G, D, images, answers.discriminator_loss, answers.generator_loss, steps=s.steps,
                                                batch_size=s.batch_size, lr=s.lr, betas=(0.0, 0.99), progress=True),
                       device)
    G.eval()
    z = torch.randn(1000, s.latent_dim, generator=torch.Generator().manual_seed(1)).to(device)
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(2))
    n = min(1000, len(images) // 2)
    real, other = images[order[:n]], images[order[n:2 * n]]        # two disjoint real sets: the FD floor
    with torch.no_grad():
        fd = {psi: digits_frechet_distance(G(z, psi=psi, truncate=answers.truncate).cpu().clamp(-1, 1), real)
              for psi in (1.0, 0.7)}
    floor = digits_frechet_distance(other, real)
    if save:
        save_model(G.cpu(), save)
        print(f"saved the generator to {save}")
    return {"device": device.type, "dataset": s.dataset, "size": s.image_size, "steps": s.steps,
            "train_minutes": seconds / 60, "fd": fd[1.0], "fd_psi_0.7": fd[0.7], "fd_real_vs_real": floor}


if __name__ == "__main__":
    parser = training_parser(__doc__, "CPU-sized settings (16x16 digits)", threads=1)
    parser.add_argument("--steps", type=int, help="training iterations of the FD run (default: the setting's)")
    parser.add_argument("--save", help="save the trained generator here (ganlab.models.save_model)")
    args = parse_training_args(parser)
    name, device = args.mode, args.device
    s = SETTINGS[name]
    if args.steps:
        s = Settings(**{**s.__dict__, "steps": args.steps})
    configs = [(torch.device("cpu"), False, False)]
    if device.type == "cuda":
        configs += [(device, False, False), (device, True, False), (device, True, True)]
    rows = [speed(s, *c) for c in configs]
    report(f"stylegan_speed_{name}", rows)
    report(f"stylegan_{name}", [quality(s, device, args.save)])
