"""Colab's Python environment, built once: a Python 3.13 venv holding exactly tests/colab/requirements.txt (torch's CUDA
libraries as tests/colab/torch-cuda.txt pins them), in .venv-colab/<hash of the pins>/, reused until the pins change.

    python -m tests.colab.venv     # `make colab-venv` (a prerequisite of `make test`): build unless built

The interpreter: $PYTHON313, else `python3.13` on PATH, else pyenv's ~/.pyenv/versions/3.13.*/bin/python3.13; a clear
error when none runs. $TORCH_INDEX (e.g. https://download.pytorch.org/whl/cpu) is passed to pip as an extra index, so a
CPU-only torch 2.11.0+cpu replaces PyPI's (which needs about 1.5 GB of CUDA libraries, even on a CPU).
Standard library only: make runs it before anything else is imported.
"""
from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PINS = HERE / "requirements.txt"
CUDA = HERE / "torch-cuda.txt"
CACHE = ROOT / ".venv-colab"
VERSION = (3, 13)
# installed by pip for torch, never on Colab's list: allowed in the venv only as torch-cuda.txt pins them
CUDA_PREFIXES = ("nvidia-", "cuda-", "triton")


class Missing(RuntimeError):
    pass


def _runs(exe: str) -> bool:
    """`exe` is a working Python 3.13 (a pyenv shim for a version not selected exits non-zero)."""
    try:
        out = subprocess.run([exe, "-c", "import sys, venv; print(sys.version_info[:2])"], capture_output=True,
                             text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and out.stdout.strip() == str(VERSION)


def find_python() -> str:
    """A Python 3.13 interpreter, or Missing saying where it looked and how to get one."""
    tried = []
    pyenv = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates = [os.environ.get("PYTHON313"), shutil.which("python3.13")]
    candidates += sorted(glob.glob(f"{pyenv}/versions/3.13*/bin/python3.13"), reverse=True)
    candidates += ["/usr/bin/python3.13", "/usr/local/bin/python3.13"]
    for exe in filter(None, candidates):
        if exe not in tried:
            tried.append(exe)
            if _runs(exe):
                return exe
    raise Missing(
        "the Colab emulation needs Python 3.13 (Colab's) with its venv module, and found none that runs (tried: "
        f"{', '.join(tried) or 'nothing'}). Install one: Debian/Ubuntu `apt-get install python3.13 python3.13-venv` "
        "(Ubuntu: the deadsnakes PPA), Fedora `dnf install python3.13`, or `pyenv install 3.13`; "
        "or set PYTHON313 to it.")


def key(python: str) -> str:
    """What the venv is built from: the pins, the interpreter's version and the torch index."""
    version = subprocess.run([python, "-c", "import sys; print(sys.version)"], capture_output=True, text=True,
                             check=True).stdout
    text = PINS.read_bytes() + CUDA.read_bytes() + version.encode() + os.environ.get("TORCH_INDEX", "").encode()
    return hashlib.sha256(text).hexdigest()[:12]


def _pins(path: Path) -> dict[str, str]:
    lines = (ln.split("#")[0].strip() for ln in path.read_text().splitlines())
    return {_norm(name): version for name, _, version in (ln.partition("==") for ln in lines if ln)}


def _norm(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def installed(python: Path) -> dict[str, str]:
    """name -> version of every distribution in the venv of `python`."""
    code = ("import importlib.metadata as m, json; "
            "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))")
    out = subprocess.run([str(python), "-I", "-c", code], capture_output=True, text=True, check=True, env=_env(),
                         cwd=python.parent).stdout
    return {_norm(k): v for k, v in json.loads(out).items()}


def differences(have: dict[str, str]) -> list[str]:
    """How the venv's distributions differ from the pins (empty: they match)."""
    pins, cuda = _pins(PINS), _pins(CUDA)
    problems = [f"{n} {have[n]} is installed, the pins say {pins[n]}" for n in pins
                if n in have and have[n].split("+")[0] != pins[n]]
    problems += [f"{n} {pins[n]} is pinned but not installed" for n in pins if n not in have]
    for n, v in sorted(have.items()):
        if n in pins:
            continue
        if n in cuda and v == cuda[n]:
            continue
        problems.append(f"{n} {v} is installed but not pinned" + (f" (torch-cuda.txt says {cuda[n]})" if n in cuda
                                                                  else ": pin Colab's version in requirements.txt"))
    return problems


def _env() -> dict[str, str]:
    """This environment without what would send pip offline or elsewhere (the notebooks' kernels set those)."""
    drop = ("PIP_NO_INDEX", "PIP_INDEX_URL", "PIP_TARGET", "PIP_PREFIX", "PIP_USER", "PYTHONPATH", "PYTHONHOME",
            "VIRTUAL_ENV")
    return {k: v for k, v in os.environ.items() if k not in drop}


@contextlib.contextmanager
def _locked():
    CACHE.mkdir(exist_ok=True)
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two pytest workers, or make and a test, build it once
        yield


def build(log=print) -> Path:
    """The venv for the current pins (built now unless built before); returns its folder."""
    python = find_python()
    folder = CACHE / key(python)
    done = folder / ".complete"
    if done.exists():
        return folder
    with _locked():
        if done.exists():
            return folder
        start = time.perf_counter()
        log(f"building the Colab venv {folder.relative_to(ROOT)} with {python} from {PINS.relative_to(ROOT)} "
            "(first time: about 2 GB to download, 5 GB on disk)")
        if not (folder / "bin" / "python").exists():  # else an interrupted build: pip goes on from where it was
            shutil.rmtree(folder, ignore_errors=True)
            subprocess.run([python, "-m", "venv", str(folder)], check=True)
        pip = [str(folder / "bin" / "python"), "-m", "pip"]
        index = ["--extra-index-url", os.environ["TORCH_INDEX"]] if os.environ.get("TORCH_INDEX") else []
        subprocess.run(pip + ["install", "-qq", "--disable-pip-version-check", "--only-binary", ":all:",
                              "-r", str(PINS), "-c", str(CUDA), *index], check=True, env=_env())
        problems = differences(installed(folder / "bin" / "python"))
        check = subprocess.run(pip + ["check"], capture_output=True, text=True, env=_env())
        if check.returncode:
            problems.append(f"pip check: {check.stdout.strip()}")
        if problems:
            raise RuntimeError(f"{folder} does not match the pins:\n  " + "\n  ".join(problems))
        done.write_text(f"built in {time.perf_counter() - start:.0f} s\n")
        for old in CACHE.iterdir():  # venvs of earlier pins
            if old.is_dir() and old != folder:
                shutil.rmtree(old, ignore_errors=True)
        log(f"Colab venv built in {time.perf_counter() - start:.0f} s: {folder.relative_to(ROOT)}")
    return folder


def site_packages(folder: Path) -> Path:
    return folder / "lib" / f"python{VERSION[0]}.{VERSION[1]}" / "site-packages"


def main() -> None:
    try:
        folder = build()
    except Missing as error:
        sys.exit(f"make colab-venv: {error}")
    print(f"Colab venv: {folder.relative_to(ROOT)} ({(folder / '.complete').read_text().strip()})")


if __name__ == "__main__":
    main()
