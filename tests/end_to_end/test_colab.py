"""The student's path on Colab, emulated (tests/colab_env.py): Python 3.13 with Colab's versions
(tests/colab/requirements.txt). Every released notebook, taken from the student repository's tree (`make publish`),
runs alone in an empty folder of a fresh Colab venv; its set-up cell installs ganlab from the wheel at the online
address (served from 127.0.0.1), with the reference answers (written ones too) filled in, in fast mode. Saved as Colab
saves it, each notebook then gets full marks from `make grade`'s code path (the marked exercise also without
nbgrader's cell metadata). Also on Colab's stack: installing ganlab changes none of Colab's packages; a notebook of a
newer release upgrades an installed ganlab; every ganlab.widgets callback draws in a Colab kernel (ipywidgets 7.7);
ganlab's unit tests pass (tests/ganlab)."""
import json
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from instructor import notebooks
from instructor.config import ROOT, Course
from instructor.grading import grade
from instructor.release import bundle, links, setup_cell, version
from tests import colab_env
from tests.autograde import cli
from tests.colab import venv as colab

pytestmark = pytest.mark.slow
RELEASES = Course().releases()
ASSIGNMENTS = [p.parent.name for p in RELEASES]
PARALLEL = 2  # notebooks at a time (the CI machine has 2 cores)
# Students as the grader sees them: every lecture saved by Colab as is; the marked exercise also from a student
# whose editor dropped nbgrader's metadata (restored before grading; every lecture's restore: test_submissions.py).
STUDENTS = {"colab": True, "colab_stripped": False}
STRIPPED_TOO = "04_wgan_gp"


def students(assignment: str) -> dict[str, bool]:
    """student -> whether the Colab save keeps nbgrader's cell metadata."""
    return STUDENTS if assignment == STRIPPED_TOO else {"colab": True}


def pointed_at(nb, base: str):
    """`nb` with its set-up cell's online address moved from the student repository to `base`, nothing else."""
    setup = setup_cell.cell(nb)
    online = links.raw_url("")
    assert setup.source.count(online) == 1, f"the set-up cell should download from {online} once"
    setup.source = setup.source.replace(online, base)
    return nb


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """assignment -> (executed notebook, seconds) or the exception that stopped it."""
    tmp = tmp_path_factory.mktemp("colab")
    colab_env.colab_venv_base()  # built once, before the threads use it
    tree = bundle.build(tmp / "dist").folder  # the student repository's tree

    def one(release):  # in a thread of its own; an exception is returned for the notebook's own test to report
        assignment = release.parent.name
        try:
            venv = tmp / f"venv-{assignment}"
            colab_env.colab_venv(venv)
            nb = colab_env.filled(tree / links.lecture_path(release))
            original = setup_cell.cell(nb).source
            nb, seconds = colab_env.run_in_colab(pointed_at(nb, base), venv, tmp / "content" / assignment,
                                                 tmp / "kernels")
            setup_cell.cell(nb).source = original  # the student's notebook says github, not 127.0.0.1
            return nb, seconds
        except Exception as error:  # noqa: BLE001
            return error

    with colab_env.serve(tree) as base, ThreadPoolExecutor(PARALLEL) as pool:
        results = list(pool.map(one, RELEASES))
    for assignment, result in zip(ASSIGNMENTS, results):
        print(f"colab emulation: {assignment}: " + (f"{result[1]:.0f} s, longest pause between cells "
                                                    f"{colab_env.longest_pause(result[0]):.1f} s"
                                                    if isinstance(result, tuple) else "failed"))
    return dict(zip(ASSIGNMENTS, results))


def _executed(executed, assignment):
    result = executed[assignment]
    if isinstance(result, BaseException):
        pytest.fail(f"{assignment} failed on the emulated Colab: {str(result)[-3000:]}")
    return result[0]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_notebook_runs_on_colab_after_installing_ganlab_from_the_online_wheel(executed, assignment):
    nb = _executed(executed, assignment)
    out = notebooks.printed(setup_cell.cell(nb))
    assert setup_cell.split(setup_cell.cell(nb).source)[0] == setup_cell.install_block()
    wheel = setup_cell.wheel_name()
    served = rf"http://127\.0\.0\.1:\d+/{re.escape(wheel)}"
    assert re.search(rf"installing ganlab {re.escape(version.current())} from {served}", out), \
        f"the set-up cell should install ganlab from the online wheel (served locally); it printed:\n{out}"
    assert "fast mode: ON" in out, f"GANLAB_FAST=1 should turn fast mode on; the set-up cell printed:\n{out}"


def test_lecture_07_finds_its_checkpoint_in_the_wheel(executed):
    nb = _executed(executed, "07_progan_stylegan")
    said = "\n".join(notebooks.printed(c) for c in nb.cells if c.cell_type == "code")
    assert re.search(r"pretrained generator \S*/site-packages/ganlab/checkpoints/stylegan_digits16\.pt", said), \
        "lecture 07 alone in its folder should load the checkpoint shipped in the ganlab wheel"


@pytest.fixture(scope="module")
def graded(executed, tmp_path_factory):
    """assignment -> student -> outcome, from grade.grade on the Colab-saved submissions of both students."""
    tmp = tmp_path_factory.mktemp("colab_grade")
    handed_in = tmp / "handed_in"
    ran = [(a, r) for a, r in zip(ASSIGNMENTS, RELEASES) if not isinstance(executed[a], BaseException)]
    for assignment, release in ran:  # a notebook that failed on Colab fails its own test above
        nb = _executed(executed, assignment)
        for student, keep in students(assignment).items():
            path = handed_in / student / assignment / release.name
            path.parent.mkdir(parents=True)
            path.write_text(json.dumps(colab_env.colab_save(nb, keep_nbgrader=keep), indent=1))
    course = cli.Course(tmp / "course")
    return {a: grade.grade(a, handed_in, root=course.path, log=lambda *_: None, jobs=PARALLEL) for a, _ in ran}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_colab_saved_submissions_get_full_marks(graded, assignment):
    release = Course().release_notebook(assignment)
    total = sum(notebooks.test_points(notebooks.read(release)).values())
    if assignment not in graded:
        pytest.fail(f"{assignment} did not run on the emulated Colab, so there is nothing to grade")
    outcomes = graded[assignment]
    for student, keep in students(assignment).items():
        got = outcomes.get(student)
        assert got, f"{student} missing from the outcomes: {sorted(outcomes)}"
        assert (got.score, got.max_score) == (total, total), (
            f"{student} (nbgrader metadata {'kept' if keep else 'gone'}): {got}")
        assert got.status == ("graded" if keep else "graded after repair"), got


# ---------------------------------------------------------------- Colab's packages, ganlab's versions
def _run(python: Path, args: list[str], cwd: Path, **kw) -> subprocess.CompletedProcess:
    """`python` with the kernels' clean environment (pip offline), in `cwd`."""
    return subprocess.run([str(python), *args], capture_output=True, text=True, cwd=cwd,
                          env=colab_env.clean_env(python.parent.parent), **kw)


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    """version -> a ganlab wheel of that version: the released one, and the one before (ganlab.RELEASE tells them
    apart: a module attribute only these wheels have)."""
    tmp = tmp_path_factory.mktemp("wheels")
    newer = version.current()
    post = version.Version(newer).post or 0   # the one before: .postN-1, the plain version, or 0.0.1
    base = version.Version(newer).base_version
    older = f"{base}.post{post - 1}" if post > 1 else base if post == 1 else "0.0.1"
    built = {}
    for release in (older, newer):
        root = tmp / f"src-{release}"
        shutil.copytree(ROOT / "ganlab", root / "ganlab", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
        with open(root / "ganlab" / "__init__.py", "a") as f:
            f.write(f"\nRELEASE = {release!r}\n")
        built[release] = bundle.build_wheel(tmp / "served", root, release=release)
    return built


def test_installing_ganlab_changes_none_of_colab_s_packages(wheels, tmp_path):
    """pip resolves the wheel against Colab's packages, pinned as constraints, offline: it installs ganlab alone."""
    python = colab_env.colab_venv(tmp_path / "venv")
    wheel = wheels[version.current()]
    report = tmp_path / "report.json"
    proc = _run(python, ["-m", "pip", "install", "--dry-run", "--no-index", "--report", str(report),
                         "-c", str(colab.PINS), "-c", str(colab.CUDA), str(wheel)], tmp_path)
    said = (proc.stdout + proc.stderr)[-3000:]
    assert proc.returncode == 0, ("installing ganlab on Colab would need a package, or a version, that Colab does not "
                                  f"have (tests/colab/requirements.txt); pip says:\n{said}")
    report = json.loads(report.read_text())
    changes = {i["metadata"]["name"]: i["metadata"]["version"] for i in report["install"]}
    assert changes == {"ganlab": version.current()}, f"installing ganlab would also install or replace {changes}"


def test_a_newer_release_upgrades_the_installed_ganlab(wheels, tmp_path):
    """A notebook released with version N installs N over an installed N-1, and never goes back to N-1."""
    older, newer = wheels
    python = colab_env.colab_venv(tmp_path / "venv")
    installed = _run(python, ["-m", "pip", "install", "-q", str(wheels[older])], tmp_path)
    assert installed.returncode == 0, installed.stderr
    content = tmp_path / "content"
    content.mkdir()
    check = "\nimport ganlab, importlib.metadata\nprint('ganlab', importlib.metadata.version('ganlab'), ganlab.RELEASE)"
    with colab_env.serve(wheels[newer].parent) as base:
        def run_release(release):
            block = setup_cell.install_block(release=release).replace(links.raw_url(""), base)
            proc = _run(python, ["-c", block + check], content, timeout=300)
            assert proc.returncode == 0, proc.stderr[-3000:]
            return proc.stdout
        out = run_release(newer)
        assert f"installing ganlab {newer} from {base}{wheels[newer].name}" in out, out
        assert f"ganlab {newer} {newer}" in out, f"the notebook of {newer} left ganlab {older}:\n{out}"
        out = run_release(older)
        assert "installing" not in out and f"ganlab {newer} {newer}" in out, \
            f"a notebook of the older release should keep the newer ganlab:\n{out}"
        out = run_release(newer)
        assert "installing" not in out, f"the released version is installed: nothing to do\n{out}"


WIDGET_CELLS = {   # cell -> (code, what it must show: "figure" (a callback drew) and/or a text it prints)
    "versions": ("import ipywidgets, IPython, sys\n"
                 "print('ipywidgets', ipywidgets.__version__, 'IPython', IPython.__version__,\n"
                 "      'python', sys.version[:4])",
                 "ipywidgets 7.7.1 IPython 7.34.0 python 3.13"),
    "interpolation": ("import torch, matplotlib.pyplot as plt\n"
                      "from ganlab import widgets\n"
                      "from ganlab.models import ConditionalConfig, InfoGANGenerator, MLPConfig, MLPGenerator\n"
                      "torch.manual_seed(0)\n"
                      "G = MLPGenerator(MLPConfig(data_shape=(1, 8, 8), latent_dim=5, hidden=8, depth=1))\n"
                      "shown = widgets.latent_interpolation(G, torch.randn(5), torch.randn(5), steps=4)\n"
                      "slider = shown.widget.children[0]",
                      "figure"),
    "slider": ("slider.value = 0.25", "figure"),
    "panel": ("runs = []\n"
              "def train(**settings):\n"
              "    runs.append(settings)\n"
              "    plt.figure(figsize=(2, 2)); plt.plot([0, len(runs)]); plt.title(str(settings))\n"
              "panel = widgets.train_panel(train, {'loss': ('vanilla', ['vanilla', 'lsgan']), 'd_steps': (1, [1, 2])})",
              "figure"),
    "setting": ("panel.widget.children[0].value = 'lsgan'\nprint('runs', len(runs))", "runs 1"),
    "button": ("panel.widget.manual_button.click()\nprint('runs', len(runs), runs[-1])",
               "figure, runs 2 {'loss': 'lsgan', 'd_steps': 1}"),
    "traversal": ("infogan = InfoGANGenerator(ConditionalConfig(image_size=8, latent_dim=5, n_classes=3, n_cont=2,\n"
                  "                                             width=4))\n"
                  "code, span, draw = widgets.code_traversal(infogan, steps=4, rows=2).widget.children[:3]", "figure"),
    "dropdown": ("code.value = 'c2 (continuous)'", "figure"),
    "span": ("span.value = 1.0", "figure"),
    "draw": ("draw.value = 3", "figure"),
}


def test_every_widget_callback_draws_in_colab_s_kernel(wheels, tmp_path):
    """ganlab.widgets on ipywidgets 7.7 and IPython 7.34, in a Colab kernel: each builder shows its figures, and each
    callback (a slider, a dropdown, the train button of interact_manual) draws again; a setting alone trains nothing;
    nothing goes to stderr."""
    python = colab_env.colab_venv(tmp_path / "venv")
    wheel = str(wheels[version.current()])
    setup = ("import subprocess, sys\n"
             f"subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', {wheel!r}], check=True)")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(setup)] +
                                  [nbformat.v4.new_code_cell(code, metadata={"name": name})
                                   for name, (code, _) in WIDGET_CELLS.items()])
    nb, _ = colab_env.run_in_colab(nb, python.parent.parent, tmp_path / "content", tmp_path / "kernels", timeout=300)
    for cell in nb.cells[1:]:
        name, (_, expected) = cell.metadata["name"], WIDGET_CELLS[cell.metadata["name"]]
        kinds = [o.get("name", o["output_type"]) for o in cell.outputs]
        assert "stderr" not in kinds and "error" not in kinds, f"{name}: {cell.outputs}"
        figures = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        draws, text = expected.startswith("figure"), expected.removeprefix("figure").lstrip(", ")
        assert bool(figures) == draws, f"{name}: {'no figure drawn' if draws else 'a figure'}; it showed {kinds}"
        assert text in notebooks.printed(cell), f"{name}: expected {text!r} in {notebooks.printed(cell)!r}"


def test_ganlab_unit_tests_pass_on_colab_s_stack():
    """tests/ganlab on Python 3.13 with Colab's torch, numpy, ipywidgets 7.7 and IPython 7.34 (ganlab from this
    repository; tests/colab/unit_fixtures.py stands in for tests/conftest.py, which needs the instructor tools)."""
    python = colab_env.colab_venv_base() / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    args = ["-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.colab.unit_fixtures", "--confcutdir",
            "tests/ganlab", "-W", "ignore::DeprecationWarning", "tests/ganlab"]
    proc = subprocess.run([str(python), *args], capture_output=True, text=True, cwd=ROOT,
                          env=env | {"GANLAB_FAST": "1", "OMP_NUM_THREADS": "1"})
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    print(f"tests/ganlab on Colab's stack (Python 3.13): {summary}")
    assert proc.returncode == 0, f"{proc.stdout[-6000:]}\n{proc.stderr[-2000:]}"
