"""JupyterLab in a real browser (`make test-browser`; also part of `make test`): `make lab` serves a temporary
copy of course/ with the reference answers filled in (127.0.0.1, a free port, a token, fast mode), and Debian's
Chromium, driven by Playwright, runs every lecture's notebook from the top to its last widget cell, all
lectures at once, one tab each. Then, per lecture: no cell shows
an error, its widgets render (sliders, buttons, dropdowns), moving a slider (or choosing a setting and
pressing a panel's button) changes the figure, and a screenshot of the first widget cell is saved under
dist/browser/. nbgrader's Validate button reports success on one filled-in notebook.

Needs `apt-get install chromium` (Playwright's own browser download is not used) and the dev extras."""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from instructor import notebooks
from instructor.config import ROOT, Course
from tests import colab_env

pytestmark = pytest.mark.slow
RELEASES = Course().releases()
ASSIGNMENTS = [p.parent.name for p in RELEASES]
SHOTS = ROOT / "dist" / "browser"  # git-ignored: the screenshots, one per lecture
VALIDATE = "03_wasserstein"  # the notebook nbgrader's Validate button checks (one of the quickest)
CHROMIUM = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")
RUN_ALL_TIMEOUT = 1200  # seconds for all notebooks together
CONTROLS = ".widget-slider, .widget-dropdown, button.jupyter-button"
WIDGET = re.compile(r"\binteract(_manual)?\b|ganlab\.widgets\.")
# JupyterLab settings for a test: every cell in the page (no virtual scrolling), no news pop-up.
SETTINGS = {"@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
            "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
                {"fetchNews": "false", "checkForUpdates": False}}


def _chromium() -> str:
    found = next((p for p in CHROMIUM if os.access(p, os.X_OK)), None)
    if found is None:
        pytest.fail("no Chromium: `apt-get install -y chromium` (.ci/run does); Playwright's download is not used")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def widget_cells(nb) -> list[int]:
    """Indices of the cells that show widgets (ipywidgets' interact, or a ganlab.widgets panel)."""
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and WIDGET.search(c.source)]


def _copy_course(dest: Path) -> None:
    """course/ with the instructor's answers typed in (what a student who solved everything has), each
    notebook up to its last widget cell (the cells after it cannot change what the widgets show), and
    one whole notebook for nbgrader's Validate under full/."""
    for release in RELEASES:
        shutil.copytree(release.parent, dest / release.parent.name)
        nb = colab_env.filled(release)
        if release.parent.name == VALIDATE:
            (dest / "full").mkdir()
            (dest / "full" / release.name).write_text(json.dumps(nb, indent=1))
        assert widget_cells(nb), f"{release.name} has no widget cell"
        nb.cells = nb.cells[:widget_cells(nb)[-1] + 1]
        (dest / release.parent.name / release.name).write_text(json.dumps(nb, indent=1))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`make lab` on a filled-in copy of course/; yields (base URL, token, notebook folder)."""
    tmp = tmp_path_factory.mktemp("lab")
    _copy_course(tmp / "nb")
    for name, values in SETTINGS.items():
        (tmp / "settings" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / "settings" / name).write_text(json.dumps(values))
    port, token = _free_port(), secrets.token_hex(16)
    env = os.environ | {"GANLAB_FAST": "1", "OMP_NUM_THREADS": "1", "JUPYTERLAB_SETTINGS_DIR": str(tmp / "settings"),
                        "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces")}
    args = f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} --ServerApp.port_retries=0 " \
           f"--IdentityProvider.token={token}"
    log = open(tmp / "lab.log", "w")
    proc = subprocess.Popen(["make", "-C", str(ROOT), "lab", f"NB={tmp / 'nb'}", f"LAB_ARGS={args}"], env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(lambda: _get(f"{base}/api/status?token={token}"), 300, proc, tmp / "lab.log")
        yield base, token, tmp / "nb"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return json.load(r)
    except OSError:
        return None


def _wait_for(ready, timeout, proc=None, log=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (value := ready()):
            return value
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"`make lab` exited ({proc.returncode}):\n{Path(log).read_text()[-3000:]}")
        time.sleep(1)
    pytest.fail(f"timed out after {timeout} s" + (f":\n{Path(log).read_text()[-3000:]}" if log else ""))


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]' (playwright)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=_chromium(), args=["--no-sandbox", "--disable-gpu",
                              "--disable-background-timer-throttling", "--disable-renderer-backgrounding"])
        yield b
        b.close()


def _kernel_state(base, token, path) -> str | None:
    """The execution state of the kernel of the notebook at `path` (the server's sessions API)."""
    sessions = _get(f"{base}/api/sessions?token={token}") or []
    return next((s["kernel"]["execution_state"] for s in sessions if s["path"] == path), None)


def _open(browser, base, token, path):
    """A new tab with the notebook at `path` open and its kernel idle."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    workspace = path.replace("/", "-").removesuffix(".ipynb")  # one per tab: a tab restores no other's notebooks
    page.goto(f"{base}/lab/workspaces/{workspace}/tree/{path}?token={token}&reset")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=120_000)
    _wait_for(lambda: _kernel_state(base, token, path) == "idle", 120)
    return page


def _menu(page, menu, item):
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()


def _busy(page) -> bool:
    """A cell still queued or running ([*])."""
    return page.evaluate("[...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
                         ".some(p => p.textContent.includes('*'))")


@pytest.fixture(scope="module")
def ran(lab, browser):
    """assignment -> (page, seconds): every notebook opened in its own tab and run from the top, all at once."""
    base, token, _ = lab
    pages, start = {}, time.monotonic()
    for release in RELEASES:
        page = _open(browser, base, token, f"{release.parent.name}/{release.name}")
        page.locator(".jp-Notebook").first.click()
        _menu(page, "Run", "Run All Cells")
        pages[release.parent.name] = page
    done = {}
    deadline = start + RUN_ALL_TIMEOUT
    while len(done) < len(pages) and time.monotonic() < deadline:
        for assignment, page in pages.items():
            if assignment not in done and not _busy(page):
                done[assignment] = time.monotonic() - start
        time.sleep(2)
    for assignment in pages:
        print(f"browser: {assignment} ran in {done[assignment]:.0f} s" if assignment in done
              else f"browser: {assignment} still running after {RUN_ALL_TIMEOUT} s")
    yield {a: (p, done.get(a)) for a, p in pages.items()}
    for page in pages.values():
        page.close()


def _errors(page) -> list[str]:
    """Texts of error outputs shown in the notebook: JupyterLab renders an error as stderr text holding
    IPython's traceback (warnings and progress bars, also on stderr, hold none)."""
    return page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").evaluate_all(
        r"els => els.map(e => e.textContent)"
        r"         .filter(t => /Traceback \(most recent call last\)|Cell In\[\d+\], line \d+/.test(t))")


def _images(area) -> list[str]:
    return area.locator("img").evaluate_all("els => els.map(e => e.src)")


def _redrawn(area, act, what, timeout=180) -> bool:
    """Do `act`, wait until the widget has drawn its figure again; True when the figure differs."""
    before = _images(area)
    area.locator("img").evaluate_all("els => els.forEach(e => e.dataset.old = '1')")
    act()
    deadline = time.monotonic() + timeout
    while not area.locator("img:not([data-old])").count():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: no figure drawn again within {timeout} s")
        time.sleep(0.5)
    return _images(area) != before


def _explore(cell) -> str:
    """Drive one widget cell like a student: move its sliders to an end, one after the other, until the
    figure changes (a slider may not matter for the current setting), else pick another setting and
    press its button. Returns what changed the figure."""
    area = cell.locator(".jp-OutputArea").first
    sliders, buttons = area.locator(".widget-slider"), area.locator("button.jupyter-button")
    for i in range(sliders.count()):
        handle = sliders.nth(i).locator(".noUi-handle").first
        name = sliders.nth(i).locator(".widget-label").first.text_content()
        handle.scroll_into_view_if_needed()
        if _redrawn(area, lambda: (handle.focus(), handle.press("End")), f"slider '{name}'"):
            return f"slider '{name}' moved to its end"
    if buttons.count():
        dropdown = area.locator(".widget-dropdown select").first

        def choose_and_press():
            if dropdown.count():
                options = dropdown.locator("option").all_text_contents()
                dropdown.select_option(label=options[-1] if dropdown.input_value() != options[-1] else options[0])
            buttons.first.click()

        if _redrawn(area, choose_and_press, f"button '{buttons.first.text_content()}'"):
            return f"another setting, button '{buttons.first.text_content()}' pressed"
    pytest.fail(f"no slider or button of the widget cell changed its figure ({sliders.count()} sliders, "
                f"{buttons.count()} buttons)")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_lecture_in_jupyterlab(ran, assignment):
    page, seconds = ran[assignment]
    assert seconds is not None, f"{assignment} was still running after {RUN_ALL_TIMEOUT} s"
    assert not _errors(page), f"{assignment}: a cell shows an error:\n{_errors(page)[0][-2000:]}"
    prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_text_contents()
    assert all(any(ch.isdigit() for ch in p) for p in prompts), f"{assignment}: cells left unrun: {prompts}"
    expected = len(widget_cells(notebooks.read(Course().release_notebook(assignment))))
    cells = page.locator(".jp-CodeCell").filter(has=page.locator(CONTROLS))  # not tqdm's bars: no controls
    assert cells.count() == expected, \
        f"{assignment}: {cells.count()} cells show widgets, expected {expected} (ipywidgets' lab extension?)"
    done = []
    for i in range(cells.count()):
        cell = cells.nth(i)
        done.append(_explore(cell))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 2600})  # a tall cell fits: no stitched screenshot
    cells.first.locator(".jp-Cell-outputWrapper").screenshot(path=str(SHOTS / f"{assignment}.png"))
    print(f"browser: {assignment}: {'; '.join(done)}; screenshot {SHOTS / assignment}.png")
    assert not _errors(page), f"{assignment}: exploring the widgets raised:\n{_errors(page)[0][-2000:]}"


def test_nbgrader_validate_button_reports_success(lab, browser):
    base, token, _ = lab
    page = _open(browser, base, token, f"full/{Course().release_notebook(VALIDATE).name}")
    page.locator(".validate-button, button:has-text('Validate')").first.click()
    dialog = page.locator(".jp-Dialog")  # nbgrader shows it when validation is over
    dialog.wait_for(timeout=600_000)
    assert dialog.locator(".validation-success").count(), f"Validate did not succeed: {dialog.text_content()[:2000]}"
    assert "Success! Your notebook passes all the tests." in dialog.text_content()
    page.close()


def test_an_error_in_a_cell_is_seen(lab, browser):
    """The error check above can fail: a cell that raises is found."""
    base, token, folder = lab
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "source": src, "outputs": [], "execution_count": None}
                    for src in ("import warnings; warnings.warn('only a warning')", "1 / 0")],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    (folder / "raises.ipynb").write_text(json.dumps(nb))
    page = _open(browser, base, token, "raises.ipynb")
    page.locator(".jp-Notebook").first.click()
    _menu(page, "Run", "Run All Cells")
    _wait_for(lambda: len(_errors(page)) or None, 120)
    assert len(_errors(page)) == 1 and "ZeroDivisionError" in _errors(page)[0], _errors(page)
    page.close()
