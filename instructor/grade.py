"""`make grade ASSIGNMENT=04_wgan_gp [SUBMISSIONS=dir-or-zip]`: grade a class with nbgrader's own commands.

collect (zip_collect or a submitted/ tree) -> check and repair each submission -> register the students ->
autograde each one (a failure never stops the batch) -> feedback HTML -> grades CSV -> a report of what
happened to every submission. With no SUBMISSIONS it grades a built-in example class.

Outputs, under .grading/: submitted/, autograded/, feedback/<student>/<assignment>/ (HTML for students),
gradebook.db, and reports/<assignment>/{grades.csv, report.md}.
"""
from __future__ import annotations

import argparse
import csv
import shutil
import sys
import time
from pathlib import Path

from . import collect, example_class, report, submissions
from .nbgrader_cli import nbgrader
from .notebooks import ROOT, read, release_notebook

# The grading machine is CPU-only: grading with the GPU hidden gives the same grades on any machine.
GRADING_ENV = {"CUDA_VISIBLE_DEVICES": ""}


def _config_timeout(root: Path) -> int:
    from traitlets.config import PyFileConfigLoader
    return int(PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config().Execute.timeout)


def grade(assignment: str, source: Path | None = None, root: Path = ROOT, log=print) -> Path:
    """Grade `assignment` for the submissions at `source` (None: the example class); returns report.md."""
    root = Path(root).resolve()
    if not (root / "solutions" / assignment).is_dir():
        known = sorted(p.name for p in (root / "solutions").iterdir() if p.is_dir())
        raise SystemExit(f"no assignment {assignment!r} in solutions/; known: {', '.join(known)}")
    if source is not None and not Path(source).exists():
        raise SystemExit(f"no submissions at {source}: expected a .zip, a folder of zips or notebooks, or a "
                         "submitted/ tree (<student>/<assignment>/<notebook>.ipynb)")
    timeout = _config_timeout(root)
    log(f"== {assignment}: release and gradebook")
    nbgrader("generate_assignment", assignment, "--force", "--log-level=WARN", cwd=root)
    release_file = release_notebook(assignment, root)
    notebook, release = release_file.stem, read(release_file)
    if source is None:
        source = example_class.build(assignment, root, collect.workspace(root, "example_class"))
        log(f"   no SUBMISSIONS given: grading the example class {source.relative_to(root)}")

    students, skipped = collect.collect(root, assignment, Path(source))
    log(f"== collected {len(students)} submissions from {source}")
    set_aside = collect.workspace(root, "set_aside", assignment)
    shutil.rmtree(set_aside, ignore_errors=True)
    intakes = {s: submissions.check(collect.workspace(root, "submitted", s, assignment), notebook, release,
                                    set_aside / s) for s in students}
    _register(root, students)

    db_url = "sqlite:///" + str(collect.workspace(root, "gradebook.db"))
    outcomes = []
    for student, intake in intakes.items():
        outcome = report.Outcome(student, "not graded", notes=list(intake.notes))
        if intake.gradable:
            t = time.perf_counter()
            proc = nbgrader("autograde", assignment, "--student", student, "--force", cwd=root, check=False,
                            env=GRADING_ENV)
            scores = report.gradebook_scores(db_url, assignment, notebook, student)
            if scores is None or proc.returncode != 0:
                last = [ln for ln in proc.stderr.splitlines() if ln.strip()][-3:]
                outcome.notes.append("nbgrader could not grade it: " + " / ".join(last)[-300:])
            else:
                outcome.score, outcome.max_score, outcome.failed, outcome.written_pending = scores
                outcome.status = "graded after repair" if intake.repaired else "graded"
            autograded = collect.workspace(root, "autograded", student, assignment, f"{notebook}.ipynb")
            outcome.notes += report.execution_notes(autograded, timeout)
            log(f"   {student:<12} {outcome.status:<20} {time.perf_counter() - t:5.1f} s")
        else:
            log(f"   {student:<12} {outcome.status}: {intake.notes[-1]}")
        outcomes.append(outcome)

    log("== feedback and grades")
    nbgrader("generate_feedback", assignment, "--force", cwd=root, check=False)
    out = collect.workspace(root, "reports", assignment)
    out.mkdir(parents=True, exist_ok=True)
    nbgrader("export", "--to", str(out / "grades.csv"), "--assignment", assignment, cwd=root)
    text = report.write(out / "report.md", assignment, outcomes, skipped)
    log(text)
    log(f"grades: {out / 'grades.csv'}\nfeedback: {collect.workspace(root, 'feedback')}/<student>/{assignment}/")
    return out / "report.md"


def _register(root: Path, students: list[str]) -> None:
    """Add the students to the gradebook (one `nbgrader db student import`)."""
    roster = collect.workspace(root, "roster.csv")
    with roster.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id"])
        writer.writerows([s] for s in students)
    nbgrader("db", "student", "import", str(roster), cwd=root)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="make grade", description=__doc__.split("\n")[0])
    parser.add_argument("assignment", help="e.g. 04_wgan_gp")
    parser.add_argument("submissions", nargs="?", type=Path,
                        help="an LMS download (.zip or folder of zips/notebooks named <student>_<notebook>."
                             "ipynb) or a submitted/ tree; omitted: the example class")
    args = parser.parse_args(argv)
    grade(args.assignment, args.submissions)


if __name__ == "__main__":
    sys.exit(main())
