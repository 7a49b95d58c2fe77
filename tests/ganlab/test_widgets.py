"""ganlab.widgets: the latent interpolation slider works headless (Agg, no notebook)."""
import sys

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from ganlab import plot, widgets
from ganlab.models import MLPConfig, MLPGenerator

pytestmark = pytest.mark.usefixtures("torch_one_thread", "seeded", "close_figures")


@pytest.fixture
def generator():
    return MLPGenerator(MLPConfig(data_shape=(1, 8, 8), latent_dim=5, hidden=8, depth=1, tanh_output=True))


def figure_titles():
    return [plt.figure(n).axes[0].get_title() for n in plt.get_fignums()]


def test_latent_interpolation_headless(generator):
    z0, z1 = torch.randn(5), torch.randn(5)
    plt.close("all")
    result = widgets.latent_interpolation(generator, z0, z1, steps=4)
    # the static strip is always drawn first, then the slider's figure at t = 0.5
    assert figure_titles()[0] == "latent interpolation, 4 steps"
    pytest.importorskip("ipywidgets")
    assert callable(result) and hasattr(result, "widget")
    slider = result.widget.children[0]
    assert (slider.min, slider.max, slider.value, slider.description) == (0.0, 1.0, 0.5, "t")
    assert figure_titles() == ["latent interpolation, 4 steps", "t = 0.50"]
    slider.value = 0.25  # moving the slider draws G((1 - t) z0 + t z1)
    assert figure_titles()[-1] == "t = 0.25"
    shown = plt.figure(plt.get_fignums()[-1]).axes[0].images[0].get_array()
    with torch.no_grad():
        want = plot.make_grid(generator((0.75 * z0 + 0.25 * z1)[None]), nrow=1)[..., 0]
    np.testing.assert_allclose(shown, want, atol=1e-6)


def test_latent_interpolation_without_ipywidgets(generator, monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import ipywidgets -> ImportError
    plt.close("all")
    assert widgets.latent_interpolation(generator, torch.randn(5), torch.randn(5), steps=3) is None
    assert figure_titles() == ["latent interpolation, 3 steps"]


def test_latent_interpolation_bad_latent(generator):
    with pytest.raises(ValueError, match=r"z0: expected shape \(5\)"):
        widgets.latent_interpolation(generator, torch.randn(3), torch.randn(5))


# ---------------------------------------------------------------- train_panel
class Recorder:
    """A `train` function that records its settings and draws one titled figure."""

    def __init__(self):
        self.calls = []

    def __call__(self, **settings):
        self.calls.append(settings)
        fig, ax = plt.subplots()
        ax.set_title(f"run {len(self.calls)}: {settings}")


CONTROLS = {"loss": ("vanilla", ["vanilla", "lsgan"]),
            "d_steps": (1, [1, 2, 5]),
            "lr": (1e-4, [("1e-4", 1e-4), ("1e-3", 1e-3)])}


def test_train_panel_runs_the_defaults_then_waits_for_the_button():
    train = Recorder()
    plt.close("all")
    result = widgets.train_panel(train, CONTROLS)
    assert train.calls == [{"loss": "vanilla", "d_steps": 1, "lr": 1e-4}]  # headless: the defaults, once
    assert len(plt.get_fignums()) >= 1
    pytest.importorskip("ipywidgets")
    assert callable(result) and hasattr(result, "widget")
    loss, d_steps, lr = result.widget.children[:3]
    assert (loss.description, loss.value, list(loss.options)) == ("loss", "vanilla", ["vanilla", "lsgan"])
    assert (lr.value, [label for label, _ in lr.options]) == (1e-4, ["1e-4", "1e-3"])
    loss.value, d_steps.value, lr.value = "lsgan", 5, 1e-3
    assert len(train.calls) == 1                       # changing a setting does not train...
    button = result.widget.manual_button
    assert button.description == "train"
    button.click()                                     # ...the button does
    assert train.calls[-1] == {"loss": "lsgan", "d_steps": 5, "lr": 1e-3}


def test_train_panel_without_ipywidgets(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    train = Recorder()
    plt.close("all")
    assert widgets.train_panel(train, {"k": (2, [1, 2])}) is None
    assert train.calls == [{"k": 2}]
    assert figure_titles() == ["run 1: {'k': 2}"]


@pytest.mark.parametrize("controls, message", [
    ({}, "at least one setting"),
    ({"k": (3, [1, 2])}, r"the default 3 is not among the options \[1, 2\]"),
    ({"k": 3}, r"controls\['k'\]: expected \(default, \[options...\]\)"),
    ({"k": (1, [])}, r"controls\['k'\]: expected \(default, \[options...\]\)"),
])
def test_train_panel_bad_controls(controls, message):
    train = Recorder()
    with pytest.raises(ValueError, match=message):
        widgets.train_panel(train, controls)
    assert train.calls == []


# ---------------------------------------------------------------- code_traversal (InfoGAN)
@pytest.fixture
def infogan():
    from ganlab.models import ConditionalConfig, InfoGANGenerator
    return InfoGANGenerator(ConditionalConfig(image_size=8, latent_dim=5, n_classes=3, n_cont=2, width=4))


def test_code_traversal_headless(infogan):
    from ganlab.models import traverse
    plt.close("all")
    result = widgets.code_traversal(infogan, steps=4, rows=2)
    static = plt.figure(plt.get_fignums()[0]).axes   # one panel per code: c1, c2, c3
    assert [ax.get_title() for ax in static] == [
        "columns: c1 = 0..2; rows: other z and codes",
        "columns: c2 from -2 to 2; rows: c1 = 0..2", "columns: c3 from -2 to 2; rows: c1 = 0..2"]
    want = plot.make_grid(traverse(infogan, 1, steps=4, span=2.0), nrow=4)[..., 0]
    np.testing.assert_allclose(static[2].images[0].get_array(), want, atol=1e-6)
    pytest.importorskip("ipywidgets")
    code, span, seed = result.widget.children[:3]
    assert code.options == ("c1 (categorical)", "c2 (continuous)", "c3 (continuous)")
    code.value, span.value = "c2 (continuous)", 1.0        # each change draws the chosen traversal
    assert figure_titles()[-1] == "columns: c2 from -1 to 1; rows: c1 = 0..2"


def test_code_traversal_without_ipywidgets(infogan, monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    plt.close("all")
    assert widgets.code_traversal(infogan, steps=3, rows=2) is None
    assert len(plt.get_fignums()) == 1 and len(plt.figure(plt.get_fignums()[0]).axes) == 3
