"""Autograding throughput: seconds per submission through `nbgrader autograde`, one student per
call (as an instructor's batch runs them), for each assignment; median, min and max over N submissions.
nbgrader sets NBGRADER_EXECUTION in the kernel, so the notebooks run in fast mode (grade tier).

    python -m benchmarks.grading_speed [N] [ASSIGNMENT ...]     e.g. `python -m benchmarks.grading_speed 10 04_wgan_gp`
    python -m benchmarks.grading_speed --assignment 04_wgan_gp  (N defaults to 10)

Per submission: "times_s" lists every submission's seconds; "cells_median_s" is the median time the
kernel spent in the notebook's cells (nbclient's timing metadata), the rest being nbgrader itself
and the kernel's start and shutdown.

Then, for one assignment (the first given, default 04_wgan_gp), what `make grade`'s protections cost, in
the same run (`grading_speed_isolation.json`): median seconds per submission through plain nbgrader, through
`make grade`'s guarded executor without isolation (UNSAFE) and in the sandbox, interleaved so that a busy
machine weighs on each alike; and the throughput of a class of --class-size (default 20) correct
submissions through `instructor.grade.grade` with JOBS=1 and JOBS=2. Targets: sandbox <= 1.2x plain,
JOBS=2 >= 1.6x JOBS=1 on 2 cores.

    python -m benchmarks.grading_speed --isolation-only [--assignment A] [--isolation-n 5] [--class-size 20]
"""
import argparse
import shutil
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat

from benchmarks.common import report
from instructor import config, grade, notebooks
from tests.autograde import cli
from tests.autograde.tables import ALL


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
        graded = config.path(course.path, "autograded_directory", student, table.assignment, f"{table.notebook}.ipynb")
        cells.append(cells_seconds(notebooks.read(graded)))
    return {"assignment": table.assignment, "submissions": n, "median_s": statistics.median(times),
            "min_s": min(times), "max_s": max(times), "cells_median_s": statistics.median(cells),
            "times_s": [round(t, 2) for t in times]}


def solved_submission(course, table):
    release = notebooks.read(course.release(table.assignment) / f"{table.notebook}.ipynb")
    return notebooks.fill(release, notebooks.answers(
        notebooks.read(notebooks.source_path(table.assignment, table.notebook))))


def bench_isolation(table, n):
    """Seconds per submission: plain nbgrader, guarded without isolation, guarded in the sandbox (interleaved)."""
    course = cli.Course(Path(tempfile.mkdtemp()) / table.assignment)
    solved = solved_submission(course, table)
    runs = config.workspace(course.path, "execution", table.assignment)
    runs.mkdir(parents=True)
    db_url = config.db_url(course.path)
    times = {"plain": [], "unsafe": [], "sandbox": []}
    for i in range(n + 1):   # the first round warms the caches and is not counted
        for mode in times:
            student = f"{mode}{i:02d}"
            course.submit(table.assignment, table.notebook, student, solved)
            course.nbgrader("db", "student", "add", student)
            t = time.perf_counter()
            if mode == "plain":
                course.nbgrader("autograde", table.assignment, "--student", student)
            else:
                proc = grade.autograde_one(course.path, table.assignment, student, runs, db_url, mode == "sandbox",
                                           0, 3600)
                assert proc is not None and proc.returncode == 0, proc and proc.stderr[-2000:]
            if i:
                times[mode].append(time.perf_counter() - t)
    med = {m: statistics.median(v) for m, v in times.items()}
    return {"assignment": table.assignment, "submissions": n, "plain_median_s": med["plain"],
            "unsafe_median_s": med["unsafe"], "sandbox_median_s": med["sandbox"],
            "sandbox_vs_plain": med["sandbox"] / med["plain"], "sandbox_vs_unsafe": med["sandbox"] / med["unsafe"]}


def bench_jobs(table, size):
    """Wall seconds of `make grade` (instructor.grade.grade, sandboxed) on `size` submissions, JOBS=1 and 2."""
    row = {"assignment": table.assignment, "class_size": size}
    for jobs in (1, 2):
        course = cli.Course(Path(tempfile.mkdtemp()) / table.assignment)
        solved = solved_submission(course, table)
        source = course.path / "class"
        for i in range(size):
            (source / f"s{i:02d}").mkdir(parents=True)
            nbformat.write(solved, str(source / f"s{i:02d}" / f"{table.notebook}.ipynb"))
        t = time.perf_counter()
        grade.grade(table.assignment, source, root=course.path, log=lambda *a: None, jobs=jobs)
        row[f"jobs{jobs}_s"] = time.perf_counter() - t
        row[f"jobs{jobs}_per_min"] = 60 * size / row[f"jobs{jobs}_s"]
        shutil.rmtree(course.path.parent, ignore_errors=True)
    row["speedup"] = row["jobs1_s"] / row["jobs2_s"]
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=10, help="submissions per assignment (default 10)")
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    parser.add_argument("--assignment", action="append", default=[], help="an assignment id (repeatable)")
    parser.add_argument("--isolation-only", action="store_true", help="only the isolation and JOBS benchmark")
    parser.add_argument("--isolation-n", type=int, default=5, help="submissions per mode (default 5)")
    parser.add_argument("--class-size", type=int, default=20, help="class size for JOBS=1 against 2 (default 20)")
    args = parser.parse_args()
    wanted = args.assignments + args.assignment
    known = {t.assignment: t for t in ALL}
    if unknown := [a for a in wanted if a not in known]:
        parser.error(f"unknown assignment(s) {unknown}; known: {sorted(known)}")
    tables = [known[a] for a in wanted] or ALL
    if not args.isolation_only:
        name = "grading_speed" if not wanted else "grading_speed_" + "_".join(wanted)  # a subset keeps the full table
        report(name, [bench(t, args.n) for t in tables])
    table = known[wanted[0]] if wanted else known["04_wgan_gp"]
    report("grading_speed_isolation",
           [{**bench_isolation(table, args.isolation_n), **bench_jobs(table, args.class_size)}])


if __name__ == "__main__":
    main()
