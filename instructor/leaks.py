"""Finding graded material (answers, hidden tests) in what students receive.

A secret is a pair of consecutive code lines from between `### BEGIN SOLUTION` / `### END SOLUTION`
or `### BEGIN HIDDEN TESTS` / `### END HIDDEN TESTS` that appears nowhere else in the source notebook
(one-line bodies count as themselves when long enough to be telling). A text leaks a secret when the
same lines follow each other in it, whatever the indentation and comments around them.
"""
from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

SECRET = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)\n(.*?)### END \1", re.S)
_ARCHIVES = (".whl", ".zip")


def code_lines(text: str) -> list[str]:
    """Stripped non-empty lines, comments dropped."""
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]


def _windows(lines: list[str], single: bool = False) -> set[tuple[str, ...]]:
    """Pairs of consecutive lines (or the line itself for one-line bodies, when `single`)."""
    if single and len(lines) == 1:
        return {(lines[0],)} if len(lines[0]) >= 16 else set()
    return set(zip(lines, lines[1:]))


def secrets(source_notebook: Path) -> set[tuple[str, ...]]:
    """Line windows of answers and hidden tests that appear nowhere else in the source notebook."""
    secret, public = set(), set()
    for cell in json.loads(Path(source_notebook).read_text())["cells"]:
        text = "".join(cell["source"])
        for _, body in SECRET.findall(text):
            secret |= _windows(code_lines(body), single=True)
        public |= _windows(code_lines(SECRET.sub("", text)))
    return secret - public


def leaked(secret: set[tuple[str, ...]], text: str) -> set[tuple[str, ...]]:
    """The secrets that `text` contains."""
    lines = code_lines(text)
    return secret & (set(zip(lines, lines[1:])) | {(ln,) for ln in lines})


def _strings(obj) -> list[str]:
    """Every string in a JSON document; a list of strings (nbformat's multi-line text) joined."""
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, list) and obj and all(isinstance(x, str) for x in obj):
        return ["".join(obj)]
    items = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, list) else ()
    return [s for x in items for s in _strings(x)]


def _file_texts(name: str, data: bytes) -> dict[str, str]:
    """name -> text for one file: a notebook's every string (sources, outputs, metadata), each member
    of an archive (.whl, .zip), or the file itself (bytes that are not UTF-8 decoded leniently)."""
    if name.endswith(_ARCHIVES):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return {k: v for m in z.namelist() if not m.endswith("/")
                    for k, v in _file_texts(f"{name}!{m}", z.read(m)).items()}
    text = data.decode("utf-8", errors="replace")
    if name.endswith(".ipynb"):
        return {name: "\n".join(_strings(json.loads(text)))}
    return {name: text}


def texts(paths) -> dict[str, str]:
    """name -> text for every file in `paths` (files, or folders searched recursively), archives opened."""
    out = {}
    for path in map(Path, paths):
        for f in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if f.is_file():
                out.update(_file_texts(str(f), f.read_bytes()))
    return out


def find(secret: set[tuple[str, ...]], named_texts: dict[str, str]) -> dict[str, list[tuple[str, ...]]]:
    """name -> the secrets found in it (a few, sorted), for every text that leaks."""
    found = {name: sorted(leaked(secret, text)) for name, text in named_texts.items()}
    return {name: hits[:3] for name, hits in found.items() if hits}
