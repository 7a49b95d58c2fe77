"""What happened to each submission, in words an instructor can act on: scores from the gradebook,
errors and interrupted cells from the autograded notebook, repairs from intake."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path

from instructor.notebooks import first_line, is_answer, meta, read


class Status(str, Enum):
    GRADED = "graded"
    REPAIRED = "graded after repair"
    NOT_GRADED = "not graded"

    def __str__(self) -> str:
        return self.value


@dataclass
class Outcome:
    student: str                    # the id nbgrader grades under (the LMS's unique id)
    status: Status
    name: str = ""                  # display name, as the LMS gave it
    score: float | None = None      # autograded points
    max_score: float | None = None
    written_pending: float = 0.0    # points of written answers waiting for a human
    failed: list[str] = field(default_factory=list)  # test cells that scored less than full
    notes: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)  # suspicious code (instructor/grading/scan.py), for a human

    @property
    def shown_status(self) -> str:
        return f"{self.status}, review" if self.review else str(self.status)

    @property
    def shown_notes(self) -> list[str]:
        """The notes, and the written answers still to grade."""
        return self.notes + ([f"written answers ({self.written_pending:g} pts) to grade"] if self.written_pending else [])

    @property
    def shown_student(self) -> str:
        return f"{self.student} ({self.name})" if self.name and self.name != self.student else self.student


def save(path: Path, outcomes: list[Outcome]) -> None:
    """The outcomes as JSON, for programs (tests, an LMS script): a list of Outcome fields."""
    path.write_text(json.dumps([{**asdict(o), "status": o.status.value} for o in outcomes], indent=1,
                               ensure_ascii=False))


def load(path: Path) -> dict[str, Outcome]:
    """student -> Outcome, from save()'s file."""
    return {d["student"]: Outcome(**{**d, "status": Status(d["status"])}) for d in json.loads(path.read_text())}


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


def sandbox_notes(notes_file: Path, autograded: Path) -> tuple[list[str], list[str]]:
    """(notes, review flags) from what the executor recorded (instructor/grading/isolation/execute.py)."""
    if not notes_file.exists():
        return [], []
    recorded = json.loads(notes_file.read_text())
    cells = read(autograded).cells if autograded.exists() else []
    notes = [f"{_name(cells[i], i) if i < len(cells) else f'cell {i + 1}'} printed too much: output truncated"
             for i in recorded.get("truncated", [])]
    failed: dict[str, list[str]] = {}
    for before, error in recorded.get("guard_failed", []):
        failed.setdefault(error, []).append(before)
    review = [f"the test cells' guard failed ({error}), so these were not run: {', '.join(where)}"
              for error, where in failed.items()]
    return notes, review


def write(path: Path, assignment: str, outcomes: list[Outcome], extra: list[str], isolated: bool = True) -> str:
    """Write the report as markdown to `path` and return it."""
    unsafe = ["**UNSAFE: graded without isolation** (`UNSAFE=1`, no bubblewrap): the students' code ran as the "
              "grader, with its files and network; these scores can have been tampered with.", ""]
    lines = ([] if isolated else unsafe) + [f"# Grading report: {assignment}", "",
             f"{len(outcomes)} submissions; autograded points out of "
             f"{next((o.max_score for o in outcomes if o.max_score), 0):g}. Written answers are graded by hand in "
             "formgrader (`make lab`, then the Nbgrader > Manage Assignments tab); their points are not in the "
             "autograded score below.", "",
             "| student | autograded | status | failed tests | notes |", "|---|---|---|---|---|"]
    for o in outcomes:
        score = "—" if o.score is None else f"{o.score:g} / {o.max_score:g}"
        failed = ", ".join(o.failed) if len(o.failed) <= 4 else f"{len(o.failed)} test cells"
        notes = "; ".join(o.shown_notes)
        if o.review:
            notes = "; ".join(filter(None, [f"review: {o.review[0][:160]}" + (
                f" (and {len(o.review) - 1} more)" if len(o.review) > 1 else ""), notes]))
        lines.append(f"| {o.shown_student} | {score} | {o.shown_status} | {failed or '—'} | "
                     f"{notes.replace('|', '/') or '—'} |")
    flagged = [o for o in outcomes if o.review]
    if flagged:
        lines += ["", "## To review", "",
                  "Code a fair answer has no need for (instructor/grading/scan.py) or that broke the test cells' guard. "
                  "The score stands until you decide; read the lines in the submission.", ""]
        for o in flagged:
            lines += [f"- **{o.shown_student}**"] + [f"  - {r.replace('|', '/')}" for r in o.review]
    if extra:
        lines += ["", "## Files not collected", ""] + [f"- {e}" for e in extra]
    text = "\n".join(lines) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return text
