"""ganlab.training.gan: the generic GAN loop, its history, hooks and checks, and SampleSnapshots."""
import pytest
import torch
import torch.nn.functional as F

import ganlab
from ganlab import data
from ganlab.models import MLPConfig, MLPDiscriminator, MLPGenerator
from ganlab.training import HISTORY_KEYS, SampleSnapshots, train_gan

pytestmark = pytest.mark.usefixtures("torch_one_thread", "seeded")


def bce_d(real_scores, fake_scores):  # standard (non-saturating) GAN losses on logits
    return F.softplus(-real_scores).mean() + F.softplus(fake_scores).mean()


def bce_g(fake_scores):
    return F.softplus(-fake_scores).mean()


def tiny(shape=(2,), latent_dim=3):
    cfg = MLPConfig(data_shape=shape, latent_dim=latent_dim, hidden=8, depth=1)
    return MLPGenerator(cfg), MLPDiscriminator(cfg)


def params(model):
    return torch.cat([p.detach().flatten().clone() for p in model.parameters()])


class Counter:
    """A loss that returns (0 * scores).mean() + the number of times it was called."""

    def __init__(self):
        self.calls = 0

    def __call__(self, *scores):
        self.calls += 1
        return sum((0 * s).mean() for s in scores) + float(self.calls)


# ---------------------------------------------------------------- history
def test_history_on_ring():
    g, d = tiny()
    h = train_gan(g, d, data.ring(512), bce_d, bce_g, steps=25, batch_size=16, log_every=10, progress=False)
    assert tuple(h) == HISTORY_KEYS
    assert h["step"] == [10, 20, 25]  # every log_every steps, plus the last
    assert all(len(v) == 3 for v in h.values())
    for key in ("d_loss", "g_loss"):
        assert all(isinstance(v, float) and v > 0 for v in h[key])
    for key in ("d_real", "d_fake"):
        assert all(0 < v < 1 for v in h[key])


class FirstCoordinate(torch.nn.Module):
    """A frozen 'discriminator' whose score is the sample's first coordinate."""

    def __init__(self):
        super().__init__()
        self.unused = torch.nn.Parameter(torch.zeros(()))

    def forward(self, x):
        return x[:, 0] + 0 * self.unused


def test_history_scores_are_raw_means_and_sigmoid_means():
    g, _ = tiny()
    with torch.no_grad():  # G(z) = (-1, 0.5) for every z
        g.net[-1].weight.zero_()
        g.net[-1].bias.copy_(torch.tensor([-1.0, 0.5]))
    d = FirstCoordinate()
    real = torch.tensor([[1.0, 0.0], [3.0, 0.0]]).repeat(8, 1)  # scores 1 and 3, half each
    frozen = dict(d_opt=torch.optim.SGD(d.parameters(), lr=0.0), g_opt=torch.optim.SGD(g.parameters(), lr=0.0))
    h = train_gan(g, d, real, bce_d, bce_g, steps=6, batch_size=16, log_every=3, progress=False, **frozen)
    s = torch.sigmoid
    assert h["real_score"] == pytest.approx([2.0, 2.0])
    assert h["fake_score"] == pytest.approx([-1.0, -1.0])
    assert h["d_real"] == pytest.approx([((s(torch.tensor(1.0)) + s(torch.tensor(3.0))) / 2).item()] * 2)
    assert h["d_fake"] == pytest.approx([s(torch.tensor(-1.0)).item()] * 2)
    want_d = (F.softplus(-torch.tensor([1.0, 3.0])).mean() + F.softplus(torch.tensor(-1.0))).item()
    assert h["d_loss"] == pytest.approx([want_d] * 2)
    assert h["g_loss"] == pytest.approx([F.softplus(torch.tensor(1.0)).item()] * 2)


def test_history_averages_each_logging_window():
    g, d = tiny()
    d_loss, g_loss = Counter(), Counter()
    h = train_gan(g, d, data.ring(256), d_loss, g_loss, steps=25, batch_size=8, log_every=10, progress=False)
    assert h["step"] == [10, 20, 25]
    # call k returns k: the window means of 1..10, 11..20, 21..25
    assert h["d_loss"] == pytest.approx([5.5, 15.5, 23.0])
    assert h["g_loss"] == pytest.approx([5.5, 15.5, 23.0])


def test_log_every_one_and_steps_below_log_every():
    g, d = tiny()
    h = train_gan(g, d, data.ring(64), Counter(), Counter(), steps=4, batch_size=8, log_every=1, progress=False)
    assert h["step"] == [1, 2, 3, 4] and h["d_loss"] == pytest.approx([1, 2, 3, 4])
    h = train_gan(g, d, data.ring(64), Counter(), Counter(), steps=3, batch_size=8, log_every=100, progress=False)
    assert h["step"] == [3] and h["g_loss"] == pytest.approx([2.0])


# ---------------------------------------------------------------- hooks
@pytest.mark.parametrize("n_critic", [1, 3, 5])
def test_n_critic_and_hooks(n_critic):
    g, d = tiny()
    d_loss, g_loss = Counter(), Counter()
    penalties, after, seen = [], [], []

    def penalty(disc, real, fake):
        penalties.append((disc, real.shape, fake.shape))
        return torch.tensor(100.0)

    def callback(step, generator, discriminator, history):
        assert generator is g and discriminator is d
        seen.append((step, len(history["step"])))

    steps = 4
    h = train_gan(g, d, data.ring(256), d_loss, g_loss, steps=steps, batch_size=8, n_critic=n_critic,
                  d_penalty=penalty, after_d_step=lambda: after.append(1), callbacks=[callback],
                  log_every=1, progress=False)
    assert d_loss.calls == steps * n_critic
    assert g_loss.calls == steps
    assert len(penalties) == len(after) == steps * n_critic
    assert all(p == (d, (8, 2), (8, 2)) for p in penalties)
    assert seen == [(s, s) for s in range(1, steps + 1)]  # every step, after logging
    # the logged D loss is the last critic update's loss, penalty included
    assert h["d_loss"] == pytest.approx([100 + n_critic * s for s in range(1, steps + 1)])


@pytest.mark.parametrize("n_critic, g_steps", [(1, 2), (2, 3)])
def test_g_steps(n_critic, g_steps):
    g, d = tiny()
    d_loss, g_loss = Counter(), Counter()
    h = train_gan(g, d, data.ring(256), d_loss, g_loss, steps=3, batch_size=8, n_critic=n_critic,
                  g_steps=g_steps, log_every=1, progress=False)
    assert d_loss.calls == 3 * n_critic and g_loss.calls == 3 * g_steps
    assert h["step"] == [1, 2, 3]
    # the logged G loss is the last generator update's loss
    assert h["g_loss"] == pytest.approx([g_steps * s for s in range(1, 4)])


def test_custom_optimizers_are_used():
    g, d = tiny()
    g0, d0 = params(g), params(d)
    d_opt = torch.optim.SGD(d.parameters(), lr=0.0)
    train_gan(g, d, data.ring(256), bce_d, bce_g, steps=3, batch_size=8, d_opt=d_opt, progress=False)
    assert torch.equal(params(d), d0)      # lr 0: D frozen
    assert not torch.equal(params(g), g0)  # default Adam on G


def test_data_as_callable_and_as_iterable():
    g, d = tiny()
    reals = []

    def penalty(disc, real, fake):
        reals.append(real.clone())
        return torch.zeros(())

    train_gan(g, d, lambda n: torch.full((n, 2), 7.0), bce_d, bce_g, steps=2, batch_size=4,
              d_penalty=penalty, progress=False)
    assert all(torch.equal(r, torch.full((4, 2), 7.0)) for r in reals)
    reals.clear()
    loader = [(torch.full((5, 2), float(i)), torch.zeros(5)) for i in range(3)]  # (x, y) like a DataLoader
    train_gan(g, d, loader, bce_d, bce_g, steps=3, batch_size=5, d_penalty=penalty, progress=False)
    assert [r[0, 0].item() for r in reals] == [0.0, 1.0, 2.0]


def test_finite_iterable_is_reused_across_epochs():
    """A DataLoader-like iterable ends after one epoch; training goes on into the next."""
    g, d = tiny()
    firsts = []
    loader = [torch.full((4, 2), float(i)) for i in range(3)]
    train_gan(g, d, loader, bce_d, bce_g, steps=7, batch_size=4, progress=False,
              d_penalty=lambda disc, real, fake: firsts.append(real[0, 0].item()) or torch.zeros(()))
    assert firsts == [0.0, 1.0, 2.0, 0.0, 1.0, 2.0, 0.0]


def test_train_puts_models_in_train_mode():
    g, d = tiny()
    g.eval(), d.eval()
    train_gan(g, d, data.ring(64), bce_d, bce_g, steps=1, batch_size=8, progress=False)
    assert g.training and d.training


def test_progress_bar_switch(capsys):
    g, d = tiny()
    train_gan(g, d, data.ring(64), bce_d, bce_g, steps=2, batch_size=8, progress=False)
    assert "training" not in capsys.readouterr().err
    train_gan(g, d, data.ring(64), bce_d, bce_g, steps=2, batch_size=8, progress=True)
    assert "training" in capsys.readouterr().err


# ---------------------------------------------------------------- SampleSnapshots
def test_sample_snapshots():
    g, d = tiny()
    noise = torch.randn(10, 3)
    snaps = SampleSnapshots(noise, every=4)
    snaps.take(0, g)
    first = g(noise).detach()
    train_gan(g, d, data.ring(256), bce_d, bce_g, steps=12, batch_size=8, callbacks=[snaps], progress=False)
    assert snaps.steps == [0, 4, 8, 12]
    assert len(snaps.samples) == 4
    assert all(s.shape == (10, 2) and s.device.type == "cpu" and not s.requires_grad for s in snaps.samples)
    assert torch.equal(snaps.samples[0], first)
    with torch.no_grad():
        assert torch.equal(snaps.samples[-1], g(noise))  # step 12 is the last step
    assert not torch.equal(snaps.samples[0], snaps.samples[-1])


@pytest.mark.parametrize("bad", [0, -2, 1.5])
def test_sample_snapshots_bad_every(bad):
    with pytest.raises(ValueError, match=f"every: expected a positive int, got {bad}"):
        SampleSnapshots(torch.randn(2, 3), every=bad)


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize("which, loss, message", [
    ("d", lambda r, f: r - f, r"d_loss_fn must return a scalar tensor \(the batch mean\), got \(8,\)"),
    ("d", lambda r, f: 1.0, "d_loss_fn must return a scalar tensor .*got float"),
    ("g", lambda f: -f.unsqueeze(1), r"g_loss_fn must return a scalar tensor .*got \(8, 1\)"),
])
def test_non_scalar_loss_raises(which, loss, message):
    g, d = tiny()
    d_fn, g_fn = (loss, bce_g) if which == "d" else (bce_d, loss)
    with pytest.raises(ValueError, match=message):
        train_gan(g, d, data.ring(64), d_fn, g_fn, steps=2, batch_size=8, progress=False)


@pytest.mark.parametrize("which, bad", [("d", float("nan")), ("d", float("inf")), ("g", float("-inf"))])
def test_non_finite_loss_raises(which, bad):
    g, d = tiny()

    def broken(*scores):
        return scores[0].mean() * 0 + bad

    d_fn, g_fn = (broken, bce_g) if which == "d" else (bce_d, broken)
    with pytest.raises(FloatingPointError, match=f"{which}_loss_fn returned {bad}"):
        train_gan(g, d, data.ring(64), d_fn, g_fn, steps=2, batch_size=8, progress=False)


def test_generator_needs_latent_dim():
    g, d = tiny()
    plain = torch.nn.Sequential(torch.nn.Linear(3, 2))
    with pytest.raises(ValueError, match="int `latent_dim`"):
        train_gan(plain, d, data.ring(64), bce_d, bce_g, steps=1, progress=False)
    g.latent_dim = 3.0
    with pytest.raises(ValueError, match="int `latent_dim`"):
        train_gan(g, d, data.ring(64), bce_d, bce_g, steps=1, progress=False)


@pytest.mark.parametrize("kwargs, message", [
    (dict(steps=0), "steps: expected a positive int, got 0"),
    (dict(batch_size=-1), "batch_size: expected a positive int, got -1"),
    (dict(n_critic=2.0), "n_critic: expected a positive int, got 2.0"),
    (dict(g_steps=0), "g_steps: expected a positive int, got 0"),
    (dict(log_every=0), "log_every: expected a positive int, got 0"),
])
def test_bad_settings_raise(kwargs, message):
    g, d = tiny()
    with pytest.raises(ValueError, match=message):
        train_gan(g, d, data.ring(64), bce_d, bce_g, progress=False, **kwargs)


def test_bad_data_raises():
    g, d = tiny()
    with pytest.raises(ValueError, match="data: expected a tensor, a sample.*got int"):
        train_gan(g, d, 5, bce_d, bce_g, steps=1, progress=False)


# ---------------------------------------------------------------- it learns
def test_short_run_moves_generator_to_the_data():
    """200 steps of the standard GAN on N(3, 0.5) in 1-D bring G's mean from ~0 to ~3
    (seeds 0-7 all end within 0.2 of 3; the bound here is 0.5)."""
    ganlab.seed_everything(0)
    cfg = MLPConfig(data_shape=(1,), latent_dim=4, hidden=16, depth=2)
    g, d = MLPGenerator(cfg), MLPDiscriminator(cfg)
    real = 3.0 + 0.5 * torch.randn(2048, 1)
    z = torch.randn(2000, 4)
    with torch.no_grad():
        before = g(z).mean().item()
    h = train_gan(g, d, real, bce_d, bce_g, steps=200, batch_size=64, lr=2e-3, log_every=50, progress=False)
    with torch.no_grad():
        out = g(z)
    assert abs(before - 3.0) > 2.5
    assert abs(out.mean().item() - 3.0) < 0.5
    assert 0.1 < out.std().item() < 1.5  # spread out, not collapsed to a point or blown up
    # near equilibrium at the end: D can no longer tell real from fake
    assert abs(h["d_real"][-1] - 0.5) < 0.1 and abs(h["d_fake"][-1] - 0.5) < 0.1
