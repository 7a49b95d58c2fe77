"""Getting a class's submissions into nbgrader's `submitted/` tree, whatever the LMS made of them.

`collect` unpacks the download (instructor/grading/archive.py: untrusted input, nothing written outside the
workspace), reads whose each notebook is (instructor/grading/lms.py: Canvas, Moodle, Blackboard, a `submitted/`
tree, or `<student>_<notebook>.ipynb`), copies each student's latest attempt to
`submitted/<LMS id>/<assignment>/` (with nbgrader's `timestamp.txt` when the LMS gave a time) and writes the
roster (`roster.json`: LMS, id, name, files, attempts) that the grade and feedback files for the LMS are made
from. The assignment's previous submissions and grades in the workspace are replaced.
"""
from __future__ import annotations

import glob
import json
import shutil
from pathlib import Path

from instructor.config import Course
from instructor.grading import archive, lms


def collect(root: Path, assignment: str, source: Path, notebook: str) -> tuple[list[lms.Submission], list[str]]:
    """Copy `source` (the class's `notebook`.ipynb files) into the workspace; returns (each student's submission,
    what was not collected and why)."""
    course = Course(root)
    for step in ("submitted_directory", "autograded_directory", "feedback_directory"):
        for old in _each_student(root, step, assignment):
            shutil.rmtree(old)
    unpacked = course.workspace("downloaded", assignment)
    refused = archive.unpack(Path(source).resolve(), unpacked)
    named_regexp = course.settings.FileNameCollectorPlugin.named_regexp
    found, skipped = lms.recognise(unpacked, assignment, notebook, named_regexp)
    for sub in found:
        folder = course.submitted(sub.student, assignment)
        folder.mkdir(parents=True)
        for name, path in sub.files.items():
            shutil.copyfile(path, folder / name)
        if stamp := lms.timestamp(sub):
            (folder / "timestamp.txt").write_text(stamp)
    write_roster(root, assignment, found)
    return found, refused + skipped


def roster_path(root: Path, assignment: str) -> Path:
    return Course(root).workspace("reports", assignment, "roster.json")


def write_roster(root: Path, assignment: str, found: list[lms.Submission]) -> None:
    path = roster_path(root, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([s.record() for s in found], indent=1, ensure_ascii=False))


def read_roster(root: Path, assignment: str) -> list[dict]:
    path = roster_path(root, assignment)
    if not path.exists():
        raise SystemExit(f"no roster at {path}: grade the class first (make grade ASSIGNMENT={assignment} "
                         "SUBMISSIONS=<the LMS download>)")
    return json.loads(path.read_text())


def _each_student(root: Path, step: str, assignment: str) -> list[Path]:
    return [Path(p) for p in glob.glob(str(Course(root).folder(step, "*", assignment)))]
