"""`make grade` end to end on the example class of the marked exercise (04): real nbgrader commands, a
CPU-only grading machine, every kind of bad submission. One run, then one assertion per student."""
import csv
import zipfile

import pytest

from instructor import config, example_class, grade, notebooks
from instructor.example_class import STORIES
from instructor.notebooks import ROOT
from tests.autograde import cli

ASSIGNMENT, NOTEBOOK = "04_wgan_gp", "wgan_gp"
pytestmark = pytest.mark.slow


def _gradebook(course) -> dict:
    """student -> {grade id: (score, needs manual grading)}, None when not graded."""
    from nbgrader.api import Gradebook, MissingEntry

    out = {}
    with Gradebook(config.db_url(course.path)) as gb:
        for student in EXPECTED:
            try:
                sub = gb.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student)
            except MissingEntry:
                out[student] = None
                continue
            out[student] = {g.name: (g.score, g.needs_manual_grade) for g in sub.grades}
    return out


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The example class graded two at a time (`make grade JOBS=2`), every kernel in the sandbox."""
    course = cli.Course(tmp_path_factory.mktemp("grade") / "course")
    report = grade.grade(ASSIGNMENT, root=course.path, log=lambda *a: None, jobs=2)
    return course, report.read_text(), _gradebook(course)


@pytest.fixture(scope="module")
def points():
    return notebooks.test_points(notebooks.read(notebooks.release_path(ASSIGNMENT, NOTEBOOK)))


def _row(report, student):
    return next(ln.split(" | ") for ln in report.splitlines() if ln.startswith(f"| {student} |"))


def _lost(points, function):
    return sum(p for t, p in points.items() if t.startswith(f"test_{function}"))


# student -> (functions whose tests they lose: "first"/"last" graded function, status, words in the notes)
EXPECTED = {
    "alice": ((), "graded", "written answers"),
    "bob": (("critic_loss",), "graded", ""),
    "carol": (("*",), "graded", ""),
    "dave": (("train_wgan_gp",), "graded", "SyntaxError"),
    "erin": ((), "graded", "interrupted"),
    "frank": (("train_wgan_gp",), "graded", "'train_wgan_gp' deleted"),
    "grace": ((), "graded after repair", "copied: critic_loss"),
    "heidi": ((), "graded after repair", "renamed"),
    "ivan": (None, "not graded", "not JSON"),
    "judy": ((), "graded after repair", "metadata stripped"),
    "ken": ((), "graded", ""),
    "leo": (("critic_loss",), "graded", "no GPU"),
    "mallory": ((), "graded", "interrupted"),
}


def test_every_story_has_an_expectation():
    assert set(EXPECTED) == set(STORIES)


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_each_submission_costs_exactly_what_it_should(graded, points, student):
    _, report, _ = graded
    lost, status, words = EXPECTED[student]
    row = _row(report, student)
    assert row[2] == status, row
    assert words in row[4], row
    if lost is None:
        assert row[1] == "—", row
        return
    total = sum(points.values())
    expected = 0 if lost == ("*",) else total - sum(_lost(points, f) for f in lost)
    assert row[1] == f"{expected:g} / {total:g}", row


def test_grades_csv_and_feedback_for_every_student(graded):
    course, *_ = graded
    with open(config.workspace(course.path, "reports", ASSIGNMENT, "grades.csv")) as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert set(rows) == set(EXPECTED)
    assert float(rows["ivan"]["score"]) == 0.0
    for student, (lost, *_ ) in EXPECTED.items():
        html = config.path(course.path, "feedback_directory", student, ASSIGNMENT, f"{NOTEBOOK}.html")
        assert html.exists() == (lost is not None), f"feedback for {student}"


def test_stderr_warnings_would_cost_points_without_ignore_pattern(graded, points):
    """ken's full marks come from IgnorePattern: with it off, his warning zeroes a test cell."""
    course, *_ = graded
    course.nbgrader("autograde", ASSIGNMENT, "--student", "ken", "--force", "--IgnorePattern.enabled=False")
    scores = course.scores(ASSIGNMENT, NOTEBOOK, "ken")
    assert sum(v for k, v in scores.items() if k in points) < sum(points.values()), scores


# Graded again one at a time: full marks, a syntax error, a deleted test cell, a repaired copy, an unreadable file
# (a second run of the whole class would double this file's time; parallel grading goes wrong per submission).
SERIAL_SAMPLE = ("alice", "dave", "frank", "grace", "ivan")


def test_grades_do_not_depend_on_jobs(graded, tmp_path):
    """`make grade JOBS=1` gives each student of a sample the same grade on every cell as JOBS=2 (the fixture)."""
    _, report_jobs2, jobs2 = graded
    download = tmp_path / "sample.zip"
    with zipfile.ZipFile(download, "w") as zf:
        for name, text in example_class.submissions(ASSIGNMENT, ROOT).items():
            if name.startswith(SERIAL_SAMPLE):
                zf.writestr(name, text)
    course = cli.Course(tmp_path / "course")
    report_jobs1 = grade.grade(ASSIGNMENT, download, root=course.path, log=lambda *a: None, jobs=1).read_text()
    jobs1 = _gradebook(course)
    assert {s: jobs1[s] for s in SERIAL_SAMPLE} == {s: jobs2[s] for s in SERIAL_SAMPLE}
    scores = lambda text: {ln.split(" | ")[0]: ln.split(" | ")[1] for ln in text.splitlines()
                           if ln.startswith(tuple(f"| {s} |" for s in SERIAL_SAMPLE))}
    assert len(scores(report_jobs1)) == len(SERIAL_SAMPLE)
    assert scores(report_jobs1) == scores(report_jobs2)
