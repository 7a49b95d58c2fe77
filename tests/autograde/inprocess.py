"""Grade a submission in this Python process, the way nbgrader would, but in milliseconds:
run the set-up cell, the answer cells and the test cells (in notebook order) in one namespace.
A test cell passes when it raises nothing and writes no stderr (after nbgrader's IgnorePattern).

Convention this relies on: test cells use only the set-up cell (the first code cell) and the
graded functions, never variables from the notebook's experiments.
"""
from __future__ import annotations

import contextlib
import io
import re
import traceback
import warnings
from dataclasses import dataclass
from functools import lru_cache

from instructor.config import Course
from instructor.notebooks import is_answer, is_test, meta, setup_cell


@dataclass
class Outcome:
    passed: bool
    detail: str = ""   # the error or stderr that failed the cell


@lru_cache(maxsize=1)
def ignore_pattern() -> re.Pattern | None:
    """nbgrader's IgnorePattern, read from the course's own nbgrader_config.py."""
    section = Course().settings.IgnorePattern
    return re.compile(section.pattern) if section.get("enabled") and section.get("pattern") else None


def _run(source: str, ns: dict) -> Outcome:
    err = io.StringIO()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err), \
                warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.showwarning = lambda msg, cat, fname, lineno, file=None, line=None: err.write(
                warnings.formatwarning(msg, cat, fname, lineno, line))  # to stderr, as in a kernel
            exec(compile(source, "<cell>", "exec"), ns)
    except BaseException:  # noqa: BLE001 - a student's cell may raise anything
        return Outcome(False, traceback.format_exc(limit=-2))
    stderr = err.getvalue()
    pattern = ignore_pattern()
    if stderr and not (pattern and pattern.search(stderr)):
        return Outcome(False, "stderr: " + stderr)
    return Outcome(True)


def grade(source_nb, code: dict[str, str]) -> dict[str, Outcome]:
    """Test cell grade_id -> Outcome, with answer cells replaced by `code` where given
    (else the instructor's answers, markers and all)."""
    ns: dict = {"__name__": "__main__"}
    first = setup_cell(source_nb)
    setup = _run(first.source, ns)
    if not setup.passed:
        raise RuntimeError(f"the set-up cell failed: {setup.detail}")
    outcomes = {}
    for cell in source_nb.cells:
        if is_answer(cell):
            _run(code.get(meta(cell)["grade_id"], cell.source), ns)  # a broken answer fails its tests
        elif is_test(cell):
            outcomes[meta(cell)["grade_id"]] = _run(cell.source, ns)
    return outcomes
