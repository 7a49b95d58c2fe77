"""instructor/grading/isolation/sandbox.py: what a kernel in the grading sandbox can and cannot reach (plain Python, no kernel;
the whole path with nbgrader is tests/end_to_end/test_redteam.py)."""
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from instructor.config import ROOT, Course
from instructor.grading import grade, report
from instructor.grading.isolation import sandbox

pytestmark = pytest.mark.skipif(sandbox.bwrap() is None, reason="bubblewrap is not installed")


def run_in_sandbox(tmp_path, code: str, data=(), limits=sandbox.Limits()) -> subprocess.CompletedProcess:
    run = tmp_path / "run"
    run.mkdir(exist_ok=True)
    os.chmod(run, 0o777)
    cmd = sandbox.command([sys.executable, "-c", code], workdir=f"{sandbox.HOME}/lecture", data=list(data),
                          rundir=run, uid=sandbox.slot_uid(0), env=dict(os.environ, SECRET_TOKEN="x"),
                          limits=limits)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def test_the_environment_works_and_the_repository_is_hidden(tmp_path):
    data = tmp_path / "stylegan.pt"
    data.write_text("weights")
    (tmp_path / "wgan_gp.ipynb").write_text("{}")
    proc = run_in_sandbox(tmp_path, (
        "import os, ganlab, pathlib\n"
        f"print(os.getcwd(), open('stylegan.pt').read(), sorted(os.listdir('.')))\n"
        f"print(pathlib.Path({str(Course().source(''))!r}).exists(), pathlib.Path({str(ROOT / 'ganlab')!r}).exists())\n"
        f"print(pathlib.Path({str(tmp_path / 'wgan_gp.ipynb')!r}).exists(), os.environ.get('SECRET_TOKEN'))\n"
        "print(os.getuid(), os.path.expanduser('~'))\n"), data=[data])
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"{sandbox.HOME}/lecture weights ['stylegan.pt']", lines
    assert lines[1] == "False True", "solutions/ must be hidden, ganlab's own folder visible"
    assert lines[2] == "False None", "only the data files are shared, and no secret from the environment"
    uid, home = lines[3].split()
    assert home == sandbox.HOME and (os.geteuid() != 0 or int(uid) == sandbox.NOBODY), lines[3]


def test_no_network_not_even_loopback(tmp_path):
    server = socket.create_server(("127.0.0.1", 0))
    try:
        proc = run_in_sandbox(tmp_path, (
            "import socket\ntry:\n"
            f"    socket.create_connection(('127.0.0.1', {server.getsockname()[1]}), 3)\n    print('connected')\n"
            "except OSError as e:\n    print('refused', e.errno)\n"))
    finally:
        server.close()
    assert proc.stdout.startswith("refused"), proc.stdout + proc.stderr


def test_writes_stay_inside(tmp_path):
    data = tmp_path / "data.bin"
    data.write_text("x")
    # A write to this folder's path may succeed inside (as yourself, bwrap makes the run folder's parents in the
    # private /tmp, yours to write): it must not reach the real folder.
    proc = run_in_sandbox(tmp_path, (
        "import pathlib\nfor p in ['/tmp/a', pathlib.Path.home() / 'b', 'c']:\n    pathlib.Path(p).write_text('ok')\n"
        "for p in ['data.bin', '/usr/x']:\n"
        "    try:\n        open(p, 'w').write('no')\n        print('wrote', p)\n    except OSError:\n        pass\n"
        "try:\n    open(" + repr(str(tmp_path / 'outside')) + ", 'w').write('no')\nexcept OSError:\n    pass\n"),
        data=[data])
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout + proc.stderr
    assert data.read_text() == "x" and not (tmp_path / "outside").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="the per-uid process limit is exact only when grading as root")
def test_limits_processes_memory_and_file_size(tmp_path):
    limits = sandbox.Limits(memory=512 * 2**20, processes=16, file_size=2**20)
    proc = run_in_sandbox(tmp_path, (
        "import os, time\nn = 0\ntry:\n    for _ in range(200):\n        if os.fork() == 0:\n"
        "            time.sleep(5)\n            os._exit(0)\n        n += 1\nexcept OSError:\n    pass\nprint(n)\n"
        "try:\n    x = bytearray(2**30)\n    print('allocated')\nexcept MemoryError:\n    print('MemoryError')\n"
        "import signal\nsignal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "try:\n    open('/tmp/big', 'wb').write(b'0' * 2**21)\nexcept OSError as e:\n    print('EFBIG', e.errno)\n"),
        limits=limits)
    forked, memory, size = proc.stdout.split("\n")[:3]
    assert int(forked) < 16 and memory == "MemoryError" and size.startswith("EFBIG"), proc.stdout + proc.stderr


def test_a_process_left_behind_dies_with_the_sandbox(tmp_path):
    marker = f"left-{os.getpid()}"
    proc = run_in_sandbox(tmp_path, (
        "import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', "
        f"{marker!r}], start_new_session=True)\n"))
    assert proc.returncode == 0, proc.stderr
    alive = [p for p in Path("/proc").glob("[0-9]*") if _cmdline(p).find(marker.encode()) >= 0]
    assert not alive, f"still running after the sandbox ended: {alive}"


def _cmdline(p: Path) -> bytes:
    try:
        return (p / "cmdline").read_bytes()
    except OSError:
        return b""


def test_missing_bubblewrap_stops_grading_with_how_to_install(monkeypatch):
    monkeypatch.setattr(sandbox, "bwrap", lambda: None)
    with pytest.raises(SystemExit, match="apt-get install bubblewrap.*UNSAFE=1"):
        grade.grade("04_wgan_gp", root=ROOT, log=lambda *a: None)


def test_unsafe_report_says_so_on_its_first_line(tmp_path):
    outcome = report.Outcome("alice", report.Status.GRADED, score=1, max_score=1)
    text = report.write(tmp_path / "r.md", "04_wgan_gp", [outcome], [], isolated=False)
    assert text.startswith("**UNSAFE: graded without isolation**"), text.splitlines()[0]
    assert report.write(tmp_path / "r.md", "04_wgan_gp", [outcome], []).startswith("# Grading report")
