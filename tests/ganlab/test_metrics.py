"""ganlab.metrics: mode coverage, Gaussian statistics, Frechet distance, MMD."""
import math

import numpy as np
import pytest
import torch

from ganlab import data
from ganlab.metrics import ModeCoverage, classifier_score, frechet_distance, gaussian_stats, mmd, mode_coverage

pytestmark = pytest.mark.usefixtures("torch_one_thread", "seeded")

RING = data.ring_means()
GRID = data.grid_means()


# ---------------------------------------------------------------- mode coverage
def test_all_samples_at_the_means():
    mc = mode_coverage(RING.repeat(5, 1), RING, std=0.01)
    assert isinstance(mc, ModeCoverage)
    assert (mc.modes, mc.high_quality, mc.reverse_kl, mc.total_modes) == (8, 1.0, 0.0, 8)


def test_all_samples_at_one_mean():
    mc = mode_coverage(RING[3:4].repeat(40, 1), RING, std=0.01)
    assert mc.modes == 1 and mc.high_quality == 1.0
    assert mc.reverse_kl == pytest.approx(math.log(8), abs=1e-12)


def test_samples_far_away():
    mc = mode_coverage(10 * RING, RING, std=0.01)
    assert mc.modes == 0 and mc.high_quality == 0.0 and mc.reverse_kl == math.inf
    assert mc.total_modes == 8


def test_mixed_case_exact_numbers():
    x = torch.stack([
        RING[0], RING[0],                      # mode 0 twice
        RING[1],                               # mode 1
        RING[2] + torch.tensor([0.02, 0.0]),   # mode 2, 2 stds off: high quality
        RING[3] + torch.tensor([0.0, 0.05]),   # 5 stds off: low quality
        torch.zeros(2),                        # the centre: 1 from every mean
    ])
    mc = mode_coverage(x, RING, std=0.01)
    assert mc.modes == 3
    assert mc.high_quality == pytest.approx(4 / 6)
    # high-quality histogram (2, 1, 1)/4 against uniform over 8: 0.5 log 4 + 2 * 0.25 log 2
    assert mc.reverse_kl == pytest.approx(1.5 * math.log(2), abs=1e-12)
    wide = mode_coverage(x, RING, std=0.01, threshold=6.0)  # now the 5-std sample counts
    assert wide.modes == 4 and wide.high_quality == pytest.approx(5 / 6)
    assert wide.reverse_kl == pytest.approx(0.4 * math.log(3.2) + 3 * 0.2 * math.log(1.6), abs=1e-12)


def test_mode_coverage_on_grid_and_real_samples():
    x = data.grid(5000, generator=torch.Generator().manual_seed(0))
    mc = mode_coverage(x, GRID, std=data.GRID_STD)
    assert mc.modes == 25 and mc.total_modes == 25
    assert mc.high_quality > 0.98  # a 2-D Gaussian lies within 3 stds with probability 1 - e^-4.5 = 0.989
    assert 0 <= mc.reverse_kl < 0.01
    half = x[(x[:, 0] < -1)]  # two columns of the grid: 10 modes
    assert mode_coverage(half, GRID, std=data.GRID_STD).modes == 10


def test_mode_coverage_numpy_input_and_str():
    mc = mode_coverage(RING.numpy()[:4], RING.numpy(), std=0.01)
    assert mc.modes == 4 and mc.reverse_kl == pytest.approx(math.log(2))
    assert str(mc) == f"modes 4/8 | high quality 100.0% | reverse KL {math.log(2):.3f}"


@pytest.mark.parametrize("args, message", [
    ((torch.zeros(5), RING, 0.01), r"samples: expected 2 dimensions, got shape \(5,\)"),
    ((torch.zeros(5, 3), RING, 0.01), "samples and means: expected the same dimension, got 3 and 2"),
    ((torch.zeros(5, 2), RING, 0.0), "std: expected a positive number, got 0.0"),
    ((torch.zeros(5, 2), RING, -1), "std: expected a positive number, got -1"),
    (("samples", RING, 0.01), "samples: expected a torch.Tensor or numpy array, got str"),
])
def test_mode_coverage_bad_inputs(args, message):
    with pytest.raises(ValueError, match=message):
        mode_coverage(*args)


# ---------------------------------------------------------------- gaussian_stats
def test_gaussian_stats_matches_numpy():
    f = torch.randn(200, 5, dtype=torch.float64) @ torch.randn(5, 5, dtype=torch.float64) + 3
    mu, sigma = gaussian_stats(f)
    assert isinstance(mu, np.ndarray) and mu.shape == (5,) and sigma.shape == (5, 5)
    np.testing.assert_allclose(mu, f.numpy().mean(0), rtol=1e-12)
    np.testing.assert_allclose(sigma, np.cov(f.numpy().T), rtol=1e-10)  # unbiased (N - 1)
    np.testing.assert_allclose(sigma, sigma.T)


def test_gaussian_stats_known_values_and_one_feature():
    mu, sigma = gaussian_stats(np.array([[0.0, 1.0], [2.0, 5.0]]))
    np.testing.assert_allclose(mu, [1.0, 3.0])
    np.testing.assert_allclose(sigma, [[2.0, 4.0], [4.0, 8.0]])
    mu, sigma = gaussian_stats(torch.tensor([[1.0], [2.0], [3.0]]))
    assert mu.shape == (1,) and sigma.shape == (1, 1)  # a (F, F) matrix even for F = 1
    np.testing.assert_allclose(sigma, [[1.0]])
    assert frechet_distance(mu, sigma, mu + 2, 4 * sigma) == pytest.approx(4.0 + 1.0)


def test_gaussian_stats_bad_inputs():
    with pytest.raises(ValueError, match="at least 2 rows .* got 1"):
        gaussian_stats(torch.zeros(1, 4))
    with pytest.raises(ValueError, match=r"features: expected 2 dimensions, got shape \(3,\)"):
        gaussian_stats(torch.zeros(3))


# ---------------------------------------------------------------- Frechet distance
def random_cov(d, seed):
    a = np.random.default_rng(seed).normal(size=(d, d))
    return a @ a.T + 0.1 * np.eye(d)


def test_frechet_identical_gaussians_is_zero():
    s = random_cov(6, 0)
    mu = np.arange(6.0)
    assert frechet_distance(mu, s, mu, s) == pytest.approx(0.0, abs=1e-8)


def test_frechet_shifted_means_is_squared_distance():
    s = random_cov(4, 1)
    mu1, mu2 = np.array([0.0, 1.0, 2.0, 3.0]), np.array([1.0, -1.0, 2.0, 0.5])
    assert frechet_distance(mu1, s, mu2, s) == pytest.approx(1 + 4 + 0 + 6.25, abs=1e-8)


def test_frechet_diagonal_covariances():
    v1, v2 = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 0.25])
    mu1, mu2 = np.zeros(3), np.array([0.0, 3.0, 0.0])
    want = 9.0 + ((np.sqrt(v1) - np.sqrt(v2)) ** 2).sum()  # 9 + 1 + 1 + 6.25
    assert want == 17.25
    assert frechet_distance(mu1, np.diag(v1), mu2, np.diag(v2)) == pytest.approx(want, abs=1e-10)


def test_frechet_general_case_and_symmetry():
    s1, s2 = random_cov(5, 2), random_cov(5, 3)
    mu1, mu2 = np.ones(5), np.zeros(5)
    # independent formula: Tr(S1 + S2 - 2 (S1^1/2 S2 S1^1/2)^1/2) from eigendecompositions
    w, v = np.linalg.eigh(s1)
    root1 = v @ np.diag(np.sqrt(w)) @ v.T
    inner = np.linalg.eigvalsh(root1 @ s2 @ root1)
    want = 5.0 + np.trace(s1) + np.trace(s2) - 2 * np.sqrt(inner).sum()
    got = frechet_distance(mu1, s1, mu2, s2)
    assert got == pytest.approx(want, rel=1e-8)
    assert frechet_distance(mu2, s2, mu1, s1) == pytest.approx(got, rel=1e-8)
    assert got > 5.0


def test_frechet_tensor_inputs_match_numpy():
    s1, s2 = random_cov(3, 4), random_cov(3, 5)
    mu1, mu2 = np.array([1.0, 2.0, 3.0]), np.array([0.0, 0.0, 1.0])
    want = frechet_distance(mu1, s1, mu2, s2)
    t = torch.from_numpy
    got = frechet_distance(t(mu1).float(), t(s1).float(), t(mu2).float(), t(s2).float())
    assert isinstance(got, float)
    assert got == pytest.approx(want, rel=1e-5)
    assert frechet_distance(list(mu1), s1, t(mu2), t(s2)) == pytest.approx(want, rel=1e-10)
    # tensors that carry gradients (statistics computed outside torch.no_grad()) work too
    grad = [t(a).requires_grad_() for a in (mu1, s1, mu2, s2)]
    assert frechet_distance(*grad) == pytest.approx(want, rel=1e-10)


def test_frechet_singular_covariances():
    z = np.zeros(2)
    assert frechet_distance(z, np.zeros((2, 2)), z, np.eye(2)) == pytest.approx(2.0, abs=1e-5)
    assert frechet_distance(z, np.diag([1.0, 0.0]), z, np.diag([0.0, 1.0])) == pytest.approx(2.0, abs=1e-5)


def test_frechet_one_dimension():
    # 1-D: (m1 - m2)^2 + (s1 - s2)^2 with standard deviations s
    got = frechet_distance(np.array([1.0]), np.array([[4.0]]), np.array([-1.0]), np.array([[9.0]]))
    assert got == pytest.approx(4.0 + 1.0)


@pytest.mark.parametrize("args, message", [
    ((np.zeros(3), np.eye(2), np.zeros(3), np.eye(3)), r"sigma1: expected shape \(3, 3\).*got \(2, 2\)"),
    ((np.zeros(3), np.eye(3), np.zeros(3), np.eye(4)), r"sigma2: expected shape \(3, 3\).*got \(4, 4\)"),
    ((np.zeros(3), np.eye(3), np.zeros(2), np.eye(3)), r"mu2: expected shape \(3,\), got \(2,\)"),
    ((np.zeros((3, 1)), np.eye(3), np.zeros(3), np.eye(3)), "sigma1: expected shape"),
    ((np.zeros(3), "cov", np.zeros(3), np.eye(3)), "sigma1: expected a torch.Tensor or numpy array, got str"),
])
def test_frechet_bad_shapes(args, message):
    with pytest.raises(ValueError, match=message):
        frechet_distance(*args)


# ---------------------------------------------------------------- MMD
def test_mmd_exact_small_case():
    x, y = torch.zeros(2, 1), torch.ones(2, 1)
    # within-sample kernels are 1, across exp(-1/2): 1 + 1 - 2 exp(-1/2)
    assert mmd(x, y, bandwidths=(1.0,)) == pytest.approx(2 - 2 * math.exp(-0.5), rel=1e-12)
    assert mmd(x, y, bandwidths=(1.0, 2.0)) == pytest.approx(4 - 2 * math.exp(-0.5) - 2 * math.exp(-1 / 8),
                                                             rel=1e-12)


def test_mmd_same_distribution_is_near_zero():
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(1000, 2, generator=g), torch.randn(1000, 2, generator=g)
    same = mmd(x, y)
    shifted = mmd(x, y + 0.5)
    far = mmd(x, y + 3.0)
    assert abs(same) < 0.02
    assert shifted > 0.1 and far > shifted  # grows with the shift
    assert mmd(x, y) == pytest.approx(mmd(y, x), abs=1e-12)
    assert mmd(x, y + 0.5) == pytest.approx(mmd(y + 0.5, x), abs=1e-12)


def test_mmd_images_and_numpy():
    g = torch.Generator().manual_seed(1)
    a, b = torch.rand(50, 1, 4, 4, generator=g), torch.rand(60, 1, 4, 4, generator=g)
    assert mmd(a, b) == pytest.approx(mmd(a.flatten(1).numpy(), b.flatten(1).numpy()), rel=1e-12)
    assert mmd(a, b + 1) > mmd(a, b)


@pytest.mark.parametrize("x, y", [(torch.zeros(5, 2), torch.zeros(5, 3)), (torch.zeros(1, 2), torch.zeros(5, 2)),
                                  (torch.zeros(5, 2), torch.zeros(1, 2))])
def test_mmd_bad_inputs(x, y):
    want = rf"expected >= 2 samples each of one size, got \({x.shape[0]}, {x.shape[1]}\) and \({y.shape[0]}, "
    with pytest.raises(ValueError, match=want):
        mmd(x, y)
    with pytest.raises(ValueError, match=want):  # lists: the message still names their shapes
        mmd(x.tolist(), y.tolist())


def test_frechet_rejects_a_covariance_that_is_not_positive_semidefinite():
    # sqrtm(diag(1, -1)) = diag(1, i): an imaginary part that dropping silently would hide
    with pytest.raises(ValueError, match="imaginary part of 1"):
        frechet_distance(np.zeros(2), np.diag([1.0, -1.0]), np.zeros(2), np.eye(2))


# ---------------------------------------------------------------- classifier score
def test_classifier_score_extremes():
    confident = 50.0 * torch.eye(10)                                   # one sure prediction per class
    assert classifier_score(confident.repeat(7, 1)) == pytest.approx(10.0, rel=1e-6)
    assert classifier_score(confident[[3] * 20]) == pytest.approx(1.0)  # always the same class
    assert classifier_score(torch.zeros(5, 10)) == pytest.approx(1.0)   # p(y|x) uniform


def test_classifier_score_exact_small_case():
    p = np.array([[0.9, 0.1], [0.2, 0.8]])
    marginal = p.mean(axis=0)
    want = np.exp((p * np.log(p / marginal)).sum(axis=1).mean())
    assert classifier_score(torch.tensor(np.log(p))) == pytest.approx(want, rel=1e-9)
    assert classifier_score(np.log(p) + 3.0) == pytest.approx(want, rel=1e-9)  # logits up to a constant
    with pytest.raises(ValueError, match="logits: expected 2 dimensions"):
        classifier_score(torch.zeros(10))

