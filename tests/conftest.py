# ---------------------------------------------------------------- ganlab unit-test fixtures
# Used by tests/test_<module>.py (one file per ganlab module). Headless plotting is set here,
# before anything imports matplotlib.pyplot.
import matplotlib

matplotlib.use("Agg")

import socket  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import ganlab  # noqa: E402

# ---------------------------------------------------------------- the order `make test` hands files out
# The slowest files (minutes each, on the 2-core CI machine), slowest first; every other file takes under a
# minute. `make test` (`--dist loadfile --no-loadscope-reorder`) gives each worker the next file in this order,
# so the long files start at once and the short unit files fill the end instead of one long file running alone.
SLOWEST_FIRST = (
    "tests/test_colab.py", "tests/test_autograde_roundtrip.py", "tests/test_grade_workflow.py",
    "tests/test_browser.py", "tests/test_redteam.py", "tests/test_release.py", "tests/test_autograde_inprocess.py",
    "solutions/02_", "solutions/",
)


def pytest_collection_modifyitems(items):
    def rank(item):
        return next((i for i, p in enumerate(SLOWEST_FIRST) if item.nodeid.startswith(p)), len(SLOWEST_FIRST))

    items.sort(key=rank)   # stable: a file's tests keep their order


@pytest.fixture(scope="module")
def torch_one_thread():
    """One intra-op thread for the module: the unit tests run tiny ops, and on a busy 2-core
    machine two spinning OpenMP threads make them over 10x slower. Restored afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def seeded():
    """Python, NumPy and torch seeded with 0."""
    ganlab.seed_everything(0)


@pytest.fixture
def close_figures():
    """Close every matplotlib figure a test opened."""
    yield
    plt.close("all")


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a socket connection fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("a unit test tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="session")
def digits16():
    """scikit-learn digits at 16x16: images (1797, 1, 16, 16) in [-1, 1], labels (1797,)."""
    return ganlab.data.digits(16)


@pytest.fixture(scope="session")
def trained_classifier(digits16):
    """(DigitClassifier, held-out accuracy) trained once per session with the default settings."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        model, acc = ganlab.training.train_classifier(*digits16)
    finally:
        torch.set_num_threads(before)
    return model, acc
# ---------------------------------------------------------------- end of ganlab unit-test fixtures
