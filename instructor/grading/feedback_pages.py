"""Feedback pages that teach and leak nothing: nbgrader's feedback is the autograded notebook as HTML, hidden
tests and all (nbgrader issues #917, #1363: "by design"). nbgrader_config.py adds `HideHiddenTests` to
GenerateFeedback's preprocessors, so `make grade`, `nbgrader generate_feedback` and formgrader's
"Generate feedback" button all write pages in which each test cell shows:
- its visible tests, with the hidden part replaced by one comment line;
- its score (nbgrader's own GetGrades), and, when it failed, the failure message (the exception's name and
  message, which the course's tests write for students: expected, got, hint), without the traceback, whose
  source lines would quote the hidden test.
The student's own cells are shown as they ran.
"""
from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from instructor.leaks import HIDDEN_TESTS
from instructor.notebooks import is_test

HIDDEN_NOTE = "# (hidden tests: not shown; they decide the grade)\n"


class HideHiddenTests(Preprocessor):
    enabled = Bool(True, help="on: nbconvert registers a preprocessor named in the configuration switched off")
    def preprocess_cell(self, cell, resources, index):
        if is_test(cell):
            cell.source = HIDDEN_TESTS.sub(HIDDEN_NOTE, cell.source)
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
        return cell, resources
