"""GAN inversion and latent editing (lecture 08): a learned encoder image -> w, editing directions in W
from labels, and the numbers that compare inversion methods. The inversion objective and the optimisation
loop are the student's (ganlab holds no graded answer); `train_encoder` takes the objective as an argument.

    E = LatentEncoder(EncoderConfig(image_size=16, w_dim=32), w_avg=G.mapping.w_avg)
    history = train_encoder(E, G.mapping, synthesize, steps=300, real=digits, loss_fn=objective, real_steps=40)
    w = E(images)                                             # (B, D): learning-based inversion, one forward pass
    d = class_direction(ws, labels, target=8, source=3)       # (D,): InterFaceGAN-style direction in W
    m = reconstruction_metrics(targets, G.synthesize(w), classifier)   # pixel MSE, classifier agreement
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .checks import check_choice, check_counts, check_positive, check_tensor


@dataclass
class EncoderConfig:
    image_size: int = 16   # input images are image_size x image_size (8, 16 or 32)
    channels: int = 1      # 1 for digits
    w_dim: int = 32        # size of w: the generator's latent_dim
    width: int = 16        # feature maps of the first convolution, doubled at each halving
    hidden: int = 128      # the fully connected layer before the output

    def __post_init__(self):
        check_choice(self.image_size, "image_size", (8, 16, 32))
        for name in ("channels", "w_dim", "width", "hidden"):
            check_positive(getattr(self, name), name, integer=True)


class LatentEncoder(nn.Module):
    """images (B, C, S, S) in [-1, 1] -> w (B, w_dim) in W: a small CNN down to 4x4, then w_avg plus a learned
    offset. The output layer starts at zero, so an untrained encoder answers w_avg for every image (pSp and e4e
    also predict offsets from the average latent)."""

    def __init__(self, cfg: EncoderConfig | None = None, w_avg: torch.Tensor | None = None):
        super().__init__()
        cfg = cfg or EncoderConfig()
        self.cfg = cfg
        layers, c = [nn.Conv2d(cfg.channels, cfg.width, 3, padding=1), nn.LeakyReLU(0.2)], cfg.width
        for _ in range(cfg.image_size.bit_length() - 3):                      # halve down to 4x4
            layers += [nn.Conv2d(c, 2 * c, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
            c *= 2
        self.body = nn.Sequential(*layers, nn.Flatten(), nn.Linear(c * 16, cfg.hidden), nn.LeakyReLU(0.2))
        self.head = nn.Linear(cfg.hidden, cfg.w_dim)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)
        w_avg = torch.zeros(cfg.w_dim) if w_avg is None else check_tensor(w_avg, "w_avg", shape=(cfg.w_dim,))
        self.register_buffer("w_avg", w_avg.detach().clone())

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        s = self.cfg.image_size
        check_tensor(images, "images", shape=(None, self.cfg.channels, s, s))
        return self.w_avg + self.head(self.body(images))                      # (B, w_dim)


def train_encoder(encoder: LatentEncoder, mapping: Callable, synthesize: Callable, steps: int,
                  batch_size: int = 64,            # images per step
                  lr: float = 1e-3,                # Adam
                  pool: int = 2048,                # generated (image, w) pairs drawn once, then reused
                  real: torch.Tensor | None = None,   # real images for the second phase
                  loss_fn: Callable | None = None,    # loss_fn(synthesize, w, images) -> scalar: the inversion objective
                  real_steps: int = 0,             # steps of the second phase
                  seed: int = 0) -> dict:
    """Learning-based inversion in two phases, with one Adam optimiser.

    1. `steps` steps of latent regression on generated pairs: w = mapping(z), x = synthesize(w), and the
       encoder learns x -> w by mean squared error (cheap: no gradient through the generator).
    2. `real_steps` steps of amortised inversion on real images: the encoder's w for a batch of `real`
       images is scored by `loss_fn(synthesize, encoder(x), x)` (the same objective an optimiser minimises
       per image), so the encoder meets the real images' domain.
    Returns a history dict of lists: step, loss, phase ("latent" or "real"). The encoder ends in eval mode.
    """
    check_counts(steps=steps, batch_size=batch_size, pool=pool)
    if real_steps and (real is None or loss_fn is None):
        raise ValueError("train_encoder: real_steps > 0 needs `real` images and the objective `loss_fn`")
    device = encoder.w_avg.device
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():   # the generated pairs, once
        w_pool = mapping(torch.randn(pool, encoder.cfg.w_dim, generator=gen).to(device))      # (pool, D)
        x_pool = torch.cat([synthesize(w) for w in w_pool.split(256)])                       # (pool, C, S, S)
    opt = torch.optim.Adam(encoder.parameters(), lr=lr)
    history = {"step": [], "loss": [], "phase": []}
    encoder.train()
    for step in range(1, steps + real_steps + 1):
        if step <= steps:
            idx = torch.randint(pool, (batch_size,), generator=gen)
            loss, phase = F.mse_loss(encoder(x_pool[idx]), w_pool[idx]), "latent"
        else:
            x = real[torch.randint(len(real), (batch_size,), generator=gen)].to(device)
            loss, phase = loss_fn(synthesize, encoder(x), x), "real"
        opt.zero_grad()
        loss.backward()
        opt.step()
        history["step"].append(step)
        history["loss"].append(loss.item())
        history["phase"].append(phase)
    encoder.eval()
    return history


def class_direction(ws: torch.Tensor, labels: torch.Tensor, target: int, source: int | None = None,
                    method: str = "mean") -> torch.Tensor:
    """A direction (D,) in W that moves a latent from class `source` (None: every other class) to `target`,
    found from labelled latents ws (N, D) (e.g. the digit classifier's labels of G(w)).

    method "mean":     the difference of the two classes' mean w (the class centres).
    method "logistic": InterFaceGAN's idea: the unit normal of a linear boundary between the classes
                       (logistic regression, scikit-learn), scaled to the centres' separation along it.
    Both move a latent by the distance between the class centres at step 1 along the direction."""
    ws = check_tensor(ws, "ws", ndim=2)
    labels = torch.as_tensor(labels).to(ws.device)
    pos = labels == target
    neg = ~pos if source is None else labels == source
    if pos.sum() < 2 or neg.sum() < 2:
        raise ValueError(f"class_direction: expected at least 2 latents of each class, got {int(pos.sum())} "
                         f"of class {target} and {int(neg.sum())} of {'the rest' if source is None else source}")
    centres = ws[pos].mean(0) - ws[neg].mean(0)                                            # (D,)
    check_choice(method, "method", ("mean", "logistic"))
    if method == "mean":
        return centres
    from sklearn.linear_model import LogisticRegression   # imported here: ganlab's import stays light

    x = torch.cat([ws[pos], ws[neg]]).detach().cpu().double().numpy()
    y = [1] * int(pos.sum()) + [0] * int(neg.sum())
    normal = torch.as_tensor(LogisticRegression(max_iter=1000).fit(x, y).coef_[0], dtype=ws.dtype).to(ws.device)
    normal = normal / normal.norm()
    return normal * (centres @ normal)


@torch.no_grad()
def reconstruction_metrics(targets: torch.Tensor, reconstructions: torch.Tensor, classifier: nn.Module) -> dict:
    """How well reconstructions match their targets, both (N, C, H, W) in [-1, 1] (reconstructions are
    clamped to it): per-image mean squared pixel error ("pixel_mse_each", its mean "pixel_mse") and classifier
    agreement ("agreement": the fraction of pairs the classifier gives the same label)."""
    check_tensor(targets, "targets", ndim=4)
    check_tensor(reconstructions, "reconstructions", shape=tuple(targets.shape))
    recon = reconstructions.clamp(-1, 1).to(targets.device)
    each = (recon - targets).flatten(1).pow(2).mean(1)                                     # (N,)
    device = next(classifier.parameters()).device
    same = classifier(recon.to(device)).argmax(1) == classifier(targets.to(device)).argmax(1)
    return {"pixel_mse": each.mean().item(), "pixel_mse_each": each.cpu(),
            "agreement": same.float().mean().item()}
