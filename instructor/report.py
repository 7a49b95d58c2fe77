"""What happened to each submission, in words an instructor can act on: scores from the gradebook,
errors and interrupted cells from the autograded notebook, repairs from intake."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .notebooks import first_line, is_answer, meta, read

@dataclass
class Outcome:
    student: str
    status: str                     # graded | graded after repair | not graded
    score: float | None = None      # autograded points
    max_score: float | None = None
    written_pending: float = 0.0    # points of written answers waiting for a human
    failed: list[str] = field(default_factory=list)  # test cells that scored less than full
    notes: list[str] = field(default_factory=list)


def gradebook_scores(db_url: str, assignment: str, notebook: str, student: str):
    """(autograded score, its max, failed test ids, written points pending) or None when not graded."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url) as gb:
        try:
            sub = gb.find_submission_notebook(notebook, assignment, student)
        except MissingEntry:
            return None
        tests = [g for g in sub.grades if g.cell_type == "code"]
        pending = sum(g.max_score for g in sub.grades if g.cell_type != "code" and g.needs_manual_grade)
        return (sum(g.score for g in tests), sum(g.max_score for g in tests),
                [g.name for g in tests if g.score < g.max_score], pending)


def execution_notes(autograded: Path, timeout: int) -> list[str]:
    """Errors in answer cells, cells interrupted at the time limit, and GPU-only code, from the outputs."""
    if not autograded.exists():
        return []
    notes, gpu = [], []
    for i, cell in enumerate(read(autograded).cells):
        err = next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)
        if err is None:
            continue
        where = _name(cell, i)
        text = f"{err.get('ename')}: {err.get('evalue', '')}".strip()
        if err.get("ename") == "KeyboardInterrupt":
            notes.append(f"{where} ran past the {timeout} s per-cell limit and was interrupted")
        elif any(word in text.lower() for word in ("cuda", "nvidia", "gpu")):
            gpu.append(where)
        elif is_answer(cell):
            notes.append(f"{where} raised {text[:160]}")
    if gpu:
        named = [g for g in gpu if not g.startswith("cell ")]
        others = f"{len(gpu) - len(named)} other cells" if len(gpu) > len(named) else ""
        notes.append("uses CUDA, and the grading machine has no GPU: failed in "
                     + " and ".join(filter(None, [", ".join(named), others])))
    return notes


def _name(cell, index: int) -> str:
    """How the report names a cell: its grade id, or its number and first line."""
    gid = meta(cell).get("grade_id")
    if gid:
        return f"answer cell {gid!r}" if is_answer(cell) else gid
    return f"cell {index + 1} (`{first_line(cell)[:50]}`)"


def write(path: Path, assignment: str, outcomes: list[Outcome], extra: list[str]) -> str:
    """Write the report as markdown to `path` and return it."""
    lines = [f"# Grading report: {assignment}", "",
             f"{len(outcomes)} submissions; autograded points out of "
             f"{next((o.max_score for o in outcomes if o.max_score), 0):g}. Written answers are graded by hand in "
             "formgrader (`make lab`, then the Nbgrader > Manage Assignments tab); their points are not in the "
             "autograded score below.", "",
             "| student | autograded | status | failed tests | notes |", "|---|---|---|---|---|"]
    for o in outcomes:
        score = "—" if o.score is None else f"{o.score:g} / {o.max_score:g}"
        failed = ", ".join(o.failed) if len(o.failed) <= 4 else f"{len(o.failed)} test cells"
        notes = "; ".join(o.notes + ([f"written answers ({o.written_pending:g} pts) to grade"]
                                      if o.written_pending else []))
        lines.append(f"| {o.student} | {score} | {o.status} | {failed or '—'} | {notes.replace('|', '/') or '—'} |")
    if extra:
        lines += ["", "## Files not collected", ""] + [f"- {e}" for e in extra]
    text = "\n".join(lines) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return text
