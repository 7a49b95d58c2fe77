"""The student's path on Colab, emulated (tests/colab_env.py): every released notebook, taken from the
student repository's tree (`make publish`), runs alone in an empty folder of a fresh Colab-like venv; its
set-up cell installs ganlab from the wheel at the online address (served from 127.0.0.1), with the
reference answers (written ones too) filled in, in fast mode. Saved as Colab saves it, each notebook then gets full
marks from `make grade`'s code path (the marked exercise also without nbgrader's cell metadata)."""
import json
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from instructor import notebooks
from instructor.grading import grade
from instructor.release import bundle, links, setup_cell
from tests import colab_env
from tests.autograde import cli

pytestmark = pytest.mark.slow
RELEASES = notebooks.releases()
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
    assert re.search(rf"installing ganlab from http://127\.0\.0\.1:\d+/{re.escape(wheel)}", out), \
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
    release = notebooks.release_notebook(assignment)
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
