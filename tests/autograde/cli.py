"""A temporary nbgrader course directory: released by nbgrader's generate_assignment in this process (as `make grade`
releases), autograded through the real `nbgrader` command line."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import nbformat

from instructor import config
from instructor.grading import nbgrader_steps
from instructor.nbgrader_cli import BIN, nbgrader

__all__ = ["BIN", "Course"]


class Course:
    """A copy of the course's source notebooks and nbgrader_config.py under `path`; `course` its config.Course."""

    def __init__(self, path: Path, original: config.Course = config.Course()):
        self.path = Path(path)
        source = original.source("")
        shutil.copytree(source, self.path / source.relative_to(original.root))
        shutil.copy(original.root / "nbgrader_config.py", self.path / "nbgrader_config.py")
        self.course = config.Course(self.path)

    def nbgrader(self, *args: str, timeout: int = 1200) -> subprocess.CompletedProcess:
        return nbgrader(*args, cwd=self.path, timeout=timeout)

    def release(self, assignment: str) -> Path:
        """The student version, by nbgrader's generate_assignment in this process (as `make grade` runs it)."""
        nbgrader_steps.release(self.path, assignment)
        return self.course.release(assignment)

    def submit(self, assignment: str, notebook: str, student: str, nb) -> None:
        folder = self.course.submitted(student, assignment)
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(folder / f"{notebook}.ipynb"))

    def autograde(self, assignment: str) -> subprocess.CompletedProcess:
        return self.nbgrader("autograde", assignment, "--create", "--force")

    def scores(self, assignment: str, notebook: str, student: str) -> dict[str, float | None]:
        """grade_id -> score for one student's notebook (None: needs manual grading)."""
        from nbgrader.api import Gradebook

        with Gradebook(self.course.db_url) as gb:
            sub = gb.find_submission_notebook(notebook, assignment, student)
            return {g.name: g.score if not g.needs_manual_grade else None for g in sub.grades}
