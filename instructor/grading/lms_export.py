"""Grades and feedback back into the LMS: `make lms ASSIGNMENT=04_wgan_gp [OUT_OF=100] [COLUMN="WGAN-GP (4321)"]`.

From the gradebook (autograded points plus whatever was graded by hand in formgrader since) and the roster that
collecting the download wrote (instructor/grading/collect.py), into `.grading/reports/<assignment>/lms/`:
- `canvas-grades.csv`: Canvas's Gradebook import (Grades > Import): Student, ID, SIS User ID, SIS Login ID,
  Section and one column for the assignment; Canvas matches rows on ID, its user id;
- `moodle-grades.csv`: Moodle's grading worksheet (assignment > "Upload grading worksheet"): Identifier
  (`Participant <id>`), Full name, Grade, Maximum Grade, Last modified (grade);
- `canvas-feedback.zip`: one HTML page per student named `<name>_<user id>_<attachment id>_<notebook>.html`,
  which Canvas's "Re-upload submissions" attaches to each student's submission as a comment (it reads the first
  two all-digit parts of the name: the user and the attachment the student handed in);
- `moodle-feedback.zip`: `<Full Name>_<id>_assignfeedback_file_/<notebook>.html`, for Moodle's "Upload
  multiple feedback files in a zip" (it reads the participant id from the folder name);
- `feedback-by-student.zip`: `<student>/<notebook>.html`, for any other way of handing feedback back.
A student without an autograded notebook gets an empty grade (an import then leaves theirs unchanged).
Run it again after grading the written answers in formgrader: the totals then include them.
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
import zipfile
from datetime import datetime
from pathlib import Path

from instructor.config import ROOT, Course
from instructor.grading import collect

CANVAS = ("canvas",)
MOODLE = ("moodle", "moodle-flat")


def totals(root: Path, assignment: str, students: list[str]) -> dict[str, tuple[float, float, bool] | None]:
    """student -> (points, max points, written answers still to grade), or None when not graded."""
    from nbgrader.api import Gradebook, MissingEntry

    out = {}
    with Gradebook(Course(root).db_url) as gb:
        for student in students:
            try:
                sub = gb.find_submission(assignment, student)
            except MissingEntry:
                out[student] = None
                continue
            out[student] = (sub.score, sub.max_score, sub.needs_manual_grade)
    return out


def write(root: Path, assignment: str, out_of: float | None = None, column: str | None = None, log=print) -> Path:
    """Write the LMS files for `assignment`; returns their folder."""
    course = Course(root)
    roster = collect.read_roster(root, assignment)
    notebook = course.release_notebook(assignment).stem
    scores = totals(root, assignment, [r["student"] for r in roster])
    out = course.workspace("reports", assignment, "lms")
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        old.unlink()

    def grade(student):
        got = scores[student]
        if got is None:
            return ""
        points, most, _ = got
        return f"{points * (out_of / most if out_of and most else 1):.4g}"

    max_points = next((s[1] for s in scores.values() if s), 0.0)
    shown_max = out_of or max_points
    canvas = [r for r in roster if r["lms"] in CANVAS]
    moodle = [r for r in roster if r["lms"] in MOODLE]
    if canvas:
        _csv(out / "canvas-grades.csv", ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column or assignment],
             [["Points Possible", "", "", "", "", f"{shown_max:g}"]]
             + [[r["name"], r["student"], "", "", "", grade(r["student"])] for r in canvas])
    if moodle:
        now = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        _csv(out / "moodle-grades.csv", ["Identifier", "Full name", "Grade", "Maximum Grade", "Last modified (grade)"],
             [[f"Participant {r['student']}", r["name"], grade(r["student"]), f"{shown_max:g}", now] for r in moodle])

    def page(student):
        return course.feedback(student, assignment, f"{notebook}.html")

    def bundle(name, rows, member):
        pages = [(member(r), page(r["student"])) for r in rows if page(r["student"]).exists()]
        if pages:
            with zipfile.ZipFile(out / name, "w", zipfile.ZIP_DEFLATED) as zf:
                for arcname, path in pages:
                    zf.write(path, arcname)

    bundle("canvas-feedback.zip", canvas, lambda r: "_".join(
        [r["name"]] + (["LATE"] if r["late"] else []) + [r["student"], r["attachment"] or "0", f"{notebook}.html"]))
    bundle("moodle-feedback.zip", moodle, lambda r: f"{r['name']}_{r['student']}_assignfeedback_file_/{notebook}.html")
    bundle("feedback-by-student.zip", roster, lambda r: f"{r['student']}/{notebook}.html")

    waiting = [r["student"] for r in roster if scores[r["student"]] and scores[r["student"]][2]]
    ungraded = [r["student"] for r in roster if scores[r["student"]] is None]
    log(f"LMS files in {out}: {', '.join(sorted(p.name for p in out.iterdir()))}")
    if waiting:
        log(f"   written answers still to grade in formgrader ({len(waiting)}): {', '.join(waiting)}; "
            "their totals hold the autograded points only: run `make lms` again once they are graded")
    if ungraded:
        log(f"   not graded, empty grade ({len(ungraded)}): {', '.join(ungraded)} (see report.md)")
    return out


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(text.getvalue(), encoding="utf-8")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="make lms", description=__doc__.split("\n")[0])
    parser.add_argument("assignment", help="e.g. 04_wgan_gp")
    parser.add_argument("--out-of", type=float, default=None,
                        help="the LMS assignment's maximum grade, e.g. 100 (default: the notebook's points)")
    parser.add_argument("--column", default=None,
                        help="Canvas's column for the assignment as its export names it, e.g. 'WGAN-GP (4321)'")
    args = parser.parse_args(argv)
    write(ROOT, args.assignment, out_of=args.out_of, column=args.column)


if __name__ == "__main__":
    sys.exit(main())
