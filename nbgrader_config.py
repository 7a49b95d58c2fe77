"""nbgrader configuration for the GAN course.

`solutions/` is the nbgrader source (answers + hidden tests), `course/` the release that
students receive. Everything an instructor grades lives in the git-ignored `.grading/`.
"""
import os

c = get_config()  # noqa: F821 (provided by traitlets)

ROOT = os.path.dirname(os.path.abspath(__file__))
GRADING = os.path.join(ROOT, ".grading")

c.CourseDirectory.root = ROOT
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "course"
c.CourseDirectory.submitted_directory = os.path.join(".grading", "submitted")
c.CourseDirectory.autograded_directory = os.path.join(".grading", "autograded")
c.CourseDirectory.feedback_directory = os.path.join(".grading", "feedback")
os.makedirs(GRADING, exist_ok=True)
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(GRADING, "gradebook.db")

# Any stderr in a test cell scores it 0. Warnings raised by torch/numpy inside a correct
# answer, and progress bars, are noise, not mistakes: drop those stderr outputs before grading.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"[A-Za-z]*Warning:|\d+%\||\bit/s\]"

# Graded cells run in seconds; training cells shrink under NBGRADER_EXECUTION (ganlab.fast_mode), so
# no cell of a correct submission needs more than a few seconds. A cell that runs past this limit (an
# infinite loop, a student's own long run) is interrupted; the notebook goes on with the next cell.
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True
# Every output is collected before the kernel stops: stop it at once (saves ~0.5 s per submission).
c.Execute.shutdown_kernel = "immediate"

# A student who deletes a test cell must not turn it into "needs manual grading".
c.OverwriteCells.add_missing_cells = True

# Feedback pages never show a hidden test: instructor/grading/feedback_pages.py (for `make grade`, `nbgrader
# generate_feedback` and formgrader's button alike; `make lab` puts this repository on the kernel's path).
c.GenerateFeedback.preprocessors = ["nbgrader.preprocessors.GetGrades", "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
                                    "instructor.grading.feedback_pages.HideHiddenTests"]

# `make grade SUBMISSIONS=<LMS download>` reads Canvas, Moodle and Blackboard downloads by their own names
# (instructor/grading/lms.py); a download named otherwise is read with this pattern, `<student>_<notebook>.ipynb`
# (e.g. `jdoe42_wgan_gp.ipynb`): adapt it to your LMS's naming.
c.FileNameCollectorPlugin.named_regexp = r".*[/\\](?P<student_id>[^/\\_]+)_(?P<file_id>[^/\\]+)$"
