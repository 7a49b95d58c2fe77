"""ganlab.inversion: the encoder's shapes and starting point, its two training phases, editing directions
from labels, and the reconstruction metrics."""
import math

import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from ganlab.inversion import class_direction, reconstruction_metrics
from ganlab.models import EncoderConfig, LatentEncoder
from ganlab.training import train_encoder

pytestmark = pytest.mark.usefixtures("torch_one_thread", "seeded")

D = 4
A = torch.tensor([[1.0, 0.5, 0.0, 0.0], [0.0, 1.0, 0.0, 0.3], [0.2, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]])


def mapping(z):
    """A stand-in mapping network z -> w."""
    return torch.tanh(z) * 2


def synthesize(w):
    """A stand-in generator: w (B, 4) -> 8x8 images, each a linear function of w."""
    return torch.tanh((w @ A).repeat(1, 16).reshape(len(w), 1, 8, 8))


def test_config_checks():
    with pytest.raises(ValueError, match="image_size"):
        EncoderConfig(image_size=12)
    with pytest.raises(ValueError, match="width"):
        EncoderConfig(width=0)


@pytest.mark.parametrize("size", [8, 16, 32])
def test_encoder_starts_at_w_avg(size):
    w_avg = torch.arange(5.0)
    enc = LatentEncoder(EncoderConfig(image_size=size, w_dim=5, width=4, hidden=8), w_avg=w_avg)
    out = enc(torch.randn(3, 1, size, size))
    assert out.shape == (3, 5)
    assert_close(out, w_avg.expand(3, 5))                   # zero-initialised head: every image -> w_avg
    w_avg += 1                                              # the encoder keeps its own copy
    assert_close(enc.w_avg, torch.arange(5.0))
    with pytest.raises(ValueError, match="images"):
        enc(torch.randn(3, 1, size + 1, size + 1))
    with pytest.raises(ValueError, match="w_avg"):
        LatentEncoder(EncoderConfig(w_dim=5), w_avg=torch.zeros(4))


def test_train_encoder_learns_the_inverse():
    enc = LatentEncoder(EncoderConfig(image_size=8, w_dim=D, width=8, hidden=32))
    w = mapping(torch.randn(64, D, generator=torch.Generator().manual_seed(1)))
    before = F.mse_loss(enc(synthesize(w)), w).item()
    history = train_encoder(enc, mapping, synthesize, steps=300, batch_size=32, lr=3e-3, pool=512)
    assert set(history) == {"step", "loss", "phase"} and history["step"] == list(range(10, 301, 10))
    assert set(history["phase"]) == {"latent"} and not enc.training
    with torch.no_grad():
        after = F.mse_loss(enc(synthesize(w)), w).item()
    assert after < 0.2 * before, (before, after)


def test_train_encoder_real_phase_uses_the_objective():
    calls = []

    def objective(generator, w, images):
        calls.append((generator, w.shape, images.shape))
        return F.mse_loss(generator(w), images)

    enc = LatentEncoder(EncoderConfig(image_size=8, w_dim=D, width=4, hidden=8))
    real = synthesize(torch.randn(40, D))
    seen = []
    history = train_encoder(enc, mapping, synthesize, steps=3, batch_size=8, pool=16, real=real, loss_fn=objective,
                            real_steps=3, log_every=2, callbacks=[lambda step, e, none, h: seen.append((step, e, none))])
    assert history["step"] == [2, 3, 4, 6]              # every 2 steps, the end of phase 1 and the last step
    assert history["phase"] == ["latent", "latent", "real", "real"]
    assert seen == [(s, enc, None) for s in range(1, 7)]
    assert calls == [(synthesize, (8, D), (8, 1, 8, 8))] * 3
    assert all(isinstance(v, float) and math.isfinite(v) for v in history["loss"])
    with pytest.raises(ValueError, match="real_steps"):
        train_encoder(enc, mapping, synthesize, steps=1, real_steps=2)


def test_train_encoder_is_seeded():
    def run():
        torch.manual_seed(0)
        enc = LatentEncoder(EncoderConfig(image_size=8, w_dim=D, width=4, hidden=8))
        return train_encoder(enc, mapping, synthesize, steps=5, batch_size=4, pool=16, seed=3)["loss"]

    assert run() == run()


def _two_clusters():
    g = torch.Generator().manual_seed(0)
    centre = torch.tensor([3.0, -1.0, 0.0, 2.0])
    ws = torch.cat([torch.randn(50, D, generator=g) * 0.3, centre + torch.randn(50, D, generator=g) * 0.3])
    labels = torch.tensor([0] * 50 + [1] * 50)
    return ws, labels, centre


def test_class_direction_mean_is_the_difference_of_centres():
    ws, labels, _ = _two_clusters()
    d = class_direction(ws, labels, target=1, source=0)
    assert_close(d, ws[50:].mean(0) - ws[:50].mean(0))
    assert_close(class_direction(ws, labels, target=0), -d)         # source None: every other class


def test_class_direction_logistic_points_across_the_boundary():
    ws, labels, centre = _two_clusters()
    d = class_direction(ws, labels, target=1, source=0, method="logistic")
    mean_d = ws[50:].mean(0) - ws[:50].mean(0)
    assert d.shape == (D,)
    assert torch.cosine_similarity(d, centre, dim=0) > 0.9            # along the separation
    assert_close(d @ mean_d, (mean_d @ (d / d.norm())) ** 2, rtol=1e-4, atol=1e-5)   # scaled to the centres' gap
    moved = ws[:50] + d
    assert (moved @ d).mean() > (ws[50:] @ d).mean() - 1e-4            # step 1 reaches the other class


def test_class_direction_checks():
    ws, labels, _ = _two_clusters()
    with pytest.raises(ValueError, match="at least 2"):
        class_direction(ws, labels, target=7)
    with pytest.raises(ValueError, match="method"):
        class_direction(ws, labels, target=1, method="svm")


class _ByFirstPixel(torch.nn.Module):
    """A stand-in classifier: class 1 when the first pixel is positive."""

    def __init__(self):
        super().__init__()
        self.dummy = torch.nn.Parameter(torch.zeros(()))

    def forward(self, x):
        first = x.flatten(1)[:, 0]
        return torch.stack([-first, first], dim=1) + self.dummy


def test_reconstruction_metrics():
    targets = torch.zeros(4, 1, 2, 2)
    targets[:2, 0, 0, 0] = 1.0                                          # classes 1, 1, 0, 0
    recon = targets.clone()
    recon[0, 0, 0, 0] = -0.5                                           # class flips to 0, error 1.5^2 / 4
    recon[3] += 3.0                                                    # clamped to 1: error 1, class flips to 1
    m = reconstruction_metrics(targets, recon, _ByFirstPixel())
    assert_close(m["pixel_mse_each"], torch.tensor([2.25 / 4, 0.0, 0.0, 1.0]))
    assert m["pixel_mse"] == pytest.approx((2.25 / 4 + 1.0) / 4)
    assert m["agreement"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="reconstructions"):
        reconstruction_metrics(targets, recon[:3], _ByFirstPixel())
