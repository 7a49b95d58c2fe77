"""The student bundle (`make bundle`) holds every released notebook and one ganlab wheel, and no answer
or hidden test from solutions/ reaches any file in it (course/ and ganlab/: tests/instructor/test_release.py)."""
import json
import shutil
import subprocess
import sys
import zipfile

import pytest

from instructor import leaks, notebooks
from instructor.config import ROOT, Course
from instructor.release import bundle, setup_cell, version

SOURCES = Course().sources()
RELEASES = Course().releases()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return bundle.build(tmp_path_factory.mktemp("dist"))


def _cells(path):
    return [(c.cell_type, c.source, c.metadata) for c in notebooks.read(path).cells]


def test_bundle_holds_every_released_notebook(built):
    names = sorted(p.relative_to(built.folder) for p in built.folder.rglob("*.ipynb"))
    assert names == [p.relative_to(Course().release("")) for p in RELEASES]
    for path in RELEASES:
        copy = built.folder / path.relative_to(Course().release(""))
        assert _cells(copy) == _cells(path), f"{copy.name} differs from the release"
        assert all(not c.get("outputs") for c in notebooks.read(copy).cells), f"{copy.name} has outputs"


def test_bundle_holds_one_wheel_that_installs_ganlab(built, tmp_path):
    wheels = list(built.folder.rglob("*.whl"))
    assert [w.name for w in wheels] == [setup_cell.wheel_name()], "one wheel, the one the set-up cell names"
    names = zipfile.ZipFile(wheels[0]).namelist()
    assert "ganlab/__init__.py" in names
    assert {n.split("/")[0] for n in names} == {"ganlab", wheels[0].name.split("-py3")[0] + ".dist-info"}, \
        f"the wheel holds more than ganlab: {sorted({n.split('/')[0] for n in names})}"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    "--target", str(tmp_path), str(wheels[0])], check=True, capture_output=True)
    for f in (ROOT / "ganlab").rglob("*.py"):
        assert (tmp_path / f.relative_to(ROOT)).read_text() == f.read_text(), f"{f.name} not installed as is"


def test_the_wheel_is_the_released_version_and_describes_only_itself(built):
    """Its version is the one every set-up cell names (a new one per release that changes it: version.py); its
    description is a few lines of its own, not this instructor README."""
    with zipfile.ZipFile(built.wheel) as z:
        meta = z.read(f"ganlab-{version.current()}.dist-info/METADATA").decode()
    assert f"\nVersion: {version.current()}\n" in meta, meta[:300]
    assert "solutions/" not in meta and "make grade" not in meta, "the wheel carries the instructor README"


def test_zip_holds_the_bundle_folder(built):
    files = sorted(f"{bundle.ZIP_FOLDER}/{p.relative_to(built.folder).as_posix()}"
                   for p in built.folder.rglob("*") if p.is_file())
    assert sorted(zipfile.ZipFile(built.zip).namelist()) == files
    assert f"{bundle.ZIP_FOLDER}/README.md" in files


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_answer_or_hidden_test_in_the_bundle(built, path):
    secrets = leaks.secrets(path)
    assert secrets, "found no answer or hidden test to look for"
    found = leaks.find(secrets, leaks.texts([built.folder, built.zip]))
    assert not found, f"graded material in the bundle: {found}"


# Places a leak could hide: each plants `text` in a copy of the bundle and returns the file it changed.
def _in_code_cell(key):
    def plant(folder, text):
        path = sorted(folder.rglob("*.ipynb"))[0]
        nb = json.loads(path.read_text())
        cell = next(c for c in nb["cells"] if c["cell_type"] == "code")
        if key == "outputs":
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": text.splitlines(True)}]
        elif key == "metadata":
            cell["metadata"]["note"] = text
        else:
            cell["source"] = text.splitlines(True)
        path.write_text(json.dumps(nb))
        return path
    return plant


def _in_readme(folder, text):
    path = folder / "README.md"
    path.write_text(path.read_text() + text)
    return path


def _in_wheel(folder, text):
    path = next(folder.rglob("*.whl"))
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("ganlab/_extra.py", text)
    return path


PLANTS = {"cell source": _in_code_cell("source"), "cell output": _in_code_cell("outputs"),
          "cell metadata": _in_code_cell("metadata"), "README": _in_readme, "wheel module": _in_wheel}


@pytest.mark.parametrize("place", PLANTS)
def test_a_planted_answer_is_found(built, tmp_path, place):
    source = SOURCES[0]
    answer = next(iter(notebooks.answers(notebooks.read(source)).values()))
    secrets = leaks.secrets(source)
    assert leaks.leaked(secrets, answer), "the instructor's answer is made of secrets"
    copy = shutil.copytree(built.folder, tmp_path / "bundle")
    planted = PLANTS[place](copy, answer)
    found = leaks.find(secrets, leaks.texts([copy]))
    assert [name.split("!")[0] for name in found] == [str(planted)], f"planted in {planted}, found {found}"
