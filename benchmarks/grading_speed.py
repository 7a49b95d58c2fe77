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
submissions through `instructor.grading.grade.grade` with JOBS=1 and JOBS=2, each kernel with its thread budget
(cores // JOBS), and whether every cell's grade is the same in both. Targets: sandbox <= 1.2x plain,
JOBS=2 >= 1.6x JOBS=1 on 2 cores, grades identical.

And a class of --lms-size (default 40) correct submissions as each LMS names its download (`grading_speed_lms.json`):
seconds per submission through `make grade`, the same as `<student>_<notebook>.ipynb` files within noise.

    python -m benchmarks.grading_speed --isolation-only [--assignment A] [--isolation-n 5] [--class-size 20]
    python -m benchmarks.grading_speed --lms-only [--lms-size 40] [--shapes canvas moodle ...]
"""
import argparse
import shutil
import statistics
import tempfile
import time
import zipfile
from datetime import datetime
from pathlib import Path

import nbformat

from benchmarks.common import report
from instructor import notebooks
from instructor.config import Course
from instructor.grading import example_class, grade
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
        notebooks.read(Course().source(table.assignment, table.notebook))))
    times, cells = [], []
    for i in range(n):
        student = f"student{i:02d}"
        course.submit(table.assignment, table.notebook, student, solved)
        t = time.perf_counter()
        course.nbgrader("autograde", table.assignment, "--create", "--student", student)
        times.append(time.perf_counter() - t)
        graded = course.course.autograded(student, table.assignment, f"{table.notebook}.ipynb")
        cells.append(cells_seconds(notebooks.read(graded)))
    return {"assignment": table.assignment, "submissions": n, "median_s": statistics.median(times),
            "min_s": min(times), "max_s": max(times), "cells_median_s": statistics.median(cells),
            "times_s": [round(t, 2) for t in times]}


def solved_submission(course, table):
    release = notebooks.read(course.release(table.assignment) / f"{table.notebook}.ipynb")
    return notebooks.fill(release, notebooks.answers(
        notebooks.read(Course().source(table.assignment, table.notebook))))


def bench_isolation(table, n):
    """Seconds per submission: plain nbgrader, guarded without isolation, guarded in the sandbox (interleaved)."""
    course = cli.Course(Path(tempfile.mkdtemp()) / table.assignment)
    solved = solved_submission(course, table)
    timeout, logs = int(course.course.settings.Execute.timeout), course.course.workspace("execution", table.assignment)
    runs = {isolated: grade.Run(course.course, table.assignment, table.notebook, jobs=1, isolated=isolated,
                                timeout=timeout, limit=3600, logs=logs)
            for isolated in (False, True)}
    runs[True].logs.mkdir(parents=True)
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
                proc = grade.autograde_one(runs[mode == "sandbox"], student, 0)
                assert proc is not None and proc.returncode == 0, proc and proc.stderr[-2000:]
            if i:
                times[mode].append(time.perf_counter() - t)
    med = {m: statistics.median(v) for m, v in times.items()}
    return {"assignment": table.assignment, "submissions": n, "plain_median_s": med["plain"],
            "unsafe_median_s": med["unsafe"], "sandbox_median_s": med["sandbox"],
            "sandbox_vs_plain": med["sandbox"] / med["plain"], "sandbox_vs_unsafe": med["sandbox"] / med["unsafe"]}


def _cell_grades(course, table) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(course.course.db_url) as gb:
        return {(s.student.id, g.name): g.score for s in gb.assignment_submissions(table.assignment)
                for nb in s.notebooks for g in nb.grades}


def bench_jobs(table, size):
    """Wall seconds of `make grade` (instructor.grading.grade.grade, sandboxed) on `size` submissions, JOBS=1 and 2, each
    kernel with its thread budget; and whether every cell's grade is the same."""
    row, grades = {"assignment": table.assignment, "class_size": size, "cores": grade.cores()}, {}
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
        row[f"jobs{jobs}_threads"] = grade.thread_budget(jobs)
        grades[jobs] = _cell_grades(course, table)
        shutil.rmtree(course.path.parent, ignore_errors=True)
    row["speedup"] = row["jobs1_s"] / row["jobs2_s"]
    row["grades_identical"] = grades[1] == grades[2] and len(grades[1]) > 0
    return row


def bench_lms(table, size, shapes):
    """Seconds per submission of `make grade` (default JOBS) on a class of `size` correct notebooks named as each
    LMS in `shapes` names its download."""
    rows = []
    for shape in shapes:
        course = cli.Course(Path(tempfile.mkdtemp()) / table.assignment)
        text = nbformat.writes(solved_submission(course, table))
        download = course.path / f"{shape}.zip"
        with zipfile.ZipFile(download, "w") as zf:
            for i in range(size):
                zf.writestr(example_class.lms_path(shape, f"{table.notebook}.ipynb", f"s{i:03d}",
                                                   f"Student Number{i:03d}", 5000 + i), text)
        t = time.perf_counter()
        outcomes = grade.grade(table.assignment, download, root=course.path, log=lambda *a: None)
        seconds = time.perf_counter() - t
        rows.append({"assignment": table.assignment, "shape": shape, "class_size": size,
                     "jobs": grade.default_jobs(), "seconds": seconds, "per_submission_s": seconds / size,
                     "full_marks": sum(o.score == o.max_score and o.score is not None for o in outcomes.values()),
                     "distinct_students": len(outcomes)})
        shutil.rmtree(course.path.parent, ignore_errors=True)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=10, help="submissions per assignment (default 10)")
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    parser.add_argument("--assignment", action="append", default=[], help="an assignment id (repeatable)")
    parser.add_argument("--isolation-only", action="store_true", help="only the isolation and JOBS benchmark")
    parser.add_argument("--isolation-n", type=int, default=5, help="submissions per mode (default 5)")
    parser.add_argument("--class-size", type=int, default=20, help="class size for JOBS=1 against 2 (default 20)")
    parser.add_argument("--lms-only", action="store_true", help="only the LMS shapes benchmark")
    parser.add_argument("--lms-size", type=int, default=40, help="class size per LMS shape (default 40)")
    parser.add_argument("--shapes", nargs="*", default=list(example_class.SHAPES), help="LMS shapes (default: all)")
    args = parser.parse_args()
    wanted = args.assignments + args.assignment
    known = {t.assignment: t for t in ALL}
    if unknown := [a for a in wanted if a not in known]:
        parser.error(f"unknown assignment(s) {unknown}; known: {sorted(known)}")
    tables = [known[a] for a in wanted] or ALL
    if not (args.isolation_only or args.lms_only):
        name = "grading_speed" if not wanted else "grading_speed_" + "_".join(wanted)  # a subset keeps the full table
        report(name, [bench(t, args.n) for t in tables])
    table = known[wanted[0]] if wanted else known["04_wgan_gp"]
    if not args.lms_only:
        report("grading_speed_isolation",
               [{**bench_isolation(table, args.isolation_n), **bench_jobs(table, args.class_size)}])
    report("grading_speed_lms", bench_lms(table, args.lms_size, args.shapes))


if __name__ == "__main__":
    main()
