"""Every notebook's set-up cell installs ganlab from the one configured place (course.toml), and
only when ganlab is missing."""
import importlib.util
import shutil
import subprocess

import nbformat
import pytest

from instructor import notebooks
from instructor.release import setup_cell
from instructor.notebooks import ROOT

SOURCES = notebooks.sources()
RELEASES = notebooks.releases()
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


@pytest.fixture
def pip(monkeypatch, tmp_path):
    """Runs the install block in tmp_path/course/01/ as if ganlab were missing; returns the pip targets."""
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: calls.append(cmd[-1]))
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ganlab" else real(name, *a))
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
