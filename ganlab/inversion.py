"""GAN inversion and latent editing (lecture 08): editing directions in W from labels, and the numbers that
compare inversion methods. The inversion objective and the optimisation loop are the student's (ganlab holds no
graded answer); the learned encoder is models.LatentEncoder, trained by training.train_encoder on that objective.

    E = LatentEncoder(EncoderConfig(image_size=16, w_dim=32), w_avg=G.mapping.w_avg)
    history = train_encoder(E, G.mapping, synthesize, steps=300, real=digits, loss_fn=objective, real_steps=40)
    w = E(images)                                             # (B, D): learning-based inversion, one forward pass
    d = class_direction(ws, labels, target=8, source=3)       # (D,): InterFaceGAN-style direction in W
    m = reconstruction_metrics(targets, G.synthesize(w), classifier)   # pixel MSE, classifier agreement
"""
from __future__ import annotations

import torch
from torch import nn

from .checks import check_choice, check_tensor


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
