"""ganlab.models.progan: pixel norm, equalised layers, the growing generator and discriminator with the fade-in
(passed in, as the notebook passes the student's), one progressive training run."""
import math

import pytest
import torch
from torch.testing import assert_close

from ganlab.models import (EqualizedConv2d, EqualizedLinear, PixelNorm, ProDiscriminator, ProGANConfig, ProGenerator,
                           load_model, save_model)
from ganlab.training import alpha_schedule, phase_ends, phase_steps, train_progressive

pytestmark = pytest.mark.usefixtures("torch_one_thread", "seeded")

CFG = ProGANConfig(image_size=16, channels=1, latent_dim=8, width=8)


def blend(alpha, upscaled, generated):
    """A test double for the student's fade_in."""
    return (1 - alpha) * upscaled + alpha * generated


def spy_blend(calls):
    def f(alpha, upscaled, generated):
        calls.append((alpha, upscaled.detach().clone(), generated.detach().clone()))
        return blend(alpha, upscaled, generated)
    return f


# ---------------------------------------------------------------- layers
def test_pixel_norm_gives_unit_mean_square_per_pixel():
    x = 3 * torch.randn(4, 5, 3, 3)
    out = PixelNorm()(x)
    assert_close(out.pow(2).mean(dim=1), torch.ones(4, 3, 3), rtol=1e-4, atol=1e-4)
    assert_close(PixelNorm()(torch.zeros(2, 3)), torch.zeros(2, 3))     # eps: no division by zero


def test_equalized_linear_scales_weights_at_run_time():
    layer = EqualizedLinear(16, 4, gain=1.0)
    x = torch.randn(3, 16)
    assert_close(layer(x), x @ (layer.weight / 4).T + layer.bias)      # 1 / sqrt(fan_in) = 1 / 4
    assert 0.7 < layer.weight.std().item() < 1.3                       # stored ~ N(0, 1)
    slow = EqualizedLinear(16, 4, lr_mul=0.01, bias_init=1.0)
    assert 70 < slow.weight.std().item() < 130                         # stored / lr_mul, effective ~ N(0, 1) * gain
    assert_close(slow(torch.zeros(1, 16)), torch.ones(1, 4))           # the effective bias is bias_init


def test_equalized_conv_keeps_size_and_has_unit_gain_activations():
    conv = EqualizedConv2d(8, 8, 3, gain=1.0)
    x = torch.randn(16, 8, 6, 6)
    y = conv(x)
    assert y.shape == (16, 8, 6, 6)
    assert 0.7 < y[:, :, 1:-1, 1:-1].std().item() < 1.3                # variance preserved, away from the padding


# ---------------------------------------------------------------- config and errors
def test_config_stages_resolutions_and_features():
    assert CFG.stages == 3 and [CFG.resolution(s) for s in range(3)] == [4, 8, 16]
    assert [ProGANConfig(32, width=64).features(s) for s in range(4)] == [64, 64, 32, 16]
    with pytest.raises(ValueError, match="image_size"):
        ProGANConfig(image_size=12)


def test_clear_errors_on_bad_input():
    G, D = ProGenerator(CFG), ProDiscriminator(CFG)
    with pytest.raises(ValueError, match="z: expected shape"):
        G(torch.randn(4, 9))
    with pytest.raises(ValueError, match="stage"):
        G(torch.randn(4, 8), stage=3)
    with pytest.raises(ValueError, match="alpha"):
        G(torch.randn(4, 8), stage=1, alpha=1.5, fade_in=blend)
    with pytest.raises(ValueError, match="fade_in"):
        G(torch.randn(4, 8), stage=1, alpha=0.5)
    with pytest.raises(ValueError, match=r"R in \[4, 8, 16\]"):
        D(torch.randn(4, 1, 12, 12))
    with pytest.raises(ValueError, match="fade_in"):
        D(torch.randn(4, 1, 8, 8), alpha=0.2)


# ---------------------------------------------------------------- growing
@pytest.mark.parametrize("stage", [0, 1, 2])
def test_shapes_at_every_stage(stage):
    G, D = ProGenerator(CFG), ProDiscriminator(CFG)
    r = CFG.resolution(stage)
    x = G(torch.randn(4, 8), stage=stage, alpha=0.5, fade_in=blend)
    assert x.shape == (4, 1, r, r)
    assert D(x, alpha=0.5, fade_in=blend).shape == (4,)
    assert G(torch.randn(4, 8)).shape == (4, 1, 16, 16)                # stage None: the last one


def test_generator_fade_in_blends_the_upsampled_old_path_with_the_new_block():
    G = ProGenerator(CFG)
    z = torch.randn(4, 8)
    calls = []
    out = G(z, stage=2, alpha=0.25, fade_in=spy_blend(calls))
    (alpha, upscaled, generated), = calls
    assert alpha == 0.25 and upscaled.shape == generated.shape == (4, 1, 16, 16)
    old = G(z, stage=1)                                                # alpha 1 at the previous stage
    assert_close(upscaled, old.repeat_interleave(2, 2).repeat_interleave(2, 3))   # nearest-neighbour x2
    assert_close(generated, G(z, stage=2, alpha=1.0))                  # the new block alone
    assert_close(out, 0.75 * upscaled + 0.25 * generated)
    assert_close(G(z, stage=2, alpha=0.0, fade_in=blend), upscaled)    # alpha 0: only the old path


def test_discriminator_fade_in_uses_the_average_pooled_image_for_the_old_path():
    D = ProDiscriminator(CFG)
    x = torch.randn(4, 1, 16, 16)
    calls = []
    D(x, alpha=0.6, fade_in=spy_blend(calls))
    (alpha, downscaled, new), = calls
    assert alpha == 0.6 and downscaled.shape == new.shape == (4, 8, 8, 8)
    assert_close(downscaled, D.from_rgb[1](torch.nn.functional.avg_pool2d(x, 2)))
    assert_close(D(x, alpha=0.0, fade_in=blend), D(torch.nn.functional.avg_pool2d(x, 2)))   # only the old path


def test_alpha_schedule():
    assert [alpha_schedule(i, 4) for i in (0, 2, 4, 9)] == [0.0, 0.5, 1.0, 1.0]
    assert alpha_schedule(0, 0) == 1.0


def test_phases_per_stage():
    assert phase_steps(3, 5) == [(0, 5), (5, 5), (5, 5)]                 # stage 0 has nothing to fade in
    assert phase_steps(3, (4, 3, 2)) == [(0, 4), (3, 3), (2, 2)]
    assert phase_ends(3, (4, 3, 2)) == [4, 7, 10, 12, 14]
    with pytest.raises(ValueError, match="one per stage"):
        phase_steps(3, (4, 3))
    with pytest.raises(ValueError, match="steps_per_phase"):
        phase_steps(2, (4, 0))


def test_one_optimisation_step_changes_the_active_parameters():
    G, D = ProGenerator(CFG), ProDiscriminator(CFG)
    before = {n: p.detach().clone() for n, p in G.named_parameters()}
    opt = torch.optim.Adam(G.parameters(), lr=1e-3)
    loss = -D(G(torch.randn(8, 8), stage=2, alpha=0.5, fade_in=blend), alpha=0.5, fade_in=blend).mean()
    loss.backward()
    opt.step()
    changed = {n for n, p in G.named_parameters() if not torch.equal(p, before[n])}
    assert "to_rgb.1.weight" in changed and "to_rgb.2.weight" in changed and "blocks.2.1.weight" in changed


def test_train_progressive_grows_through_every_stage_and_calls_fade_in():
    G, D = ProGenerator(CFG), ProDiscriminator(CFG)
    x = torch.rand(64, 1, 16, 16) * 2 - 1
    alphas = []

    def fade_in(alpha, upscaled, generated):
        alphas.append(alpha)
        return blend(alpha, upscaled, generated)

    def d_loss(r, f):
        return torch.nn.functional.softplus(-r).mean() + torch.nn.functional.softplus(f).mean()

    seen = []
    history = train_progressive(G, D, x, d_loss, lambda f: torch.nn.functional.softplus(-f).mean(), fade_in,
                                steps_per_phase=3, batch_size=8, progress=False, log_every=1,
                                callbacks=[lambda step, g, d, h: seen.append((step, g, d, h["stage"][-1]))])
    assert history["stage"] == [0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]
    assert history["alpha"][3:6] == pytest.approx([0.0, 1 / 3, 2 / 3]) and history["alpha"][6:9] == [1.0] * 3
    assert all(math.isfinite(v) for v in history["d_loss"] + history["g_loss"])
    assert alphas and max(alphas) < 1
    assert [s for s, *_ in seen] == list(range(1, 16)) and all(g is G and d is D for _, g, d, _ in seen)
    assert seen[-1][3] == 2


def test_train_progressive_logs_at_phase_ends():
    """Means over log_every steps, plus an entry at the end of every phase, where a callback reads the stage."""
    G, D = ProGenerator(CFG), ProDiscriminator(CFG)
    x = torch.rand(32, 1, 16, 16) * 2 - 1
    ends = phase_ends(CFG.stages, 4)
    at_ends = {}

    def snapshot(step, g, d, h):
        if step in ends:
            assert h["step"][-1] == step
            at_ends[step] = (h["stage"][-1], h["alpha"][-1])

    history = train_progressive(G, D, x, lambda r, f: (f - r).mean(), lambda f: -f.mean(), blend,
                                steps_per_phase=4, batch_size=4, log_every=3, progress=False, callbacks=[snapshot])
    assert ends == [4, 8, 12, 16, 20]
    assert history["step"] == [3, 4, 6, 8, 9, 12, 15, 16, 18, 20]
    assert at_ends == {4: (0, 1.0), 8: (1, 0.75), 12: (1, 1.0), 16: (2, 0.75), 20: (2, 1.0)}


def test_train_progressive_names_a_broken_loss():
    G, D = ProGenerator(CFG), ProDiscriminator(CFG)
    x = torch.rand(16, 1, 16, 16) * 2 - 1
    with pytest.raises(FloatingPointError, match="g_loss_fn returned nan"):
        train_progressive(G, D, x, lambda r, f: (f - r).mean(), lambda f: f.mean() * float("nan"), blend,
                          steps_per_phase=2, batch_size=4, progress=False)
    with pytest.raises(ValueError, match="d_loss_fn must return a scalar tensor"):
        train_progressive(G, D, x, lambda r, f: f - r, lambda f: -f.mean(), blend, steps_per_phase=2, batch_size=4,
                          progress=False)


def test_save_and_load_round_trip(tmp_path):
    G = ProGenerator(CFG)
    save_model(G, tmp_path / "g.pt")
    G2 = load_model(tmp_path / "g.pt")
    z = torch.randn(3, 8)
    assert_close(G2(z), G(z))
