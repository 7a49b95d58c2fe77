"""A temporary nbgrader course directory: released by nbgrader's generate_assignment in this process (as `make grade`
releases), autograded through the real `nbgrader` command line."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import nbformat

from instructor import config, notebooks
from instructor.grading import nbgrader_steps
from instructor.nbgrader_cli import BIN, nbgrader
from instructor.notebooks import ROOT

__all__ = ["BIN", "Course"]


class Course:
    """A copy of the course's solutions/ and nbgrader_config.py under `path`."""

    def __init__(self, path: Path, root: Path = ROOT):
        self.path = Path(path)
        source = notebooks.folder("source_directory", root, "")
        shutil.copytree(source, self.path / source.relative_to(root))
        shutil.copy(root / "nbgrader_config.py", self.path / "nbgrader_config.py")

    def nbgrader(self, *args: str, timeout: int = 1200) -> subprocess.CompletedProcess:
        return nbgrader(*args, cwd=self.path, timeout=timeout)

    def release(self, assignment: str) -> Path:
        """The student version, by nbgrader's generate_assignment in this process (as `make grade` runs it)."""
        nbgrader_steps.release(self.path, assignment)
        return config.path(self.path, "release_directory", ".", assignment)

    def submit(self, assignment: str, notebook: str, student: str, nb) -> None:
        folder = config.path(self.path, "submitted_directory", student, assignment)
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(folder / f"{notebook}.ipynb"))

    def autograde(self, assignment: str) -> subprocess.CompletedProcess:
        return self.nbgrader("autograde", assignment, "--create", "--force")

    def scores(self, assignment: str, notebook: str, student: str) -> dict[str, float | None]:
        """grade_id -> score for one student's notebook (None: needs manual grading)."""
        from nbgrader.api import Gradebook

        with Gradebook(config.db_url(self.path)) as gb:
            sub = gb.find_submission_notebook(notebook, assignment, student)
            return {g.name: g.score if not g.needs_manual_grade else None for g in sub.grades}
