"""Checks one collected submission before grading, repairs what can be repaired, and says what it did.

A submission is `<submitted>/<student>/<assignment>/`. What a student can do to it, and what happens:
- renamed notebook (`wgan_gp (1).ipynb`, `Copy of wgan_gp.ipynb`): renamed back when it is the only one;
- not JSON, or not a valid notebook: set aside (not graded), with the parser's message;
- cell metadata stripped by an editor: restored from the release when the cells match it;
- a graded cell copied: the extra copies become ordinary cells;
- a graded cell deleted: said in the report (nbgrader adds deleted test cells back; a deleted answer
  cell costs its tests).
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.reader import NotJSONError
from nbgrader.utils import is_grade

from instructor.grading import restore
from instructor.notebooks import is_answer, meta


@dataclass
class Intake:
    student: str
    gradable: bool = True
    repaired: bool = False
    notes: list[str] = field(default_factory=list)


def check(folder: Path, notebook: str, release, set_aside: Path) -> Intake:
    """Prepare `folder` (one student's submission) for `nbgrader autograde`; see the module docstring.

    Whatever cannot be graded is moved under `set_aside` so that it cannot stop the class's batch.
    """
    intake = Intake(folder.parent.name)
    target = folder / f"{notebook}.ipynb"
    found = sorted(folder.glob("*.ipynb"))
    if not target.exists():
        if len(found) != 1:
            intake.gradable = False
            intake.notes.append(f"no notebook named {target.name}" + (
                f" among {', '.join(p.name for p in found)}: cannot tell which to grade" if found
                else " (nothing submitted)"))
            _set_aside(folder, set_aside)
            return intake
        found[0].rename(target)
        intake.repaired = True
        intake.notes.append(f"notebook was named {found[0].name!r}: renamed to {target.name}")
    for extra in (p for p in found if p.exists() and p != target):
        (set_aside / extra.name).parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(extra), set_aside / extra.name)
        intake.notes.append(f"extra notebook {extra.name!r} not graded")

    try:
        nb = nbformat.reads(target.read_text(encoding="utf-8", errors="replace"), as_version=4)
        nbformat.validate(nb)
    except (nbformat.ValidationError, ValueError, KeyError) as err:
        intake.gradable = False
        why = ("not JSON: the file is cut off or is not a notebook" if isinstance(err, NotJSONError)
               else f"not a valid notebook ({str(err).splitlines()[0][:160]})")
        intake.notes.append(f"{target.name} is {why}; not graded")
        _set_aside(folder, set_aside)
        return intake

    _repair_cells(nb, release, intake)
    if intake.gradable:
        nbformat.write(nb, str(target))
    else:
        _set_aside(folder, set_aside)
    return intake


def _repair_cells(nb, release, intake: Intake) -> None:
    expected = restore.grade_ids(release)
    if expected and not set(restore.grade_ids(nb)) & set(expected):
        try:
            n = restore.restore_metadata(nb, release)
        except restore.Unmatched as why:
            intake.gradable = False
            intake.notes.append(f"cell metadata stripped (an editor removed nbgrader's marks) and the cells do "
                                f"not match the release: {why}; grade by hand")
            return
        intake.repaired = True
        intake.notes.append(f"cell metadata stripped (an editor removed nbgrader's marks): restored on {n} "
                            "cells matched to the release (same order, locked cells unchanged)")
    duplicated = restore.demote_duplicates(nb, release)
    if duplicated:
        intake.repaired = True
        intake.notes.append(f"graded cell(s) copied: {', '.join(duplicated)}; graded the edited copy, "
                            "the other copies ran as ordinary cells")
    present = set(restore.grade_ids(nb))
    answers = {meta(c)["grade_id"] for c in release.cells if is_answer(c)}
    graded = {meta(c)["grade_id"] for c in release.cells if is_grade(c)}
    for gid in (g for g in expected if g not in present):
        intake.notes.append(f"answer cell {gid!r} deleted: its tests fail unless it is defined elsewhere"
                            if gid in answers else f"graded cell {gid!r} deleted: nbgrader adds it back"
                            if gid in graded else f"locked cell {gid!r} deleted")


def _set_aside(folder: Path, set_aside: Path) -> None:
    set_aside.mkdir(parents=True, exist_ok=True)
    for p in list(folder.iterdir()):
        shutil.move(str(p), set_aside / p.name)
    folder.rmdir()
