"""ganlab.training.train_conditional: the loop for generators with labels or codes (cGAN, ACGAN, InfoGAN, projection)."""
import pytest
import torch
import torch.nn.functional as F

from ganlab.models import (ACGANDiscriminator, CBNGenerator, ConditionalConfig, ConditionalGenerator,
                           ProjectionDiscriminator, class_grid)
from ganlab.training import SampleSnapshots, train_conditional

pytestmark = pytest.mark.usefixtures("torch_one_thread", "seeded")

K = 4
LEVELS = torch.linspace(-0.6, 0.6, K)


def tiny():
    cfg = ConditionalConfig(image_size=8, latent_dim=5, n_classes=K, width=4)
    return ConditionalGenerator(cfg), ACGANDiscriminator(cfg)


def labelled_images(n=40):
    """Flat images at one grey level per label, so a batch's labels can be read off its images."""
    labels = torch.arange(n) % K
    return LEVELS[labels].view(n, 1, 1, 1).expand(n, 1, 8, 8).clone(), labels


def labels_fn(b, device):
    return (torch.randint(K, (b,), device=device),)


def acgan_d(D, real, labels, fake, codes):
    (sr, cr), (sf, cf) = D(real), D(fake)
    return (F.softplus(-sr).mean() + F.softplus(sf).mean()
            + F.cross_entropy(cr, labels) + F.cross_entropy(cf, codes[0]))


def acgan_g(D, fake, codes):
    src, cls = D(fake)
    return F.softplus(-src).mean() + F.cross_entropy(cls, codes[0])


def params(model):
    return torch.cat([p.detach().flatten().clone() for p in model.parameters()])


def test_history_and_what_the_losses_receive():
    G, D = tiny()
    x, y = labelled_images()
    seen = {"d": [], "g": []}

    def d_loss(D, real, labels, fake, codes):
        assert real.shape == (6, 1, 8, 8) and not fake.requires_grad
        assert torch.equal((real[:, :1, 0, 0] - LEVELS).abs().argmin(1), labels)  # the real images' own labels
        seen["d"].append(codes)
        return acgan_d(D, real, labels, fake, codes)

    def g_loss(D, fake, codes):
        assert fake.shape == (6, 1, 8, 8) and fake.requires_grad
        seen["g"].append(codes)
        return acgan_g(D, fake, codes)

    h = train_conditional(G, D, x, y, d_loss, g_loss, codes_fn=labels_fn, steps=7, batch_size=6, log_every=3)
    assert h["step"] == [3, 6, 7] and set(h) == {"step", "d_loss", "g_loss"}
    assert all(len(v) == 3 and all(torch.isfinite(torch.tensor(v))) for v in h.values())
    assert len(seen["d"]) == len(seen["g"]) == 7
    assert all(d is g for d, g in zip(seen["d"], seen["g"]))  # one draw of the codes per step, used by both


def test_learning_rates():
    """lr drives D and g_lr drives G: lr 0 leaves D as it was, g_lr 0 leaves G as it was."""
    x, y = labelled_images()
    G, D = tiny()
    g0, d0 = params(G), params(D)
    train_conditional(G, D, x, y, acgan_d, acgan_g, codes_fn=labels_fn, steps=3, batch_size=8, lr=0.0, g_lr=1e-2)
    assert torch.equal(params(D), d0) and not torch.equal(params(G), g0)
    G, D = tiny()
    g0, d0 = params(G), params(D)
    train_conditional(G, D, x, y, acgan_d, acgan_g, codes_fn=labels_fn, steps=3, batch_size=8, lr=1e-2, g_lr=1e-12)
    assert not torch.equal(params(D), d0) and torch.allclose(params(G), g0, atol=1e-9)


def test_callbacks_and_conditional_snapshots():
    G, D = tiny()
    x, y = labelled_images()
    snaps = SampleSnapshots(torch.randn(K, 5), every=2, codes=(torch.arange(K),))
    calls = []
    train_conditional(G, D, x, y, acgan_d, acgan_g, codes_fn=labels_fn, steps=4, batch_size=8,
                      callbacks=[snaps, lambda step, g, d, h: calls.append(step)])
    assert calls == [1, 2, 3, 4] and snaps.steps == [2, 4]
    assert all(s.shape == (K, 1, 8, 8) for s in snaps.samples)


def test_learns_the_classes():
    """ACGAN on four flat grey levels: after a short run, G(z, k) is brighter the larger k, with gaps between
    the classes much larger than the spread within each (labels ignored or mixed up would give neither)."""
    G, D = tiny()
    x, y = labelled_images(200)
    train_conditional(G, D, x, y, acgan_d, acgan_g, steps=400, batch_size=32, lr=1e-3, progress=False)  # uniform labels
    brightness = class_grid(G, per_class=16).mean((1, 2, 3)).view(K, 16)   # row k: class k
    gaps = brightness.mean(1).diff()
    assert (gaps > 3 * brightness.std(1).max()).all(), (brightness.mean(1), brightness.std(1))


@pytest.mark.parametrize("labels, message", [
    (torch.zeros(40), "integer class labels of shape \\(40,\\), got torch.float32"),
    (torch.zeros(39, dtype=torch.long), "shape \\(40,\\), got torch.int64 \\(39,\\)"),
    ([0] * 40, "got list"),
])
def test_bad_labels_raise(labels, message):
    G, D = tiny()
    x, _ = labelled_images()
    with pytest.raises(ValueError, match=message):
        train_conditional(G, D, x, labels, acgan_d, acgan_g, codes_fn=labels_fn, steps=1)


def test_bad_images_and_losses_raise():
    G, D = tiny()
    x, y = labelled_images()
    with pytest.raises(ValueError, match="images: expected 4 dimensions"):
        train_conditional(G, D, x[:, 0], y, acgan_d, acgan_g, codes_fn=labels_fn, steps=1)
    with pytest.raises(ValueError, match="g_loss_fn must return a scalar"):
        train_conditional(G, D, x, y, acgan_d, lambda D, fake, codes: D(fake)[0], codes_fn=labels_fn, steps=1)


def test_projection_gan_learns_the_classes():
    """BigGAN's pieces on the same toy: a generator conditioned only through class-conditional batch norm against a
    projection discriminator, with the cGAN's losses, learns one grey level per class as ACGAN does above."""
    cfg = ConditionalConfig(image_size=8, latent_dim=5, n_classes=K, width=4)

    def projection(features, labels, embedding, linear):
        return linear(features).squeeze(-1) + (embedding(labels) * features).sum(-1)

    def d_loss(D, real, labels, fake, codes):
        return F.softplus(-D(real, labels)).mean() + F.softplus(D(fake, *codes)).mean()

    def g_loss(D, fake, codes):
        return F.softplus(-D(fake, *codes)).mean()

    G, D = CBNGenerator(cfg), ProjectionDiscriminator(cfg, projection)
    x, y = labelled_images(200)
    # G's class information is in per-class gains and biases, which Adam moves by about g_lr per step: a larger g_lr
    train_conditional(G, D, x, y, d_loss, g_loss, steps=400, batch_size=32, lr=1e-3, g_lr=1e-2, progress=False)
    brightness = class_grid(G, per_class=16).mean((1, 2, 3)).view(K, 16)   # row k: class k
    gaps = brightness.mean(1).diff()
    assert (gaps > 3 * brightness.std(1).max()).all(), (brightness.mean(1), brightness.std(1))
