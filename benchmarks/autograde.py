"""Autograding throughput: seconds per submission through `nbgrader autograde`, one student per
call (as an instructor's batch runs them), for each assignment; median, min and max over N submissions.
nbgrader sets NBGRADER_EXECUTION in the kernel, so the notebooks run in fast mode (grade tier).

    python autograde.py [N] [ASSIGNMENT ...]     e.g. `python autograde.py 10 04_wgan_gp`
    python autograde.py --assignment 04_wgan_gp  (N defaults to 10)

Per submission: "times_s" lists every submission's seconds; "cells_median_s" is the median time the
kernel spent in the notebook's cells (nbclient's timing metadata), the rest being nbgrader itself
and the kernel's start and shutdown.
"""
import argparse
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from common import report  # first: puts tests/ ahead of this script, whose name is also `autograde`
from autograde import cli
from autograde.tables import ALL
from instructor import notebooks


def cells_seconds(nb) -> float:
    """Seconds from the first cell's execute_input to the last cell's execute_reply."""
    stamps = [c.metadata.get("execution", {}) for c in nb.cells if c.cell_type == "code"]
    start = [s["iopub.execute_input"] for s in stamps if "iopub.execute_input" in s]
    end = [s["shell.execute_reply"] for s in stamps if "shell.execute_reply" in s]
    if not start or not end:
        return float("nan")
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (parse(max(end)) - parse(min(start))).total_seconds()


def bench(table, n):
    course = cli.Course(Path(tempfile.mkdtemp()) / table.assignment)
    release = notebooks.read(course.release(table.assignment) / f"{table.notebook}.ipynb")
    solved = notebooks.fill(release, notebooks.answers(
        notebooks.read(notebooks.source_path(table.assignment, table.notebook))))
    times, cells = [], []
    for i in range(n):
        student = f"student{i:02d}"
        course.submit(table.assignment, table.notebook, student, solved)
        t = time.perf_counter()
        course.nbgrader("autograde", table.assignment, "--create", "--student", student)
        times.append(time.perf_counter() - t)
        graded = course.path / ".grading" / "autograded" / student / table.assignment / f"{table.notebook}.ipynb"
        cells.append(cells_seconds(notebooks.read(graded)))
    return {"assignment": table.assignment, "submissions": n, "median_s": statistics.median(times),
            "min_s": min(times), "max_s": max(times), "cells_median_s": statistics.median(cells),
            "times_s": [round(t, 2) for t in times]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=10, help="submissions per assignment (default 10)")
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    parser.add_argument("--assignment", action="append", default=[], help="an assignment id (repeatable)")
    args = parser.parse_args()
    wanted = args.assignments + args.assignment
    known = {t.assignment: t for t in ALL}
    if unknown := [a for a in wanted if a not in known]:
        parser.error(f"unknown assignment(s) {unknown}; known: {sorted(known)}")
    tables = [known[a] for a in wanted] or ALL
    name = "autograde" if not wanted else "autograde_" + "_".join(wanted)  # a subset keeps the full table
    report(name, [bench(t, args.n) for t in tables])


if __name__ == "__main__":
    main()
