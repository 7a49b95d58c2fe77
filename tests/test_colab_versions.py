"""`ganlab` never changes Colab's packages: every package it requires is one Colab has (tests/colab/requirements.txt),
at a version its requirement accepts, so the set-up cell's `pip install <wheel>` adds ganlab and nothing else.
Checked offline, from the requirements' metadata; the laptop-only `course` extra accepts Colab's widget stack too."""
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.version import Version

from instructor.config import ROOT
from instructor.release import links, setup_cell

PINS = Path(__file__).parent / "colab" / "requirements.txt"
COLAB = {**default_environment(), "python_version": "3.13", "python_full_version": "3.13.15"}


def _pins() -> dict[str, Requirement]:
    lines = [ln.split("#")[0].strip() for ln in PINS.read_text().splitlines()]
    return {(r := Requirement(ln)).name.lower(): r for ln in lines if ln}


def _colab_version(pin: Requirement) -> Version | None:
    """The pinned version (`==3.10.*`: its lowest, 3.10.0), or None when none was recorded."""
    (spec,) = pin.specifier or [None]
    return None if spec is None else Version(spec.version.removesuffix(".*"))


def _requirements(extra: str | None = None) -> list[Requirement]:
    project = links.toml(ROOT / "pyproject.toml")["project"]
    listed = project["dependencies"] if extra is None else project["optional-dependencies"][extra]
    return [r for r in map(Requirement, listed) if r.marker is None or r.marker.evaluate(COLAB)]


@pytest.mark.parametrize("req", _requirements(), ids=str)
def test_every_requirement_is_met_by_what_colab_has(req):
    pins = _pins()
    assert req.name.lower() in pins, f"ganlab requires {req}, which Colab does not have: the install would add it"
    version = _colab_version(pins[req.name.lower()])
    if version is not None:
        assert req.specifier.contains(version, prereleases=True), (
            f"ganlab requires {req}; Colab has {version}: the install would replace Colab's")


@pytest.mark.parametrize("name, colab", [("ipywidgets", "7.7.1"), ("ipython", "7.34.0")])
def test_the_course_extra_accepts_colab_s_widget_stack(name, colab):
    """ganlab.widgets and plot work on ipywidgets 7.7 and IPython 7.34 (Colab) and 8 (JupyterLab 4)."""
    (req,) = [r for r in _requirements("course") if r.name == name]
    assert req.specifier.contains(colab) and req.specifier.contains("8.1"), f"{req} must accept {colab} and 8"
    assert _colab_version(_pins()[name]) == Version(colab)


def test_the_set_up_cell_installs_ganlab_alone():
    """No extra, no other package: on Colab the set-up cell's pip adds ganlab only."""
    install = next(ln for ln in setup_cell.TEMPLATE.splitlines() if '"pip", "install"' in ln)
    assert install.strip().endswith('"install", "-q", GANLAB_SOURCE], check=True)'), install
    assert "[course]" not in setup_cell.TEMPLATE and "[dev]" not in setup_cell.TEMPLATE
