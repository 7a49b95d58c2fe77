"""nbgrader's own steps around autograding, run in this process through nbgrader's classes and the course's
nbgrader_config.py (instructor/config.py): the same work as `nbgrader generate_assignment`, `db student
import`, `generate_feedback` and `export`, without a three-second start-up each. Autograding itself stays a
command per student (instructor/grading/grade.py), so submissions grade in parallel, each in its own process."""
from __future__ import annotations

from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.converters import GenerateAssignment, GenerateFeedback
from nbgrader.coursedir import CourseDirectory
from nbgrader.plugins import CsvExportPlugin
from nbgrader.utils import capture_log

from instructor.config import Course
from instructor.nbgrader_cli import NbgraderError


def _converter(kind, root: Path, assignment: str, **traits) -> None:
    settings = Course(root).app_settings()
    coursedir = CourseDirectory(config=settings, assignment_id=assignment)
    app = kind(coursedir=coursedir, config=settings, **traits)
    result = capture_log(app)
    if not result["success"]:
        raise NbgraderError(f"nbgrader {kind.__name__} of {assignment} failed:\n"
                            f"{result.get('log', '')}{result['error']}"[-4000:])


def release(root: Path, assignment: str) -> None:
    """`nbgrader generate_assignment --force`: the student version, and the assignment's test cells in the
    gradebook."""
    _converter(GenerateAssignment, root, assignment, force=True, create_assignment=True)


def register(root: Path, students: dict[str, str]) -> None:
    """`nbgrader db student import`: every student (LMS id -> display name) in the gradebook, the name as
    formgrader shows it (first names, last name)."""
    with Gradebook(Course(root).db_url) as gb:
        for student, name in students.items():
            first, _, last = name.rpartition(" ") if name != student else ("", "", "")
            gb.update_or_create_student(student, first_name=first or last, last_name=last if first else "",
                                        lms_user_id=student)


def feedback(root: Path, assignment: str) -> None:
    """`nbgrader generate_feedback --force`: an HTML page per autograded student."""
    _converter(GenerateFeedback, root, assignment, force=True)


def export(root: Path, assignment: str, to: Path) -> None:
    """`nbgrader export --assignment <assignment>`: the gradebook's scores as CSV at `to`."""
    course = Course(root)
    plugin = CsvExportPlugin(config=course.app_settings(), to=str(to), assignment=[assignment])
    with Gradebook(course.db_url) as gb:
        plugin.export(gb)
