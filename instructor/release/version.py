"""The ganlab wheel's version: a new one for every release whose wheel holds different files, so a fix reaches
a student who already installed ganlab (each set-up cell upgrades an older ganlab to the version it was released with).

`make release` (python -m instructor.release.setup_cell) calls `release()`: when the wheel's files (ganlab/, the files
shipped next to the notebooks, pyproject.toml's [project] table) differ from the last release's, the version goes up
and is recorded, with the files' fingerprint, in instructor/release/wheel.toml. Everything else reads `current()`.
Versions are PEP 440 post-releases of pyproject.toml's version: 0.1.0 -> 0.1.0.post1 -> 0.1.0.post2; a higher version
in pyproject.toml (say 0.2.0) is the next release's as is. pip installs a higher one over a lower one; no local
versions (0.1.0+x is not above 0.1.0 for pip's specifiers).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from packaging.version import Version

from instructor.config import ROOT, Course
from instructor.release import links

RECORD = Path(__file__).with_name("wheel.toml")
HEADER = """\
# The ganlab wheel that the released notebooks install (ganlab-<version>-py3-none-any.whl), written by `make release`
# (instructor/release/version.py): a release whose wheel would hold other files gets the next version, so every
# set-up cell that finds an older ganlab upgrades it. Never edit by hand; to start a new series, raise the version in
# pyproject.toml.
"""
SKIP = ("__pycache__", ".pyc")


def base(root: Path = ROOT) -> str:
    """pyproject.toml's version: the series the released versions continue."""
    return links.toml(Path(root) / "pyproject.toml")["project"]["version"]


def shipped(root: Path = ROOT) -> list[Path]:
    """The files next to the source notebooks (nbgrader releases them beside the notebooks; the wheel carries them)."""
    return sorted(f for nb in Course(root).sources() for f in nb.parent.iterdir()
                  if f.is_file() and f.suffix != ".ipynb")


def fingerprint(root: Path = ROOT) -> str:
    """sha256 of what decides the wheel's files: ganlab/, the shipped files (by name, as the wheel holds them) and
    pyproject.toml's [project] table without its version (the wheel's metadata: dependencies, Python versions)."""
    root = Path(root)
    project = {k: v for k, v in links.toml(root / "pyproject.toml")["project"].items() if k != "version"}
    files = sorted((f.relative_to(root).as_posix(), f) for f in (root / "ganlab").rglob("*")
                   if f.is_file() and not any(s in f.as_posix() for s in SKIP))
    files += sorted((f"ganlab/checkpoints/{f.name}", f) for f in shipped(root))
    h = hashlib.sha256(json.dumps(project, sort_keys=True).encode())
    for name, path in files:
        h.update(f"\0{name}\0{path.stat().st_size}\0".encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def recorded(record: Path = RECORD) -> dict | None:
    """{version, fingerprint} of the last release, or None before the first."""
    return links.toml(record) if record.exists() else None


def following(last: str | None, series: str) -> str:
    """The version after `last` in `series` (pyproject.toml's): series.post1 first, then post2, ...; a series above
    `last` starts at itself."""
    if last is None:
        return f"{series}.post1"
    old, new = Version(last), Version(series)
    if new.release > old.release:
        return series
    if new.release < old.release:
        raise ValueError(f"pyproject.toml's version {series} is below the last release's, {last}: it only goes up")
    return f"{new.base_version}.post{(old.post or 0) + 1}"


def current(root: Path = ROOT, record: Path = RECORD) -> str:
    """The version of the released notebooks' wheel (before the first release: pyproject.toml's)."""
    last = recorded(record)
    return last["version"] if last else base(root)


def release(root: Path = ROOT, record: Path = RECORD) -> str:
    """The version for a release of the current files: the last one if they are the same, else the next (recorded)."""
    last, now = recorded(record), fingerprint(root)
    if last and last["fingerprint"] == now:
        return last["version"]
    version = following(last["version"] if last else None, base(root))
    record.write_text(f'{HEADER}version = "{version}"\nfingerprint = "{now}"\n')
    return version


def stale(root: Path = ROOT, record: Path = RECORD) -> str | None:
    """Why the released version does not hold the current files (None: it does)."""
    last = recorded(record)
    if last is None:
        return f"no release recorded in {record.name}: run `make release`"
    if last["fingerprint"] != fingerprint(root):
        return (f"ganlab's wheel would hold other files than version {last['version']}, the released notebooks' "
                "(ganlab/, a file next to a notebook or pyproject.toml changed): run `make release`, which gives it "
                "the next version")
    return None
