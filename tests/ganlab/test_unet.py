"""ganlab.models.unet and ganlab.models.srgan: U-Net, PatchGAN, SRGAN networks, the feature network (its
training: test_training_supervised.py)."""
import pytest
import torch
from torch import nn

from ganlab.models.srgan import FeatureNet, SRConfig, SRDiscriminator, SRGenerator
from ganlab.models.unet import PatchGAN, PatchGANConfig, UNetConfig, UNetGenerator, input_gradient_mask

pytestmark = pytest.mark.usefixtures("torch_one_thread", "seeded")


def _one_step_changes_parameters(model, loss):
    before = [p.detach().clone() for p in model.parameters()]
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    opt.zero_grad()
    loss.backward()
    opt.step()
    changed = [not torch.equal(b, p) for b, p in zip(before, model.parameters())]
    assert all(changed), f"{sum(not c for c in changed)} of {len(changed)} parameter tensors did not change"


# ---------------------------------------------------------------- U-Net
@pytest.mark.parametrize("depth, size", [(1, 8), (3, 16), (3, 40), (4, 32), (5, 32), (4, 64)])
def test_unet_keeps_the_size(depth, size):
    g = UNetGenerator(UNetConfig(in_channels=1, out_channels=3, depth=depth, width=4))
    out = g(torch.randn(2, 1, size, size))
    assert out.shape == (2, 3, size, size)
    assert out.abs().max() <= 1


def test_unet_rectangular_input():
    g = UNetGenerator(UNetConfig(in_channels=2, out_channels=1, depth=3, width=4))
    assert g(torch.randn(3, 2, 16, 40)).shape == (3, 1, 16, 40)


def test_unet_skips_join_layer_i_with_layer_n_minus_i():
    cfg = UNetConfig(in_channels=1, out_channels=1, depth=4, width=4, max_width=16)
    g = UNetGenerator(cfg)
    assert cfg.widths == [4, 8, 16, 16]
    # decoder layer 4 + j takes the previous output (w[4 - j]) plus encoder layer 4 - j + 1's channels
    assert [blk[0].in_channels for blk in g.up] == [16, 16 + 16, 8 + 8, 4 + 4]
    plain = UNetGenerator(UNetConfig(in_channels=1, out_channels=1, depth=4, width=4, max_width=16, skips=False))
    assert [blk[0].in_channels for blk in plain.up] == [16, 16, 8, 4]
    assert plain(torch.randn(2, 1, 16, 16)).shape == (2, 1, 16, 16)


def test_unet_skip_carries_detail_from_the_input():
    """With skips an output pixel depends on the input near it through the first encoder layer's skip; the
    outermost decoder layer's input is [decoder output, e_1], so zeroing e_1's half changes the output."""
    g = UNetGenerator(UNetConfig(1, 1, depth=3, width=4)).eval()
    x = torch.randn(1, 1, 16, 16)
    out = g(x)
    with torch.no_grad():
        g.up[-1][0].weight[4:] = 0                    # the channels that came from e_1 through the skip
    assert not torch.allclose(out, g(x))


@pytest.mark.parametrize("kwargs, message", [
    ({"depth": 0}, "depth: expected a positive int"),
    ({"norm": "layer"}, "norm: expected one of"),
    ({"dropout": 1.0}, r"dropout: expected a probability in \[0, 1\)"),
])
def test_unet_config_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        UNetConfig(**kwargs)


@pytest.mark.parametrize("x, message", [
    (torch.randn(2, 1, 20, 20), "multiples of 16"),
    (torch.randn(2, 3, 32, 32), r"x: expected shape \(\*, 1, \*, \*\), got \(2, 3, 32, 32\)"),
    (torch.randn(1, 32, 32), r"x: expected shape \(\*, 1, \*, \*\)"),
])
def test_unet_rejects_bad_input(x, message):
    with pytest.raises(ValueError, match=message):
        UNetGenerator(UNetConfig(1, 1, depth=4, width=4))(x)


def test_unet_dropout_is_its_only_noise():
    g = UNetGenerator(UNetConfig(1, 1, depth=3, width=4, dropout=0.5))
    assert sum(isinstance(m, nn.Dropout) for m in g.modules()) == 2   # the decoder's inner layers (not the output)
    x = torch.randn(2, 1, 16, 16)
    g.eval()
    assert torch.equal(g(x), g(x))
    g.train()
    assert not torch.equal(g(x), g(x))


def test_unet_one_step_changes_parameters():
    g = UNetGenerator(UNetConfig(1, 1, depth=3, width=4))
    x = torch.randn(4, 1, 16, 16)
    _one_step_changes_parameters(g, (g(x) - x).abs().mean())


# ---------------------------------------------------------------- PatchGAN
@pytest.mark.parametrize("n_layers, layers, field", [
    (0, [(1, 1)] * 3, 1),
    (1, [(4, 2), (4, 1), (4, 1)], 16),
    (2, [(4, 2), (4, 2), (4, 1), (4, 1)], 34),
    (3, [(4, 2), (4, 2), (4, 2), (4, 1), (4, 1)], 70),
])
def test_patchgan_layers_and_measured_receptive_field(n_layers, layers, field):
    d = PatchGAN(PatchGANConfig(in_channels=2, width=4, n_layers=n_layers))
    assert d.layers == layers
    mask = input_gradient_mask(d, (2, 160, 160))
    rows, cols = mask.any(1).nonzero().flatten(), mask.any(0).nonzero().flatten()
    assert (rows.max() - rows.min() + 1, cols.max() - cols.min() + 1) == (field, field)
    assert mask.sum() == field * field            # a full square patch
    assert d.training                             # the measurement restored the mode


@pytest.mark.parametrize("n_layers, size, out", [(0, 16, 16), (1, 16, 6), (1, 64, 30), (3, 32, 2), (3, 256, 30)])
def test_patchgan_output_size(n_layers, size, out):
    d = PatchGAN(PatchGANConfig(in_channels=3, width=4, n_layers=n_layers))
    assert d.output_size(size) == out
    assert d(torch.randn(2, 1, size, size), torch.randn(2, 2, size, size)).shape == (2, 1, out, out)


def test_patchgan_errors():
    d = PatchGAN(PatchGANConfig(in_channels=2, width=4, n_layers=3))
    with pytest.raises(ValueError, match="too small"):
        d(torch.randn(2, 2, 16, 16))
    with pytest.raises(ValueError, match=r"expected shape \(\*, 2, \*, \*\), got \(2, 3, 32, 32\)"):
        d(torch.randn(2, 1, 32, 32), torch.randn(2, 2, 32, 32))
    with pytest.raises(ValueError, match="at least one image batch"):
        d()
    with pytest.raises(ValueError, match="n_layers: expected an int >= 0"):
        PatchGANConfig(n_layers=-1)


def test_patchgan_one_step_changes_parameters():
    d = PatchGAN(PatchGANConfig(in_channels=2, width=4, n_layers=2))
    x, y = torch.randn(4, 1, 32, 32), torch.randn(4, 1, 32, 32)
    _one_step_changes_parameters(d, d(x, y).mean())


# ---------------------------------------------------------------- SRGAN networks
@pytest.mark.parametrize("scale, size", [(2, 8), (4, 8), (4, 5), (8, 4)])
def test_sr_generator_upscales(scale, size):
    g = SRGenerator(SRConfig(scale=scale, width=8, n_blocks=2))
    out = g(torch.randn(2, 3, size, size))
    assert out.shape == (2, 3, scale * size, scale * size)
    x = torch.randn(2, 3, size, size)
    bicubic = torch.nn.functional.interpolate(x, scale_factor=scale, mode="bicubic", align_corners=False)
    assert torch.equal(g(x), bicubic)                       # bicubic_skip: starts as exactly bicubic
    plain = SRGenerator(SRConfig(scale=scale, width=8, n_blocks=2, bicubic_skip=False))
    assert plain(x).abs().max() < 1
    assert sum(isinstance(m, nn.PixelShuffle) for m in g.modules()) == {2: 1, 4: 2, 8: 3}[scale]


def test_sr_config_and_input_errors():
    with pytest.raises(ValueError, match="scale: expected a power of two"):
        SRConfig(scale=3)
    with pytest.raises(ValueError, match=r"expected shape \(\*, 3, \*, \*\), got \(2, 1, 8, 8\)"):
        SRGenerator(SRConfig(width=8, n_blocks=1))(torch.randn(2, 1, 8, 8))


@pytest.mark.parametrize("size", [16, 32, 48])
def test_sr_discriminator_any_size(size):
    d = SRDiscriminator(SRConfig(d_width=4), depth=3)
    assert d(torch.randn(3, 3, size, size)).shape == (3,)


def test_sr_networks_one_step_change_parameters():
    g, d = SRGenerator(SRConfig(width=8, n_blocks=1, bicubic_skip=False)), SRDiscriminator(SRConfig(d_width=4), depth=2)
    lr, hr = torch.randn(4, 3, 4, 4), torch.randn(4, 3, 16, 16)
    _one_step_changes_parameters(g, (g(lr) - hr).pow(2).mean())
    _one_step_changes_parameters(d, d(hr).mean())


def test_feature_net_shapes_and_errors():
    net = FeatureNet(channels=3, width=4)
    assert net(torch.randn(2, 3, 32, 32)).shape == (2, 16, 8, 8)
    with pytest.raises(ValueError, match="multiples of 4"):
        net(torch.randn(2, 3, 30, 30))
