"""The install block of every notebook's set-up cell: online, it installs the ganlab wheel from the student
repository named in course.toml (instructor/release/links.py).

The block is the set-up cell's first paragraph (up to its first blank line); the imports below it
belong to each notebook. `python -m instructor.release.setup_cell [NOTEBOOK ...]` rewrites the block in the
given solutions notebooks (default: all of them, and then also the README's Colab links, after giving ganlab's
wheel its next version when its files changed: instructor/release/version.py); `make release` runs it before nbgrader.
Each block names the ganlab version the notebook is released with and upgrades an older installed ganlab to it.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from instructor import notebooks
from instructor.config import ROOT, Course
from instructor.release import links, version

SETUP_ID = "setup"
# Students read this: keep it short. Nothing in it touches the network once ganlab is installed.
TEMPLATE = '''\
# Set-up: installs ganlab {version} (upgrading an older one), picks the device, seeds, reports fast mode.
import glob, importlib, importlib.metadata, importlib.util, os, re, subprocess, sys
GANLAB = "{version}"  # the ganlab this notebook was released with
try:  # an older installed ganlab is upgraded; a development checkout (editable, or on the path) is kept
    found = importlib.metadata.distribution("ganlab")
    number = lambda version: [int(n) for n in re.findall("[0-9]+", version)]
    upgrade = (number(found.version) < number(GANLAB) and found.read_text("WHEEL") is not None
               and "editable" not in (found.read_text("direct_url.json") or ""))
except importlib.metadata.PackageNotFoundError:
    upgrade = importlib.util.find_spec("ganlab") is None
if upgrade:
    # $GANLAB_SOURCE if set, else the course's wheel (next to this notebook or one folder up), else online
    wheels = glob.glob("ganlab-{version}-*.whl") + glob.glob("../ganlab-{version}-*.whl")
    online = "{url}"
    GANLAB_SOURCE = os.environ.get("GANLAB_SOURCE") or (wheels + [online])[0]
    print("installing ganlab", GANLAB, "from", GANLAB_SOURCE)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", GANLAB_SOURCE], check=True)
    importlib.invalidate_caches()'''


def wheel_name(root: Path = ROOT, release: str | None = None) -> str:
    """The file name of the ganlab wheel (pure Python) of version `release` (default: the released notebooks')."""
    return f"ganlab-{release or version.current(root)}-py3-none-any.whl"


def online_wheel(root: Path = ROOT, release: str | None = None) -> str:
    """Where Colab downloads the wheel: the student repository's root (`make publish` puts it there)."""
    return links.raw_url(wheel_name(root, release), root)


def install_block(root: Path = ROOT, release: str | None = None) -> str:
    """The block for notebooks released with ganlab `release` (default: the current release, version.current)."""
    release = release or version.current(root)
    return TEMPLATE.format(url=online_wheel(root, release), version=release)


def cell(nb, where: object = "the notebook"):
    """The notebook's set-up cell: its first code cell, grade_id `setup`."""
    first = next((c for c in nb.cells if c.cell_type == "code"), None)
    if first is None or notebooks.meta(first).get("grade_id") != SETUP_ID:
        raise ValueError(f"{where}: the first code cell must be the set-up cell (grade_id {SETUP_ID!r})")
    return first


def split(source: str) -> tuple[str, str]:
    """(install block, the rest): the block ends at the first blank line."""
    block, sep, rest = source.partition("\n\n")
    return block, sep + rest


def render(path: Path, root: Path = ROOT) -> bool:
    """Write the rendered install block into the notebook at `path`; True when it changed."""
    nb = notebooks.read(path)
    setup = cell(nb, path)
    block, rest = split(setup.source)
    if block == install_block(root):
        return False
    setup.source = install_block(root) + rest
    nbformat.write(nb, str(path))
    return True


def main(argv: list[str]) -> None:
    if not argv:  # a release: a wheel with other files than the last release's gets the next version
        print(f"ganlab wheel: {wheel_name(ROOT, version.release(ROOT))}")
    paths = [Path(a) for a in argv] or Course().sources()
    for path in paths:
        if render(path):
            print(f"set-up cell updated: {path}")
    if not argv and links.render_readme():
        print("README.md: Colab links now point at the student repository (course.toml)")


if __name__ == "__main__":
    main(sys.argv[1:])
