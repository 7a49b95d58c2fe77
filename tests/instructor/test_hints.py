"""Visible tests teach without giving the answer away: a hint names the concept, not the line. No visible part
of a test cell (what students see) prints an answer's line, the expression it returns or assigns, or an
operator expression inside it (instructor/leaks.py: printed_answers)."""
import nbformat
import pytest

from instructor import leaks
from instructor.config import ROOT, Course

SOURCES = Course().sources()


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_visible_tests_print_no_answer(path):
    assert leaks.answer_expressions(path), "found no answer line to look for"
    found = leaks.printed_answers(path)
    assert not found, f"visible tests print answer lines (name the concept instead): {found}"


def _notebook(tmp_path, hint: str, answer: str = "w_avg + psi * (w - w_avg)"):
    def cell(source, **nbgrader):
        return nbformat.v4.new_code_cell(source, metadata={"nbgrader": {"schema_version": 3, **nbgrader}})

    nb = nbformat.v4.new_notebook(cells=[
        cell(f"def truncate(w, w_avg, psi):\n    ### BEGIN SOLUTION\n    return {answer}\n"
             "    ### END SOLUTION\n", grade_id="truncate", solution=True, grade=False),
        cell(f'assert truncate(1, 0, 1) == 1, "{hint}"\n### BEGIN HIDDEN TESTS\n'
             'assert truncate(2, 0, 0.5) == w_avg + psi * (w - w_avg)\n### END HIDDEN TESTS\n',
             grade_id="test_truncate", solution=False, grade=True, points=1),
    ])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(path))
    return path


def test_a_printed_answer_is_found_and_a_concept_is_not(tmp_path):
    leaky = _notebook(tmp_path, "hint: w_avg + psi*(w - w_avg)")
    assert leaks.printed_answers(leaky) == {"test_truncate": ["w_avg+psi*(w-w_avg)"]}
    fine = _notebook(tmp_path, "hint: pull w towards w_avg by the factor psi; the hidden tests are not checked")
    assert leaks.printed_answers(fine) == {}
    longer_name = _notebook(tmp_path, "my_w_avg + psi * (w - w_avg) is another function")  # a longer name
    assert leaks.printed_answers(longer_name) == {}
    inside = _notebook(tmp_path, "hint: w_avg + psi * (w - w_avg)", answer="(w_avg + psi * (w - w_avg)).clone()")
    assert leaks.printed_answers(inside) == {"test_truncate": ["w_avg+psi*(w-w_avg)"]}, "a part of the line"
