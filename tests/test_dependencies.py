"""ganlab's declared dependencies match its imports: every third-party module it imports is a dependency of the
package in pyproject.toml (or, for optional imports guarded by `try: ... except ImportError`, of the `course` extra),
and every declared runtime dependency is imported somewhere."""
import ast
import re
import sys
import tomllib

from instructor.config import ROOT

# import name -> distribution name, where they differ
DISTRIBUTIONS = {"PIL": "pillow", "sklearn": "scikit-learn", "matplotlib_inline": "matplotlib-inline"}


def _requirement_names(requirements):
    return {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower() for r in requirements}


def _imports():
    """(distribution, guarded) for every non-stdlib module imported by ganlab; guarded = inside try/except ImportError."""
    found = set()
    for path in sorted((ROOT / "ganlab").rglob("*.py")):
        tree = ast.parse(path.read_text())
        guarded = {id(n) for t in ast.walk(tree) if isinstance(t, ast.Try)
                   and any(isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "ModuleNotFoundError")
                           for h in t.handlers) for s in t.body for n in ast.walk(s)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top != "ganlab" and top not in sys.stdlib_module_names:
                    found.add((DISTRIBUTIONS.get(top, top).lower(), id(node) in guarded, path.name))
    return found


def test_every_import_is_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    required = _requirement_names(project["dependencies"])
    course = required | _requirement_names(project["optional-dependencies"]["course"])
    missing = sorted(f"{dist} (imported in {where})" for dist, guarded, where in _imports()
                     if dist not in (course if guarded else required))
    assert not missing, f"imported by ganlab but not declared in pyproject.toml: {missing}"


def test_every_runtime_dependency_is_used():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    used = {dist for dist, _, _ in _imports()}
    unused = _requirement_names(project["dependencies"]) - used
    assert not unused, f"declared in pyproject.toml but never imported by ganlab: {sorted(unused)}"
