"""`make grade ASSIGNMENT=04_wgan_gp [SUBMISSIONS=lms-download] [JOBS=N] [UNSAFE=1]`: grade a class with
nbgrader's own steps.

release (generate_assignment) -> collect (the LMS download unpacked safely and read by its names: Canvas,
Moodle, Blackboard, a submitted/ tree; grading/collect.py) -> check and repair each submission, scan its code for
review -> register the students (LMS id and name) -> autograde each one, JOBS at a time, its kernel in a sandbox
with a thread budget of cores // JOBS (a failure never stops the batch) -> feedback HTML without hidden tests ->
grades CSV, the LMS's grade and feedback files (grading/lms_export.py) -> a report of what happened to every
submission (report.md, and outcomes.json for programs). Autograding runs `nbgrader autograde` per student; the
other steps run nbgrader's classes in this process (grading/nbgrader_steps.py). With no SUBMISSIONS it grades a
built-in example class.

nbgrader's autograde stays the trusted process, outside the sandbox: it puts the gradebook's test cells
(hidden ones included) into the notebook, executes it through isolation.execute.GuardedExecute, whose kernel
runs in bubblewrap (isolation/sandbox.py), scores it and writes the gradebook. Parallel runs share the SQLite
gradebook: each writes only its own student's rows, in short transactions; a run that still meets a lock is
retried, so the grades never depend on JOBS. Nor does a cell's time: each kernel's torch gets cores // JOBS
threads, so a 64-core server does not run 64 kernels of 64 threads each.

Outputs, where nbgrader_config.py puts them (instructor/config.py; by default under .grading/): submitted/,
autograded/, feedback/<student>/<assignment>/ (HTML for students), the gradebook, and next to it
reports/<assignment>/{grades.csv, report.md, outcomes.json, roster.json, lms/}.
"""
from __future__ import annotations

import argparse
import os
import queue
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from instructor.config import ROOT, Course
from instructor.grading import collect, example_class, lms_export, nbgrader_steps, report, scan, submissions
from instructor.grading.isolation import sandbox
from instructor.nbgrader_cli import NbgraderError, nbgrader
from instructor.notebooks import read

# The grading machine is CPU-only: grading with the GPU hidden gives the same grades on any machine.
# PYTHONPATH: nbgrader imports the executor from this repository (instructor/grading/isolation/execute.py).
GRADING_ENV = {"CUDA_VISIBLE_DEVICES": "",
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
LOCK_RETRIES = 3


@dataclass(frozen=True)
class Run:
    """One grading run of one assignment: what every step of it needs."""
    course: Course
    assignment: str
    notebook: str
    jobs: int          # submissions graded at once
    isolated: bool     # kernels in the sandbox
    timeout: int       # seconds per cell (Execute.timeout)
    limit: int         # seconds for a whole notebook
    logs: Path         # the executor's notes and the kernels' logs

    @property
    def threads(self) -> int:
        """Each kernel's share of the cores (OMP_NUM_THREADS, MKL_NUM_THREADS; torch reads the first)."""
        return thread_budget(self.jobs)

    @property
    def root(self) -> Path:
        return self.course.root


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def thread_budget(jobs: int) -> int:
    return max(1, cores() // jobs)


def default_jobs(memory_per_kernel: int = sandbox.Limits.memory) -> int:
    """As many kernels as there are cores, and no more than the memory holds at the sandbox's limit each."""
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return cores()
    return max(1, min(cores(), ram // memory_per_kernel))


def _preprocessors() -> list[str]:
    """nbgrader's autograde preprocessors, with its Execute replaced by ours."""
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import Execute

    names = ["instructor.grading.isolation.execute.GuardedExecute" if p is Execute else f"{p.__module__}.{p.__name__}"
             for p in Autograde.class_traits()["autograde_preprocessors"].default()]
    return [f"--Autograde.autograde_preprocessors={n}" for n in names]


def grade(assignment: str, source: Path | None = None, root: Path = ROOT, log=print, jobs: int | None = None,
          unsafe: bool = False) -> dict[str, report.Outcome]:
    """Grade `assignment` for the submissions at `source` (None: the example class), `jobs` at a time
    (default: default_jobs()); returns what happened to each student (by id), as report.md and outcomes.json
    say it. Each kernel runs in the sandbox, or, only when `unsafe`, without isolation."""
    course = Course(root)
    root = course.root
    if assignment not in course.assignments():
        raise SystemExit(f"no assignment {assignment!r} in {course.source('')}; "
                         f"known: {', '.join(course.assignments())}")
    if source is not None and not Path(source).exists():
        raise SystemExit(f"no submissions at {source}: expected an LMS download (Canvas, Moodle or Blackboard "
                         "zip, or a folder of them), a folder of <student>_<notebook>.ipynb files or a "
                         "submitted/ tree (<student>/<assignment>/<notebook>.ipynb)")
    isolated = _isolation(unsafe, log)
    log(f"== {assignment}: release and gradebook")
    nbgrader_steps.release(root, assignment)
    release_file = course.release_notebook(assignment)
    release = read(release_file)
    timeout = int(course.settings.Execute.timeout)
    run = Run(course, assignment, release_file.stem, max(1, jobs or default_jobs()), isolated, timeout,
              limit=timeout * (sum(c.cell_type == "code" for c in release.cells) + 10),
              logs=course.workspace("execution", assignment))
    if source is None:
        source = example_class.build(assignment, root, course.workspace("example_class"))
        log(f"   no SUBMISSIONS given: grading the example class {source.relative_to(root)}")

    found, skipped = collect.collect(root, assignment, Path(source), run.notebook)
    shapes = sorted({s.lms for s in found})
    log(f"== collected {len(found)} submissions from {source} ({', '.join(shapes) or 'nothing'})")
    set_aside = course.workspace("set_aside", assignment)
    shutil.rmtree(set_aside, ignore_errors=True)
    intakes = {s.student: submissions.check(course.submitted(s.student, assignment),
                                            run.notebook, release, set_aside / s.student) for s in found}
    nbgrader_steps.register(root, {s.student: s.name for s in found})

    shutil.rmtree(run.logs, ignore_errors=True)
    run.logs.mkdir(parents=True)
    log(f"== autograding {sum(i.gradable for i in intakes.values())} submissions, {run.jobs} at a time with "
        f"{run.threads} thread(s) each, " + ("each kernel in a sandbox" if isolated else "WITHOUT isolation (UNSAFE)"))
    results = _autograde_all(run, [s for s, i in intakes.items() if i.gradable])
    outcomes = []
    for sub in found:
        intake = intakes[sub.student]
        outcome = report.Outcome(sub.student, report.Status.NOT_GRADED, name=sub.name,
                                 notes=sub.older + list(intake.notes))
        if intake.gradable:
            submitted = course.submitted(sub.student, assignment, f"{run.notebook}.ipynb")
            outcome.review = scan.summarise(scan.scan_notebook(read(submitted), release))
            proc, seconds = results[sub.student]
            _record(run, outcome, proc, intake.repaired)
            log(f"   {sub.student:<12} {outcome.shown_status:<28} {seconds:5.1f} s")
        else:
            log(f"   {sub.student:<12} {outcome.status}: {intake.notes[-1]}")
        outcomes.append(outcome)

    log("== feedback and grades")
    try:
        nbgrader_steps.feedback(root, assignment)
    except NbgraderError as why:   # the grades stand without the students' HTML pages
        log(f"!! no feedback pages: {str(why)[-500:]}")
    out = course.workspace("reports", assignment)
    out.mkdir(parents=True, exist_ok=True)
    nbgrader_steps.export(root, assignment, out / "grades.csv")
    lms_export.write(root, assignment, log=log)
    report.save(out / "outcomes.json", outcomes)
    text = report.write(out / "report.md", assignment, outcomes, skipped, isolated=isolated)
    log(text)
    log(f"grades: {out / 'grades.csv'}\nfeedback: {course.feedback('<student>', assignment)}/")
    return {o.student: o for o in outcomes}


def _isolation(unsafe: bool, log) -> bool:
    """True: every kernel runs in the sandbox. Stops with what to do when it cannot, unless `unsafe`."""
    if unsafe:
        log("!! UNSAFE=1: grading WITHOUT isolation: the students' code runs as you, with your files and network")
        return False
    try:
        sandbox.check()
    except sandbox.SandboxUnavailable as why:
        raise SystemExit(f"make grade: cannot isolate the submissions: {why}") from None
    return True


def _autograde_all(run: Run, students: list[str]) -> dict:
    """student -> (nbgrader's completed process or None, seconds), `run.jobs` students at a time; each
    parallel slot has its own sandbox uid."""
    slots = queue.Queue()
    for slot in range(run.jobs):
        slots.put(slot)

    def one(student):
        slot, t = slots.get(), time.perf_counter()
        try:
            return autograde_one(run, student, slot), time.perf_counter() - t
        finally:
            slots.put(slot)

    with ThreadPoolExecutor(run.jobs) as pool:
        return dict(zip(students, pool.map(one, students)))


def _record(run: Run, outcome: report.Outcome, proc, repaired: bool) -> None:
    """Fill `outcome` from the gradebook, the autograded notebook and what the executor noted."""
    student = outcome.student
    scores = report.gradebook_scores(run.course.db_url, run.assignment, run.notebook, student)
    if proc is None:
        outcome.notes.append(f"grading stopped after {run.limit} s (the whole notebook's limit); not graded")
    elif scores is None or proc.returncode != 0:
        (run.logs / f"{student}.nbgrader.log").write_text(proc.stderr)   # the whole story, for the instructor
        outcome.notes.append(_failure(proc.stderr, run.logs / f"{student}.log"))
    else:
        outcome.score, outcome.max_score, outcome.failed, outcome.written_pending = scores
        outcome.status = report.Status.REPAIRED if repaired else report.Status.GRADED
    autograded = run.course.autograded(student, run.assignment, f"{run.notebook}.ipynb")
    outcome.notes += report.execution_notes(autograded, run.timeout)
    notes, review = report.sandbox_notes(run.logs / f"{student}.json", autograded)
    outcome.notes += notes
    outcome.review += review


def _failure(stderr: str, kernel_log: Path) -> str:
    """Why nbgrader recorded nothing: the kernel died or went silent (with its last words), or nbgrader's
    own last lines."""
    kernel = ("the kernel died while grading" if "DeadKernelError" in stderr
              else "the kernel stopped answering while grading" if "Timeout waiting for IOPub" in stderr else "")
    if kernel:
        last = [ln for ln in kernel_log.read_text(errors="replace").splitlines() if ln.strip()][-1:] \
            if kernel_log.exists() else []
        return (f"{kernel} (a limit hit, or the notebook ended it)"
                + (f"; its last words: {last[0].strip()[:160]}" if last else "") + "; not graded")
    last = [ln for ln in stderr.splitlines() if ln.strip()][-3:]
    return "nbgrader could not grade it: " + " / ".join(last)[-300:]


def autograde_one(run: Run, student: str, slot: int) -> subprocess.CompletedProcess | None:
    """`nbgrader autograde` for one student (None: it ran past `run.limit` seconds and was stopped)."""
    args = ["autograde", run.assignment, "--student", student, "--force", *_preprocessors(),
            f"--CourseDirectory.db_url={run.course.db_url}?timeout=60",   # wait for a parallel run's write, not fail
            f"--GuardedExecute.notes_file={run.logs / f'{student}.json'}"]
    if run.isolated:
        args += ["--GuardedExecute.sandbox=True", f"--SandboxedKernelManager.log_file={run.logs / f'{student}.log'}"]
        if sandbox.slot_uid(slot) is not None:
            args.append(f"--SandboxedKernelManager.uid={sandbox.slot_uid(slot)}")
    env = {**GRADING_ENV, "OMP_NUM_THREADS": str(run.threads), "MKL_NUM_THREADS": str(run.threads)}
    retried = False   # a parallel run can make nbgrader itself fail now and then: one more try, as a lock does
    for _ in range(LOCK_RETRIES):
        try:
            proc = nbgrader(*args, cwd=run.root, check=False, env=env, timeout=run.limit)
        except subprocess.TimeoutExpired:
            return None
        kernel_failed = "DeadKernelError" in proc.stderr or "Timeout waiting for IOPub" in proc.stderr
        if "database is locked" in proc.stderr or (proc.returncode != 0 and not kernel_failed and not retried):
            retried = retried or "database is locked" not in proc.stderr   # nbgrader's own failure: once more
            continue
        break
    return proc


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="make grade", description=__doc__.split("\n")[0])
    parser.add_argument("assignment", help="e.g. 04_wgan_gp")
    parser.add_argument("submissions", nargs="?", type=Path,
                        help="an LMS download as the LMS made it (Canvas, Moodle, Blackboard: a .zip or its folder), "
                             "notebooks named <student>_<notebook>.ipynb, or a submitted/ tree; omitted: the "
                             "example class")
    parser.add_argument("--jobs", type=int, default=None,
                        help="submissions graded at once (default: the CPU cores, at most one per "
                             f"{sandbox.Limits.memory / 2**30:g} GiB of memory)")
    parser.add_argument("--unsafe", action="store_true",
                        help="grade without isolation when bubblewrap is missing (the report says so)")
    args = parser.parse_args(argv)
    grade(args.assignment, args.submissions, jobs=args.jobs, unsafe=args.unsafe)


if __name__ == "__main__":
    sys.exit(main())
