"""ganlab.training's image-to-image loops: pix2pix, CycleGAN, super-resolution."""

import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from ganlab import image_tasks as it
from ganlab import training as tr
from ganlab.models.srgan import SRConfig, SRDiscriminator, SRGenerator
from ganlab.models.unet import PatchGAN, PatchGANConfig, UNetConfig, UNetGenerator

pytestmark = pytest.mark.usefixtures("torch_one_thread", "seeded", "no_network")


def _d_loss(real, fake):      # lecture 01's discriminator loss (not a graded answer of lecture 06)
    return F.softplus(-real).mean() + F.softplus(fake).mean()


def _g_adv(fake):
    return F.softplus(-fake).mean()


def _small_pix2pix():
    return (UNetGenerator(UNetConfig(1, 1, depth=2, width=4)), PatchGAN(PatchGANConfig(2, width=4, n_layers=1)))


def test_train_pix2pix_passes_the_losses_and_learns():
    x, y = it.paired_task("edges2digits", 8, "train", n=64)
    g, d = _small_pix2pix()
    seen = []

    def g_loss(fake_logits, fake, target):
        seen.append((tuple(fake_logits.shape), tuple(fake.shape), tuple(target.shape)))
        return F.softplus(-fake_logits).mean() + 100 * (fake - target).abs().mean()

    before = [p.detach().clone() for p in g.parameters()]
    h = tr.train_pix2pix(g, d, x, y, _d_loss, g_loss, steps=30, batch_size=8, lr=2e-3, log_every=10, progress=False)
    assert h["step"] == [10, 20, 30] and set(h) == {"step", "d_loss", "g_loss", "l1"}
    assert seen[0] == ((8, 1, 2, 2), (8, 1, 8, 8), (8, 1, 8, 8))   # one logit per patch
    assert h["l1"][-1] < h["l1"][0]
    assert all(not torch.equal(b, p) for b, p in zip(before, g.parameters()))


def test_train_pix2pix_without_discriminator_and_bad_losses():
    x, y = it.paired_task("edges2digits", 8, "train", n=16)
    g, d = _small_pix2pix()
    h = tr.train_pix2pix(g, None, x, y, None, lambda logits, fake, t: (fake - t).abs().mean(), steps=3,
                         batch_size=4, log_every=1, progress=False)
    assert h["d_loss"] == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="g_loss_fn must return a scalar tensor"):
        tr.train_pix2pix(g, d, x, y, _d_loss, lambda logits, fake, t: (fake - t).abs(), steps=1, progress=False)
    with pytest.raises(ValueError, match="aligned tensors of one length"):
        tr.train_pix2pix(g, d, x, y[:5], _d_loss, lambda *a: torch.zeros(()), steps=1, progress=False)


def test_train_cyclegan_calls_the_cycle_loss_with_reconstructions():
    a, b = it.unpaired_task("digits", 8, n=32)
    nets = [UNetGenerator(UNetConfig(1, 1, depth=2, width=4, norm="instance")) for _ in range(2)]
    ds = [PatchGAN(PatchGANConfig(1, width=4, n_layers=1, norm="instance")) for _ in range(2)]
    calls = []

    def cycle(real_a, rec_a, real_b, rec_b):
        calls.append(True)
        assert_close(rec_a, nets[1](nets[0](real_a)))
        assert_close(rec_b, nets[0](nets[1](real_b)))
        return 10 * ((real_a - rec_a).abs().mean() + (real_b - rec_b).abs().mean())

    h = tr.train_cyclegan(*nets, *ds, a, b, _d_loss, _g_adv, cycle, identity_weight=5.0, steps=4, batch_size=4,
                          log_every=2, progress=False)
    assert len(calls) == 4 and h["step"] == [2, 4]
    assert set(h) == {"step", "d_loss", "g_loss", "cycle", "rec_error"}
    h0 = tr.train_cyclegan(*nets, *ds, a, b, _d_loss, _g_adv, None, steps=2, batch_size=4, log_every=1, progress=False)
    assert h0["cycle"] == [0.0, 0.0] and h0["rec_error"][0] > 0


def test_train_sr_with_and_without_discriminator():
    lr, hr = it.sr_pairs(16, hr_size=16, scale=4, split="train")
    g = SRGenerator(SRConfig(width=8, n_blocks=1))
    with torch.no_grad():
        before = F.mse_loss(g(lr), hr).item()
    mse = tr.train_sr(g, lr, hr, F.mse_loss, steps=20, batch_size=8, lr=1e-3, log_every=10, progress=False)
    with torch.no_grad():
        after = F.mse_loss(g(lr), hr).item()
    assert after < before and mse["d_loss"] == [0.0, 0.0], (before, after)
    d = SRDiscriminator(SRConfig(d_width=4), depth=2)
    adv = tr.train_sr(g, lr, hr, F.mse_loss, discriminator=d, d_loss_fn=_d_loss, g_loss_fn=_g_adv, steps=2,
                      batch_size=4, log_every=1, progress=False)
    assert all(v > 0 for v in adv["d_loss"])
    with pytest.raises(ValueError, match="needs d_loss_fn and g_loss_fn"):
        tr.train_sr(g, lr, hr, F.mse_loss, discriminator=d, steps=1)
