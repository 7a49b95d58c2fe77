"""The autograding harness: build submissions from a released notebook, grade them in-process
(fast, every mutant) or through the real nbgrader CLI (solution, blank release, a few mutants),
and compare scores with a per-assignment table of known-wrong and alternative-correct answers."""
