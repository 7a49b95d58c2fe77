"""Image-to-image translation (lecture 06): quality and speed of pix2pix, CycleGAN and x4 super-resolution on the
offline tasks of ganlab.image_tasks.

    python -m benchmarks.image_to_image --fast    # CPU-sized (the notebook's fast settings, longer runs)
                                                  # writes results/image_to_image_fast.json
    python -m benchmarks.image_to_image           # full settings; on the GPU when there is one

Rows (held-out data throughout):
    pix2pix    edges2digits (fast) / outline2shapes (full): held-out L1 of GAN + L1, GAN alone, L1 alone
    cyclegan   solid <-> striped shapes: reconstruction error |F(G(a)) - a| and coarse error of G(a) to the true
               counterpart, with and without the cycle loss
    sr         x4 on photo patches: PSNR / SSIM of bicubic, SRResNet (MSE) and SRGAN (content + adversarial)
    speed      images per second through each generator (inference, batch 64) on the CPU, and on the GPU when present

The graded losses are the instructor's answers, loaded from lectures 01 and 06's solutions (benchmarks/answers.py).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
import torch.nn.functional as F

import ganlab
from benchmarks import answers
from benchmarks.common import images_per_second, parse_training_args, report, timed, training_parser
from ganlab import image_tasks as tasks
from ganlab import training
from ganlab import translation as tr
from ganlab.models import (FeatureNet, PatchGAN, PatchGANConfig, SRConfig, SRDiscriminator, SRGenerator, UNetConfig,
                           UNetGenerator)


@dataclass(frozen=True)
class Settings:
    task: str            # paired task
    size: int            # pix2pix and CycleGAN image size
    depth: int           # U-Net depth
    width: int           # U-Net / PatchGAN width
    n_layers: int        # PatchGAN layers
    steps: int           # pix2pix and CycleGAN iterations
    hr: int              # SR high-resolution patch size
    sr_width: int
    sr_blocks: int
    sr_steps: int        # SRResNet steps; SRGAN fine-tunes for 2/3 of them
    lr: float


SETTINGS = {"fast": Settings("edges2digits", 16, 4, 16, 1, 600, 32, 16, 2, 600, 1e-3),
            "full": Settings("outline2shapes", 32, 5, 64, 2, 3000, 64, 64, 16, 3000, 2e-4)}


def pix2pix(s: Settings, device) -> tuple[list[dict], torch.nn.Module]:
    x, y = tasks.paired_task(s.task, s.size, "train")
    xt, yt = tasks.paired_task(s.task, s.size, "test")
    rows, main = [], None
    for name, lam, adversarial in (("GAN + L1", 100.0, True), ("GAN alone", 0.0, True), ("L1 alone", 100.0, False)):
        ganlab.seed_everything(0)
        G = UNetGenerator(UNetConfig(x.shape[1], y.shape[1], depth=s.depth, width=s.width)).to(device)
        D = PatchGAN(PatchGANConfig(x.shape[1] + y.shape[1], width=s.width, n_layers=s.n_layers)).to(device)
        g_loss = (lambda l, f, t, lam=lam: answers.pix2pix_generator_loss(l, f, t, lam)) if adversarial else (lambda l, f, t: F.l1_loss(f, t))
        D, loss_d = (D, answers.discriminator_loss) if adversarial else (None, None)
        _, seconds = timed(lambda: training.train_pix2pix(G, D, x, y, loss_d, g_loss, steps=s.steps, lr=s.lr,
                                                           progress=False), device)
        held_out = (tr.translate(G, xt) - yt).abs().mean().item()
        rows.append({"experiment": "pix2pix", "setting": name, "metric": "held-out L1", "value": held_out,
                     "train_s": seconds})
        main = main or G
    return rows, main


def cyclegan(s: Settings, device) -> tuple[list[dict], torch.nn.Module]:
    a, b = tasks.unpaired_task("shapes", s.size, "train")
    ta, tb = tasks.translation_truth("shapes", s.size, "test")
    rows, main = [], None
    for name, lam in (("cycle loss 10", 10.0), ("no cycle loss", 0.0)):
        ganlab.seed_everything(0)
        cfg = UNetConfig(3, 3, depth=s.depth - 1, width=max(8, s.width // 2), norm="instance")
        pcfg = PatchGANConfig(3, width=max(8, s.width // 2), n_layers=s.n_layers, norm="instance")
        nets = [UNetGenerator(cfg).to(device) for _ in range(2)] + [PatchGAN(pcfg).to(device) for _ in range(2)]
        cyc = (lambda ra, ca, rb, cb, lam=lam: answers.cycle_consistency_loss(ra, ca, rb, cb, lam)) if lam else None
        _, seconds = timed(lambda: training.train_cyclegan(*nets, a, b, answers.discriminator_loss, answers.generator_loss, cyc, identity_weight=0.5 * lam,
                                                            steps=s.steps, lr=s.lr, progress=False), device)
        fake_b = tr.translate(nets[0], ta)
        rec = (tr.translate(nets[1], fake_b) - ta).abs().mean().item()
        coarse = (F.avg_pool2d(fake_b, 4) - F.avg_pool2d(tb, 4)).abs().mean().item()
        rows += [{"experiment": "cyclegan", "setting": name, "metric": "reconstruction |F(G(a)) - a|", "value": rec,
                  "train_s": seconds},
                 {"experiment": "cyclegan", "setting": name, "metric": "coarse |G(a) - b_true|", "value": coarse,
                  "train_s": seconds}]
        main = main or nets[0]
    copy_error = (F.avg_pool2d(ta, 4) - F.avg_pool2d(tb, 4)).abs().mean().item()
    rows.append({"experiment": "cyclegan", "setting": "copy a", "metric": "coarse |G(a) - b_true|", "value": copy_error,
                 "train_s": 0.0})
    return rows, main


def super_resolution(s: Settings, device) -> tuple[list[dict], torch.nn.Module]:
    lr_train, hr_train = tasks.sr_pairs(8000 if s.hr > 32 else 2000, s.hr, 4, "train")
    lr_test, hr_test = tasks.sr_pairs(512, s.hr, 4, "test")
    phi = FeatureNet(width=8).to(device)
    patches = tasks.photo_patches(2000, 32, "train", seed=1)
    training.train_feature_net(phi, patches, steps=s.sr_steps // 2, batch_size=32, lr=3e-3)
    with torch.no_grad():
        scale = phi(hr_train[:256].to(device)).pow(2).mean()
    cfg = SRConfig(width=s.sr_width, n_blocks=s.sr_blocks, d_width=max(8, s.sr_width // 2))
    ganlab.seed_everything(0)
    mse = SRGenerator(cfg).to(device)
    _, t_mse = timed(lambda: training.train_sr(mse, lr_train, hr_train, F.mse_loss, steps=s.sr_steps,
                                                lr=1e-3 if s.hr <= 32 else 1e-4, progress=False), device)
    gan = copy.deepcopy(mse)
    content = lambda sr, hr: F.mse_loss(sr, hr) + 0.1 * F.mse_loss(phi(sr), phi(hr)) / scale  # noqa: E731
    sr_d = SRDiscriminator(cfg, 3).to(device)
    _, t_gan = timed(lambda: training.train_sr(gan, lr_train, hr_train, content, discriminator=sr_d,
                                                d_loss_fn=answers.discriminator_loss, g_loss_fn=answers.generator_loss, adv_weight=1e-2,
                                                steps=2 * s.sr_steps // 3, lr=5e-4 if s.hr <= 32 else 1e-4,
                                                progress=False), device)
    rows = []
    for name, out, seconds in (("bicubic", tasks.upsample_bicubic(lr_test), 0.0),
                               ("SRResNet (MSE)", tr.translate(mse, lr_test).clamp(-1, 1), t_mse),
                               ("SRGAN", tr.translate(gan, lr_test).clamp(-1, 1), t_gan)):
        for metric, fn in (("PSNR dB", tr.psnr), ("SSIM", tr.ssim)):
            rows.append({"experiment": "sr x4", "setting": name, "metric": metric,
                         "value": fn(out, hr_test).mean().item(), "train_s": seconds})
    return rows, mse


def speed(models: dict, s: Settings, devices) -> list[dict]:
    rows = []
    for device in devices:
        for name, (model, shape) in models.items():
            m = copy.deepcopy(model).to(device)
            ips = images_per_second(m, torch.randn(64, *shape), reps=10)
            rows.append({"experiment": "speed", "setting": f"{name} ({device.type})", "metric": "images/s",
                         "value": ips, "train_s": 0.0})
    return rows


def main():
    args = parse_training_args(training_parser(__doc__))
    name, device = args.mode, args.device
    s = SETTINGS[name]
    gpu = device.type == "cuda"
    rows = []
    p_rows, unet = pix2pix(s, device)
    c_rows, cyc_unet = cyclegan(s, device)
    sr_rows, sr = super_resolution(s, device)
    rows = p_rows + c_rows + sr_rows
    models = {"pix2pix U-Net": (unet.cpu(), (1, s.size, s.size)),
              "CycleGAN U-Net": (cyc_unet.cpu(), (3, s.size, s.size)),
              "SR generator": (sr.cpu(), (3, s.hr // 4, s.hr // 4))}
    rows += speed(models, s, [torch.device("cpu")] + ([torch.device("cuda")] if gpu else []))
    for r in rows:
        r["device"] = device.type if r["experiment"] != "speed" else r["setting"].rsplit("(", 1)[1].rstrip(")")
    report(f"image_to_image_{name}", rows)


if __name__ == "__main__":
    main()
