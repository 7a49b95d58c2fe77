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
