"""make test's schedule (tests/conftest.py): the slowest files it names exist, so none silently starts last."""
import pytest

from instructor.config import ROOT
from tests.conftest import SLOWEST_FIRST


@pytest.mark.parametrize("prefix", SLOWEST_FIRST)
def test_each_slow_file_named_for_the_schedule_exists(prefix):
    folder, _, start = prefix.rpartition("/")
    assert any(p.name.startswith(start) for p in (ROOT / folder).iterdir()), f"nothing matches {prefix!r}"
