"""Checked claims (tests/claims.py): every notebook's markers parse, state what the prose states, and every
notebook states a measured fast-mode time; the checker itself fails when prose and run disagree. The comparison
with a run happens in `make test`'s nbval run of solutions/ (tests/conftest.py: `<notebook>::claims`)."""
import subprocess
import sys

import nbformat
import pytest

from instructor.config import ROOT, Course
from tests import claims

SOURCES = Course().sources()


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_markers_parse_and_match_the_prose(path):
    found, seconds, problems = claims.parse(nbformat.read(str(path), as_version=4).cells)
    assert not problems, "\n".join(problems)
    assert seconds is not None, "the introduction states no measured fast-mode time (<!-- fast-mode time: N s -->)"


def _cells(prose, printed):
    return [nbformat.v4.new_markdown_cell("Fast mode takes 60 s here. <!-- fast-mode time: 60 s -->"),
            nbformat.v4.new_code_cell(f"print({printed!r})"), nbformat.v4.new_markdown_cell(prose)]


def test_a_claim_passes_within_its_tolerance_and_fails_outside_it():
    found, seconds, problems = claims.parse(_cells(
        "FD fell to 56. <!-- claim: 56 ± 5 printed `final FD ([\\d.]+)` -->", "final FD 63.3"))
    assert not problems and seconds == 60
    assert "printed 63.3" in found[0].check("final FD 63.3\n")
    assert found[0].check("final FD 58.0\n") is None
    factor = claims.parse(_cells("W about 0.5. <!-- claim: 0.5 × 2 printed `W ([\\d.]+)` -->", ""))[0][0]
    assert factor.check("W 0.9") is None and factor.check("W 1.1") is not None and factor.check("W 0.2") is not None


def test_a_percentage_a_thousands_separator_and_a_minus_sign_are_read():
    assert claims.number("0.4%") == 0.4 and claims.number("1,200") == 1200 and claims.number("\u221268") == -68


def test_a_value_the_prose_no_longer_states_is_a_problem():
    problems = claims.parse(_cells("FD fell to 57. <!-- claim: 56 ± 5 printed `FD ([\\d.]+)` -->", ""))[2]
    assert problems and "no longer states" in problems[0]


def test_a_pattern_that_matches_twice_or_never_fails():
    claim = claims.parse(_cells("HQ 20%. <!-- claim: 20% ± 5 printed `HQ ([\\d.]+)%` -->", ""))[0][0]
    assert "found 2 matches" in claim.check("HQ 20%\nHQ 21%")
    assert "found 0 matches" in claim.check("nothing")


def test_broken_markers_are_problems():
    for marker in ("<!-- claim: 56 printed `FD ([\\d.]+)` -->",          # no tolerance
                   "<!-- claim: 56 ± 5 printed `FD [\\d.]+` -->",         # no group
                   "<!-- fast-mode time: about a minute -->"):
        assert claims.parse([nbformat.v4.new_markdown_cell(f"FD 56. {marker}")])[2], marker


def test_the_stated_time_must_be_within_a_factor_two():
    assert claims.check_time(100, 60) is None and claims.check_time(100, 190) is None
    assert claims.check_time(100, 45) and claims.check_time(100, 210)


def test_the_time_is_compared_at_the_reference_machines_speed():
    assert claims.check_time(100, 380, slowdown=2) is None and claims.check_time(100, 30, slowdown=0.5) is None
    assert claims.check_time(100, 420, slowdown=2) and claims.check_time(100, 90, slowdown=2.5)
    assert "2.50 times as slow" in claims.check_time(100, 90, slowdown=2.5)


def test_the_notebook_run_ends_each_notebook_with_its_claims():
    """tests/conftest.py gives every notebook nbval runs a `<notebook>::claims` item right after its last cell (it
    reads the outputs nbval keeps on each cell's item, so it needs no hook that only tests/ would see)."""
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "--nbval-lax",
         "tests/test_suite_order.py", *(str(p.relative_to(ROOT)) for p in SOURCES)],
        cwd=ROOT, capture_output=True, text=True, timeout=300).stdout.splitlines()
    for path in SOURCES:
        ids = [line for line in collected if line.startswith(f"{path.relative_to(ROOT)}::")]
        assert ids and ids[-1].endswith("::claims"), f"{path.relative_to(ROOT)}: expected its cells, then ::claims"
