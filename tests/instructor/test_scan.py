"""instructor/grading/scan.py: the static scan flags suspicious answer code, and never the instructor's answers."""

import pytest

from instructor import notebooks
from instructor.config import Course
from instructor.grading import scan

SOURCES = Course().sources()


def _setup(nb) -> str:
    return notebooks.setup_cell(nb).source


@pytest.fixture(scope="module")
def protected():
    return scan.test_names(_setup(notebooks.read(SOURCES[0])))


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.parent.name)
def test_reference_answers_raise_no_flag(source):
    """The instructor's answers, as a student would type them (markers removed, so every answer is scanned)."""
    nb = notebooks.read(source)
    solved = notebooks.fill(nb, notebooks.answers(nb))
    assert [str(f) for f in scan.scan_notebook(solved, nb)] == []


def test_the_test_names_are_the_setup_imports_and_the_feedback_helpers(protected):
    assert {"torch", "F", "math", "expect_close", "expect_scalar", "expect_finite"} <= set(protected)
    assert protected["F"] == "torch.nn.functional" and protected["expect_close"] == "ganlab.feedback.expect_close"


@pytest.mark.parametrize("code, line, words", [
    ("def expect_close(*a, **k):\n    pass\n", 1, "redefines `expect_close`"),
    ("x = 1\nF = None\n", 2, "redefines `F`"),
    ("import numpy as torch\n", 1, "redefines `torch`"),
    ("def f():\n    global expect_close\n    expect_close = print\n", 2, "global expect_close"),
    ("all = lambda x: True\n", 1, "rebinds the built-in `all`"),
    ("torch.allclose = lambda *a, **k: True\n", 1, "assigns `torch.allclose`"),
    ("import ganlab.feedback\nganlab.feedback.expect_close = print\n", 2, "assigns `ganlab.feedback.expect_close`"),
    ("expect_close.__code__ = print.__code__\n", 1, "assigns `expect_close.__code__`"),
    ("setattr(torch, 'allclose', None)\n", 1, "calls setattr on `torch`"),
    ("torch.__dict__['allclose'] = None\n", 1, "__dict__"),
    ("import builtins\n", 1, "imports builtins"),
    ("sys.modules['torch'] = None\n", 1, "uses `sys.modules`"),
    ("get_ipython().run_line_magic('reset', '-f')\n", 1, "get_ipython"),
    ("def f(x):\n    globals()['expect_close'] = None\n", 2, "uses `globals`"),
    ("y = eval('1 + 1')\n", 1, "runs code built at run time"),
    ("exec('x = 1')\n", 1, "runs code built at run time"),
    ("m = __import__('os')\n", 1, "imports by name"),
    ("text = open('../../solutions/x.ipynb').read()\n", 1, "opens a file"),
    ("from pathlib import Path\n", 1, "file access"),
    ("shutil_ = os.listdir('/')\n", 1, "uses `os.listdir` (file access)"),
    ("torch.save({}, 'x.pt')\n", 1, "uses `torch.save` (file access)"),
    ("os.system('ls')\n", 1, "process control"),
    ("os.fork()\n", 1, "uses `os.fork` (process control)"),
    ("import subprocess as sp\n", 1, "imports subprocess (process control)"),
    ("from multiprocessing import Pool\n", 1, "process control"),
    ("!ls /\n", 1, "runs `!ls`"),
    ("import socket\n", 1, "network access"),
    ("import urllib.request\n", 1, "network access"),
    ("import requests\n", 1, "network access"),
])
def test_flags_with_the_line(protected, code, line, words):
    flags = scan.scan_code(code, protected)
    assert any(n == line and words in what for n, what in flags), f"expected line {line}: {words!r}; got {flags}"


@pytest.mark.parametrize("code", [
    "import torch.nn.functional as F\nfrom ganlab.feedback import expect_close\nimport numpy as np\n",
    "def f(x, device=None, open=False):\n    total = 0\n    for v in x:\n        total += v\n    return total\n",
    "def g(module):\n    module.weight.data = module.weight.data.clamp(-1, 1)\n    setattr(module, 'c', 1)\n",
    "%matplotlib inline\nimport warnings\nwarnings.warn('debugging', UserWarning)\n",
    "print(sys.version)\nplt.rcParams['figure.dpi'] = 80\n",
    "def broken(:\n",   # a syntax error: nothing runs, nothing to flag
])
def test_fair_code_is_not_flagged(protected, code):
    assert scan.scan_code(code, protected) == []


def test_unchanged_instructor_cells_are_skipped_changed_ones_scanned():
    release = notebooks.read(Course().release("04_wgan_gp", "wgan_gp"))
    nb = notebooks.fill(release, {})
    plain = next(c for c in nb.cells if c.cell_type == "code" and not notebooks.meta(c))
    assert scan.scan_notebook(nb, release) == []
    plain.source += "\nimport socket\n"
    flags = scan.scan_notebook(nb, release)
    assert [f.what for f in flags] == ["imports socket (network access)"], flags
    assert flags[0].cell == f"cell {nb.cells.index(plain) + 1}"
