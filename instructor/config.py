"""The course, as nbgrader sees it: the folders and the gradebook its nbgrader_config.py names, read once per course
root into nbgrader's own CourseDirectory (the tests grade copies of the course in temporary folders).

    course = Course()                                   # this repository; Course(tmp) a copy
    course.source("04_wgan_gp", "wgan_gp")              # solutions/04_wgan_gp/wgan_gp.ipynb
    course.release_notebook("04_wgan_gp")               # course/04_wgan_gp/wgan_gp.ipynb
    course.submitted("alice", "04_wgan_gp")             # .grading/submitted/alice/04_wgan_gp
    course.gradebook, course.workspace("reports", a)    # the gradebook; the instructor's own files beside it
"""
from __future__ import annotations

import copy
import glob
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config, PyFileConfigLoader

ROOT = Path(__file__).resolve().parents[1]
SQLITE = "sqlite:///"


@lru_cache(maxsize=None)
def _directory(root: Path) -> CourseDirectory:
    return CourseDirectory(config=PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config())


@dataclass(frozen=True)
class Course:
    """A course root and what its nbgrader_config.py says of it. `assignment` "*" (or `student` "*") in a path is a
    glob pattern."""
    root: Path = ROOT

    def __post_init__(self):
        object.__setattr__(self, "root", Path(self.root).resolve())

    @property
    def directory(self) -> CourseDirectory:
        return _directory(self.root)

    @property
    def settings(self) -> Config:
        """The whole nbgrader configuration (Execute.timeout, IgnorePattern, FileNameCollectorPlugin, ...)."""
        return self.directory.config

    def app_settings(self) -> Config:
        """A copy of the settings for one of nbgrader's apps or validators to own (they may change their config)."""
        return copy.deepcopy(self.settings)

    def folder(self, step: str, student: str, assignment: str, *parts: str) -> Path:
        """nbgrader's folder `step` (a CourseDirectory setting: "submitted_directory", "autograded_directory", ...)
        of one student and assignment, then `parts` inside it."""
        cd = self.directory
        return Path(cd.format_path(getattr(cd, step), student, assignment), *parts)

    # ------------------------------------------------------------ the instructor's notebooks and the students'
    def source(self, assignment: str = "*", notebook: str | None = None) -> Path:
        """The assignment's source folder (answers and hidden tests), or its `notebook` there."""
        folder = self.folder("source_directory", ".", assignment)
        return folder if notebook is None else folder / f"{notebook}.ipynb"

    def release(self, assignment: str = "*", notebook: str | None = None) -> Path:
        """The assignment's released folder (what students receive), or its `notebook` there."""
        folder = self.folder("release_directory", ".", assignment)
        return folder if notebook is None else folder / f"{notebook}.ipynb"

    def sources(self) -> list[Path]:
        """Every source notebook, assignment by assignment."""
        return sorted(map(Path, glob.glob(str(self.source() / "*.ipynb"))))

    def releases(self) -> list[Path]:
        """Every released notebook, assignment by assignment."""
        return sorted(map(Path, glob.glob(str(self.release() / "*.ipynb"))))

    def assignments(self) -> list[str]:
        return sorted({p.parent.name for p in self.sources()})

    def release_notebook(self, assignment: str) -> Path:
        """The assignment's released notebook (one per assignment)."""
        found = sorted(self.release(assignment).glob("*.ipynb"))
        if not found:
            raise FileNotFoundError(f"no released notebook in {self.release(assignment)}: run `make release`")
        return found[0]

    # ------------------------------------------------------------ grading
    def submitted(self, student: str, assignment: str, *parts: str) -> Path:
        return self.folder("submitted_directory", student, assignment, *parts)

    def autograded(self, student: str, assignment: str, *parts: str) -> Path:
        return self.folder("autograded_directory", student, assignment, *parts)

    def feedback(self, student: str, assignment: str, *parts: str) -> Path:
        return self.folder("feedback_directory", student, assignment, *parts)

    @property
    def db_url(self) -> str:
        return self.directory.db_url

    @property
    def gradebook(self) -> Path:
        """The SQLite gradebook file (`make grade` relies on SQLite's locking for parallel runs)."""
        if not self.db_url.startswith(SQLITE):
            raise ValueError(f"CourseDirectory.db_url must be a SQLite file ({SQLITE}...), not {self.db_url}")
        return Path(self.db_url.removeprefix(SQLITE))

    def workspace(self, *parts: str) -> Path:
        """The instructor's files nbgrader knows nothing of (reports, execution logs, the example class): the
        gradebook's folder, then `parts`."""
        return self.gradebook.parent.joinpath(*parts)
