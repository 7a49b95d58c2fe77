# ---------------------------------------------------------------- ganlab unit-test fixtures
# Used by tests/test_<module>.py (one file per ganlab module). Headless plotting is set here,
# before anything imports matplotlib.pyplot.
import matplotlib

matplotlib.use("Agg")

import os  # noqa: E402
import pathlib  # noqa: E402
import socket  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import ganlab  # noqa: E402
from instructor.config import ROOT, Course  # noqa: E402

# ---------------------------------------------------------------- the order `make test` hands files out
# The slowest files (minutes each, on the 2-core CI machine), slowest first; every other file takes under a
# minute. `make test` (`--dist loadfile --no-loadscope-reorder`) gives each worker the next file in this order,
# so the long files start at once and the short unit files fill the end instead of one long file running alone.
SOURCES = Course().source("").relative_to(ROOT).as_posix()   # the instructor notebooks' folder: nbval runs them
SLOWEST_FIRST = (
    "tests/end_to_end/test_colab.py", "tests/end_to_end/test_autograde_roundtrip.py",
    "tests/end_to_end/test_grade_workflow.py", "tests/end_to_end/test_browser.py", "tests/end_to_end/test_redteam.py",
    "tests/instructor/test_release.py", "tests/instructor/test_autograde_inprocess.py",
    f"{SOURCES}/02_", f"{SOURCES}/",
)


def pytest_collection_modifyitems(items):
    _add_claim_checks(items)

    def rank(item):
        return next((i for i, p in enumerate(SLOWEST_FIRST) if item.nodeid.startswith(p)), len(SLOWEST_FIRST))

    items.sort(key=rank)   # stable: a file's tests keep their order


# ---------------------------------------------------------------- checked claims (tests/claims.py)
# Every notebook that nbval runs gets one more item after its last cell, `<notebook>::claims`: it compares the
# numbers its prose claims (and the fast-mode time its introduction states) with what this run of its cells
# printed (nbval keeps each cell's outputs on its item), and with its kernel's CPU time. Same file, so the same
# xdist worker; no second execution.
class NotebookClaims(pytest.Item):
    def __init__(self, *, cells, **kwargs):
        super().__init__(**kwargs)
        self.cells = cells            # the notebook's IPyNbCell items

    def runtest(self):
        from tests import claims as checked, machine_speed

        if not ganlab.fast_mode():
            pytest.skip("claims state fast-mode numbers; this run is not in fast mode")
        missing = [c.cell_num for c in self.cells if c.test_outputs is None]
        assert not missing, (f"cells {missing} of this notebook did not run in this session: the claims are checked "
                             "on a run of the whole notebook")
        output = "\n".join("".join(o.get("text", "") for o in c.test_outputs if o.get("name") == "stdout")
                           for c in self.cells)
        if os.environ.get("GANLAB_PRINTED_DIR"):    # keep what the run printed, to update the claims from it
            folder = pathlib.Path(os.environ["GANLAB_PRINTED_DIR"])
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{self.path.stem}.txt").write_text(output)
        claims, stated, problems = checked.parse(self.parent.nb.cells)
        problems += [p for p in (c.check(output) for c in claims) if p]
        cpu, slowdown = _kernel_cpu_seconds(self.parent), machine_speed.slowdown()
        print(f"{self.parent.nodeid}: {len(claims)} claims; kernel CPU time {cpu:.0f} s, {cpu / slowdown:.0f} s on the "
              f"reference machine (this one is {slowdown:.2f} times as slow now), stated {stated} s")
        if stated is None:
            problems.append("the introduction states no fast-mode time (<!-- fast-mode time: N s -->)")
        else:
            problems += [p for p in [checked.check_time(stated, cpu, slowdown)] if p]
        assert not problems, "prose and run disagree:\n" + "\n".join(problems)

    def reportinfo(self):
        return self.path, None, f"{self.parent.nodeid}::claims"


def _kernel_cpu_seconds(collector):
    """CPU seconds (user + system, its children included) of nbval's kernel for this notebook, so far."""
    import psutil

    process = psutil.Process(collector.kernel.km.provisioner.pid)
    times = process.cpu_times()
    return times.user + times.system + times.children_user + times.children_system


def _add_claim_checks(items):
    by_notebook = {}
    for item in items:
        if type(item).__name__ == "IPyNbCell":
            by_notebook.setdefault(item.parent, []).append(item)
    for notebook, cells in by_notebook.items():
        check = NotebookClaims.from_parent(notebook, name="claims", cells=cells)
        items.insert(items.index(cells[-1]) + 1, check)


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
