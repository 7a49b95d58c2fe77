"""ganlab.device: device choice, seeding, fast mode and budgets."""
import random

import numpy as np
import pytest
import torch

import ganlab
from ganlab import device as dev

pytestmark = pytest.mark.usefixtures("torch_one_thread")

MODE_VARS = ("NBGRADER_EXECUTION", "GANLAB_FAST", "CI")


@pytest.fixture
def clean_mode(monkeypatch):
    """No mode variable set and no set_fast_mode override, before and after the test."""
    for var in MODE_VARS:
        monkeypatch.delenv(var, raising=False)
    ganlab.set_fast_mode(None)
    yield monkeypatch
    ganlab.set_fast_mode(None)


# ---------------------------------------------------------------- pick_device
def _fake_backends(monkeypatch, cuda: bool, mps: bool | None):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    if mps is None:
        monkeypatch.delattr(torch.backends, "mps", raising=False)
    else:
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)


@pytest.mark.parametrize("cuda, mps, want", [
    (True, True, "cuda"),
    (True, False, "cuda"),
    (False, True, "mps"),
    (False, False, "cpu"),
    (False, None, "cpu"),   # a torch build without torch.backends.mps
])
def test_pick_device_order(monkeypatch, cuda, mps, want):
    _fake_backends(monkeypatch, cuda, mps)
    got = ganlab.pick_device()
    assert isinstance(got, torch.device)
    assert got.type == want


def test_pick_device_prefer_wins(monkeypatch):
    _fake_backends(monkeypatch, True, True)
    assert ganlab.pick_device("cpu") == torch.device("cpu")
    assert ganlab.pick_device(prefer="cuda:1") == torch.device("cuda", 1)


# ---------------------------------------------------------------- seed_everything
def _draw():
    return random.random(), np.random.rand(3).tolist(), torch.randn(3).tolist()


def test_seed_everything_repeats_all_generators():
    ganlab.seed_everything(123)
    first = _draw()
    ganlab.seed_everything(123)
    assert _draw() == first
    ganlab.seed_everything(124)
    other = _draw()
    for a, b in zip(first, other):
        assert a != b


def test_seed_everything_large_seed_is_reduced_for_numpy():
    ganlab.seed_everything(2**32 + 5)  # numpy only takes seeds < 2**32
    a = np.random.rand()
    np.random.seed(5)
    assert a == np.random.rand()


@pytest.mark.parametrize("bad", ["1", 1.0, True, None])
def test_seed_everything_rejects_non_int(bad):
    with pytest.raises(ValueError, match=type(bad).__name__):
        ganlab.seed_everything(bad)


# ---------------------------------------------------------------- fast mode
def test_fast_mode_off_by_default(clean_mode):
    assert ganlab.fast_mode() is False
    assert ganlab.grading() is False


@pytest.mark.parametrize("value", ["1", "true", "YES", " on "])
def test_ganlab_fast_true_values(clean_mode, value):
    clean_mode.setenv("GANLAB_FAST", value)
    assert ganlab.fast_mode() is True


@pytest.mark.parametrize("value", ["0", "false", "No", "off"])
def test_ganlab_fast_false_values_beat_ci(clean_mode, value):
    clean_mode.setenv("CI", "true")
    clean_mode.setenv("GANLAB_FAST", value)
    assert ganlab.fast_mode() is False


def test_ci_turns_fast_mode_on(clean_mode):
    clean_mode.setenv("CI", "true")
    assert ganlab.fast_mode() is True


def test_unrecognised_ganlab_fast_falls_through_to_ci(clean_mode):
    clean_mode.setenv("GANLAB_FAST", "maybe")
    assert ganlab.fast_mode() is False
    clean_mode.setenv("CI", "1")
    assert ganlab.fast_mode() is True


def test_set_fast_mode_beats_environment(clean_mode):
    clean_mode.setenv("GANLAB_FAST", "1")
    clean_mode.setenv("CI", "true")
    ganlab.set_fast_mode(False)
    assert ganlab.fast_mode() is False
    clean_mode.setenv("GANLAB_FAST", "0")
    clean_mode.delenv("CI")
    ganlab.set_fast_mode(True)
    assert ganlab.fast_mode() is True
    ganlab.set_fast_mode(None)  # back to the environment: GANLAB_FAST=0
    assert ganlab.fast_mode() is False


def test_grading_beats_everything(clean_mode):
    clean_mode.setenv("NBGRADER_EXECUTION", "autograde")
    clean_mode.setenv("GANLAB_FAST", "0")
    ganlab.set_fast_mode(False)
    assert ganlab.grading() is True
    assert ganlab.fast_mode() is True


def test_empty_nbgrader_execution_is_not_grading(clean_mode):
    clean_mode.setenv("NBGRADER_EXECUTION", "")
    assert ganlab.grading() is False
    assert ganlab.fast_mode() is False


@pytest.mark.parametrize("bad", [1, 0, "yes", "on"])
def test_set_fast_mode_rejects_non_bool(clean_mode, bad):
    with pytest.raises(ValueError, match=repr(bad)):
        ganlab.set_fast_mode(bad)
    assert dev._fast_override is None


# ---------------------------------------------------------------- budget
def test_budget_full_mode(clean_mode):
    assert ganlab.budget(1000, 10) == 1000
    assert ganlab.budget(1000, 10, grade=2) == 1000


def test_budget_fast_mode(clean_mode):
    ganlab.set_fast_mode(True)
    assert ganlab.budget(1000, 10) == 10
    assert ganlab.budget(1000, 10, grade=2) == 10  # `grade` only while autograding


def test_budget_grading(clean_mode):
    clean_mode.setenv("NBGRADER_EXECUTION", "autograde")
    assert ganlab.budget(1000, 10) == 10       # grade defaults to fast
    assert ganlab.budget(1000, 10, grade=2) == 2
    assert ganlab.budget(1000, 10, grade=0) == 0  # a falsy grade value is still used


# ---------------------------------------------------------------- in_colab, describe
def test_in_colab(monkeypatch):
    real_find_spec = dev.importlib.util.find_spec
    monkeypatch.setattr(dev.importlib.util, "find_spec",
                        lambda name: object() if name == "google.colab" else real_find_spec(name))
    assert ganlab.in_colab() is True
    monkeypatch.setattr(dev.importlib.util, "find_spec", lambda name: None)
    assert ganlab.in_colab() is False


def test_describe_reports_device_and_mode(clean_mode):
    line = ganlab.describe(torch.device("cpu"))
    assert line.startswith("device: cpu |")
    assert f"torch {torch.__version__}" in line
    assert "fast mode: off" in line and "autograding" not in line
    clean_mode.setenv("NBGRADER_EXECUTION", "autograde")
    line = ganlab.describe(torch.device("cpu"))
    assert "fast mode: ON" in line and line.endswith("| autograding")
