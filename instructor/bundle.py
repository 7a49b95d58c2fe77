"""The student bundle: the released notebooks, the ganlab wheel and a short README.

`python -m instructor.bundle` (run by `make bundle`, after `make release`) writes
    dist/bundle/                      README.md, ganlab-<version>-py3-none-any.whl, <assignment>/<notebook>.ipynb
                                      (and the files next to it in course/, e.g. lecture 07's checkpoint)
    dist/gan-course-bundle.zip        the same files under gan-course/
Publish the zip and the wheel at course.toml's bundle url: Colab notebooks install the wheel from there.
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

from instructor import notebooks, setup_cell
from instructor.notebooks import ROOT

ZIP_NAME = "gan-course-bundle.zip"
ZIP_FOLDER = "gan-course"  # what unzipping creates
README = Path(__file__).with_name("student_README.md")


@dataclass
class Bundle:
    folder: Path  # dist/bundle
    zip: Path  # dist/gan-course-bundle.zip
    wheel: Path  # inside `folder`
    notebooks: list[Path]  # inside `folder`


def released(root: Path = ROOT) -> list[Path]:
    """course/<assignment>/<notebook>.ipynb, each with the current install block (else: make release)."""
    paths = sorted((root / "course").glob("*/*.ipynb"))
    if not paths:
        raise RuntimeError(f"no released notebooks in {root / 'course'}: run `make release`")
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


def build_wheel(dest: Path, root: Path = ROOT) -> Path:
    """ganlab's wheel, built offline from a clean copy of the package (no stale build/ files)."""
    if importlib.util.find_spec("setuptools") is None:
        raise RuntimeError("building the ganlab wheel needs setuptools: pip install 'setuptools>=68'")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(root / "ganlab", src / "ganlab", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(root / name, src / name)
        proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-index",
                               "--no-build-isolation", "-q", "-w", str(dest)], capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"pip wheel failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    wheel = dest / setup_cell.wheel_name(root)
    if not wheel.exists():
        raise RuntimeError(f"pip wheel made {[p.name for p in dest.glob('*.whl')]}, not {wheel.name}")
    return wheel


def write_readme(dest: Path, wheel: Path, nbs: list[Path]) -> Path:
    listed = "\n".join(f"  - `{p.parent.name}/{p.name}`" for p in nbs)
    text = string.Template(README.read_text()).substitute(wheel=wheel.name, notebooks=listed)
    dest.write_text(text)
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
    for extra in (f for p in sources for f in sorted(p.parent.iterdir()) if f.is_file() and f.suffix != ".ipynb"):
        shutil.copy2(extra, folder / extra.parent.name / extra.name)  # files a notebook reads, e.g. a checkpoint
    wheel = build_wheel(folder, root)
    write_readme(folder / "README.md", wheel, nbs)
    return Bundle(folder, write_zip(folder, Path(out) / ZIP_NAME), wheel, nbs)


def main() -> None:
    b = build()
    size = b.zip.stat().st_size / 1e6
    print(f"{b.zip.relative_to(ROOT)}: {len(b.notebooks)} notebooks, {b.wheel.name}, README.md ({size:.1f} MB)")
    print(f"publish {b.zip.name} and {b.wheel.name} at {setup_cell.bundle_url(ROOT)}/ (course.toml)")


if __name__ == "__main__":
    main()
