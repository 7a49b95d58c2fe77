"""pytest plugin: ganlab's unit tests (tests/ganlab) on Colab's stack, which has no nbgrader, so no instructor tools.

    python -m pytest -p tests.colab.unit_fixtures --confcutdir tests/ganlab tests/ganlab

tests/conftest.py imports the instructor tools (for the order of `make test` and the notebooks' claims), so
--confcutdir leaves it out; this plugin defines its fixtures instead, taken from it: its top-level imports that
are not the repository's own, and every function decorated with pytest.fixture. One source for the fixtures.
"""
import ast
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # as tests/conftest.py: headless, before anything imports pyplot

_CONFTEST = Path(__file__).resolve().parent.parent / "conftest.py"
_OURS = ("instructor", "tests", "benchmarks")


def _is_fixture(node) -> bool:
    def name(d):
        d = d.func if isinstance(d, ast.Call) else d
        return ast.unparse(d)
    return isinstance(node, ast.FunctionDef) and any(name(d) in ("pytest.fixture", "fixture")
                                                     for d in node.decorator_list)


def _ours(node) -> bool:
    modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
    return any(m.split(".")[0] in _OURS for m in modules)


_tree = ast.parse(_CONFTEST.read_text(), str(_CONFTEST))
_body = [n for n in _tree.body if (isinstance(n, (ast.Import, ast.ImportFrom)) and not _ours(n)) or _is_fixture(n)]
exec(compile(ast.Module(body=_body, type_ignores=[]), str(_CONFTEST), "exec"), globals())
FIXTURES = sorted(n.name for n in _body if _is_fixture(n))
