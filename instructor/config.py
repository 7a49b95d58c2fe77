"""Where grading happens, as nbgrader sees it: the course's nbgrader_config.py, loaded once per course root
(the tests grade copies of the course in temporary folders) into nbgrader's own CourseDirectory.

    path(root, "submitted_directory", student, assignment)   a folder of nbgrader's (CourseDirectory.format_path)
    db_url(root), gradebook(root)                             the gradebook
    workspace(root, "reports", assignment)                    the instructor's own files, next to the gradebook
"""
from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config, PyFileConfigLoader

from instructor.notebooks import ROOT

SQLITE = "sqlite:///"


@lru_cache(maxsize=None)
def _course(root: str) -> CourseDirectory:
    return CourseDirectory(config=PyFileConfigLoader("nbgrader_config.py", path=root).load_config())


def course(root: Path = ROOT) -> CourseDirectory:
    """nbgrader's CourseDirectory for the course at `root`, configured by its nbgrader_config.py."""
    return _course(str(Path(root).resolve()))


def settings(root: Path = ROOT) -> Config:
    """The course's whole nbgrader configuration (Execute.timeout, IgnorePattern, FileNameCollectorPlugin, ...)."""
    return course(root).config


def app_settings(root: Path = ROOT) -> Config:
    """A copy of settings(root) for one of nbgrader's apps or validators to own (they may change their config)."""
    return copy.deepcopy(settings(root))


def path(root: Path, step: str, student: str, assignment: str, *parts: str) -> Path:
    """nbgrader's folder `step` (a CourseDirectory setting: "submitted_directory", "autograded_directory", ...) of
    one student and assignment ("*" in either: a glob pattern), then `parts` inside it."""
    cd = course(root)
    return Path(cd.format_path(getattr(cd, step), student, assignment), *parts)


def db_url(root: Path = ROOT) -> str:
    return course(root).db_url


def gradebook(root: Path = ROOT) -> Path:
    """The SQLite gradebook file (`make grade` relies on SQLite's locking for parallel runs)."""
    url = db_url(root)
    if not url.startswith(SQLITE):
        raise ValueError(f"CourseDirectory.db_url must be a SQLite file ({SQLITE}...), not {url}")
    return Path(url.removeprefix(SQLITE))


def workspace(root: Path = ROOT, *parts: str) -> Path:
    """The instructor's files nbgrader knows nothing of (reports, execution logs, the example class):
    the gradebook's folder, then `parts`."""
    return gradebook(root).parent.joinpath(*parts)

