"""ganlab.models.stylegan: the mapping network and its tracked w_avg, the constant input, noise injection,
styles per layer, style mixing at the crossover, truncation through the caller's function, one training step."""
import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

import ganlab
from ganlab.models import (MappingNetwork, NoiseInjection, ProDiscriminator, StyleConfig, StyleGenerator, load_model,
                           mix_styles, save_model, truncated_z)

pytestmark = pytest.mark.usefixtures("torch_one_thread", "seeded")

CFG = StyleConfig(image_size=16, channels=1, latent_dim=8, mapping_layers=2, width=8)


def instance_adain(content, style_scale, style_bias, eps=1e-5):
    """A test double for the student's adain."""
    return style_scale[:, :, None, None] * F.instance_norm(content, eps=eps) + style_bias[:, :, None, None]


def pull(w, w_avg, psi):
    """A test double for the student's truncate."""
    return w_avg + psi * (w - w_avg)


def spy_adain(calls):
    def f(content, style_scale, style_bias, eps=1e-5):
        calls.append((style_scale.detach().clone(), style_bias.detach().clone()))
        return instance_adain(content, style_scale, style_bias, eps)
    return f


def test_config():
    assert CFG.num_layers == 6 and StyleConfig(image_size=32).num_layers == 8
    assert CFG.progan().image_size == 16 and CFG.progan().width == 8
    with pytest.raises(ValueError, match="image_size"):
        StyleConfig(image_size=64)
    with pytest.raises(ValueError, match="mixing_prob"):
        StyleConfig(mixing_prob=1.5)


def test_shapes_and_the_discriminator():
    G = StyleGenerator(CFG, adain=instance_adain)
    x = G(torch.randn(4, 8))
    assert x.shape == (4, 1, 16, 16)
    assert ProDiscriminator(CFG.progan())(x).shape == (4,)
    assert G.synthesize(torch.randn(3, 8)).shape == (3, 1, 16, 16)            # one w for every layer
    assert G.synthesize(torch.randn(3, 6, 8)).shape == (3, 1, 16, 16)         # one w per layer


def test_clear_errors():
    G = StyleGenerator(CFG)
    with pytest.raises(ValueError, match="no AdaIN function"):
        G(torch.randn(2, 8))
    G.adain = instance_adain
    with pytest.raises(ValueError, match="z: expected shape"):
        G(torch.randn(2, 5))
    with pytest.raises(ValueError, match="ws: expected shape"):
        G.synthesize(torch.randn(2, 5, 8))
    with pytest.raises(ValueError, match="noise_mode"):
        G.synthesize(torch.randn(2, 8), noise_mode="loud")
    with pytest.raises(ValueError, match="truncate"):
        G(torch.randn(2, 8), psi=0.5)
    G.adain = lambda content, scale, bias, eps=1e-5: content.mean(1)          # wrong shape back
    with pytest.raises(ValueError, match="adain: expected a tensor of the content's shape"):
        G(torch.randn(2, 8))
    with pytest.raises(ValueError, match="crossover"):
        mix_styles(torch.randn(2, 8), torch.randn(2, 8), 7, 6)


def test_mapping_tracks_w_avg_in_training_mode_only():
    m = MappingNetwork(8, 2, lr_mul=0.01, w_avg_beta=0.9)
    assert_close(m.w_avg, torch.zeros(8))
    z = torch.randn(32, 8)
    w = m(z)
    assert_close(m.w_avg, 0.1 * w.detach().mean(0))
    m(torch.randn(32, 8))
    m.eval()
    frozen = m.w_avg.clone()
    m(torch.randn(32, 8))
    assert_close(m.w_avg, frozen)
    m.train()
    for _ in range(200):                                                      # converges to the mean w
        m(torch.randn(256, 8))
    m.eval()
    assert_close(m.w_avg, m(torch.randn(20000, 8)).mean(0), atol=0.05, rtol=0.05)
    assert "w_avg" in m.state_dict()


def test_noise_strength_starts_at_zero_per_channel():
    layer = NoiseInjection(5)
    assert layer.strength.shape == (5,) and torch.equal(layer.strength, torch.zeros(5))
    x = torch.randn(2, 5, 4, 4)
    assert_close(layer(x, torch.randn(2, 1, 4, 4)), x)
    with torch.no_grad():
        layer.strength.copy_(torch.arange(5.0))
    noise = torch.randn(2, 1, 4, 4)
    assert_close(layer(x, noise), x + torch.arange(5.0).view(1, 5, 1, 1) * noise)
    G = StyleGenerator(CFG, adain=instance_adain).eval()
    z = torch.randn(3, 8)
    assert_close(G(z, noise_mode="random"), G(z, noise_mode="none"))         # untrained: noise ignored
    assert_close(G(z, noise_mode="const"), G(z, noise_mode="const"))


def test_untrained_styles_are_the_identity_scale():
    calls = []
    G = StyleGenerator(CFG, adain=spy_adain(calls)).eval()
    G(torch.randn(4, 8))
    assert len(calls) == CFG.num_layers
    scale, bias = calls[0]
    assert scale.shape == bias.shape == (4, 8)
    assert 0.0 < scale.mean().item() < 2.0 and abs(bias.mean().item()) < 1.0   # scale's bias starts at 1


def test_mix_styles_switches_at_the_crossover():
    w1, w2 = torch.randn(3, 8), torch.randn(3, 8)
    ws = mix_styles(w1, w2, 2, 6)
    assert ws.shape == (3, 6, 8)
    assert_close(ws[:, :2], w1[:, None].expand(-1, 2, -1))
    assert_close(ws[:, 2:], w2[:, None].expand(-1, 4, -1))
    assert_close(mix_styles(w1, w2, 0, 6), w2[:, None].expand(-1, 6, -1))
    assert_close(mix_styles(w1, w2, 6, 6), w1[:, None].expand(-1, 6, -1))
    # in the network: the first `crossover` layers get w1's styles, the rest w2's
    G = StyleGenerator(CFG).eval()
    styles = {}
    for name, ws in (("w1", w1), ("w2", w2), ("mixed", mix_styles(w1, w2, 4, 6))):
        styles[name] = []
        G.adain = spy_adain(styles[name])
        G.synthesize(ws, noise_mode="const")
    for i in range(6):
        want = styles["w1" if i < 4 else "w2"][i]
        assert_close(styles["mixed"][i][0], want[0])
        assert_close(styles["mixed"][i][1], want[1])


def test_style_mixing_regularisation_in_training_mode():
    seen = []
    for prob in (1.0, 0.0):
        G = StyleGenerator(StyleConfig(16, 1, 8, 2, 8, mixing_prob=prob), adain=instance_adain)
        G.synthesis.register_forward_pre_hook(lambda module, args: seen.append(args[0].detach().clone()))
        G(torch.randn(64, 8))
        ws = seen[-1]                                                         # (B, L, D)
        switches = (ws[:, 1:] != ws[:, :-1]).any(-1).sum(1)                  # crossovers per sample
        assert switches.max() <= 1
        assert (switches == 1).all() if prob == 1.0 else (switches == 0).all()
        G.eval()
        G(torch.randn(4, 8))
        assert (seen[-1] == seen[-1][:, :1]).all()                            # eval: one w for every layer


def test_truncation_goes_through_the_callers_function():
    G = StyleGenerator(CFG, adain=instance_adain).eval()
    with torch.no_grad():
        G.mapping.w_avg.copy_(torch.randn(8))
    z = torch.randn(5, 8)
    w = G.mapping(z)
    assert_close(G.truncate(w, 0.0, pull), G.mapping.w_avg.expand(5, -1))
    assert_close(G.truncate(w, 1.0, pull), w)
    assert_close(G(z, psi=0.0, truncate=pull, noise_mode="none"),
                 G.synthesize(G.mapping.w_avg.expand(5, -1), noise_mode="none"))
    with pytest.raises(ValueError, match="w's shape"):
        G.truncate(w, 0.5, lambda w, w_avg, psi: w_avg)


def test_truncated_z_stays_inside_the_threshold():
    z = truncated_z(500, 8, 0.5, torch.Generator().manual_seed(0))
    assert z.shape == (500, 8) and z.abs().max() <= 0.5 and z.std() > 0.2


def test_one_training_step_changes_parameters():
    G, D = StyleGenerator(CFG, adain=instance_adain), ProDiscriminator(CFG.progan())
    before = {n: p.detach().clone() for n, p in G.named_parameters()}
    x = torch.rand(64, 1, 16, 16) * 2 - 1
    history = ganlab.train_gan(G, D, x, lambda r, f: F.softplus(-r).mean() + F.softplus(f).mean(),
                               lambda f: F.softplus(-f).mean(), steps=1, batch_size=8, lr=2e-3, betas=(0.0, 0.99),
                               log_every=1, progress=False)
    changed = {n for n, p in G.named_parameters() if not torch.equal(p, before[n])}
    assert "mapping.net.1.weight" in changed and "synthesis.input.const" in changed
    assert "synthesis.layers.5.style.scale.weight" in changed and "synthesis.layers.3.noise.strength" in changed
    assert len(history["step"]) == 1


def test_save_and_load_round_trip(tmp_path):
    G = StyleGenerator(CFG, adain=instance_adain)
    G(torch.randn(16, 8))                                                     # moves w_avg
    save_model(G, tmp_path / "g.pt")
    G2 = load_model(tmp_path / "g.pt")
    assert G2.adain is None
    G2.adain = instance_adain
    assert_close(G2.mapping.w_avg, G.mapping.w_avg)
    G.eval(), G2.eval()
    z = torch.randn(3, 8)
    assert_close(G2(z, noise_mode="const"), G(z, noise_mode="const"))
