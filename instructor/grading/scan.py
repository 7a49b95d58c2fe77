"""A static scan (Python `ast`) of the code a student wrote, for the instructor's review.

It flags, with the line, what a fair answer has no need for and a dishonest one does: rebinding the
names the test cells use (the set-up cell's imports, ganlab.feedback's helpers, built-ins), patching
attributes of imported modules, touching builtins / sys.modules / get_ipython / globals(), running code
built at run time (exec, eval, compile, __import__), and file, process or network access. A flag is a
question, not a verdict: the submission keeps its score and the report lists the lines to read.

Scanned: every code cell that nbgrader does not overwrite (answer cells, and any other cell the student
added or changed); cells identical to the release's are the instructor's own code and are skipped.
"""
from __future__ import annotations

import ast
import builtins
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from nbgrader.utils import is_locked

from instructor.notebooks import meta, setup_cell

FILE = {"os", "shutil", "pathlib", "glob", "tempfile", "io", "pickle", "shelve", "sqlite3", "zipfile", "tarfile",
        "fileinput", "mmap"}
PROCESS = {"subprocess", "multiprocessing", "threading", "concurrent", "signal", "pty", "ctypes", "cffi",
           "resource", "atexit", "_thread", "sched"}
NETWORK = {"socket", "urllib", "urllib3", "requests", "http", "httpx", "aiohttp", "ftplib", "smtplib", "ssl",
           "telnetlib", "xmlrpc", "websocket", "websockets", "asyncio", "selectors", "paramiko", "zmq"}
INTROSPECTION = {"builtins", "sys", "importlib", "inspect", "gc", "unittest", "types", "code", "codeop",
                 "runpy", "imp", "IPython", "ipykernel", "traceback", "linecache", "dis", "marshal"}
CATEGORY = {**{m: "file access" for m in FILE}, **{m: "process control" for m in PROCESS},
            **{m: "network access" for m in NETWORK}, **{m: "interpreter internals" for m in INTROSPECTION}}
# Built-in names and what using them means.
CALLS = {"exec": "runs code built at run time", "eval": "runs code built at run time",
         "compile": "runs code built at run time", "__import__": "imports by name at run time",
         "globals": "reads or changes the notebook's namespace", "locals": "reads or changes the namespace",
         "vars": "reads or changes an object's namespace", "get_ipython": "drives the IPython kernel",
         "open": "opens a file", "breakpoint": "stops in a debugger", "__builtins__": "touches the built-ins",
         "setattr": None, "delattr": None}   # None: only flagged on a module or a test helper
DUNDERS = {"__dict__", "__code__", "__globals__", "__builtins__", "__subclasses__", "__closure__",
           "__defaults__", "__kwdefaults__", "__loader__", "__spec__"}
# Module attributes that are file, process or network access although their module is not.
CALLS_ON = {("torch", "save"): "file access", ("torch", "load"): "file access", ("torch", "hub"): "network access",
            ("torch", "multiprocessing"): "process control", ("sys", "modules"): "interpreter internals"}
OS_PROCESS = ("system", "popen", "fork", "exec", "spawn", "kill", "posix_spawn", "setsid", "_exit", "abort")
HARMLESS_SYS = {"maxsize", "float_info", "version", "version_info", "platform", "byteorder", "stdout",
                "getrecursionlimit", "float_repr_style", "int_info", "hash_info"}


@dataclass(frozen=True)
class Flag:
    cell: str   # how the report names the cell
    line: int   # 1-based, in the cell
    what: str

    def __str__(self):
        return f"{self.cell} line {self.line}: {self.what}"


def summarise(flags: list[Flag]) -> list[str]:
    """One line per kind of flag, with every place it occurs: `what: answer cell 'a' line 3, cell 5 line 1`."""
    places: dict[str, list[str]] = {}
    for f in flags:
        places.setdefault(f.what, []).append(f"{f.cell} line {f.line}")
    return [f"{what}: {', '.join(where)}" for what, where in places.items()]


def test_names(setup_source: str) -> dict[str, str]:
    """Names the tests rely on -> the module they stand for ('' for a helper): the set-up cell's imports
    and ganlab.feedback's public functions."""
    names = {}
    for node in ast.walk(_parse(setup_source) or ast.Module(body=[], type_ignores=[])):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(_bindings(node))
    spec = importlib.util.find_spec("ganlab.feedback")
    if spec and spec.origin:
        tree = _parse(Path(spec.origin).read_text())
        names.update({n.name: f"ganlab.feedback.{n.name}" for n in tree.body
                      if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")})
    return names


def scan_notebook(nb, release) -> list[Flag]:
    """Flags for every code cell of submission `nb` that nbgrader executes as the student wrote it."""
    setup = setup_cell(release).source
    protected = test_names(setup)
    instructors = {c.source.strip() for c in release.cells if c.cell_type == "code"}
    flags = []
    for i, cell in enumerate(nb.cells):
        m = meta(cell)
        if cell.cell_type != "code" or is_locked(cell) or cell.source.strip() in instructors:
            continue
        name = f"answer cell {m['grade_id']!r}" if m.get("grade_id") else f"cell {i + 1}"
        flags += [Flag(name, line, what) for line, what in scan_code(cell.source, protected)]
    return flags


def scan_code(source: str, protected: dict[str, str]) -> list[tuple[int, str]]:
    """(line, what) for each suspicious construct in one cell's code."""
    found = set(_magics(source))
    tree = _parse("\n".join("pass" if _is_magic(ln) else ln for ln in source.splitlines()))
    if tree is None:
        return sorted(found)   # a syntax error costs the student its tests; nothing runs
    modules = {n: m for n, m in protected.items() if not m.startswith("ganlab.feedback.")}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for bound, module in _bindings(node).items():
                modules[bound] = module
                root = module.split(".")[0]
                if root in CATEGORY and protected.get(bound) != module:   # `import os` again is no news
                    found.add((node.lineno, f"imports {module} ({CATEGORY[root]})"))
    for stmt in tree.body:   # names bound at the top level of the cell are the notebook's globals
        for node, bound in _top_level_bindings(stmt):
            if bound in protected and not _same_import(node, bound, protected):
                found.add((node.lineno, f"redefines `{bound}`, which the test cells use"))
            elif bound in vars(builtins) and not bound.startswith("_"):
                found.add((node.lineno, f"rebinds the built-in `{bound}`, which test cells may call"))
    inner = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    for node in ast.walk(tree):
        if id(node) not in inner:   # `os.path.join` is one use of os, not two
            found |= _node_flags(node, modules, protected)
    return sorted(found)


def _node_flags(node, modules, protected) -> set[tuple[int, str]]:
    line = getattr(node, "lineno", 0)
    if isinstance(node, ast.Global):
        return {(line, f"declares `global {n}`, which the test cells use") for n in node.names if n in protected}
    if isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, (ast.Store, ast.Del)):
        root, dotted = _root(node)
        if (root in modules or root in protected) and (isinstance(node, ast.Attribute) or "__dict__" in dotted):
            return {(line, f"assigns `{dotted}` (patches what the test cells use)")}
    if isinstance(node, ast.Attribute):
        if node.attr in DUNDERS:
            return {(line, f"uses `{node.attr}` (interpreter internals)")}
        root, dotted = _root(node)
        top, attr = modules.get(root, "").split(".")[0], (dotted.split(".") + [""])[1]
        if (top, attr) in CALLS_ON:
            return {(line, f"uses `{dotted}` ({CALLS_ON[top, attr]})")}
        if top in CATEGORY and not (top == "sys" and attr in HARMLESS_SYS):
            kind = "process control" if top == "os" and attr.startswith(OS_PROCESS) else CATEGORY[top]
            return {(line, f"uses `{dotted}` ({kind})")}
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and CALLS.get(node.id):
        return {(line, f"uses `{node.id}` ({CALLS[node.id]})")}
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr"):
        root = _root(node.args[0])[0] if node.args else ""
        if root in modules or root in protected:
            return {(line, f"calls {node.func.id} on `{root}` (patches what the test cells use)")}
    return set()


def _bindings(node) -> dict[str, str]:
    """name -> module (or module.attribute) bound by an import statement."""
    if isinstance(node, ast.Import):
        return {(a.asname or a.name.split(".")[0]): (a.name if a.asname else a.name.split(".")[0])
                for a in node.names}
    base = "." * node.level + (node.module or "")
    return {(a.asname or a.name): f"{base}.{a.name}" for a in node.names if a.name != "*"}


def _top_level_bindings(stmt):
    """(node, name) for every global name a top-level statement binds (not inside functions)."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield stmt, stmt.name
        return
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        for name in _bindings(stmt):
            yield stmt, name
        return
    for node in ast.walk(stmt):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            yield node, node.id


def _same_import(node, name: str, protected: dict[str, str]) -> bool:
    """`import torch` again, or `from ganlab.feedback import expect_close`: harmless."""
    return isinstance(node, (ast.Import, ast.ImportFrom)) and _bindings(node).get(name) == protected[name]


def _root(node) -> tuple[str, str]:
    """The name an attribute/subscript chain starts from, and the chain as text (`torch.nn.functional`)."""
    parts = []
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            parts.append(str(node.slice.value))
        node = node.func if isinstance(node, ast.Call) else node.value
    root = node.id if isinstance(node, ast.Name) else ""
    return root, ".".join([root] + parts[::-1])


def _parse(source: str):
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


# IPython magics that only time or display; any other magic or `!shell` line is flagged.
HARMLESS_MAGICS = {"%matplotlib", "%time", "%timeit", "%%time", "%%timeit", "%config", "%precision"}


def _is_magic(line: str) -> bool:
    return line.lstrip().startswith(("%", "!"))


def _magics(source: str):
    for i, line in enumerate(source.splitlines(), 1):
        word = line.strip().split(" ")[0]
        if _is_magic(line) and word not in HARMLESS_MAGICS:
            yield i, f"runs `{word}` (an IPython magic or shell command: process control)"
