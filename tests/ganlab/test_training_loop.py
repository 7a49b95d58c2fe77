"""ganlab.training.loop: the helpers every loop shares, and the one callback signature of every loop."""
import inspect

import pytest
import torch
import torch.nn.functional as F

from ganlab import training
from ganlab.models import (ConditionalConfig, ConditionalDiscriminator, ConditionalGenerator, EncoderConfig,
                           FeatureNet, LatentEncoder, MLPConfig, MLPDiscriminator, MLPGenerator, ProDiscriminator,
                           ProGANConfig, ProGenerator, SRConfig, SRGenerator)
from ganlab.training.loop import RunningMeans, aligned_batches, cpu_generator, sampler, scalar_loss, start

pytestmark = pytest.mark.usefixtures("torch_one_thread", "seeded")


# ---------------------------------------------------------------- helpers
def test_running_means_log_means_since_the_last_entry():
    log = RunningMeans(("a", "b"), steps=7, every=3, device="cpu", latest=("stage",))
    for step in range(1, 8):
        log.add(step, [torch.tensor(float(step)), torch.tensor(2.0 * step)], flush=step == 4, stage=step // 4)
    h = log.history
    assert list(h) == ["step", "stage", "a", "b"]
    assert h["step"] == [3, 4, 6, 7]                       # every 3, the flush at 4, the last step
    assert h["a"] == [2.0, 4.0, 5.5, 7.0] and h["b"] == [4.0, 8.0, 11.0, 14.0]
    assert h["stage"] == [0, 1, 1, 1]


def test_running_means_name_the_loss_that_went_non_finite():
    log = RunningMeans(("d_loss", "g_loss"), steps=4, every=2, device="cpu", sources={"g_loss": "g_loss_fn"})
    log.add(1, [torch.tensor(1.0), torch.tensor(float("inf"))])     # not yet logged: no sync, no check
    with pytest.raises(FloatingPointError, match=r"g_loss_fn returned inf in steps 1-2: check numerical stability"):
        log.add(2, [torch.tensor(1.0), torch.tensor(1.0)])


def test_scalar_loss_checks_shape_and_cpu_finiteness():
    assert scalar_loss(torch.tensor(1.5), "f") == 1.5
    with pytest.raises(ValueError, match=r"f must return a scalar tensor \(the batch mean\), got \(2,\)"):
        scalar_loss(torch.ones(2), "f")
    with pytest.raises(ValueError, match="got float"):
        scalar_loss(1.0, "f")
    with pytest.raises(FloatingPointError, match="f returned nan"):
        scalar_loss(torch.tensor(float("nan")), "f")


def test_sampler_sources_and_seed():
    x = torch.arange(10.0).unsqueeze(1)
    a, b = sampler(x, 4, "cpu", seed=1), sampler(x, 4, "cpu", seed=1)
    assert all(torch.equal(a(), b()) for _ in range(5))
    assert sampler(lambda n: torch.zeros(n, 2), 3, "cpu")().shape == (3, 2)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x), batch_size=5)
    draw = sampler(loader, 5, "cpu")
    assert [draw()[0].item() for _ in range(3)] == [0.0, 5.0, 0.0]     # restarted after an epoch
    with pytest.raises(ValueError, match="expected a tensor, a sample.batch_size. callable or an iterable, got int"):
        sampler(3, 4, "cpu")


def test_aligned_batches_share_indices():
    x = torch.arange(6.0)
    xa, xb = next(aligned_batches(x, 10 * x, batch_size=4, seed=0))
    assert torch.equal(10 * xa, xb)
    with pytest.raises(ValueError, match=r"aligned tensors of one length, got lengths \[6, 5\]"):
        next(aligned_batches(x, x[:5], batch_size=2, seed=0))


def test_start_sets_up_the_optimisers_bar_and_log_of_a_loop():
    mlp = MLPConfig(data_shape=(2,), latent_dim=3, hidden=8, depth=1)
    gs, d = [MLPGenerator(mlp).eval(), MLPGenerator(mlp).eval()], MLPDiscriminator(mlp).eval()
    run = start(gs, d, steps=5, keys=("d_loss",), desc="x", lr=1e-3, g_lr=1e-4, betas=(0.0, 0.9), log_every=2,
                progress=False)
    assert all(m.training for m in (*gs, d)) and run.device == torch.device("cpu") and list(run.bar) == [1, 2, 3, 4, 5]
    g_params = {id(p) for m in gs for p in m.parameters()}
    assert {id(p) for p in run.g_opt.param_groups[0]["params"]} == g_params
    assert run.g_opt.defaults["lr"] == 1e-4 and run.d_opt.defaults["lr"] == 1e-3
    assert run.d_opt.defaults["betas"] == (0.0, 0.9) and list(run.log.history) == ["step", "d_loss"]
    own = torch.optim.SGD(d.parameters(), lr=0.1)
    assert start(gs[0], None, steps=1, keys=(), desc="x", lr=1e-3, betas=(0.5, 0.999), log_every=1,
                 progress=False).d_opt is None
    assert start(gs[0], d, steps=1, keys=(), desc="x", lr=1e-3, betas=(0.5, 0.999), log_every=1, progress=False,
                 d_opt=own).d_opt is own


def test_seed_none_draws_from_the_global_rng():
    torch.manual_seed(3)
    a = torch.randint(100, (5,), generator=cpu_generator(None))
    torch.manual_seed(3)
    assert torch.equal(a, torch.randint(100, (5,), generator=cpu_generator(None)))   # seed_everything reproduces it
    assert torch.equal(torch.randint(100, (5,), generator=cpu_generator(7)),
                       torch.randint(100, (5,), generator=torch.Generator().manual_seed(7)))


# ---------------------------------------------------------------- one callback signature, one set of knobs
def _critic_loss(r, f):
    return f.mean() - r.mean()


def _bce_d(r, f):
    return F.softplus(-r).mean() + F.softplus(f).mean()


def _bce_g(f):
    return F.softplus(-f).mean()


def _runs():
    """(name, run(callbacks) -> history, the networks the callback must receive)"""
    mlp = MLPConfig(data_shape=(2,), latent_dim=3, hidden=8, depth=1)
    g, d = MLPGenerator(mlp), MLPDiscriminator(mlp)
    ccfg = ConditionalConfig(image_size=8, channels=1, latent_dim=4, width=4)
    cg, cd = ConditionalGenerator(ccfg), ConditionalDiscriminator(ccfg)
    pcfg = ProGANConfig(image_size=8, channels=1, latent_dim=4, width=4)
    pg, pd = ProGenerator(pcfg), ProDiscriminator(pcfg)
    sr = SRGenerator(SRConfig(width=4, n_blocks=1, scale=2))
    unet, patch = _pix2pix_nets()
    fnet, enc = FeatureNet(width=2), LatentEncoder(EncoderConfig(image_size=8, w_dim=4, width=2, hidden=4))
    img8 = torch.rand(8, 1, 8, 8) * 2 - 1
    rgb8 = torch.rand(8, 3, 8, 8) * 2 - 1
    labels = torch.arange(8) % 10
    fake_w = torch.nn.Linear(4, 64)
    return [
        ("train_gan", lambda cb: training.train_gan(g, d, torch.randn(32, 2), _bce_d, _bce_g, steps=3, batch_size=4,
                                                    callbacks=cb, progress=False), (g, d)),
        ("train_conditional", lambda cb: training.train_conditional(
            cg, cd, img8, labels, lambda D, r, y, f, c: _bce_d(D(r, y), D(f, *c)),
            lambda D, f, c: _bce_g(D(f, *c)), steps=3, batch_size=4, callbacks=cb, progress=False), (cg, cd)),
        ("train_progressive", lambda cb: training.train_progressive(
            pg, pd, img8, _bce_d, _bce_g, lambda a, u, x: a * x + (1 - a) * u, steps_per_phase=1, batch_size=4,
            callbacks=cb, progress=False), (pg, pd)),
        ("train_pix2pix", lambda cb: training.train_pix2pix(unet, patch, img8, img8, _bce_d,
                                                            lambda lo, f, t: _bce_g(lo) + (f - t).abs().mean(),
                                                            steps=3, batch_size=4, callbacks=cb, progress=False),
         (unet, patch)),
        ("train_sr", lambda cb: training.train_sr(sr, F.avg_pool2d(rgb8, 2), rgb8, F.mse_loss, steps=3, batch_size=4,
                                                  callbacks=cb, progress=False), (sr, None)),
        ("train_feature_net", lambda cb: training.train_feature_net(fnet, rgb8, steps=3, batch_size=4, callbacks=cb,
                                                                    progress=False), (fnet, None)),
        ("train_encoder", lambda cb: training.train_encoder(enc, lambda z: z,
                                                            lambda w: torch.tanh(fake_w(w)).view(-1, 1, 8, 8),
                                                            steps=3, batch_size=4, pool=8, callbacks=cb,
                                                            progress=False), (enc, None)),
        ("train_critic", lambda cb: training.train_critic(d, lambda n: torch.randn(n, 2), lambda n: torch.randn(n, 2),
                                                          _critic_loss, steps=3, batch_size=4, callbacks=cb,
                                                          progress=False), (d, None)),
    ]


def _pix2pix_nets():
    from ganlab.models import PatchGAN, PatchGANConfig, UNetConfig, UNetGenerator
    return (UNetGenerator(UNetConfig(in_channels=1, out_channels=1, depth=2, width=2)),
            PatchGAN(PatchGANConfig(in_channels=2, width=2, n_layers=1)))


@pytest.mark.parametrize("name", [name for name, *_ in _runs()])
def test_every_loop_calls_back_after_every_step_with_one_signature(name):
    _, run, (generator, discriminator) = next(r for r in _runs() if r[0] == name)
    seen = []

    def spy(step, g, d, history):
        seen.append((step, g, d, history["step"][-1] if history["step"] else None))

    history = run([spy])
    steps = [s for s, *_ in seen]
    assert steps == list(range(1, len(steps) + 1)) and len(steps) >= 3
    assert all(g is generator and d is discriminator for _, g, d, _ in seen)
    assert history["step"][-1] == steps[-1] == seen[-1][3]


def test_cyclegan_passes_its_pairs_of_networks():
    from ganlab.models import PatchGAN, PatchGANConfig, UNetConfig, UNetGenerator
    gs = [UNetGenerator(UNetConfig(in_channels=1, out_channels=1, depth=2, width=2)) for _ in range(2)]
    ds = [PatchGAN(PatchGANConfig(in_channels=1, width=2, n_layers=1)) for _ in range(2)]
    seen = []
    x = torch.rand(8, 1, 8, 8) * 2 - 1
    training.train_cyclegan(*gs, *ds, x, x, _bce_d, _bce_g, None, steps=2, batch_size=4, progress=False,
                            callbacks=[lambda step, g, d, h: seen.append((step, g, d))])
    assert seen == [(1, tuple(gs), tuple(ds)), (2, tuple(gs), tuple(ds))]


GAN_KNOBS = {"steps", "batch_size", "lr", "g_lr", "betas", "callbacks", "log_every", "seed", "device", "progress"}


@pytest.mark.parametrize("loop", [training.train_gan, training.train_conditional, training.train_progressive,
                                  training.train_pix2pix, training.train_cyclegan, training.train_sr])
def test_gan_loops_share_their_knobs_and_document_them(loop):
    params = set(inspect.signature(loop).parameters)
    missing = GAN_KNOBS - params - ({"steps"} if loop is training.train_progressive else set())
    assert not missing, f"{loop.__name__} lacks {sorted(missing)}"
    assert loop.__doc__ and "history" in loop.__doc__


@pytest.mark.parametrize("loop", [training.train_gan, training.train_conditional, training.train_progressive,
                                  training.train_pix2pix, training.train_cyclegan, training.train_sr,
                                  training.train_feature_net, training.train_encoder])
def test_every_seed_defaults_to_the_global_rng(loop):
    assert inspect.signature(loop).parameters["seed"].default is None


def test_g_lr_sets_the_generator_learning_rate():
    mlp = MLPConfig(data_shape=(2,), latent_dim=3, hidden=8, depth=1)
    g, d = MLPGenerator(mlp), MLPDiscriminator(mlp)
    g0, d0 = [p.detach().clone() for p in g.parameters()], [p.detach().clone() for p in d.parameters()]
    training.train_gan(g, d, torch.randn(16, 2), _bce_d, _bce_g, steps=1, batch_size=4, lr=1e-3, g_lr=0.0,
                       progress=False)
    assert all(torch.equal(a, b) for a, b in zip(g0, g.parameters()))          # G's Adam at lr 0: unchanged
    assert not all(torch.equal(a, b) for a, b in zip(d0, d.parameters()))


# ---------------------------------------------------------------- a critic alone
def test_train_critic_minimises_the_loss_with_penalty_and_constraint():
    critic = MLPDiscriminator(MLPConfig(data_shape=(1,), hidden=16, depth=2))
    real = lambda n: torch.randn(n, 1) + 2.0                                     # noqa: E731
    fake = lambda n: torch.randn(n, 1) - 2.0                                     # noqa: E731
    calls = []
    history = training.train_critic(critic, real, fake, lambda r, f: f.mean() - r.mean(), steps=30, batch_size=64,
                                    penalty=lambda c, r, f: calls.append("penalty") or torch.zeros(()),
                                    after_step=lambda: calls.append("after"), log_every=10, progress=False)
    assert history["step"] == [10, 20, 30] and history["loss"][-1] < history["loss"][0] < 0
    assert calls == ["penalty", "after"] * 30
    with torch.no_grad():
        assert critic(torch.full((1, 1), 2.0)).item() > critic(torch.full((1, 1), -2.0)).item()
    with pytest.raises(ValueError, match="loss_fn must return a scalar"):
        training.train_critic(critic, real, fake, lambda r, f: f - r, steps=1, progress=False)
