"""ganlab.plot: grids, snapshots, curves, interpolation (Agg backend, set in conftest; no pixels compared)."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from matplotlib.layout_engine import TightLayoutEngine
from torch.testing import assert_close

from ganlab import data, plot
from ganlab.models import DCGANConfig, DCGANGenerator, MLPConfig, MLPGenerator

pytestmark = pytest.mark.usefixtures("torch_one_thread", "seeded", "close_figures")


def history(n=5):
    steps = list(range(10, 10 * n + 1, 10))
    return {"step": steps, "d_loss": [1.0] * n, "g_loss": [2.0] * n, "d_real": [0.7] * n, "d_fake": [0.3] * n}


# ---------------------------------------------------------------- make_grid
def test_make_grid_layout_values_and_gutters():
    x = torch.stack([torch.full((1, 2, 3), v) for v in (-1.0, 0.0, 1.0, 0.5, -0.5)])  # (5, 1, 2, 3)
    g = plot.make_grid(x, nrow=2, pad=1)
    assert isinstance(g, np.ndarray)
    assert g.shape == (3 * 2 + 2, 2 * 3 + 1, 1)  # 3 rows of 2 images, 1-pixel gutters
    assert g.min() >= 0 and g.max() <= 1
    tiles = {(r, c): g[r * 3:r * 3 + 2, c * 4:c * 4 + 3, 0] for r in range(3) for c in range(2)}
    for i, want in enumerate((0.0, 0.5, 1.0, 0.75, 0.25)):  # (v + 1) / 2, row-major
        assert np.all(tiles[divmod(i, 2)] == want), i
    assert np.all(tiles[(2, 1)] == 1.0)      # missing last image: white
    assert np.all(g[2, :, 0] == 1.0) and np.all(g[5, :, 0] == 1.0)  # horizontal gutters
    assert np.all(g[:, 3, 0] == 1.0)                              # vertical gutter


def test_make_grid_clamps_and_colour():
    x = torch.tensor([-5.0, 5.0, 0.0]).reshape(1, 3, 1, 1).repeat(3, 1, 4, 4)  # (3, 3, 4, 4)
    g = plot.make_grid(x, nrow=8, pad=0)
    assert g.shape == (4, 12, 3)  # fewer images than nrow: one row of 3
    assert_close(g[0, 0], np.array([0.0, 1.0, 0.5]))  # channels last, clamped to [-1, 1]


def test_make_grid_numpy_and_grad():
    x = np.zeros((4, 1, 2, 2), dtype=np.float32)
    assert plot.make_grid(x, nrow=4, pad=2).shape == (2, 4 * 2 + 3 * 2, 1)
    t = torch.zeros(2, 1, 2, 2, requires_grad=True)
    assert plot.make_grid(t * 1).shape == (2, 5, 1)


@pytest.mark.parametrize("images, message", [
    (torch.zeros(2, 2, 4, 4), r"images: expected 1 or 3 channels, got shape \(2, 2, 4, 4\)"),
    (torch.zeros(2, 4, 4), r"images: expected 4 dimensions, got shape \(2, 4, 4\)"),
    (torch.zeros(2, 1, 4, 4, dtype=torch.uint8), "images: expected a floating-point tensor"),
])
def test_make_grid_bad_inputs(images, message):
    with pytest.raises(ValueError, match=message):
        plot.make_grid(images)


# ---------------------------------------------------------------- image figures
def test_image_grid_new_figure_and_given_axes():
    x = torch.rand(10, 1, 8, 8) * 2 - 1
    fig = plot.image_grid(x, nrow=5, title="samples")
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    assert ax.get_title() == "samples" and not ax.axison
    shown = ax.images[0].get_array()
    assert shown.shape == (2 * 9 - 1, 5 * 9 - 1)  # grey images drawn as 2-D
    np.testing.assert_allclose(shown, plot.make_grid(x, 5)[..., 0])
    fig2, axes = plt.subplots(1, 2)
    assert plot.image_grid(torch.zeros(3, 3, 4, 4), ax=axes[1]) is fig2
    assert len(axes[1].images) == 1 and len(axes[0].images) == 0
    assert axes[1].images[0].get_array().shape == (4, 3 * 5 - 1, 3)  # colour kept


@pytest.mark.parametrize("n_snaps, max_cols, want_cols", [(1, 5, 1), (3, 5, 3), (12, 5, 5), (12, 3, 3)])
def test_snapshot_grids(n_snaps, max_cols, want_cols):
    steps = [100 * i for i in range(n_snaps)]
    samples = [torch.zeros(4, 1, 8, 8) for _ in steps]
    fig = plot.snapshot_grids(steps, samples, nrow=2, max_cols=max_cols)
    assert isinstance(fig, Figure) and len(fig.axes) == want_cols
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0] == "step 0" and titles[-1] == f"step {steps[-1]}"  # first and last always shown


@pytest.mark.parametrize("fn", [plot.snapshot_grids, plot.scatter_snapshots])
def test_snapshots_bad_inputs(fn):
    with pytest.raises(ValueError, match="expected two non-empty lists of one length, got 2 and 1"):
        fn([0, 1], [torch.zeros(2, 1, 4, 4)])
    with pytest.raises(ValueError, match="got 0 and 0"):
        fn([], [])


# ---------------------------------------------------------------- 2-D scatter
def test_scatter_2d_layers_and_limits():
    s = torch.randn(50, 2)
    fig = plot.scatter_2d(s, real=data.ring(30), means=data.ring_means(), title="ring", lim=2)
    ax = fig.axes[0]
    assert len(fig.axes) == 1 and ax.get_title() == "ring"
    offsets = [c.get_offsets() for c in ax.collections]
    assert [len(o) for o in offsets] == [30, 50, 8]  # real, generated, modes
    np.testing.assert_allclose(offsets[1], s.numpy())
    assert ax.get_xlim() == (-2, 2) and ax.get_ylim() == (-2, 2)
    assert len(plot.scatter_2d(s.numpy()).axes[0].collections) == 1


def test_scatter_snapshots():
    steps = [0, 10, 20, 30, 40, 50, 60]
    samples = [torch.randn(20, 2) for _ in steps]
    fig = plot.scatter_snapshots(steps, samples, real=data.ring(10), means=data.ring_means(), lim=1.5)
    assert isinstance(fig, Figure) and len(fig.axes) == 5
    assert [ax.get_title() for ax in fig.axes] == ["step 0", "step 20", "step 30", "step 40", "step 60"]
    assert all(len(ax.collections) == 3 for ax in fig.axes)
    assert isinstance(fig.get_layout_engine(), TightLayoutEngine)  # laid out when drawn, not before


# ---------------------------------------------------------------- curves
def test_training_curves():
    h = history()
    fig = plot.training_curves(h)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    losses, scores = fig.axes
    assert [l.get_label() for l in losses.get_lines()] == ["discriminator loss", "generator loss"]
    np.testing.assert_array_equal(losses.get_lines()[0].get_xdata(), h["step"])
    np.testing.assert_array_equal(losses.get_lines()[1].get_ydata(), h["g_loss"])
    np.testing.assert_array_equal(scores.get_lines()[1].get_ydata(), h["d_fake"])
    assert scores.get_ylim() == (-0.02, 1.02)
    assert isinstance(fig.get_layout_engine(), TightLayoutEngine)


def test_curves_bad_history():
    with pytest.raises(ValueError, match=r"missing \['g_loss'\]"):
        plot.loss_curves({"step": [1], "d_loss": [1.0]})
    with pytest.raises(ValueError, match=r"missing \['step', 'd_real', 'd_fake'\]"):
        plot.score_curves({"d_loss": [1.0]})
    with pytest.raises(ValueError, match="missing"):
        plot.training_curves({"step": [1]})


# ---------------------------------------------------------------- interpolation
@pytest.mark.parametrize("make", [
    lambda: MLPGenerator(MLPConfig(data_shape=(1, 8, 8), latent_dim=5, hidden=16, depth=2, tanh_output=True)),
    lambda: DCGANGenerator(DCGANConfig(image_size=8, channels=3, latent_dim=5, width=4)).eval(),
])
def test_interpolate_endpoints_and_midpoint(make):
    g = make()
    z0, z1 = torch.randn(5), torch.randn(5)
    out = plot.interpolate(g, z0, z1, steps=5)
    assert out.shape[0] == 5 and out.device.type == "cpu" and not out.requires_grad
    with torch.no_grad():
        assert_close(out[0], g(z0[None])[0])
        assert_close(out[-1], g(z1[None])[0])
        assert_close(out[2], g(((z0 + z1) / 2)[None])[0])
    assert not torch.allclose(out[0], out[-1])


def test_interpolate_bad_latents():
    g = MLPGenerator(MLPConfig(latent_dim=5, hidden=8, depth=1))
    with pytest.raises(ValueError, match=r"z0: expected shape \(5\), got \(1, 5\)"):
        plot.interpolate(g, torch.randn(1, 5), torch.randn(5))
    with pytest.raises(ValueError, match=r"z1: expected shape \(5\), got \(4,\)"):
        plot.interpolate(g, torch.randn(5), torch.randn(4))


def test_interpolation_strip():
    g = MLPGenerator(MLPConfig(data_shape=(1, 8, 8), latent_dim=5, hidden=8, depth=1, tanh_output=True))
    fig = plot.interpolation_strip(g, torch.randn(5), torch.randn(5), steps=6)
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    assert fig.axes[0].get_title() == "latent interpolation, 6 steps"
    assert fig.axes[0].images[0].get_array().shape == (8, 6 * 9 - 1)


# ---------------------------------------------------------------- autograding
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # matplotlib_inline's trait observer, not ours
def test_skip_drawing_shows_figures_as_text(monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.core.pylabtools import select_figure_formats
    from matplotlib_inline.config import InlineBackend

    plot.skip_drawing()  # plain Python: nothing to do
    shell = InteractiveShell.instance()
    try:
        InlineBackend.instance(parent=shell).shell = shell  # as the inline backend sets itself up in a kernel
        select_figure_formats(shell, {"png"})
        monkeypatch.setattr("IPython.get_ipython", lambda: shell)
        png = shell.display_formatter.formatters["image/png"]
        fig, _ = plt.subplots()
        assert png(fig) is not None  # drawn
        plot.skip_drawing()
        assert png(fig) is None      # not drawn: the figure shows as its text repr
    finally:
        InlineBackend.clear_instance()
        InteractiveShell.clear_instance()
