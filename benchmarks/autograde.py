"""Autograding throughput: seconds per submission through `nbgrader autograde`, one student per
call (as an instructor's batch runs them), for each assignment; median over N submissions."""
import statistics
import sys
import tempfile
import time
from pathlib import Path

from autograde import cli
from instructor import notebooks
from autograde.tables import ALL
from common import report

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10


def bench(table, n):
    course = cli.Course(Path(tempfile.mkdtemp()) / table.assignment)
    release = notebooks.read(course.release(table.assignment) / f"{table.notebook}.ipynb")
    solved = notebooks.fill(release, notebooks.answers(
        notebooks.read(notebooks.source_path(table.assignment, table.notebook))))
    times = []
    for i in range(n):
        student = f"student{i:02d}"
        course.submit(table.assignment, table.notebook, student, solved)
        t = time.perf_counter()
        course.nbgrader("autograde", table.assignment, "--create", "--student", student)
        times.append(time.perf_counter() - t)
    return {"assignment": table.assignment, "submissions": n, "median_s": statistics.median(times),
            "min_s": min(times), "max_s": max(times)}


if __name__ == "__main__":
    report("autograde", [bench(t, N) for t in ALL])
