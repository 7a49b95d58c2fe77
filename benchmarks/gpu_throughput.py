"""DCGAN training throughput (images per second through one discriminator and one generator update): the course's
models and reference gan_step as lecture 01 runs them, with AMP (bf16 autocast) and channels_last on and off,
against a plain fp32 loop of the same architecture written as the PyTorch examples' DCGAN is."""
from __future__ import annotations

import contextlib
import time

import torch
from torch import nn

import ganlab
from benchmarks import common
from instructor.notebooks import load_answers

NZ = 64


def examples_dcgan(size: int, width: int = 64) -> tuple[nn.Module, nn.Module]:
    """The PyTorch examples' DCGAN generator and discriminator (one channel), resized to size x size."""
    blocks = size.bit_length() - 3                            # doublings between 4x4 and size
    ch = width * 2 ** (blocks - 1)
    g = [nn.ConvTranspose2d(NZ, ch, 4, 1, 0, bias=False), nn.BatchNorm2d(ch), nn.ReLU(True)]
    for _ in range(blocks - 1):
        g += [nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ch // 2), nn.ReLU(True)]
        ch //= 2
    g += [nn.ConvTranspose2d(ch, 1, 4, 2, 1, bias=False), nn.Tanh()]
    d = [nn.Conv2d(1, width, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, True)]
    ch = width
    for _ in range(blocks - 1):
        d += [nn.Conv2d(ch, ch * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ch * 2), nn.LeakyReLU(0.2, True)]
        ch *= 2
    d += [nn.Conv2d(ch, 1, 4, 1, 0, bias=False), nn.Flatten(0)]
    return nn.Sequential(nn.Unflatten(1, (NZ, 1, 1)), *g), nn.Sequential(*d)


def examples_step(G, D, real, z, d_opt, g_opt):
    """One iteration of the examples' loop, fp32, BCE with logits."""
    bce = nn.functional.binary_cross_entropy_with_logits
    fake = G(z)
    d_opt.zero_grad()
    out_real, out_fake = D(real), D(fake.detach())
    (bce(out_real, torch.ones_like(out_real)) + bce(out_fake, torch.zeros_like(out_fake))).backward()
    d_opt.step()
    g_opt.zero_grad()
    out = D(fake)
    bce(out, torch.ones_like(out)).backward()
    g_opt.step()


def _images_per_s(step, G, D, size, batch, device, steps, amp, channels_last, deadline):
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    G, D = G.to(device, memory_format=fmt), D.to(device, memory_format=fmt)
    d_opt = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    g_opt = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real = torch.rand(batch, 1, size, size, device=device).mul(2).sub(1).contiguous(memory_format=fmt)
    autocast = torch.autocast(device.type, dtype=torch.bfloat16) if amp else contextlib.nullcontext()

    def run(n):
        for _ in range(n):
            with autocast:
                step(G, D, real, torch.randn(batch, NZ, device=device), d_opt, g_opt)

    run(3)                                                     # warm-up (cuDNN autotuning, allocator)
    _, seconds = common.timed(lambda: run(steps), device)
    if time.perf_counter() > deadline:
        raise TimeoutError("the throughput budget is spent")
    return steps * batch / seconds


def throughput(device: torch.device, smoke: bool = False, deadline: float = float("inf")) -> dict:
    """Rows of images/s per size and setting, with each setting's ratio to the examples-style fp32 loop."""
    gan_step = load_answers("01_gan_basics", "gan_basics",
                                         ("discriminator_loss", "generator_loss", "gan_step"))["gan_step"]
    torch.backends.cudnn.benchmark = device.type == "cuda"
    sizes, batch, steps, width = ((16,), 8, 2, 8) if smoke else ((32, 64), 128, 40, 64)
    rows = []
    for size in sizes:
        ganlab.seed_everything(0)
        base = _images_per_s(examples_step, *examples_dcgan(size, width), size, batch, device, steps, False, False,
                             deadline)
        rows.append({"size": size, "setting": "examples-style loop, fp32", "images_per_s": base, "ratio": 1.0})
        cfg = ganlab.models.DCGANConfig(image_size=size, channels=1, latent_dim=NZ, width=width)
        for amp in (False, True):
            for channels_last in (False, True):
                ganlab.seed_everything(0)
                ips = _images_per_s(gan_step, ganlab.models.DCGANGenerator(cfg), ganlab.models.DCGANDiscriminator(cfg),
                                    size, batch, device, steps, amp, channels_last, deadline)
                setting = f"course models + gan_step, {'bf16 autocast' if amp else 'fp32'}" + (
                    ", channels_last" if channels_last else "")
                rows.append({"size": size, "setting": setting, "images_per_s": ips, "ratio": ips / base})
                print(f"   {size}x{size} {setting}: {ips:,.0f} images/s ({ips / base:.2f}x)", flush=True)
    return {"batch": batch, "rows": rows}
