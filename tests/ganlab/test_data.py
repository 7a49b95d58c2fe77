"""ganlab.data: toy mixtures, digits, image datasets with an offline fallback, minibatches."""
import math
from itertools import islice

import pytest
import torch
from torch.testing import assert_close

from ganlab import data

pytestmark = pytest.mark.usefixtures("torch_one_thread")


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


# ---------------------------------------------------------------- ring and grid means
def test_ring_means_protocol():
    m = data.ring_means()
    assert m.shape == (8, 2) and m.dtype == torch.float32
    angles = torch.tensor([2 * math.pi * i / 8 for i in range(8)])
    assert_close(m, torch.stack([angles.cos(), angles.sin()], 1))
    assert_close(m.norm(dim=1), torch.ones(8))
    # 8 distinct modes (linspace(0, 2pi, 8) would repeat the first at the end)
    gaps = torch.cdist(m, m) + 10 * torch.eye(8)
    assert gaps.min() > 0.76  # neighbours are 2 sin(pi/8) = 0.765 apart


def test_ring_means_other_sizes():
    m = data.ring_means(modes=4, radius=2.0)
    assert_close(m, torch.tensor([[2.0, 0.0], [0.0, 2.0], [-2.0, 0.0], [0.0, -2.0]]), atol=1e-6, rtol=0)


def test_grid_means_protocol():
    m = data.grid_means()
    assert m.shape == (25, 2)
    got = {(float(a), float(b)) for a, b in m.tolist()}
    ticks = (-4.0, -2.0, 0.0, 2.0, 4.0)
    assert got == {(a, b) for a in ticks for b in ticks}


def test_grid_means_other_sizes():
    m = data.grid_means(side=2, spacing=1.0)
    assert {tuple(r) for r in m.tolist()} == {(-0.5, -0.5), (-0.5, 0.5), (0.5, -0.5), (0.5, 0.5)}


# ---------------------------------------------------------------- ring and grid samples
@pytest.mark.parametrize("sampler, means, std", [
    (data.ring, data.ring_means(), 0.01),
    (data.grid, data.grid_means(), 0.05),
])
def test_toy_samples_around_their_means(sampler, means, std):
    n = 20000
    x = sampler(n, generator=gen(1))
    assert x.shape == (n, 2) and x.dtype == torch.float32
    nearest = torch.cdist(x, means).argmin(1)
    resid = x - means[nearest]
    # per-coordinate std of the residuals: std * (1 +- a few %) with n = 20000
    assert_close(resid.std(0), torch.full((2,), std), rtol=0.05, atol=0)
    assert_close(resid.mean(0), torch.zeros(2), rtol=0, atol=5 * std / math.sqrt(n))
    # every mode used, roughly equally
    counts = torch.bincount(nearest, minlength=len(means)).float()
    assert (counts > 0).all()
    assert_close(counts / n, torch.full((len(means),), 1 / len(means)), rtol=0.15, atol=0)
    # no sample wanders anywhere near another mode
    assert resid.norm(dim=1).max() < 7 * std


def test_toy_samples_reproducible_with_generator():
    assert torch.equal(data.ring(50, gen(3)), data.ring(50, gen(3)))
    assert not torch.equal(data.ring(50, gen(3)), data.ring(50, gen(4)))


def test_mixture_2d_bad_inputs():
    with pytest.raises(ValueError, match=r"means: expected shape \(\*, 2\), got \(4, 3\)"):
        data.mixture_2d(10, torch.zeros(4, 3), 0.1)
    with pytest.raises(ValueError, match="n: expected a positive int, got 0"):
        data.ring(0)
    with pytest.raises(ValueError, match="n: expected a positive int, got 2.5"):
        data.grid(2.5)


# ---------------------------------------------------------------- mixture_1d
def test_mixture_1d_default_moments():
    x = data.mixture_1d(40000, generator=gen(0))
    assert x.shape == (40000, 1) and x.dtype == torch.float32
    # equal mixture of N(-2, .5) and N(2, .5): mean 0, variance 4 + 0.25
    assert abs(x.mean().item()) < 0.05
    assert x.var().item() == pytest.approx(4.25, rel=0.03)
    assert (x > 0).float().mean().item() == pytest.approx(0.5, abs=0.02)


def test_mixture_1d_weights_and_single_mode():
    x = data.mixture_1d(40000, means=(0.0, 10.0), stds=(1.0, 1.0), weights=(3, 1), generator=gen(0))
    assert (x > 5).float().mean().item() == pytest.approx(0.25, abs=0.01)
    y = data.mixture_1d(40000, means=(3.0,), stds=(0.2,), generator=gen(1))
    assert y.mean().item() == pytest.approx(3.0, abs=0.01)
    assert y.std().item() == pytest.approx(0.2, rel=0.03)


def test_mixture_1d_bad_inputs():
    with pytest.raises(ValueError, match=r"got shapes \(2,\) and \(3,\)"):
        data.mixture_1d(10, means=(0.0, 1.0), stds=(1.0, 1.0, 1.0))
    with pytest.raises(ValueError, match=r"got shapes \(2, 1\) and \(2, 1\)"):
        data.mixture_1d(10, means=[[0.0], [1.0]], stds=[[1.0], [1.0]])
    with pytest.raises(ValueError, match="n: expected a positive int, got -3"):
        data.mixture_1d(-3)


# ---------------------------------------------------------------- digits
@pytest.mark.parametrize("size", [8, 16, 32])
def test_digits(size, digits16):
    x, y = digits16 if size == 16 else data.digits(size)
    assert x.shape == (1797, 1, size, size) and x.dtype == torch.float32
    assert y.shape == (1797,) and y.dtype == torch.int64
    assert x.min().item() == -1.0 and x.max().item() == 1.0
    assert set(y.tolist()) == set(range(10))
    # the images are digits, not noise: the background (corners) is -1
    assert (x[:, :, 0, 0] == -1).float().mean() > 0.95


def test_digits_8_is_the_raw_data():
    from sklearn.datasets import load_digits

    x, y = data.digits(8)
    bunch = load_digits()
    assert_close(x[:, 0], torch.tensor(bunch.images, dtype=torch.float32) / 8 - 1)
    assert y.tolist() == bunch.target.tolist()


def test_digits_without_the_csv_ask_scikit_learn(monkeypatch):
    x, y = data.digits(8)  # read from scikit-learn's CSV, without importing it
    monkeypatch.setattr(data.importlib.util, "find_spec", lambda name: None)  # a layout we do not know
    data._digits_8x8.cache_clear()
    try:
        x2, y2 = data.digits(8)  # from load_digits()
    finally:
        data._digits_8x8.cache_clear()
    assert torch.equal(x, x2) and torch.equal(y, y2)
    x[0].fill_(0.0)
    assert not torch.equal(data.digits(8)[0][0], x[0])  # each call gets its own tensors


def test_digits_bad_size():
    with pytest.raises(ValueError, match=r"size: expected one of \[8, 16, 32, 64\], got 28"):
        data.digits(28)


# ---------------------------------------------------------------- image_dataset
def test_image_dataset_digits_and_limit(digits16):
    x, y = data.image_dataset("digits", 16, limit=100)
    assert x.shape == (100, 1, 16, 16) and y.shape == (100,)
    assert torch.equal(x, digits16[0][:100]) and torch.equal(y, digits16[1][:100])
    x, y = data.image_dataset("digits", 8)
    assert x.shape == (1797, 1, 8, 8)


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_image_dataset_offline_fallback(name, tmp_path, capsys, no_network):
    x, y = data.image_dataset(name, size=16, download=False, root=str(tmp_path), limit=50)
    out = capsys.readouterr().out
    assert f"could not load {name}" in out
    assert "using scikit-learn digits instead" in out
    assert x.shape == (50, 1, 16, 16) and y.shape == (50,)
    want_x, want_y = data.digits(16)
    assert torch.equal(x, want_x[:50]) and torch.equal(y, want_y[:50])
    assert list(tmp_path.rglob("*.gz")) == []  # nothing was downloaded


def test_image_dataset_uses_torchvision_when_available(monkeypatch, tmp_path):
    fake = torch.linspace(-1, 1, 4 * 28 * 28).reshape(4, 1, 28, 28)
    calls = []

    def fake_loader(name, root, download):
        calls.append((name, root, download))
        return fake, torch.arange(4)

    monkeypatch.setattr(data, "_torchvision_images", fake_loader)
    x, y = data.image_dataset("mnist", size=32, download=False, root=str(tmp_path))
    assert calls == [("mnist", str(tmp_path), False)]
    assert x.shape == (4, 1, 32, 32) and y.tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize("kwargs, message", [
    (dict(name="cifar10"), r"name: expected one of .*'digits'.*got 'cifar10'"),
    (dict(name="digits", size=28), r"size: expected one of \[8, 16, 32, 64\], got 28"),
    (dict(name="digits", size=16, limit=0), "limit: expected a positive int, got 0"),
    (dict(name="digits", size=16, limit=1.5), "limit: expected a positive int, got 1.5"),
])
def test_image_dataset_bad_inputs(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.image_dataset(**kwargs)


# ---------------------------------------------------------------- resize
def test_resize():
    x = torch.rand(2, 3, 8, 8)
    assert data.resize(x, 8) is x
    assert data.resize(x, 16).shape == (2, 3, 16, 16)
    assert data.resize(x, 4).shape == (2, 3, 4, 4)
    const = torch.full((1, 1, 8, 8), 0.3)
    assert_close(data.resize(const, 32), torch.full((1, 1, 32, 32), 0.3))
    with pytest.raises(ValueError, match=r"images: expected 4 dimensions, got shape \(8, 8\)"):
        data.resize(torch.rand(8, 8), 4)


# ---------------------------------------------------------------- batches
def test_batches_shapes_and_epochs():
    x = torch.arange(10.0).unsqueeze(1)  # (10, 1)
    it = data.batches(x, 3, generator=gen(0))
    got = list(islice(it, 9))  # 3 full batches per epoch (the last sample is dropped), 3 epochs
    assert all(b.shape == (3, 1) for b in got)
    for epoch in range(3):
        seen = torch.cat(got[3 * epoch:3 * epoch + 3]).flatten().tolist()
        assert len(set(seen)) == 9  # no repeats within an epoch
    assert len(list(islice(it, 1000))) == 1000  # endless
    exact = list(islice(data.batches(torch.arange(9.0), 3, generator=gen(1)), 6))  # n a multiple of the batch
    for epoch in (exact[:3], exact[3:]):
        assert sorted(torch.cat(epoch).tolist()) == list(map(float, range(9)))  # each sample once per epoch


def test_batches_smaller_dataset_than_batch():
    x = torch.arange(4.0).reshape(4, 1)
    got = list(islice(data.batches(x, 10, generator=gen(0)), 5))
    assert all(b.shape == (10, 1) for b in got)
    assert set(torch.cat(got).flatten().tolist()) <= {0.0, 1.0, 2.0, 3.0}


def test_batches_image_shapes_and_reproducible(digits16):
    x = digits16[0]
    a = next(data.batches(x, 32, generator=gen(5)))
    b = next(data.batches(x, 32, generator=gen(5)))
    assert a.shape == (32, 1, 16, 16) and torch.equal(a, b)


@pytest.mark.parametrize("bad", [0, -1, 2.0])
def test_batches_bad_batch_size(bad):
    with pytest.raises(ValueError, match=f"batch_size: expected a positive int, got {bad}"):
        data.batches(torch.zeros(4, 2), bad)  # raised at the call, not at the first next()


def test_to_numpy():
    t = torch.ones(2, 3, requires_grad=True)
    a = data.to_numpy(t * 2)
    assert a.shape == (2, 3) and (a == 2).all()
    assert data.to_numpy([1, 2]).tolist() == [1, 2]
