"""Getting a class's submissions into nbgrader's `submitted/` tree.

Two shapes are accepted:
- an LMS download: a .zip (or a folder of .zip/.ipynb files) whose notebooks are named
  `<student>_<notebook>.ipynb`: collected by `nbgrader zip_collect` (the file-name pattern is
  `FileNameCollectorPlugin.named_regexp` in nbgrader_config.py);
- a `submitted/`-style folder: `<student>/<assignment>/<notebook>.ipynb` or `<student>/<notebook>.ipynb`.
Either way the assignment's previous submissions and grades in the workspace are replaced.
"""
from __future__ import annotations

import glob
import re
import shutil
from pathlib import Path

from . import config
from .nbgrader_cli import nbgrader


def is_lms_download(source: Path) -> bool:
    return source.is_file() or any(p.is_file() and p.suffix in (".zip", ".ipynb") for p in source.iterdir())


def collect(root: Path, assignment: str, source: Path) -> tuple[list[str], list[str]]:
    """Copy `source` into the workspace; returns (students, files nbgrader skipped, with why)."""
    source = Path(source).resolve()
    for step in ("submitted_directory", "autograded_directory", "feedback_directory"):
        for old in _each_student(root, step, assignment):
            shutil.rmtree(old)
    skipped = _zip_collect(root, assignment, source) if is_lms_download(source) else _copy_tree(root, assignment, source)
    students = sorted(p.parent.name for p in _each_student(root, "submitted_directory", assignment) if p.is_dir())
    return students, skipped


def _zip_collect(root: Path, assignment: str, source: Path) -> list[str]:
    archive = config.archive(root, assignment)
    shutil.rmtree(archive, ignore_errors=True)
    archive.mkdir(parents=True)
    for f in ([source] if source.is_file() else sorted(source.iterdir())):
        if f.is_file():
            shutil.copy(f, archive / f.name)
    proc = nbgrader("zip_collect", assignment, "--force", cwd=root)
    return [m.group(1) for m in re.finditer(r"Skipped submission with no match information provided: (.+)",
                                            proc.stderr)]


def _copy_tree(root: Path, assignment: str, source: Path) -> list[str]:
    skipped = []
    for student in sorted(p for p in source.iterdir() if p.is_dir()):
        inner = student / assignment if (student / assignment).is_dir() else student
        if not any(inner.iterdir()):
            skipped.append(f"{student.name}/: empty folder")
            continue
        shutil.copytree(inner, config.path(root, "submitted_directory", student.name, assignment))
    for stray in (p for p in source.iterdir() if p.is_file()):
        skipped.append(f"{stray.name}: not in a student's folder")
    return skipped


def _each_student(root: Path, step: str, assignment: str) -> list[Path]:
    return [Path(p) for p in glob.glob(str(config.path(root, step, "*", assignment)))]
