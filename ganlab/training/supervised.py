"""The loops that train a helper network rather than a GAN: the digit classifier (the course's FD features and
judge), SRGAN's self-supervised feature network, and lecture 08's inversion encoder. They share the GAN loops'
helpers and callback signature, with None in the discriminator's place: cb(step, model, None, history).
"""
from __future__ import annotations

from typing import Callable, Iterable

import torch
import torch.nn.functional as F

from ..checks import check_counts, check_tensor
from ..models.classifier import DigitClassifier
from ..models.encoder import LatentEncoder
from ..models.srgan import FeatureNet
from .loop import cpu_generator, notify, scalar_loss, start, update


def train_classifier(
    images: torch.Tensor,                  # (N, 1, S, S) in [-1, 1]
    labels: torch.Tensor,                  # (N,) int64 classes 0-9
    *,
    epochs: int = 15,
    batch_size: int = 64,
    lr: float = 2e-3,                      # Adam, betas (0.9, 0.999)
    betas: tuple = (0.9, 0.999),
    callbacks: Iterable[Callable] = (),    # cb(step, model, None, history) after every minibatch
    log_every: int = 10,
    seed: int = 0,                         # the split, the order and the shifts; the caller's RNG is left alone
    device=None,                           # where it trains; default: the CPU
    progress: bool | None = False,         # tqdm bar over the steps
) -> tuple[DigitClassifier, float]:
    """A DigitClassifier trained on 80% of (images, labels) with random shifts of up to one pixel.

    Returns (the model on the CPU, in eval mode, with its history as `model.history`: step, loss; its accuracy on
    the held-out 20%)."""
    images = check_tensor(images, "images", ndim=4)
    check_counts(epochs=epochs, batch_size=batch_size, log_every=log_every)
    device = torch.device(device or "cpu")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)                                 # the model's initial weights
        gen = torch.Generator().manual_seed(seed)
        images, labels = images.to(device), labels.to(device)
        order = torch.randperm(len(images), generator=gen)     # index tensors stay on the CPU: same split anywhere
        cut = int(0.8 * len(images))
        train, held_out = order[:cut], order[cut:]
        model = DigitClassifier(images.shape[-1]).to(device)
        per_epoch = -(-cut // batch_size)
        run = start(model, steps=epochs * per_epoch, keys=("loss",), desc="classifier", lr=lr, betas=betas,
                    log_every=log_every, device=device, progress=progress)
        bar, opt, log = run.bar, run.g_opt, run.log
        shuffled = (idx for _ in range(epochs) for idx in torch.randperm(cut, generator=gen).split(batch_size))
        for step, idx in zip(bar, shuffled):                 # a fresh order each epoch, drawn as it starts
            shift = torch.randint(-1, 2, (2,), generator=gen).tolist()
            x = torch.roll(images[train[idx]], shifts=shift, dims=(2, 3))
            loss = scalar_loss(F.cross_entropy(model(x), labels[train[idx]]), "cross_entropy")
            update(opt, loss)
            log.add(step, [loss])
            notify(callbacks, step, model, None, log.history)
    model.eval()
    with torch.no_grad():
        accuracy = (model(images[held_out]).argmax(1) == labels[held_out]).float().mean().item()
    model.history = log.history
    return model.cpu(), accuracy


def rotations(x: torch.Tensor, generator: torch.Generator | None = None):
    """Each image turned by a random multiple of 90 degrees: (rotated images, number of quarter turns (B,))."""
    k = torch.randint(4, (len(x),), generator=generator)
    out = torch.stack([torch.rot90(img, int(q), dims=(1, 2)) for img, q in zip(x, k)])
    return out, k.to(x.device)


def train_feature_net(
    net: FeatureNet,
    patches: torch.Tensor,                 # (N, C, S, S) square patches
    *,
    steps: int = 300,
    batch_size: int = 64,
    lr: float = 1e-3,                      # Adam, betas (0.9, 0.999)
    betas: tuple = (0.9, 0.999),
    callbacks: Iterable[Callable] = (),    # cb(step, net, None, history) after every step
    log_every: int = 10,
    seed: int | None = None,               # the batches and the rotations; None: drawn from torch's global RNG
    device=None,                           # where batches go; default: the net's device
    progress: bool | None = None,          # tqdm bar; default: on, except while autograding
) -> dict:
    """Self-supervised training of `net` on square patches: predict each patch's rotation (4 classes: 0.25 is
    chance). The network is left in eval mode with its parameters frozen (requires_grad False), ready to serve
    as a fixed feature extractor. Returns the history: step, loss, accuracy (of the batches since the last entry).
    """
    patches = check_tensor(patches, "patches", ndim=4)
    if patches.shape[-1] != patches.shape[-2]:
        raise ValueError(f"patches: expected square patches (rotations keep their shape), got {tuple(patches.shape)}")
    check_counts(steps=steps, batch_size=batch_size, log_every=log_every)
    run = start(net, steps=steps, keys=("loss", "accuracy"), desc="feature net", lr=lr, betas=betas,
                log_every=log_every, device=device, progress=progress)
    device, opt, log = run.device, run.g_opt, run.log
    g = cpu_generator(seed)
    for step in run.bar:
        idx = torch.randint(len(patches), (batch_size,), generator=g)
        x, k = rotations(patches[idx], g)
        k = k.to(device)
        logits = net.rotation_head(net(x.to(device)))                # (B, 4)
        loss = scalar_loss(F.cross_entropy(logits, k), "cross_entropy")
        update(opt, loss)
        log.add(step, [loss, (logits.detach().argmax(1) == k).float().mean()])
        notify(callbacks, step, net, None, log.history)
    net.eval().requires_grad_(False)
    return log.history


def train_encoder(
    encoder: LatentEncoder,
    mapping: Callable,                     # z (B, D) -> w (B, D)
    synthesize: Callable,                  # w (B, D) -> images (B, C, S, S)
    steps: int,                            # phase 1: latent regression on generated pairs
    *,
    batch_size: int = 64,                  # images per step
    lr: float = 1e-3,                      # Adam, betas (0.9, 0.999)
    betas: tuple = (0.9, 0.999),
    pool: int = 2048,                      # generated (image, w) pairs drawn once, then reused
    real: torch.Tensor | None = None,      # real images for the second phase
    loss_fn: Callable | None = None,       # loss_fn(synthesize, w, images) -> scalar: the inversion objective
    real_steps: int = 0,                   # phase 2: steps on real images
    callbacks: Iterable[Callable] = (),    # cb(step, encoder, None, history) after every step
    log_every: int = 10,
    seed: int | None = None,               # the pool and the batches; None: drawn from torch's global RNG
    device=None,                           # where batches go; default: the encoder's device
    progress: bool | None = None,          # tqdm bar; default: on, except while autograding
) -> dict:
    """Learning-based inversion in two phases, with one Adam optimiser.

    1. `steps` steps of latent regression on generated pairs: w = mapping(z), x = synthesize(w), and the
       encoder learns x -> w by mean squared error (cheap: no gradient through the generator).
    2. `real_steps` steps of amortised inversion on real images: the encoder's w for a batch of `real`
       images is scored by `loss_fn(synthesize, encoder(x), x)` (the same objective an optimiser minimises
       per image), so the encoder meets the real images' domain.
    Returns the history: step, phase ("latent" or "real"), loss (mean since the previous entry; phase 1's last
    entry is at its last step). The encoder ends in eval mode.
    """
    check_counts(steps=steps, batch_size=batch_size, pool=pool, log_every=log_every)
    if real_steps and (real is None or loss_fn is None):
        raise ValueError("train_encoder: real_steps > 0 needs `real` images and the objective `loss_fn`")
    run = start(encoder, steps=steps + real_steps, keys=("loss",), desc="encoder", lr=lr, betas=betas,
                log_every=log_every, device=device, progress=progress, latest=("phase",), sources={"loss": "loss_fn"})
    device, opt, log = run.device, run.g_opt, run.log
    gen = cpu_generator(seed)
    with torch.no_grad():   # the generated pairs, once
        w_pool = mapping(torch.randn(pool, encoder.cfg.w_dim, generator=gen).to(device))      # (pool, D)
        x_pool = torch.cat([synthesize(w) for w in w_pool.split(256)])                       # (pool, C, S, S)
    for step in run.bar:
        if step <= steps:
            idx = torch.randint(pool, (batch_size,), generator=gen)
            loss, phase = F.mse_loss(encoder(x_pool[idx]), w_pool[idx]), "latent"
        else:
            x = real[torch.randint(len(real), (batch_size,), generator=gen)].to(device)
            loss, phase = scalar_loss(loss_fn(synthesize, encoder(x), x), "loss_fn"), "real"
        update(opt, loss)
        log.add(step, [loss], flush=step == steps, phase=phase)
        notify(callbacks, step, encoder, None, log.history)
    encoder.eval()
    return log.history
