"""Intake checks and repairs of submissions (instructor/grading/submissions.py, restore.py), and collecting them
into the folders nbgrader_config.py names (collect.py, config.py), without nbgrader."""
import copy

import nbformat
import pytest

from instructor.config import ROOT, Course
from instructor.grading import collect, example_class, restore, submissions
from instructor.notebooks import meta, read

RELEASE = Course().release("01_gan_basics", "gan_basics")
NOTEBOOK = "gan_basics"


@pytest.fixture(scope="module")
def release():
    return read(RELEASE)


@pytest.fixture(scope="module")
def example():
    """The example class's files for lecture 01, by student."""
    return {student: text for student, (_, text) in example_class.handed_in("01_gan_basics", ROOT).items()}


def _marks(nb):
    return [(c.source, meta(c)) for c in nb.cells if meta(c)]


def _submit(tmp_path, name, text):
    folder = tmp_path / "handed_in" / "s1" / "01_gan_basics"
    folder.mkdir(parents=True)
    (folder / name).write_text(text)
    return folder


@pytest.mark.parametrize("path", Course().releases(), ids=lambda p: p.parent.name)
def test_stripped_metadata_is_restored_exactly(path):
    """Every lecture (tests/end_to_end/test_colab.py grades one metadata-stripped Colab save end to end)."""
    release = read(path)
    stripped = copy.deepcopy(release)
    for cell in stripped.cells:
        cell.metadata = {}
    assert restore.restore_metadata(stripped, release) == len(_marks(release))
    assert _marks(stripped) == _marks(release)


def test_restore_finds_an_answer_by_its_first_line_when_a_scratch_cell_was_added(release):
    nb = copy.deepcopy(release)
    i = next(i for i, c in enumerate(nb.cells) if meta(c).get("grade_id") == "discriminator_loss")
    nb.cells.insert(i, nbformat.v4.new_code_cell("print('scratch')"))
    for cell in nb.cells:
        cell.metadata = {}
    restore.restore_metadata(nb, release)
    assert meta(nb.cells[i + 1])["grade_id"] == "discriminator_loss"
    assert not meta(nb.cells[i])


def test_restore_refuses_a_changed_locked_cell(release):
    nb = copy.deepcopy(release)
    test = next(c for c in nb.cells if meta(c).get("grade_id", "").startswith("test_"))
    test.source += "\nassert True"
    for cell in nb.cells:
        cell.metadata = {}
    with pytest.raises(restore.Unmatched, match="test_"):
        restore.restore_metadata(nb, release)


def test_duplicates_keep_the_edited_copy(release):
    nb = copy.deepcopy(release)
    i = next(i for i, c in enumerate(nb.cells) if meta(c).get("grade_id") == "discriminator_loss")
    old, new = copy.deepcopy(nb.cells[i]), nb.cells[i]
    old.source, new.source = "def discriminator_loss(a, b):\n    return 0", "def discriminator_loss(a, b):\n    return 1"
    nb.cells.insert(i, old)
    assert restore.demote_duplicates(nb, release) == ["discriminator_loss"]
    assert not meta(nb.cells[i]) and meta(nb.cells[i + 1])["grade_id"] == "discriminator_loss"
    assert restore.grade_ids(nb) == restore.grade_ids(release)


@pytest.mark.parametrize("student, gradable, repaired, note", [
    ("alice", True, False, None),
    ("heidi", True, True, "renamed to gan_basics.ipynb"),
    ("ivan", False, False, "not JSON"),
    ("judy", True, True, "metadata stripped"),
    ("grace", True, True, "copied: discriminator_loss"),
    ("frank", True, False, "answer cell 'build_generator' deleted"),  # lecture 01's last answer
])
def test_check_each_kind_of_submission(tmp_path, release, example, student, gradable, repaired, note):
    name = f"{NOTEBOOK} (1).ipynb" if student == "heidi" else f"{NOTEBOOK}.ipynb"
    folder = _submit(tmp_path, name, example[student])
    intake = submissions.check(folder, NOTEBOOK, release, tmp_path / "aside")
    assert (intake.gradable, intake.repaired) == (gradable, repaired), intake.notes
    assert note is None and not intake.notes or note and any(note in n for n in intake.notes), intake.notes
    if gradable:
        graded = read(folder / f"{NOTEBOOK}.ipynb")
        assert len(restore.grade_ids(graded)) == len(set(restore.grade_ids(graded)))
    else:
        assert not folder.exists() and (tmp_path / "aside" / name).exists(), "ungradable work is set aside"


def test_several_notebooks_and_none_named_right_is_not_guessed(tmp_path, release, example):
    folder = _submit(tmp_path, "a.ipynb", example["alice"])
    (folder / "b.ipynb").write_text(example["alice"])
    intake = submissions.check(folder, NOTEBOOK, release, tmp_path / "aside")
    assert not intake.gradable and "a.ipynb, b.ipynb" in intake.notes[0]


def test_an_invalid_notebook_is_reported_with_the_reason(tmp_path, release):
    folder = _submit(tmp_path, f"{NOTEBOOK}.ipynb", '{"cells": "not a list", "nbformat": 4, "nbformat_minor": 5}')
    intake = submissions.check(folder, NOTEBOOK, release, tmp_path / "aside")
    assert not intake.gradable and "not a valid notebook" in intake.notes[0]


def _course(root, *settings):
    """A course root holding the repository's nbgrader_config.py, with `settings` lines appended."""
    root.mkdir()
    (root / "nbgrader_config.py").write_text("\n".join([(ROOT / "nbgrader_config.py").read_text(), *settings]))
    return root


def test_a_submitted_tree_is_collected_with_or_without_the_assignment_level(tmp_path):
    root = _course(tmp_path / "root")
    src = tmp_path / "download"
    (src / "amy" / "01_gan_basics").mkdir(parents=True)
    (src / "amy" / "01_gan_basics" / "gan_basics.ipynb").write_text("{}")
    (src / "ben").mkdir()
    (src / "ben" / "gan_basics.ipynb").write_text("{}")
    (src / "cat").mkdir()
    old = Course(root).submitted("old", "01_gan_basics")
    old.mkdir(parents=True)
    found, skipped = collect.collect(root, "01_gan_basics", src, "gan_basics")
    assert [s.student for s in found] == ["amy", "ben"], "previous submissions of the assignment are replaced"
    assert {s.lms for s in found} == {"folders"}
    assert skipped == ["cat/: empty folder"]
    assert Course(root).submitted("ben", "01_gan_basics", "gan_basics.ipynb").exists()


def test_the_tools_follow_the_submitted_directory_of_nbgrader_config(tmp_path):
    """nbgrader_config.py is the one definition of the grading folders: `make grade` follows a change there."""
    root = _course(tmp_path / "root", 'c.CourseDirectory.submitted_directory = "hand-ins"')
    (tmp_path / "download" / "amy").mkdir(parents=True)
    (tmp_path / "download" / "amy" / "gan_basics.ipynb").write_text("{}")
    found, skipped = collect.collect(root, "01_gan_basics", tmp_path / "download", "gan_basics")
    assert ([s.student for s in found], skipped) == (["amy"], [])
    assert (root / "hand-ins" / "amy" / "01_gan_basics" / "gan_basics.ipynb").is_file()
    assert Course(root).submitted("*", "01_gan_basics") == root / "hand-ins" / "*" / "01_gan_basics"
    assert Course().directory.submitted_directory != "hand-ins", "each course root reads its own nbgrader_config.py"
    assert Course(root).gradebook.parent == Course(root).workspace() and root in Course(root).gradebook.parents
