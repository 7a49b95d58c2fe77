"""Every known-wrong answer fails exactly the test cells its table lists, every correct
alternative passes them all: graded in-process (the fast tier, all variants of all lectures)."""
import functools
import inspect

import pytest

from instructor import notebooks
from instructor.config import Course
from tests.autograde import inprocess
from tests.autograde.tables import ALL

CASES = [(t, v) for t in ALL for v in t.variants]


@functools.cache
def _read(assignment, notebook):
    return notebooks.read(Course().source(assignment, notebook))


def _source(table):
    return _read(table.assignment, table.notebook)


def _failed(outcomes):
    return {k for k, o in outcomes.items() if not o.passed}


@pytest.mark.parametrize("table", ALL, ids=[t.notebook for t in ALL])
def test_instructor_answers_pass_every_test(table):
    outcomes = inprocess.grade(_source(table), {})
    assert outcomes, "no test cells found"
    assert not _failed(outcomes), {k: o.detail for k, o in outcomes.items() if not o.passed}


@pytest.mark.parametrize("table", ALL, ids=[t.notebook for t in ALL])
def test_table_covers_the_notebook(table):
    nb = _source(table)
    answers, tests = notebooks.answers(nb), notebooks.test_points(nb)
    assert set(answers) == set(table.signatures) | set(table.carried), "answer cells differ from the graded interface"
    for answer in table.carried:
        assert not [t for t in tests if t.startswith(f"test_{answer}")], f"{answer}: carried code must not be graded"
    for answer in table.signatures:
        mine = [v for v in table.variants if v.answer == answer]
        assert any(v.correct for v in mine), f"{answer}: no correct alternative in the table"
        assert any(not v.correct for v in mine), f"{answer}: no known-wrong answer in the table"
    caught = {cell for v in table.variants for cell in v.fails}
    assert caught == set(tests), f"test cells that no mutant fails (vacuous?): {set(tests) - caught}"
    for v in table.variants:
        assert v.answer in answers, f"{v.name}: unknown answer cell {v.answer}"
        stray = [c for c in v.fails if not c.startswith(f"test_{v.answer}")]
        assert not stray, f"{v.name}: a mistake in {v.answer} must only cost its own tests, not {stray}"


@pytest.mark.parametrize("table", ALL, ids=[t.notebook for t in ALL])
def test_graded_signatures_match_the_design(table):
    ns = {}
    nb = _source(table)
    exec(notebooks.setup_cell(nb).source, ns)
    for answer, code in notebooks.answers(nb).items():
        exec(code, ns)
        if answer in table.carried:
            continue
        assert str(inspect.signature(ns[answer])) == table.signatures[answer]


@pytest.mark.parametrize("table,variant", CASES, ids=[i for t in ALL for i in t.ids()])
def test_variant_scores_as_expected(table, variant):
    outcomes = inprocess.grade(_source(table), {variant.answer: variant.code})
    failed = _failed(outcomes)
    details = "\n".join(f"{k}: {o.detail.strip().splitlines()[-1] if o.detail else ''}"
                        for k, o in outcomes.items() if not o.passed)
    assert failed == set(variant.fails), (
        f"{variant.name}: expected failures {sorted(variant.fails)}, got {sorted(failed)}\n{details}")
