"""Reading nbgrader source/release notebooks and building submissions from them."""
from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
from nbgrader.utils import is_grade, is_solution

_SOLUTION_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.M)


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_answer(cell) -> bool:
    """An autograded answer cell: code the student writes (solution, not itself graded)."""
    return cell.cell_type == "code" and is_solution(cell) and not is_grade(cell)


def is_test(cell) -> bool:
    """An autograder test cell: locked code with points."""
    return cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)


def first_line(cell) -> str:
    """A cell's first non-blank line, stripped (an answer's `def ...:`)."""
    return next((ln.strip() for ln in cell.source.splitlines() if ln.strip()), "")


def printed(cell) -> str:
    """What an executed code cell printed (its stream outputs, stdout and stderr), as one text."""
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def answer_code(nb, grade_id: str) -> str:
    """The instructor's answer for `grade_id`, as a student would type it (markers removed)."""
    for cell in nb.cells:
        if is_answer(cell) and meta(cell)["grade_id"] == grade_id:
            return _SOLUTION_MARKER.sub("", cell.source)
    raise KeyError(f"no answer cell with grade_id {grade_id!r}")


def answers(nb) -> dict[str, str]:
    """grade_id -> instructor answer, for every autograded answer cell."""
    return {meta(c)["grade_id"]: answer_code(nb, meta(c)["grade_id"]) for c in nb.cells if is_answer(c)}


def setup_cell(nb):
    """The notebook's set-up cell: the cell with grade id `setup` (locked, in the released notebooks), or else the
    first code cell (a notebook whose metadata an editor stripped)."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    if not code:
        raise ValueError("the notebook has no code cell, so no set-up cell")
    return next((c for c in code if meta(c).get("grade_id") == "setup"), code[0])


def load_answers(assignment: str, notebook: str, names, course=None) -> dict:
    """The instructor's answers as Python objects, from solutions/ (the one definition, as d2l's `#@save`): the
    notebook's set-up cell and every answer cell executed in order, then name -> object for each of `names`
    (the functions the answer cells define)."""
    import contextlib
    import io

    from .config import Course

    nb = read((course or Course()).source(assignment, notebook))
    ns = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()):         # the set-up cell reports the device
        exec(setup_cell(nb).source, ns)
    for code in answers(nb).values():
        exec(code, ns)
    return {name: ns[name] for name in names}


def test_points(nb) -> dict[str, float]:
    """grade_id -> points, for every autograder test cell."""
    return {meta(c)["grade_id"]: float(meta(c)["points"]) for c in nb.cells if is_test(c)}


def fill(release_nb, code: dict[str, str]):
    """A submission: the released notebook with the answer cells named in `code` filled in."""
    nb = copy.deepcopy(release_nb)
    for cell in nb.cells:
        if is_answer(cell) and meta(cell)["grade_id"] in code:
            cell.source = code[meta(cell)["grade_id"]]
    return nb
