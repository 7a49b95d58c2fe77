"""Finding graded material (answers, hidden tests) in what students receive.

A secret is a pair of consecutive code lines from between `### BEGIN SOLUTION` / `### END SOLUTION`
or `### BEGIN HIDDEN TESTS` / `### END HIDDEN TESTS` that appears nowhere public in the source notebooks
(the course's ordinary code: `opt.zero_grad()` / `loss.backward()` in one lecture's answer is no secret when another
lecture's training cell shows it), long enough together to be telling (one-line bodies count as themselves). A text leaks a secret when the
same lines follow each other in it, whatever the indentation and comments around them.
"""
from __future__ import annotations

import ast
import io
import json
import re
import textwrap
import zipfile
from pathlib import Path

SECRET = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)\n(.*?)### END \1", re.S)
_ARCHIVES = (".whl", ".zip")


def code_lines(text: str) -> list[str]:
    """Stripped non-empty lines, comments dropped."""
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]


TELLING = 16  # characters: a shorter line, or pair of lines (`except ValueError:` / `pass`), could be anyone's


def _windows(lines: list[str], single: bool = False) -> set[tuple[str, ...]]:
    """Pairs of consecutive lines (or the line itself for one-line bodies, when `single`), long enough to tell."""
    if single and len(lines) == 1:
        return {(lines[0],)} if len(lines[0]) >= TELLING else set()
    return {pair for pair in zip(lines, lines[1:]) if len(pair[0]) + len(pair[1]) >= 2 * TELLING}


def _cells(notebook: Path) -> list[str]:
    return ["".join(cell["source"]) for cell in json.loads(Path(notebook).read_text())["cells"]]


def secrets(source_notebook: Path, kinds=("SOLUTION", "HIDDEN TESTS")) -> set[tuple[str, ...]]:
    """Line windows of the notebook's answers and hidden tests (or only the `kinds` named) that no source notebook
    shows as public code (its own, or its sibling lectures' in solutions/)."""
    secret, public = set(), set()
    for text in _cells(source_notebook):
        for kind, body in SECRET.findall(text):
            if kind in kinds:
                secret |= _windows(code_lines(body), single=True)
    for notebook in Path(source_notebook).parents[1].glob("*/*.ipynb"):
        for text in _cells(notebook):
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


# ---- hints: what the visible part of a test cell shows must not be an answer's line or expression
HIDDEN_TESTS = re.compile(r"### BEGIN HIDDEN TESTS\n.*?### END HIDDEN TESTS\n?", re.S)
_RIGHT_SIDE = re.compile(r"^(?:return\s+|[\w.\[\], ]+?[-+*/]?=(?!=))(.+)$")  # what `return` or `x = ` gives


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


_COMPUTED = (ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp)  # arithmetic and logic, not API calls


def _subexpressions(body: str) -> set[str]:
    """Every operator expression inside an answer body (arithmetic, comparisons, logic), as written."""
    try:
        tree = ast.parse(textwrap.dedent(body))
    except SyntaxError:
        return set()
    source = textwrap.dedent(body)
    return {ast.get_source_segment(source, node) or "" for node in ast.walk(tree) if isinstance(node, _COMPUTED)}


def answer_expressions(source_notebook: Path, min_length: int = 16) -> dict[str, str]:
    """Answer lines, the expressions they return or assign and their computed sub-expressions (whitespace
    removed, at least `min_length` characters) that appear nowhere public in the source notebook (its
    markdown and experiment cells): expression -> the answer cell's grade_id."""
    from instructor.notebooks import is_answer, is_test, meta, read
    nb, found, public = read(source_notebook), {}, []
    for cell in nb.cells:
        if is_answer(cell):
            for kind, body in SECRET.findall(cell.source):
                exprs = set(_subexpressions(body))
                for line in code_lines(body):
                    right = _RIGHT_SIDE.match(line)
                    exprs |= {line, right.group(1) if right else ""}
                for expr in map(_squeezed, exprs):
                    if len(expr) >= min_length:
                        found[expr] = meta(cell)["grade_id"]
        elif not is_test(cell):
            public.append(_squeezed(SECRET.sub("", cell.source)))
    public_text = "\n".join(public)
    return {expr: gid for expr, gid in found.items() if expr not in public_text}


def visible_tests(source_notebook: Path) -> dict[str, str]:
    """Test cell grade_id -> the part students see (the hidden tests removed)."""
    from instructor.notebooks import is_test, meta, read
    return {meta(c)["grade_id"]: HIDDEN_TESTS.sub("", c.source) for c in read(source_notebook).cells if is_test(c)}


def printed_answers(source_notebook: Path) -> dict[str, list[str]]:
    """Test cell grade_id -> the answer expressions its visible part prints (in code, comments or hints),
    matched whole: not as the tail of a longer name."""
    exprs = answer_expressions(source_notebook)
    found = {}
    for gid, text in visible_tests(source_notebook).items():
        squeezed = _squeezed(text)
        hits = sorted(e for e in exprs if re.search(rf"(?<![\w.]){re.escape(e)}(?!\w)", squeezed))
        if hits:
            found[gid] = hits
    return found
