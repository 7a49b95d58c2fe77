"""Every notebook's set-up cell installs ganlab from the one configured place (course.toml), the version it was
released with (instructor/release/version.py), when ganlab is missing or older; never over a development checkout."""
import importlib.metadata
import importlib.util
import shutil
import subprocess

import nbformat
import pytest

from instructor import notebooks
from instructor.config import ROOT, Course
from instructor.release import setup_cell, version

SOURCES = Course().sources()
RELEASES = Course().releases()
ONLINE = setup_cell.online_wheel()


@pytest.mark.parametrize("path", SOURCES + RELEASES, ids=lambda p: str(p.relative_to(ROOT)))
def test_install_block_is_rendered_from_course_toml(path):
    block, rest = setup_cell.split(setup_cell.cell(notebooks.read(path)).source)
    assert block == setup_cell.install_block(), \
        f"{path.relative_to(ROOT)}: set-up cell out of date with course.toml: run `make release`"
    assert "import ganlab" in rest, "the notebook's own imports follow the install block"


def test_render_replaces_only_the_install_block(tmp_path):
    path = tmp_path / "nb.ipynb"
    shutil.copy(SOURCES[0], path)
    nb = notebooks.read(path)
    old = setup_cell.cell(nb).source
    rest = setup_cell.split(old)[1]
    setup_cell.cell(nb).source = "# an old install block\nimport os" + rest
    nbformat.write(nb, str(path))
    assert setup_cell.render(path) is True
    assert setup_cell.cell(notebooks.read(path)).source == old
    assert setup_cell.render(path) is False, "rendering twice changes nothing"


class Installed:
    """An installed ganlab as importlib.metadata shows it: `files` maps a dist-info file name to its text."""

    def __init__(self, version, **files):
        self.version, self.files = version, {"WHEEL": "Wheel-Version: 1.0"} | files

    def read_text(self, name):
        return self.files.get(name)


def _installed(monkeypatch, dist):
    """importlib.metadata finds `dist` (None: no ganlab installed, and none importable either)."""
    real_dist, real_spec = importlib.metadata.distribution, importlib.util.find_spec

    def distribution(name):
        if name != "ganlab":
            return real_dist(name)
        if dist is None:
            raise importlib.metadata.PackageNotFoundError(name)
        return dist

    monkeypatch.setattr(importlib.metadata, "distribution", distribution)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ganlab" else real_spec(name, *a))


@pytest.fixture
def pip(monkeypatch, tmp_path):
    """Runs the install block in tmp_path/course/01/ as if ganlab were missing; returns the pip targets."""
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: calls.append(cmd[-1]))
    _installed(monkeypatch, None)
    monkeypatch.delenv("GANLAB_SOURCE", raising=False)
    (tmp_path / "course" / "01").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "course" / "01")

    def run():
        exec(setup_cell.install_block(), {})
        return calls

    return run


def test_nothing_is_installed_when_ganlab_is_there(monkeypatch, no_network):
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("the set-up cell ran pip"))
    exec(setup_cell.install_block(), {})


def test_colab_installs_from_the_configured_url(pip):
    assert pip() == [ONLINE]


@pytest.mark.parametrize("where", [".", ".."])
def test_a_laptop_installs_the_bundled_wheel(pip, where):
    open(f"{where}/{setup_cell.wheel_name()}", "w").close()
    assert pip() == [f"{'' if where == '.' else '../'}{setup_cell.wheel_name()}"]


def test_the_environment_variable_wins(pip, monkeypatch):
    open(setup_cell.wheel_name(), "w").close()
    monkeypatch.setenv("GANLAB_SOURCE", "ganlab @ git+https://example.org/fork")
    assert pip() == ["ganlab @ git+https://example.org/fork"]


# ---------------------------------------------------------------- versions: a fix reaches students
RELEASED = version.current()


def _older(v: str) -> str:
    """A version below `v` (0.1.0.post3 -> 0.1.0.post2; 0.1.0.post1 -> 0.1.0; 0.2.0 -> 0.1.9)."""
    parsed = version.Version(v)
    if parsed.post:
        return f"{parsed.base_version}.post{parsed.post - 1}" if parsed.post > 1 else parsed.base_version
    major, minor, patch = parsed.release
    return f"{major}.{minor}.{patch - 1}" if patch else f"{major}.{minor - 1}.9"


@pytest.mark.parametrize("installed", [_older(RELEASED), "0.0.1"])
def test_an_older_ganlab_is_upgraded_to_the_released_one(pip, monkeypatch, installed):
    _installed(monkeypatch, Installed(installed))
    assert pip() == [ONLINE]
    assert setup_cell.wheel_name() == f"ganlab-{RELEASED}-py3-none-any.whl" and RELEASED in ONLINE


@pytest.mark.parametrize("installed", [RELEASED, f"{version.Version(RELEASED).base_version}.post99", "9.0"])
def test_the_released_or_a_newer_ganlab_is_kept(pip, monkeypatch, installed):
    _installed(monkeypatch, Installed(installed))
    assert pip() == []


@pytest.mark.parametrize("files", [{"direct_url.json": '{"dir_info": {"editable": true}, "url": "file:///repo"}'},
                                   {"WHEEL": None}], ids=["editable", "egg-info on the path"])
def test_a_development_checkout_is_never_replaced(pip, monkeypatch, files):
    _installed(monkeypatch, Installed("0.0.1", **files))
    assert pip() == []


def test_a_laptop_takes_only_the_released_version_s_wheel(pip):
    open(setup_cell.wheel_name(release=_older(RELEASED)), "w").close()   # an older bundle's wheel lies here too
    assert pip() == [ONLINE]


def test_the_released_version_holds_the_current_ganlab():
    """The released notebooks name the version whose wheel holds today's ganlab: else a fix would ship under an
    old version, and a student who has that version would never get it."""
    assert version.stale() is None, version.stale()


@pytest.mark.parametrize("last, series, expected", [
    (None, "0.1.0", "0.1.0.post1"), ("0.1.0.post1", "0.1.0", "0.1.0.post2"), ("0.1.0.post9", "0.1.0", "0.1.0.post10"),
    ("0.1.0.post4", "0.2.0", "0.2.0"), ("0.2.0", "0.2.0", "0.2.0.post1")])
def test_each_release_s_version_is_above_the_last(last, series, expected):
    assert version.following(last, series) == expected
    assert last is None or version.Version(expected) > version.Version(last)


def test_the_series_never_goes_down():
    with pytest.raises(ValueError, match="only goes up"):
        version.following("0.2.0.post1", "0.1.0")


def test_a_release_bumps_the_version_only_when_the_wheel_s_files_change(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "ganlab", root / "ganlab", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    shutil.copy(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    record = tmp_path / "wheel.toml"
    series = version.base(root)
    assert version.current(root, record) == series and version.stale(root, record)
    assert version.release(root, record) == f"{series}.post1"
    assert version.release(root, record) == f"{series}.post1", "the same files, the same version"
    assert version.stale(root, record) is None
    (root / "ganlab" / "feedback.py").write_text((root / "ganlab" / "feedback.py").read_text() + "\n# a fix\n")
    assert "make release" in version.stale(root, record)
    assert version.release(root, record) == f"{series}.post2" == version.current(root, record)
