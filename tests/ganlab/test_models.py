"""ganlab.models: MLP and DCGAN shapes, input checks, DCGAN init, checkpoint round trip."""
from dataclasses import dataclass

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from ganlab.models import (DCGANConfig, DCGANDiscriminator, DCGANGenerator, MLPConfig, MLPDiscriminator,
                           MLPGenerator, init_dcgan_weights, load_model, save_model)

pytestmark = pytest.mark.usefixtures("torch_one_thread", "seeded")


def linears(model):
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


# ---------------------------------------------------------------- MLP
@pytest.mark.parametrize("shape", [(2,), (1,), (1, 16, 16), (3, 8, 8)])
def test_mlp_shapes(shape):
    cfg = MLPConfig(data_shape=shape, latent_dim=5, hidden=12, depth=2)
    g, d = MLPGenerator(cfg), MLPDiscriminator(cfg)
    assert g.latent_dim == 5
    x = g(torch.randn(7, 5))
    assert x.shape == (7, *shape)
    assert d(x).shape == (7,)
    assert d(torch.randn(1, *shape)).shape == (1,)


def test_mlp_config_sizes_the_layers():
    cfg = MLPConfig(data_shape=(1, 4, 4), latent_dim=3, hidden=10, depth=4)
    assert cfg.data_dim == 16
    g, d = MLPGenerator(cfg), MLPDiscriminator(cfg)
    assert [(m.in_features, m.out_features) for m in linears(g)] == [(3, 10)] + [(10, 10)] * 3 + [(10, 16)]
    assert [(m.in_features, m.out_features) for m in linears(d)] == [(16, 10)] + [(10, 10)] * 3 + [(10, 1)]


def test_mlp_tanh_output():
    free = MLPGenerator(MLPConfig(hidden=8, depth=1))
    with torch.no_grad():
        free.net[-1].bias.fill_(5.0)  # push outputs far outside [-1, 1]
    assert free(torch.randn(64, 16)).min() > 1.5
    squashed = MLPGenerator(MLPConfig(hidden=8, depth=1, tanh_output=True))
    with torch.no_grad():
        squashed.net[-2].bias.fill_(5.0)
    out = squashed(torch.randn(64, 16))
    assert out.max() <= 1.0 and out.min() > 0.9  # tanh(~5)


@pytest.mark.parametrize("z, message", [
    (torch.randn(4, 3), r"z: expected shape \(\*, 16\), got \(4, 3\)"),
    (torch.randn(16), r"z: expected shape \(\*, 16\), got \(16,\)"),
    (torch.randint(0, 2, (4, 16)), "z: expected a floating-point tensor, got dtype torch.int64"),
])
def test_mlp_generator_rejects_bad_z(z, message):
    with pytest.raises(ValueError, match=message):
        MLPGenerator(MLPConfig(hidden=8, depth=1))(z)


@pytest.mark.parametrize("shape, x_shape", [((2,), (4, 3)), ((2,), (4,)), ((1, 16, 16), (4, 256)),
                                            ((1, 16, 16), (4, 1, 16, 8))])
def test_mlp_discriminator_rejects_bad_x(shape, x_shape):
    d = MLPDiscriminator(MLPConfig(data_shape=shape, hidden=8, depth=1))
    with pytest.raises(ValueError, match=r"x: expected shape \(\*, .*got " + str(x_shape).replace("(", r"\(")
                       .replace(")", r"\)")):
        d(torch.randn(*x_shape))


# ---------------------------------------------------------------- DCGAN
@pytest.mark.parametrize("size", [8, 16, 32, 64])
@pytest.mark.parametrize("channels", [1, 3])
def test_dcgan_shapes(size, channels):
    cfg = DCGANConfig(image_size=size, channels=channels, latent_dim=6, width=4)
    g, d = DCGANGenerator(cfg), DCGANDiscriminator(cfg)
    x = g(torch.randn(3, 6))
    assert x.shape == (3, channels, size, size)
    assert x.abs().max() <= 1.0  # tanh
    assert d(x).shape == (3,)
    assert cfg.blocks == {8: 1, 16: 2, 32: 3, 64: 4}[size]


@pytest.mark.parametrize("width", [2, 8])
def test_dcgan_width_doubles_per_halving(width):
    cfg = DCGANConfig(image_size=32, width=width, latent_dim=4)
    g_convs = [m for m in DCGANGenerator(cfg).modules() if isinstance(m, nn.ConvTranspose2d)]
    d_convs = [m for m in DCGANDiscriminator(cfg).modules() if isinstance(m, nn.Conv2d)]
    assert [m.out_channels for m in g_convs] == [4 * width, 2 * width, width, 1]
    assert [m.out_channels for m in d_convs] == [width, 2 * width, 4 * width, 1]


@pytest.mark.parametrize("d_norm, norm_type", [("batch", nn.BatchNorm2d), ("layer", nn.GroupNorm),
                                               ("none", None)])
def test_dcgan_discriminator_norms(d_norm, norm_type):
    cfg = DCGANConfig(image_size=16, width=4, d_norm=d_norm)
    d = DCGANDiscriminator(cfg)
    norms = [m for m in d.modules() if isinstance(m, (nn.BatchNorm2d, nn.GroupNorm))]
    if norm_type is None:
        assert norms == []
        assert all(m.bias is not None for m in d.modules() if isinstance(m, nn.Conv2d))
    else:
        assert len(norms) == cfg.blocks - 1 and all(type(m) is norm_type for m in norms)
    x = torch.randn(5, 1, 16, 16)
    assert d(x).shape == (5,)
    if d_norm != "batch":  # no batch coupling: a sample's score does not depend on the others
        assert_close(d(x[:1]), d(x)[:1], rtol=1e-5, atol=1e-6)


def test_dcgan_init_statistics():
    cfg = DCGANConfig(image_size=32, width=64, latent_dim=64)
    for model in (DCGANGenerator(cfg), DCGANDiscriminator(cfg)):
        convs = [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
        w = torch.cat([m.weight.flatten() for m in convs])
        assert w.numel() > 100_000
        assert abs(w.mean().item()) < 1e-3
        assert w.std().item() == pytest.approx(0.02, rel=0.02)
        for m in convs:
            if m.weight.numel() >= 1000:
                assert m.weight.std().item() == pytest.approx(0.02, rel=0.1)
            if m.bias is not None:
                assert torch.equal(m.bias, torch.zeros_like(m.bias))
        bn = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
        assert bn
        scales = torch.cat([m.weight for m in bn])
        assert abs(scales.mean().item() - 1) < 0.01 and scales.std().item() == pytest.approx(0.02, rel=0.25)
        assert all(torch.equal(m.bias, torch.zeros_like(m.bias)) for m in bn)


def test_init_dcgan_weights_on_a_plain_layer():
    layer = nn.Linear(500, 400)
    init_dcgan_weights(layer)
    assert layer.weight.std().item() == pytest.approx(0.02, rel=0.02)
    assert torch.equal(layer.bias, torch.zeros(400))
    relu = nn.ReLU()
    init_dcgan_weights(relu)  # no parameters: left alone, no error


def test_dcgan_rejects_bad_inputs():
    cfg = DCGANConfig(image_size=16, channels=3, latent_dim=8, width=4)
    g, d = DCGANGenerator(cfg), DCGANDiscriminator(cfg)
    with pytest.raises(ValueError, match=r"z: expected shape \(\*, 8\), got \(2, 8, 1, 1\)"):
        g(torch.randn(2, 8, 1, 1))
    with pytest.raises(ValueError, match=r"z: expected shape \(\*, 8\), got \(2, 9\)"):
        g(torch.randn(2, 9))
    with pytest.raises(ValueError, match=r"images: expected shape \(\*, 3, 16, 16\), got \(2, 1, 16, 16\)"):
        d(torch.randn(2, 1, 16, 16))
    with pytest.raises(ValueError, match=r"images: expected shape \(\*, 3, 16, 16\), got \(2, 3, 32, 32\)"):
        d(torch.randn(2, 3, 32, 32))
    with pytest.raises(ValueError, match=r"images: expected shape \(\*, 3, 16, 16\), got \(3, 16, 16\)"):
        d(torch.randn(3, 16, 16))


@pytest.mark.parametrize("kwargs, message", [
    (dict(image_size=28), r"image_size: expected one of \[8, 16, 32, 64\], got 28"),
    (dict(d_norm="spectral"), r"d_norm: expected one of \['batch', 'layer', 'none'\], got 'spectral'"),
])
def test_dcgan_config_rejects_bad_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DCGANConfig(**kwargs)


# ---------------------------------------------------------------- checkpoint
def example_input(model, n):
    if hasattr(model, "latent_dim"):
        return torch.randn(n, model.latent_dim)
    if isinstance(model, MLPDiscriminator):
        return torch.randn(n, *model.cfg.data_shape)
    s = model.cfg.image_size
    return torch.randn(n, model.cfg.channels, s, s)


@pytest.mark.parametrize("make", [
    lambda: MLPGenerator(MLPConfig(data_shape=(1, 8, 8), latent_dim=5, hidden=12, depth=2, tanh_output=True)),
    lambda: MLPDiscriminator(MLPConfig(data_shape=(2,), hidden=12, depth=2)),
    lambda: DCGANGenerator(DCGANConfig(image_size=16, channels=3, latent_dim=6, width=4)),
    lambda: DCGANDiscriminator(DCGANConfig(image_size=16, width=4, d_norm="layer")),
    lambda: DCGANDiscriminator(DCGANConfig(image_size=8, width=4, d_norm="batch")),
])
def test_save_load_round_trip(make, tmp_path):
    model = make()
    model.train()
    # move batch-norm running statistics away from their defaults so they are checked too
    x_in = example_input(model, 6)
    with torch.no_grad():
        model(x_in * 3 + 1)
    model.eval()
    path = tmp_path / "model.pt"
    save_model(model, str(path))
    loaded = load_model(str(path))
    assert type(loaded) is type(model)
    assert loaded.cfg == model.cfg
    assert loaded is not model
    sd, lsd = model.state_dict(), loaded.state_dict()
    assert sd.keys() == lsd.keys()
    for k in sd:
        assert torch.equal(sd[k], lsd[k]), k
    loaded.eval()
    with torch.no_grad():
        assert torch.equal(loaded(x_in), model(x_in))
    # the file holds plain data, loadable without unpickling arbitrary objects
    ckpt = torch.load(str(path), weights_only=True)
    assert set(ckpt) == {"class", "config_class", "config", "state_dict"}
    assert ckpt["class"].startswith("ganlab.models.")


def test_save_model_needs_a_dataclass_cfg(tmp_path):
    with pytest.raises(ValueError, match="expected a model with a dataclass `cfg`, got Linear"):
        save_model(nn.Linear(2, 2), str(tmp_path / "x.pt"))


@dataclass
class _OutsideConfig:
    size: int = 3


class _OutsideModel(nn.Module):
    def __init__(self, cfg=_OutsideConfig()):
        super().__init__()
        self.cfg = cfg
        self.lin = nn.Linear(cfg.size, 1)


def test_load_model_refuses_non_ganlab_classes(tmp_path):
    path = tmp_path / "outside.pt"
    save_model(_OutsideModel(), str(path))
    with pytest.raises(ValueError, match="load_model: expected a ganlab class, got .*_OutsideConfig"):
        load_model(str(path))
    torch.save({"class": "torch.nn.Linear", "config_class": "ganlab.models.mlp.MLPConfig",
                "config": {}, "state_dict": {}}, str(tmp_path / "linear.pt"))
    with pytest.raises(ValueError, match="expected a ganlab class, got torch.nn.Linear"):
        load_model(str(tmp_path / "linear.pt"))
    torch.save({"class": "ganlabx.Evil", "config_class": "ganlabx.Config",
                "config": {}, "state_dict": {}}, str(tmp_path / "prefix.pt"))
    with pytest.raises(ValueError, match="got ganlabx.Config"):
        load_model(str(tmp_path / "prefix.pt"))


def test_mlp_generator_batch_norm_layers():
    plain = MLPGenerator(MLPConfig(hidden=8, depth=2))
    normed = MLPGenerator(MLPConfig(hidden=8, depth=2, batch_norm=True))
    assert not any(isinstance(m, torch.nn.BatchNorm1d) for m in plain.modules())
    assert [m.num_features for m in normed.modules() if isinstance(m, torch.nn.BatchNorm1d)] == [8, 8]
    out = normed(torch.randn(5, normed.latent_dim))
    assert out.shape == (5, 2)
