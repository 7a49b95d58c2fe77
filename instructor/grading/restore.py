"""Cell-level repairs of a submission against its release, before nbgrader sees it.

nbgrader finds graded cells by their metadata. An editor that strips cell metadata, or a student who
copies a graded cell, makes `nbgrader autograde` crash on that notebook (and the student silently keeps
no grade). These functions put the metadata back where the cells can be matched to the release, and
turn extra copies of a graded cell into ordinary cells.
"""
from __future__ import annotations

import copy

from nbgrader.utils import is_locked

from instructor.notebooks import first_line, meta


class Unmatched(Exception):
    """The submission's cells cannot be matched to the release's."""


def grade_ids(nb) -> list[str]:
    return [meta(c)["grade_id"] for c in nb.cells if meta(c).get("grade_id")]


def _mark(cell, release_cell) -> None:
    cell.metadata["nbgrader"] = copy.deepcopy(release_cell.metadata["nbgrader"])
    for flag in ("editable", "deletable"):
        if flag in release_cell.metadata:
            cell.metadata[flag] = release_cell.metadata[flag]


def restore_metadata(nb, release) -> int:
    """Copy the release's nbgrader metadata onto the submission's cells; returns the cells marked.

    Locked release cells (set-up, tests, locked text) must appear unchanged and in order. The cells
    between two locked ones are matched by position when the student kept their number, otherwise an
    answer cell is matched by its unchanged first line (its `def ...:`). Raises Unmatched with the reason.
    """
    anchors = [i for i, c in enumerate(release.cells) if is_locked(c)]
    if not anchors:
        raise Unmatched("the release has no locked cells to match against")
    matched, prev_r, prev_s = 0, -1, -1
    for r in anchors:
        cell = release.cells[r]
        k = next((k for k in range(prev_s + 1, len(nb.cells)) if nb.cells[k].cell_type == cell.cell_type
                  and nb.cells[k].source == cell.source), None)
        if k is None:
            raise Unmatched(f"locked cell {meta(cell)['grade_id']!r} was changed, moved or deleted")
        matched += _match_segment(release.cells[prev_r + 1:r], nb.cells[prev_s + 1:k]) + 1
        _mark(nb.cells[k], cell)
        prev_r, prev_s = r, k
    return matched + _match_segment(release.cells[prev_r + 1:], nb.cells[prev_s + 1:])


def _match_segment(released: list, submitted: list) -> int:
    graded = [c for c in released if meta(c)]
    if not graded:
        return 0
    if [c.cell_type for c in released] == [c.cell_type for c in submitted]:
        for r, s in zip(released, submitted):
            if meta(r):
                _mark(s, r)
        return len(graded)
    for r in graded:
        same = [s for s in submitted if s.cell_type == r.cell_type and first_line(s) == first_line(r)]
        if len(same) != 1:
            raise Unmatched(f"cells around {meta(r)['grade_id']!r} were added or removed, and its first line "
                            f"{first_line(r)!r} does not identify it")
        _mark(same[0], r)
    return len(graded)


def demote_duplicates(nb, release) -> list[str]:
    """Keep one copy of each graded cell and make the others ordinary cells; returns the grade ids.

    The copy kept is the one the student edited (the last edited one for answers, whose last definition
    is what ran), else the first. The other copies stay in the notebook and still run.
    """
    released = {meta(c)["grade_id"]: c.source for c in release.cells if meta(c).get("grade_id")}
    ids = grade_ids(nb)
    duplicated = sorted({g for g in ids if ids.count(g) > 1})
    for gid in duplicated:
        copies = [c for c in nb.cells if meta(c).get("grade_id") == gid]
        edited = [c for c in copies if c.source != released.get(gid)]
        keep = edited[-1] if edited else copies[0]
        for cell in copies:
            if cell is not keep:
                del cell.metadata["nbgrader"]
                cell.metadata.pop("editable", None)
                cell.metadata.pop("deletable", None)
    return duplicated
