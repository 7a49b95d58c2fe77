"""Whose notebook is this? Reading an unpacked LMS download by the names each LMS gives its files.

Shapes, tried in this order on each notebook's path inside the download (each an nbgrader
FileNameCollectorPlugin with its own `named_regexp`, as `nbgrader zip_collect` uses them):
- Moodle, "Download all submissions", one folder per student (the trailing `_` was dropped in Moodle 4.1):
  `Jane Doe_12345_assignsubmission_file_/wgan_gp.ipynb`; or flat: `Jane Doe_12345_assignsubmission_file_wgan_gp.ipynb`;
- Canvas, "Download submissions": `doejane_12345_987654_wgan_gp.ipynb`, `doejane_LATE_12345_987654_...`; the
  file's own name gets `-1`, `-2` when a student resubmitted a file of the same name;
- Blackboard: `Assignment 4_jdoe_attempt_2026-12-01-10-00-00_wgan_gp.ipynb`, with a receipt
  `Assignment 4_jdoe_attempt_2026-12-01-10-00-00.txt` (`Name: Jane Doe (jdoe)`, original file names);
- a `submitted/`-style tree: `<student>/<assignment>/<notebook>.ipynb` or `<student>/<notebook>.ipynb`;
- `<student>_<notebook>.ipynb` (nbgrader_config.py's `FileNameCollectorPlugin.named_regexp`).
The student is the LMS's unique id (Moodle's participant id, Canvas's user id, Blackboard's user name), never a
display name: two Jane Does stay two students. The name is kept for the report and the LMS files.
"""
from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from nbgrader.plugins import FileNameCollectorPlugin

_QUIET = logging.getLogger("instructor.grading.lms")
_QUIET.setLevel(logging.ERROR)   # a shape that does not match a file says so at WARNING, once per file

SHAPES = {   # lms -> named_regexp on "/<path inside the download>"
    "moodle": r".*/(?P<name>[^/]+?)_(?P<student_id>\d+)_assignsubmission_file_?/(?:.*/)?(?P<file_id>[^/]+)$",
    "moodle-flat": r".*/(?P<name>[^/]+?)_(?P<student_id>\d+)_assignsubmission_file_(?P<file_id>[^/]+)$",
    "canvas": r".*/(?P<name>[^/_]+)_(?:(?P<late>LATE)_)?(?P<student_id>\d+)_(?P<attachment>\d+)_(?P<file_id>[^/]+)$",
    "blackboard": r".*/(?P<assignment>[^/]+)_(?P<student_id>[^/_]+)_attempt_"
                  r"(?P<timestamp>\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d)_(?P<file_id>[^/]+)$",
}
RECEIPT = re.compile(r".*_(?P<student_id>[^/_]+)_attempt_(?P<timestamp>\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d)\.txt$")
RESUBMITTED = re.compile(r"^(?P<stem>.+)-\d+(?P<ext>\.ipynb)$")   # Canvas: wgan_gp-1.ipynb
SAFE_ID = re.compile(r"[^/\\\x00-\x1f.][^/\\\x00-\x1f]*")


@dataclass
class Submission:
    """One student's notebook(s), as the LMS delivered them."""
    student: str                     # the LMS's unique id: the folder nbgrader grades under
    name: str                        # display name, for the report and the LMS's files
    lms: str                         # moodle | moodle-flat | canvas | blackboard | folders | files
    files: dict[str, Path] = field(default_factory=dict)   # file name to grade under -> extracted file
    attempt: str = ""                # Blackboard's attempt time (the latest attempt counts)
    late: bool = False               # Canvas's LATE mark
    attachment: str = ""             # Canvas's attachment id (its feedback upload needs it)
    older: list[str] = field(default_factory=list)   # superseded attempts, for the report

    def record(self) -> dict:
        """What the LMS files need later (roster.json), without the extracted paths."""
        out = asdict(self)
        out["files"] = sorted(self.files)
        return out


def _plugins(named_regexp: str) -> dict[str, FileNameCollectorPlugin]:
    shapes = {**SHAPES, "files": named_regexp}
    return {lms: FileNameCollectorPlugin(named_regexp=rx, log=_QUIET) for lms, rx in shapes.items()}


def recognise(folder: Path, assignment: str, notebook: str, named_regexp: str) -> tuple[list[Submission], list[str]]:
    """Every student's latest submission of `assignment` (whose notebook is `notebook`.ipynb) in the unpacked
    download `folder`; and the files not collected, with why."""
    plugins, names = _plugins(named_regexp), _receipts(folder)
    found: dict[str, list[tuple[str, dict, Path]]] = {}
    skipped = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder)
        if path.suffix != ".ipynb":
            if not RECEIPT.match("/" + rel.as_posix()):
                skipped.append(f"{rel}: not a notebook")
            continue
        lms, info = _shape(plugins, rel, assignment, notebook)
        if info is None or not SAFE_ID.fullmatch(info["student_id"]):
            skipped.append(f"{rel}: its name does not say whose it is (no LMS's naming matches)")
            continue
        found.setdefault(info["student_id"], []).append((lms, info, path))
    skipped += [f"{d.name}/: empty folder" for d in sorted(folder.iterdir()) if d.is_dir() and not any(d.rglob("*.*"))]
    return [_latest(student, entries, names) for student, entries in sorted(found.items())], skipped


def _shape(plugins, rel: Path, assignment: str, notebook: str) -> tuple[str, dict | None]:
    """(lms, the plugin's groups) for one notebook. The release's own file name says nothing of whose it is
    (`wgan_gp.ipynb` is not student `wgan`'s `gp.ipynb`)."""
    path = "/" + rel.as_posix()
    for lms in SHAPES:
        info = plugins[lms].collect(path)
        if info:
            return lms, info
    if len(rel.parts) >= 2 and (len(rel.parts) == 2 or rel.parts[1] == assignment):
        return "folders", {"student_id": rel.parts[0], "file_id": rel.name}
    return "files", None if rel.name == f"{notebook}.ipynb" else plugins["files"].collect(path)


def _latest(student: str, entries: list[tuple[str, dict, Path]], names: dict) -> Submission:
    """The student's latest attempt (Blackboard's time stamps; one attempt elsewhere), the others listed."""
    attempts = sorted({info.get("timestamp") or "" for _, info, _ in entries})
    latest = attempts[-1]
    lms, info, _ = next(e for e in entries if (e[1].get("timestamp") or "") == latest)
    sub = Submission(student, names.get((student, latest), info.get("name") or student), lms, attempt=latest,
                     late=bool(info.get("late")), attachment=info.get("attachment") or "",
                     older=[f"attempt of {_when(a)} superseded by the attempt of {_when(latest)}" for a in attempts[:-1]])
    for lms_, info, path in entries:
        if (info.get("timestamp") or "") != latest:
            continue
        name = info["file_id"].rsplit("/", 1)[-1]
        if lms_ == "blackboard":
            name = names.get(("file", path.name), name)
        unmarked = RESUBMITTED.match(name) if lms_ == "canvas" else None
        if unmarked and f"{unmarked['stem']}{unmarked['ext']}" not in sub.files:
            name = f"{unmarked['stem']}{unmarked['ext']}"
        while name in sub.files:   # two files of one name in one attempt: keep both; intake says which it grades
            name = f"_{name}"
        sub.files[name] = path
    return sub


def _when(stamp: str) -> str:
    """Blackboard's 2026-12-01-10-00-00 as 2026-12-01 10:00:00."""
    return f"{stamp[:10]} {stamp[11:].replace('-', ':')}" if stamp else "(no time)"


def timestamp(sub: Submission) -> str | None:
    """The attempt's time as nbgrader's timestamp.txt takes it, when the LMS gave one."""
    return _when(sub.attempt) if sub.attempt else None


def _receipts(folder: Path) -> dict:
    """From Blackboard's receipts: (user name, attempt) -> display name, and ("file", stored name) -> the
    name the student's file had."""
    out = {}
    for path in folder.rglob("*.txt"):
        m = RECEIPT.match("/" + path.relative_to(folder).as_posix())
        if not m:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        who = re.search(r"^Name:\s*(.+?)\s*\(([^()]+)\)\s*$", text, re.M)
        if who and who.group(2) == m["student_id"]:
            out[(m["student_id"], m["timestamp"])] = who.group(1)
        for original, stored in re.findall(r"Original filename:\s*(.+?)\s*\n\s*Filename:\s*(.+?)\s*$", text, re.M):
            out[("file", stored)] = original
    return out
