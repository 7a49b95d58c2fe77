"""The student bundle: the released notebooks, the ganlab wheel, a README and a license.

`python -m instructor.release.bundle` (run by `make bundle`, after `make release`) writes
    dist/bundle/                      README.md (a Colab badge per lecture), LICENSE, ganlab-<version>-py3-none-any.whl,
                                      <assignment>/<notebook>.ipynb and any file next to it in course/ (the wheel
                                      carries those too, in ganlab/checkpoints/, beside ganlab's own package data
                                      there: lectures 07 and 08's checkpoint, stored once)
    dist/gan-course-bundle.zip        the same files under gan-course/
dist/bundle/ is the tree of the public student repository (`make publish`, instructor/release/publish.py): Colab opens
the notebooks and the set-up cells download the wheel from there (instructor/release/links.py).
"""
from __future__ import annotations

import importlib.util
import shutil
import string
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from instructor import notebooks
from instructor.config import ROOT, Course
from instructor.release import links, setup_cell, version

ZIP_NAME = "gan-course-bundle.zip"
ZIP_FOLDER = "gan-course"  # what unzipping creates
README = Path(__file__).with_name("student_README.md")
LICENSE = Path(__file__).with_name("student_LICENSE")
SHIPPED = "ganlab/checkpoints"  # ganlab's package data (pyproject.toml): the checkpoints, files next to notebooks
WHEEL_README = """# ganlab

Helpers for the autograded GAN course: data, models, training loop, metrics, plots and widgets. Each lecture's
set-up cell installs this wheel (or upgrades an older ganlab to it); the course's notebooks are in the student
repository this wheel comes from.
"""


@dataclass
class Bundle:
    folder: Path  # dist/bundle
    zip: Path  # dist/gan-course-bundle.zip
    wheel: Path  # inside `folder`
    notebooks: list[Path]  # inside `folder`


def released(root: Path = ROOT) -> list[Path]:
    """The released notebooks, each with the current install block (else: make release)."""
    paths = Course(root).releases()
    if not paths:
        raise RuntimeError(f"no released notebooks in {Course(root).release()}: run `make release`")
    expected = setup_cell.install_block(root)
    for path in paths:
        block, _ = setup_cell.split(setup_cell.cell(notebooks.read(path), path).source)
        if block != expected:
            raise RuntimeError(f"{path}'s set-up cell is out of date with course.toml: run `make release`")
    return paths


def copy_notebook(path: Path, dest: Path) -> Path:
    """The released notebook with outputs and execution counts cleared."""
    nb = notebooks.read(path)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    dest.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(dest))
    return dest


def build_wheel(dest: Path, root: Path = ROOT, files: list[Path] = (), release: str | None = None) -> Path:
    """ganlab's wheel, version `release` (default: the released notebooks', instructor/release/version.py), built
    offline from a clean copy of the package (no stale build/ files), carrying `files` (what the notebooks load) in
    ganlab/checkpoints/ (ganlab.models.find_checkpoint)."""
    if importlib.util.find_spec("setuptools") is None:
        raise RuntimeError("building the ganlab wheel needs setuptools: pip install 'setuptools>=68'")
    release = release or version.current(root)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(root / "ganlab", src / "ganlab", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for f in files:
            (src / SHIPPED).mkdir(exist_ok=True)
            shutil.copy2(f, src / SHIPPED / f.name)
        pyproject = (root / "pyproject.toml").read_text()
        series = f'version = "{version.base(root)}"'
        if pyproject.count(series) != 1:
            raise RuntimeError(f"pyproject.toml: expected one line `{series}` to give the wheel version {release}")
        (src / "pyproject.toml").write_text(pyproject.replace(series, f'version = "{release}"'))
        (src / "README.md").write_text(WHEEL_README)  # the wheel's description (not the instructor README)
        proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-index",
                               "--no-build-isolation", "-q", "-w", str(dest)], capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"pip wheel failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    wheel = dest / setup_cell.wheel_name(root, release)
    if not wheel.exists():
        raise RuntimeError(f"pip wheel made {[p.name for p in dest.glob('*.whl')]}, not {wheel.name}")
    return wheel


def write_readme(dest: Path, wheel: Path, nbs: list[Path], root: Path = ROOT) -> Path:
    """The student README (instructor/release/student_README.md): one "Open in Colab" badge per lecture."""
    listed = "\n".join(f"| `{links.lecture_path(p)}` | {links.badge(p, root)} |" for p in nbs)
    repo, _ = links.student_repo(root)
    text = string.Template(README.read_text()).substitute(wheel=wheel.name, notebooks=listed, repo=repo,
                                                              name=repo.split("/")[1])
    dest.write_text(text)
    return dest


def write_license(dest: Path, root: Path = ROOT) -> Path:
    owner = links.student_repo(root)[0].split("/")[0]
    dest.write_text(string.Template(LICENSE.read_text()).substitute(owner=owner))
    return dest


def write_zip(folder: Path, dest: Path) -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                z.write(f, f"{ZIP_FOLDER}/{f.relative_to(folder).as_posix()}")
    return dest


def build(out: Path = ROOT / "dist", root: Path = ROOT) -> Bundle:
    """Build `out`/bundle and `out`/gan-course-bundle.zip from course/ and ganlab/ (replacing both)."""
    sources = released(root)
    folder = Path(out) / "bundle"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    nbs = [copy_notebook(p, folder / p.parent.name / p.name) for p in sources]
    extras = [f for p in sources for f in sorted(p.parent.iterdir()) if f.is_file() and f.suffix != ".ipynb"]
    shipped = {}  # name -> file: the wheel holds them side by side, so one name, one content
    for extra in extras:
        shutil.copy2(extra, folder / extra.parent.name / extra.name)  # files a notebook reads, e.g. a checkpoint
        other = shipped.setdefault(extra.name, extra)
        if other.read_bytes() != extra.read_bytes():
            raise RuntimeError(f"{other} and {extra} differ but share a name: rename one (the wheel holds both)")
    wheel = build_wheel(folder, root, list(shipped.values()))
    write_readme(folder / "README.md", wheel, nbs, root)
    write_license(folder / "LICENSE", root)
    return Bundle(folder, write_zip(folder, Path(out) / ZIP_NAME), wheel, nbs)


def main() -> None:
    b = build()
    size = b.zip.stat().st_size / 1e6
    print(f"{b.zip.relative_to(ROOT)}: {len(b.notebooks)} notebooks, {b.wheel.name}, README.md ({size:.1f} MB)")
    if version.stale(ROOT):
        print(f"warning: {version.stale(ROOT)}", file=sys.stderr)
    repo, branch = links.student_repo(ROOT)
    print(f"{b.folder.relative_to(ROOT)}/ is the tree of the student repository {repo} ({branch}): `make publish` "
          "writes it; hand out the zip where students cannot use GitHub")


if __name__ == "__main__":
    main()
