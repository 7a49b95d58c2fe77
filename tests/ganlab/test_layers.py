"""ganlab.models.layers: MinibatchStd (values on hand-made batches, groups, gradients, errors),
Packed, and the MLP discriminator with a minibatch-std layer."""
import pytest
import torch
from torch import nn
from torch.testing import assert_close

from ganlab.models import MinibatchStd, MLPConfig, MLPDiscriminator, Packed, load_model, save_model

pytestmark = pytest.mark.usefixtures("torch_one_thread", "seeded")


def consecutive_pack(x, k):
    """A test double for the student's pack: k consecutive samples side by side along dim 1."""
    return x.reshape(len(x) // k, -1, *x.shape[2:])


def reference_std(x, group_size=None):
    """Loop version of ProGAN's statistic: sample i is in group i % (B // group_size)."""
    b = len(x)
    g = b if group_size is None else min(group_size, b)
    m = b // g
    out = torch.empty(b)
    for j in range(m):
        members = x[j::m]                                    # (g, ...)
        out[j::m] = members.var(dim=0, unbiased=False).add(1e-8).sqrt().mean()
    return out


# ---------------------------------------------------------------- MinibatchStd
def test_minibatch_std_hand_made_points():
    x = torch.tensor([[0.0, 0.0], [2.0, 4.0]])
    # per-feature biased std over the 2 samples: 1 and 2; their mean 1.5 goes to both samples
    out = MinibatchStd()(x)
    assert_close(out, torch.tensor([[0.0, 0.0, 1.5], [2.0, 4.0, 1.5]]))


def test_minibatch_std_hand_made_images():
    x = torch.stack([torch.zeros(1, 2, 2), torch.full((1, 2, 2), 2.0), torch.full((1, 2, 2), 4.0),
                     torch.full((1, 2, 2), 6.0)])            # (4, 1, 2, 2)
    out = MinibatchStd(group_size=2)(x)
    assert out.shape == (4, 2, 2, 2)
    assert_close(out[:, :1], x)                              # the input channels are unchanged
    # strided groups {0, 2} (values 0, 4: std 2) and {1, 3} (values 2, 6: std 2)
    assert_close(out[:, 1], torch.full((4, 2, 2), 2.0))
    x[2] = 1.0                                               # group {0, 2}: values 0, 1, std 0.5
    out = MinibatchStd(group_size=2)(x)
    assert_close(out[:, 1, 0, 0], torch.tensor([0.5, 2.0, 0.5, 2.0]))


def test_minibatch_std_is_biased_with_eps_inside_the_sqrt():
    same = torch.ones(8, 3)
    assert_close(MinibatchStd()(same)[:, -1], torch.full((8,), 1e-4))  # sqrt(0 + 1e-8)
    x = torch.randn(8, 3)
    want = (x.var(dim=0, unbiased=False) + 1e-8).sqrt().mean()
    assert_close(MinibatchStd()(x)[:, -1], want.expand(8))


@pytest.mark.parametrize("shape", [(16, 5), (12, 3, 4, 4), (8, 1, 2, 3)])
@pytest.mark.parametrize("group_size", [None, 1, 2, 4, 32])
def test_minibatch_std_matches_a_loop(shape, group_size):
    x = torch.randn(*shape)
    if group_size is not None and shape[0] % min(group_size, shape[0]):
        pytest.skip("batch not divisible")
    out = MinibatchStd(group_size)(x)
    assert out.shape == (shape[0], shape[1] + 1, *shape[2:])
    assert_close(out[:, :shape[1]], x)
    stat = out[:, shape[1]].reshape(shape[0], -1)
    assert_close(stat, stat[:, :1].expand_as(stat))         # constant over pixels
    assert_close(stat[:, 0], reference_std(x, group_size))


def test_minibatch_std_group_of_one_is_eps():
    assert_close(MinibatchStd(group_size=1)(torch.randn(5, 2))[:, -1], torch.full((5,), 1e-4))


def test_minibatch_std_larger_group_shrinks_to_the_batch():
    x = torch.randn(3, 4)
    assert_close(MinibatchStd(group_size=4)(x), MinibatchStd()(x))


def test_minibatch_std_gradients():
    x = torch.randn(6, 2, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(MinibatchStd(group_size=3), (x,))
    x = torch.randn(4, 2, 3, 3, requires_grad=True)
    MinibatchStd(2)(x)[:, -1].sum().backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


@pytest.mark.parametrize("group_size, batch", [(4, 6), (3, 8)])
def test_minibatch_std_rejects_indivisible_batches(group_size, batch):
    with pytest.raises(ValueError, match=f"batch of {batch} samples cannot be split into groups of {group_size}"):
        MinibatchStd(group_size)(torch.randn(batch, 2))


@pytest.mark.parametrize("group_size", [0, -2, 2.5, True])
def test_minibatch_std_rejects_bad_group_size(group_size):
    with pytest.raises(ValueError, match="group_size: expected a positive int"):
        MinibatchStd(group_size)


@pytest.mark.parametrize("shape", [(4,), (4, 2, 3)])
def test_minibatch_std_rejects_bad_rank(shape):
    with pytest.raises(ValueError, match="x: expected 2 or 4 dimensions"):
        MinibatchStd()(torch.randn(*shape))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA")
def test_minibatch_std_on_cuda():
    out = MinibatchStd(2)(torch.randn(4, 3, device="cuda"))
    assert out.device.type == "cuda" and out.shape == (4, 4)


# ---------------------------------------------------------------- Packed
def test_packed_points():
    k = 3
    inner = MLPDiscriminator(MLPConfig(data_shape=(2 * k,), hidden=8, depth=1))
    d = Packed(inner, consecutive_pack, k)
    x = torch.randn(12, 2, requires_grad=True)
    out = d(x)
    assert out.shape == (4,)
    assert_close(out, inner(x.reshape(4, 6)))
    out.sum().backward()
    assert x.grad.abs().sum(dim=1).min() > 0                 # every sample reaches the score
    assert d.k == 3 and list(d.parameters()) == list(inner.parameters())


def test_packed_images_and_pack_fn_is_called_with_k():
    calls = []

    def spy(x, k):
        calls.append((tuple(x.shape), k))
        return consecutive_pack(x, k)

    inner = nn.Sequential(nn.Conv2d(4, 2, 3), nn.Flatten(), nn.LazyLinear(1), nn.Flatten(0))
    d = Packed(inner, spy, 2)
    assert d(torch.randn(6, 2, 5, 5)).shape == (3,)
    assert calls == [((6, 2, 5, 5), 2)]


def test_packed_passes_the_pack_fn_error_through():
    def strict(x, k):
        if len(x) % k:
            raise ValueError(f"batch of {len(x)} samples cannot be split into packs of {k}")
        return consecutive_pack(x, k)

    d = Packed(MLPDiscriminator(MLPConfig(data_shape=(4,), hidden=4, depth=1)), strict, 2)
    with pytest.raises(ValueError, match="batch of 5 samples cannot be split into packs of 2"):
        d(torch.randn(5, 2))


@pytest.mark.parametrize("kwargs, message", [
    (dict(pack_fn="pack", k=2), "pack_fn: expected a function"),
    (dict(pack_fn=consecutive_pack, k=0), "k: expected a positive int"),
])
def test_packed_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Packed(nn.Identity(), **kwargs)


def test_packed_rejects_unbatched_input():
    with pytest.raises(ValueError, match=r"at least 2 dimensions, got shape \(4,\)"):
        Packed(nn.Identity(), consecutive_pack, 2)(torch.randn(4))


# ---------------------------------------------------------------- MLP discriminator with minibatch std
@pytest.mark.parametrize("shape", [(2,), (1, 4, 4)])
def test_mlp_minibatch_std_layout(shape):
    cfg = MLPConfig(data_shape=shape, hidden=10, depth=2, minibatch_std=True)
    d = MLPDiscriminator(cfg)
    assert isinstance(d.net[0], MinibatchStd) and d.net[0].group_size is None
    first = next(m for m in d.modules() if isinstance(m, nn.Linear))
    assert first.in_features == cfg.data_dim + 1
    assert d(torch.randn(8, *shape)).shape == (8,)
    plain = MLPDiscriminator(MLPConfig(data_shape=shape, hidden=10, depth=2))
    assert not any(isinstance(m, MinibatchStd) for m in plain.modules())


def test_mlp_minibatch_std_sees_the_batch():
    d = MLPDiscriminator(MLPConfig(hidden=16, depth=2, minibatch_std=True, minibatch_std_group=4))
    assert d.net[0].group_size == 4
    x = torch.randn(8, 2)
    collapsed = x.clone()
    collapsed[1:4] = x[0]                                     # same first sample, a less diverse batch
    assert not torch.allclose(d(x)[0], d(collapsed)[0])      # sample 0's score depends on its batch
    x.requires_grad_(True)
    d(x)[0].backward()
    assert x.grad[4].abs().sum() > 0                          # sample 4 shares sample 0's group (stride 2)


def test_mlp_minibatch_std_checkpoint_round_trip(tmp_path):
    d = MLPDiscriminator(MLPConfig(hidden=8, depth=1, minibatch_std=True, minibatch_std_group=2))
    save_model(d, tmp_path / "d.pt")
    back = load_model(tmp_path / "d.pt")
    assert back.cfg == d.cfg
    x = torch.randn(4, 2)
    assert_close(back(x), d(x))
