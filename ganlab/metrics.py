"""Measuring GANs: mode coverage on 2-D mixtures, Frechet distance on classifier features, MMD, the classifier
(Inception) score. (k-NN precision and recall is lecture 02's graded exercise: not here.)"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import torch

from .checks import as_tensor, check_positive, check_tensor


# ---------------------------------------------------------------- mode coverage
@dataclass
class ModeCoverage:
    modes: int            # means nearest to at least one high-quality sample
    high_quality: float   # fraction of samples within `threshold` stds of their nearest mean
    reverse_kl: float     # KL(high-quality mode histogram || uniform); inf when no sample is high quality
    total_modes: int

    def __str__(self):
        return (f"modes {self.modes}/{self.total_modes} | high quality {100 * self.high_quality:.1f}% "
                f"| reverse KL {self.reverse_kl:.3f}")


def mode_coverage(samples, means, std: float, threshold: float = 3.0) -> ModeCoverage:
    """PacGAN/VEEGAN protocol on a 2-D mixture: assign each sample to its nearest mean; it is
    high quality when within `threshold` * std of it; count the modes hit by high-quality samples."""
    x = check_tensor(samples, "samples", ndim=2).detach().double().cpu()
    mu = check_tensor(means, "means", ndim=2).detach().double().cpu()
    if x.shape[1] != mu.shape[1]:
        raise ValueError(f"samples and means: expected the same dimension, got {x.shape[1]} and {mu.shape[1]}")
    check_positive(std, "std")
    dist, nearest = torch.cdist(x, mu).min(dim=1)
    good = dist <= threshold * std
    counts = torch.bincount(nearest[good], minlength=len(mu)).double()
    if counts.sum() == 0:
        rkl = math.inf
    else:
        p = counts[counts > 0] / counts.sum()
        rkl = float((p * torch.log(p * len(mu))).sum())
    return ModeCoverage(int((counts > 0).sum()), float(good.double().mean()), rkl, len(mu))


# ---------------------------------------------------------------- Frechet distance
def gaussian_stats(features) -> tuple[np.ndarray, np.ndarray]:
    """Mean (F,) and covariance (F, F) of features (N, F)."""
    f = check_tensor(features, "features", ndim=2).detach().double().cpu().numpy()
    if len(f) < 2:
        raise ValueError(f"features: expected at least 2 rows to estimate a covariance, got {len(f)}")
    return f.mean(axis=0), np.atleast_2d(np.cov(f, rowvar=False))  # (1, 1), not (), when F = 1


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^{1/2}) between two Gaussians (numpy or tensors)."""
    m1, m2 = (as_tensor(m, n).detach().double().cpu().numpy() for m, n in ((mu1, "mu1"), (mu2, "mu2")))
    s1, s2 = (as_tensor(s, n).detach().double().cpu().numpy()
              for s, n in ((sigma1, "sigma1"), (sigma2, "sigma2")))
    d = m1.shape[0] if m1.ndim == 1 else -1
    for name, s in (("sigma1", s1), ("sigma2", s2)):
        if s.shape != (d, d):
            raise ValueError(f"{name}: expected shape ({d}, {d}) to match the means, got {s.shape}")
    if m2.shape != m1.shape:
        raise ValueError(f"mu2: expected shape {m1.shape}, got {m2.shape}")
    with warnings.catch_warnings():  # singular covariances are common with few samples
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        covmean = scipy.linalg.sqrtm(s1 @ s2)
        if not np.isfinite(covmean).all():  # regularise as the FID reference code does
            eye = np.eye(d) * 1e-6
            covmean = scipy.linalg.sqrtm((s1 + eye) @ (s2 + eye))
    if np.iscomplexobj(covmean):  # round-off gives tiny imaginary parts; large ones mean a bad covariance
        imaginary = np.abs(np.diagonal(covmean).imag).max()
        if imaginary > 1e-3:
            raise ValueError(f"the matrix square root of sigma1 @ sigma2 has an imaginary part of {imaginary:.3g} "
                             "(expected < 1e-3): are both covariance matrices symmetric positive semi-definite?")
        covmean = covmean.real
    return float(((m1 - m2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


# ---------------------------------------------------------------- MMD
def mmd(x, y, bandwidths=(0.5, 1.0, 2.0, 4.0)) -> float:
    """Unbiased squared MMD between samples x (N, ...) and y (M, ...) with a sum of RBF kernels
    exp(-||a - b||^2 / (2 h^2)), h in `bandwidths` (in units of the data)."""
    a = check_tensor(x, "x").detach().double().flatten(1).cpu()
    b = check_tensor(y, "y").detach().double().flatten(1).cpu()
    if a.shape[1] != b.shape[1] or len(a) < 2 or len(b) < 2:
        raise ValueError(f"x, y: expected >= 2 samples each of one size, "
                         f"got {tuple(np.shape(x))} and {tuple(np.shape(y))}")

    def k(u, v):
        d2 = torch.cdist(u, v).pow(2)
        return sum(torch.exp(-d2 / (2 * h * h)) for h in bandwidths)

    kxx, kyy, kxy = k(a, a), k(b, b), k(a, b)
    n, m = len(a), len(b)
    return float((kxx.sum() - kxx.diag().sum()) / (n * (n - 1))
                 + (kyy.sum() - kyy.diag().sum()) / (m * (m - 1)) - 2 * kxy.mean())


# ---------------------------------------------------------------- code-class agreement (InfoGAN)
@dataclass
class CodeAgreement:
    accuracy: float       # fraction of samples whose code, mapped by `mapping`, equals their label
    mapping: dict         # code -> label: the one-to-one assignment that maximises the agreement
    table: np.ndarray     # (n_codes, n_labels) contingency counts

    def __str__(self):
        return f"code-class agreement {100 * self.accuracy:.1f}% (mapping {self.mapping})"


def code_agreement(codes, labels, n_codes: int | None = None, n_labels: int | None = None) -> CodeAgreement:
    """How well unsupervised categories (InfoGAN's c1) match class labels, up to renaming: the fraction
    of samples on the diagonal of the code x label table after the best one-to-one mapping of codes to
    labels (Hungarian algorithm, as for clustering accuracy). 1 for a permuted perfect labelling."""
    from scipy.optimize import linear_sum_assignment

    c, y = (as_tensor(v, name).detach().cpu() for v, name in ((codes, "codes"), (labels, "labels")))
    for name, v in (("codes", c), ("labels", y)):
        if v.is_floating_point() or v.dim() != 1 or (len(v) and v.min() < 0):
            raise ValueError(f"{name}: expected non-negative integer indices of shape (N,), "
                             f"got dtype {v.dtype} and shape {tuple(v.shape)}")
    if len(c) != len(y) or len(c) == 0:
        raise ValueError(f"codes and labels: expected two non-empty sequences of one length, got {len(c)} and {len(y)}")
    nc = n_codes or int(c.max()) + 1
    ny = n_labels or int(y.max()) + 1
    for name, v, n in (("codes", c, nc), ("labels", y, ny)):
        if int(v.max()) >= n:
            raise ValueError(f"{name}: expected values in [0, {n - 1}], got {int(v.max())}")
    table = np.zeros((nc, ny), dtype=np.int64)
    np.add.at(table, (c.long().numpy(), y.long().numpy()), 1)
    rows, cols = linear_sum_assignment(table, maximize=True)
    return CodeAgreement(float(table[rows, cols].sum() / len(c)), dict(zip(rows.tolist(), cols.tolist())), table)


# ---------------------------------------------------------------- classifier score (Inception Score)
def classifier_score(logits) -> float:
    """The Inception Score's formula exp(E_x KL(p(y|x) || p(y))) with any classifier's logits (N, K),
    p(y) the mean of p(y|x) over the samples. 1 when every prediction is the same; at most K, reached
    when each prediction is one-hot and the classes are equally frequent."""
    z = check_tensor(logits, "logits", ndim=2).detach().double().cpu()
    log_p = torch.log_softmax(z, dim=1)                       # log p(y|x), (N, K)
    log_marginal = torch.logsumexp(log_p, dim=0) - math.log(len(z))  # log p(y), (K,)
    kl = (log_p.exp() * (log_p - log_marginal)).sum(dim=1)    # (N,)
    return float(kl.mean().exp())

