"""The course's tests; a package, so that the autograding harness is `tests.autograde` (benchmarks import it too)."""
