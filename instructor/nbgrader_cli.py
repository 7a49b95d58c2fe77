"""Running nbgrader's own command line from Python, with the virtual environment's bin/ on PATH
(nbgrader shells out to alembic and jupyter)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


class NbgraderError(RuntimeError):
    pass


def nbgrader(*args: str, cwd: Path, timeout: int = 3600, check: bool = True,
             env: dict | None = None) -> subprocess.CompletedProcess:
    """`nbgrader *args` in course directory `cwd`; raises NbgraderError on failure when `check`."""
    env = dict(os.environ, **(env or {}))
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    proc = subprocess.run([str(BIN / "nbgrader"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise NbgraderError(f"nbgrader {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return proc
