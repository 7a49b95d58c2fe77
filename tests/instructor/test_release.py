"""course/ is exactly what `nbgrader generate_assignment` makes of solutions/, nbgrader accepts
both, and no answer or hidden test reaches the students."""
import ast
import json
from pathlib import Path

import pytest
from nbgrader.validator import Validator

from instructor import leaks, notebooks
from instructor.config import ROOT, Course
from instructor.grading import nbgrader_steps
from tests.autograde import cli

ASSIGNMENTS = Course().assignments()
SOURCES = Course().sources()
RELEASES = Course().releases()


def _cells(path):
    return json.loads(Path(path).read_text())["cells"]


def test_every_assignment_is_released():
    assert ASSIGNMENTS, "no assignments in solutions/"
    released = sorted(p.parent.name for p in RELEASES)
    assert released == sorted(p.parent.name for p in SOURCES), "course/ and solutions/ hold different notebooks"


@pytest.mark.slow
def test_course_equals_a_fresh_release(tmp_path):
    course = cli.Course(tmp_path)
    for assignment in ASSIGNMENTS:
        nbgrader_steps.release(course.path, assignment)   # generate_assignment, as `make release` runs it
        fresh = course.course.release(assignment)
        for nb in sorted(fresh.glob("*.ipynb")):
            committed = Course().release(assignment, nb.stem)
            assert committed.exists(), f"{committed} is missing: run `make release`"
            assert _cells(committed) == _cells(nb), f"{committed} differs from a fresh release: run `make release`"


@pytest.mark.slow
@pytest.mark.parametrize("path", SOURCES + RELEASES, ids=lambda p: str(p.relative_to(ROOT)))
def test_nbgrader_validate(path):
    """`nbgrader validate` (`--invert` on a release: every test fails untouched), by its own Validator with the
    course's configuration, in this process: the same check without a command's start-up."""
    validator = Validator(invert=path in RELEASES, config=Course().app_settings())
    assert validator.validate(str(path)) == {}


def _student_texts():
    """Every text a student receives from the repository: released notebooks and ganlab's code."""
    return leaks.texts([*RELEASES, *(ROOT / "ganlab").rglob("*.py")])


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_answer_or_hidden_test_reaches_students(path):
    secrets = leaks.secrets(path)
    assert secrets, "found no answer or hidden test to look for"
    found = leaks.find(secrets, _student_texts())
    assert not found, f"graded material reaches students: {found}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_test_cells_follow_the_grading_conventions(path):
    nb = notebooks.read(path)
    ids = [notebooks.meta(c)["grade_id"] for c in nb.cells if notebooks.meta(c).get("grade_id")]
    assert len(ids) == len(set(ids)), "duplicate grade_id"
    first = notebooks.setup_cell(nb)
    assert notebooks.meta(first).get("locked"), "the set-up cell comes first and is locked"
    for cell in nb.cells:
        if not notebooks.is_test(cell):
            continue
        gid = notebooks.meta(cell)["grade_id"]
        assert gid.startswith("test_") and notebooks.meta(cell)["points"] > 0, gid
        body = ast.parse(cell.source).body
        assert body, f"{gid} is empty"
        last = body[-1]
        # a value as the last expression would become partial credit in nbgrader
        assert not isinstance(last, ast.Expr) or (isinstance(last.value, ast.Call)
                                                   and getattr(last.value.func, "id", "") == "print"), gid
        assert "sys.stderr" not in cell.source and "warnings.warn" not in cell.source, gid
        assert "### BEGIN HIDDEN TESTS" in cell.source, f"{gid} has no hidden tests"
