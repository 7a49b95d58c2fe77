"""`make grade` end to end on the example class of the marked exercise (04): real nbgrader commands, a
CPU-only grading machine, every kind of bad submission, handed in as a Canvas download (graded two at a time)
and, for a sample, as a Moodle download (one at a time). One run, then one assertion per student; then what goes
back to the LMS: grade CSVs and feedback pages without a hidden test."""
import csv
import html
import re
import zipfile
from datetime import datetime

import pytest

from instructor import leaks, notebooks
from instructor.config import ROOT, Course
from instructor.grading import example_class, grade, report
from instructor.grading.example_class import PEOPLE, STORIES, lms_id
from tests.autograde import cli

ASSIGNMENT, NOTEBOOK = "04_wgan_gp", "wgan_gp"
pytestmark = pytest.mark.slow


def _gradebook(course, lms: str) -> dict:
    """story student -> {grade id: (score, needs manual grading)}, None when not graded."""
    from nbgrader.api import Gradebook, MissingEntry

    out = {}
    with Gradebook(course.course.db_url) as gb:
        for student in EXPECTED:
            try:
                sub = gb.find_submission_notebook(NOTEBOOK, ASSIGNMENT, lms_id(student, lms))
            except MissingEntry:
                out[student] = None
                continue
            out[student] = {g.name: (g.score, g.needs_manual_grade) for g in sub.grades}
    return out


def _by_story(by_id: dict, lms: str) -> dict[str, report.Outcome]:
    """story student -> what `make grade` says happened to them."""
    return {s: by_id[lms_id(s, lms)] for s in EXPECTED if lms_id(s, lms) in by_id}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The example class as Canvas names its download, graded two at a time (`make grade JOBS=2`), every
    kernel in the sandbox."""
    course = cli.Course(tmp_path_factory.mktemp("grade") / "course")
    download = example_class.build(ASSIGNMENT, ROOT, tmp_path_factory.mktemp("canvas"), lms="canvas")
    outcomes = grade.grade(ASSIGNMENT, download, root=course.path, log=lambda *a: None, jobs=2)
    assert report.load(course.course.workspace("reports", ASSIGNMENT, "outcomes.json")) == outcomes
    text = course.course.workspace("reports", ASSIGNMENT, "report.md").read_text()
    return course, text, _gradebook(course, "canvas"), _by_story(outcomes, "canvas")


@pytest.fixture(scope="module")
def points():
    return notebooks.test_points(notebooks.read(Course().release(ASSIGNMENT, NOTEBOOK)))


def _lost(points, function):
    return sum(p for t, p in points.items() if t.startswith(f"test_{function}"))


# student -> (functions whose tests they lose: "first"/"last" graded function, status, words in the notes)
EXPECTED = {
    "alice": ((), "graded", "written answers"),
    "bob": (("critic_loss",), "graded", ""),
    "carol": (("*",), "graded", ""),
    "dave": (("build_critic",), "graded", "SyntaxError"),
    "erin": ((), "graded", "interrupted"),
    "frank": (("build_critic",), "graded", "'build_critic' deleted"),
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


def _expected_score(points, lost) -> float:
    total = sum(points.values())
    return 0 if lost == ("*",) else total - sum(_lost(points, f) for f in lost)


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_each_submission_costs_exactly_what_it_should(graded, points, student):
    _, text, _, outcomes = graded
    lost, status, words = EXPECTED[student]
    got = outcomes[student]
    notes = "; ".join(got.shown_notes)
    assert got.status == status, got
    assert words in notes, got
    assert got.name == (example_class._canvas_name(PEOPLE[student][0])), "the report keeps the LMS's name"
    assert f"| {lms_id(student, 'canvas')} ({got.name}) |" in text, "report.md names each student by id and name"
    if lost is None:
        assert got.score is None, got
        return
    assert (got.score, got.max_score) == (_expected_score(points, lost), sum(points.values())), got


def test_grades_csv_and_feedback_for_every_student(graded):
    course, *_ = graded
    with open(course.course.workspace("reports", ASSIGNMENT, "grades.csv")) as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert set(rows) == {lms_id(s, "canvas") for s in EXPECTED}, "two students named Sam Lee stay two"
    assert float(rows[lms_id("ivan", "canvas")]["score"]) == 0.0
    for student, (lost, *_ ) in EXPECTED.items():
        page = course.course.feedback(lms_id(student, "canvas"), ASSIGNMENT, f"{NOTEBOOK}.html")
        assert page.exists() == (lost is not None), f"feedback for {student}"


def _lms_files(course):
    return course.course.workspace("reports", ASSIGNMENT, "lms")


def test_canvas_gradebook_import_csv(graded, points):
    """Canvas's Gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, then the assignment's column;
    a Points Possible row; Canvas matches rows on ID (the user id in the download's file names)."""
    course, _, _, outcomes = graded
    with open(_lms_files(course) / "canvas-grades.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT]
    written = sum(float(notebooks.meta(c)["points"]) for c in notebooks.read(Course().release(ASSIGNMENT, NOTEBOOK)).cells if c.cell_type == "markdown" and notebooks.meta(c).get("grade"))
    assert written > 0 and rows[1][0] == "Points Possible"
    assert float(rows[1][5]) == sum(points.values()) + written, "autograded and written points"
    by_id = {r[1]: r for r in rows[2:]}
    assert set(by_id) == {lms_id(s, "canvas") for s in EXPECTED}
    for student, got in outcomes.items():
        cell = by_id[lms_id(student, "canvas")][5]
        assert cell == ("" if got.score is None else f"{got.score:g}"), (student, cell, got.score)


def test_canvas_feedback_names_match_what_canvas_reads(graded):
    """Canvas's re-upload takes the first two all-digit parts of each name: the user and the attachment."""
    course, *_ = graded
    with zipfile.ZipFile(_lms_files(course) / "canvas-feedback.zip") as zf:
        names = zf.namelist()
    read = {tuple(p for p in n.split("_") if p.isdigit())[:2] for n in names}
    graded_ids = {lms_id(s, "canvas") for s, (lost, *_) in EXPECTED.items() if lost is not None}
    assert read == {(i, str(int(i) + 1000)) for i in graded_ids}
    assert any("_LATE_" in n for n in names), "dave's LATE mark is kept, as in the download"


def _text(page: str) -> str:
    """What a reader of the HTML page sees: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _hidden_tests() -> set:
    return leaks.secrets(Course().source(ASSIGNMENT, NOTEBOOK), kinds=("HIDDEN TESTS",))


def test_no_feedback_page_shows_a_hidden_test(graded, tmp_path):
    course, *_ = graded
    secret = _hidden_tests()
    assert len(secret) > 20, "the assignment has hidden tests to look for"
    pages = {str(p): _text(p.read_text()) for p in course.course.workspace().rglob("feedback/*/*/*.html")}
    assert len(pages) == sum(lost is not None for lost, *_ in EXPECTED.values())
    assert leaks.find(secret, pages) == {}
    for name in ("canvas-feedback.zip", "feedback-by-student.zip"):
        with zipfile.ZipFile(_lms_files(course) / name) as zf:
            assert leaks.find(secret, {m: _text(zf.read(m).decode()) for m in zf.namelist()}) == {}, name
    alice = _text(course.course.feedback(lms_id("alice", "canvas"), ASSIGNMENT, f"{NOTEBOOK}.html").read_text())
    assert "hidden tests: not shown" in alice and "def critic_loss" in alice, "her code and the visible tests stay"
    bob = _text(course.course.feedback(lms_id("bob", "canvas"), ASSIGNMENT, f"{NOTEBOOK}.html").read_text())
    assert "AssertionError" in bob, "a failed test shows its message"


def test_the_leak_check_finds_hidden_tests_in_nbgrader_s_own_feedback(graded, tmp_path):
    """A control for the test above: nbgrader's default feedback page shows the hidden tests, and the check finds them."""
    course, *_ = graded
    settings = course.course.app_settings()
    settings.GenerateFeedback.preprocessors = ["nbgrader.preprocessors.GetGrades",
                                               "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor"]
    settings.CourseDirectory.feedback_directory = str(tmp_path / "plain-feedback" / "{student_id}" / "{assignment_id}")
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log
    coursedir = CourseDirectory(config=settings, assignment_id=ASSIGNMENT, student_id=lms_id("bob", "canvas"))
    assert capture_log(GenerateFeedback(coursedir=coursedir, config=settings, force=True))["success"]
    (page,) = (tmp_path / "plain-feedback").rglob("*.html")
    assert leaks.find(_hidden_tests(), {"nbgrader's page": _text(page.read_text())}), "the check would see a leak"


def test_each_kernel_had_its_thread_budget_and_time_to_spare(graded):
    """JOBS=2: each kernel's torch gets cores // 2 threads; the honest submission's slowest cell stays far below
    the per-cell limit."""
    course, *_ = graded
    runs = course.course.workspace("execution", ASSIGNMENT)
    alice = lms_id("alice", "canvas")
    notes = __import__("json").loads((runs / f"{alice}.json").read_text())
    assert notes["torch_threads"] == grade.thread_budget(2), notes
    nb = notebooks.read(course.course.autograded(alice, ASSIGNMENT, f"{NOTEBOOK}.ipynb"))
    stamp = lambda c, k: datetime.fromisoformat(c.metadata["execution"][k].replace("Z", "+00:00"))  # noqa: E731
    slowest = max((stamp(c, "shell.execute_reply") - stamp(c, "iopub.execute_input")).total_seconds()
                  for c in nb.cells if c.cell_type == "code" and "execution" in c.metadata)
    timeout = course.course.settings.Execute.timeout
    assert slowest < timeout / 3, f"alice's slowest cell took {slowest:.1f} s of the {timeout} s limit"


def test_stderr_warnings_would_cost_points_without_ignore_pattern(graded, points):
    """ken's full marks come from IgnorePattern: with it off, his warning zeroes a test cell."""
    course, *_ = graded
    ken = lms_id("ken", "canvas")
    course.nbgrader("autograde", ASSIGNMENT, "--student", ken, "--force", "--IgnorePattern.enabled=False")
    scores = course.scores(ASSIGNMENT, NOTEBOOK, ken)
    assert sum(v for k, v in scores.items() if k in points) < sum(points.values()), scores


# Graded again one at a time, from a Moodle download: full marks, a syntax error, a deleted test cell, a repaired copy,
# an unreadable file, the accented name (a second run of the whole class would double this file's time; parallel
# grading goes wrong per submission; test_lms shows every LMS shape hands the grader the same notebooks).
SERIAL_SAMPLE = ("alice", "dave", "frank", "grace", "ivan", "judy")


@pytest.fixture(scope="module")
def moodle_sample(tmp_path_factory):
    download = tmp_path_factory.mktemp("moodle") / "moodle.zip"
    with zipfile.ZipFile(download, "w") as zf:
        for name, text in example_class.submissions(ASSIGNMENT, ROOT, lms="moodle").items():
            if name.startswith(tuple(f"{PEOPLE[s][0]}_{PEOPLE[s][1]}_" for s in SERIAL_SAMPLE)):
                zf.writestr(name, text)
    course = cli.Course(tmp_path_factory.mktemp("moodle-grade") / "course")
    outcomes = grade.grade(ASSIGNMENT, download, root=course.path, log=lambda *a: None, jobs=1)
    return course, _gradebook(course, "moodle"), _by_story(outcomes, "moodle")


def test_grades_do_not_depend_on_jobs_or_the_lms(graded, moodle_sample):
    """A Moodle download graded with `JOBS=1` gives each student of a sample the same grade on every cell as the
    Canvas download with JOBS=2 (the fixture)."""
    _, _, jobs2, outcomes2 = graded
    _, jobs1, outcomes1 = moodle_sample
    assert set(outcomes1) == set(SERIAL_SAMPLE)
    assert {s: jobs1[s] for s in SERIAL_SAMPLE} == {s: jobs2[s] for s in SERIAL_SAMPLE}
    assert {s: (o.score, o.status) for s, o in outcomes1.items()} == {
        s: (outcomes2[s].score, outcomes2[s].status) for s in SERIAL_SAMPLE}
    assert outcomes1["judy"].name == "Ana María López"


def test_moodle_grading_worksheet_and_feedback_zip(moodle_sample):
    """Moodle's "Upload grading worksheet" reads Identifier (`Participant <id>`), Grade and Last modified (grade);
    its feedback-zip import reads the participant id from `<name>_<id>_assignfeedback_file_/`."""
    course, _, outcomes = moodle_sample
    with open(_lms_files(course) / "moodle-grades.csv", encoding="utf-8") as f:
        rows = {r["Identifier"]: r for r in csv.DictReader(f)}
    assert set(rows) == {f"Participant {PEOPLE[s][1]}" for s in SERIAL_SAMPLE}
    for student, got in outcomes.items():
        row = rows[f"Participant {PEOPLE[student][1]}"]
        assert row["Full name"] == PEOPLE[student][0]
        assert row["Grade"] == ("" if got.score is None else f"{got.score:g}") and row["Last modified (grade)"]
    with zipfile.ZipFile(_lms_files(course) / "moodle-feedback.zip") as zf:
        folders = {tuple(n.split("/")[0].split("_", 4)[1:4]) for n in zf.namelist()}   # as Moodle splits them
    assert folders == {(str(PEOPLE[s][1]), "assignfeedback", "file") for s in SERIAL_SAMPLE if s != "ivan"}


def test_manual_points_reach_the_lms_files(moodle_sample):
    """Written answers graded in formgrader count once `make lms` runs again."""
    from nbgrader.api import Gradebook
    from instructor.grading import lms_export

    course, _, outcomes = moodle_sample
    alice = str(PEOPLE["alice"][1])
    with Gradebook(course.course.db_url) as gb:
        written = [g for g in gb.find_submission_notebook(NOTEBOOK, ASSIGNMENT, alice).grades if g.needs_manual_grade]
        assert written, "alice's written answers wait for a human"
        for g in written:   # what formgrader does when a human grades a cell
            g.manual_score, g.needs_manual_grade = g.max_score, False
        gb.db.commit()
    lms_export.write(course.path, ASSIGNMENT, out_of=100, log=lambda *a: None)
    with open(_lms_files(course) / "moodle-grades.csv", encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["Identifier"] == f"Participant {alice}")
    assert row["Maximum Grade"] == "100" and float(row["Grade"]) == 100.0, row
