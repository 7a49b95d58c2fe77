"""The real thing: release with nbgrader's generate_assignment, submit, `nbgrader autograde` (the CLI), and
read the gradebook. The untouched release gets zero (without crashing the batch), and the round-trip
variants of each table (a mistake, and a correct alternative that must get full marks) score as the
in-process tier says they do. The instructor's own answers get full marks through `make grade`'s path,
saved by Colab, for every lecture (tests/end_to_end/test_colab.py), and in-process (test_autograde_inprocess.py)."""
import pytest

from instructor import notebooks
from instructor.config import Course
from tests.autograde import cli, inprocess
from tests.autograde.tables import ALL

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=ALL, ids=[t.notebook for t in ALL])
def graded(request, tmp_path_factory):
    """(table, course, test points) after one autograde run over all of the table's submissions."""
    table = request.param
    course = cli.Course(tmp_path_factory.mktemp(table.assignment))
    release = notebooks.read(course.release(table.assignment) / f"{table.notebook}.ipynb")
    source = notebooks.read(Course().source(table.assignment, table.notebook))
    solved = notebooks.answers(source)
    course.submit(table.assignment, table.notebook, "blank", release)
    for v in table.variants:
        if v.roundtrip:
            course.submit(table.assignment, table.notebook, v.name,
                          notebooks.fill(release, {**solved, v.answer: v.code}))
    course.autograde(table.assignment)
    return table, course, notebooks.test_points(source)


def _scores(graded, student):
    table, course, points = graded
    scores = course.scores(table.assignment, table.notebook, student)
    return {k: scores[k] for k in points}


def test_untouched_release_gets_zero_without_crashing(graded):
    table, course, points = graded
    assert _scores(graded, "blank") == {k: 0.0 for k in points}
    autograded = course.course.autograded("blank", table.assignment, f"{table.notebook}.ipynb")
    assert autograded.exists(), "the blank submission was not autograded"


def test_roundtrip_variants_score_as_the_table_says(graded):
    table, _, points = graded
    chosen = [v for v in table.variants if v.roundtrip]
    assert any(v.correct for v in chosen) and any(not v.correct for v in chosen), \
        "each table sends at least one mistake and one alternative through nbgrader"
    source = notebooks.read(Course().source(table.assignment, table.notebook))
    for v in chosen:
        want = {k: 0.0 if k in v.fails else p for k, p in points.items()}
        assert _scores(graded, v.name) == want, f"{v.name} through nbgrader"
        inproc = {k: o.passed for k, o in inprocess.grade(source, {v.answer: v.code}).items()}
        assert inproc == {k: k not in v.fails for k in points}, f"{v.name}: in-process tier disagrees"
