"""Colab, emulated on this machine (tests/end_to_end/test_colab.py).

- `colab_venv(path)`: a fresh virtual environment on Colab's Python (3.13) and preinstalled packages at Colab's
  versions (tests/colab/requirements.txt: torch, numpy, scipy, scikit-learn, matplotlib, tqdm, ipykernel 6.17,
  IPython 7.34, ipywidgets 7.7, pip, ...), layered over the venv tests/colab/venv.py builds once (a .pth file: what
  pip installs here stays here): no ganlab, no repository on the path, nothing else of ours.
- `serve(folder)`: a local HTTP server on 127.0.0.1 standing in for the student repository's raw files.
- `run_in_colab(...)`: the notebook alone in an empty working folder (Colab's /content), a kernel of that
  venv with a clean environment (no PYTHONPATH, pip offline), executed top to bottom.
- `colab_save(nb)`: the notebook as Colab saves it (metadata ids, `colab`, `accelerator`, `outputId`,
  `executionInfo`, nbformat 4.0), optionally without nbgrader's cell metadata.
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import http.server
import json
import os
import random
import re
import string
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

from instructor import notebooks
from instructor.config import Course
from instructor.grading.isolation.execute import drop_output_widget_mimic
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbgrader.utils import is_solution

from tests.colab import venv

KERNEL = "colab-emulated"
_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.M)


def filled(release: Path):
    """The released notebook with the instructor's answers typed in, written answers included: what a
    student who solved everything hands in (shared with tests/end_to_end/test_browser.py)."""
    source = notebooks.read(Course().source(release.parent.name, release.stem))
    typed = {notebooks.meta(c)["grade_id"]: _MARKERS.sub("", c.source)
             for c in source.cells if is_solution(c)}
    nb = notebooks.read(release)
    for cell in nb.cells:
        if is_solution(cell):
            cell.source = typed[notebooks.meta(cell)["grade_id"]]
    return nb


def colab_venv(path: Path) -> Path:
    """A venv at `path` over Colab's (tests/colab/venv.py, built on first use); returns its python. ganlab is not
    importable; `pip install` puts what it installs here and leaves Colab's venv as it is."""
    base = colab_venv_base()
    subprocess.run([str(base / "bin" / "python"), "-m", "venv", "--without-pip", str(path)], check=True)
    site = venv.site_packages(path)
    (site / "_colab.pth").write_text(f"import site; site.addsitedir({str(venv.site_packages(base))!r})\n")
    python = path / "bin" / "python"
    probe = subprocess.run([str(python), "-c", "import torch, ipykernel, ipywidgets, sklearn; import ganlab"],
                           capture_output=True, text=True, env=clean_env(path), cwd=path)
    if "No module named 'ganlab'" not in probe.stderr:
        raise AssertionError(f"the emulated Colab venv must have its stack and no ganlab: {probe.stderr[-2000:]}")
    return python


def colab_venv_base() -> Path:
    """Colab's venv (tests/colab/venv.py), built now unless built before (`make colab-venv` builds it first)."""
    return venv.build(log=lambda line: print(line, file=sys.stderr))


def clean_env(venv: Path) -> dict[str, str]:
    """A kernel's environment: nothing of ours on the path, fast mode on, pip never downloads and reads no
    configuration of this machine (progress bars as `make test` sets them)."""
    keep = {k: os.environ[k] for k in ("HOME", "LANG", "TMPDIR", "TQDM_MININTERVAL") if k in os.environ}
    return keep | {"PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin", "GANLAB_FAST": "1",
                   "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_CACHE_DIR": "1",
                   "PIP_CONFIG_FILE": os.devnull, "OMP_NUM_THREADS": "1"}


def kernel_manager(venv: Path, kernels: Path) -> AsyncKernelManager:
    """A kernel manager that starts `venv`'s python (a kernelspec of its own, under `kernels`)."""
    spec = kernels / KERNEL
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(venv / "bin" / "python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (Colab, emulated)", "language": "python"}))
    return AsyncKernelManager(kernel_name=KERNEL, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(folder: Path):
    """Serve `folder` at http://127.0.0.1:<free port>/ while the block runs; yields the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def run_in_colab(nb, venv: Path, workdir: Path, kernels: Path, timeout: int = 600):
    """Execute `nb` top to bottom as Colab would: alone in `workdir`, in `venv`'s kernel, on an event loop of
    its own (one thread per notebook runs several at once). Returns (executed notebook, seconds); raises
    nbclient's CellExecutionError on the first failing cell."""
    return asyncio.run(_run(nb, venv, workdir, kernels, timeout))


async def _run(nb, venv: Path, workdir: Path, kernels: Path, timeout: int):
    workdir.mkdir(parents=True)
    km = kernel_manager(venv, kernels / workdir.name)
    client = NotebookClient(nb, km=km, timeout=timeout, resources={"metadata": {"path": str(workdir)}})
    drop_output_widget_mimic(client)   # it stalled the next cell for the whole timeout, once per run or so
    start = time.perf_counter()
    try:
        await client.async_execute(env=clean_env(venv))
    finally:  # nbclient leaves a kernel it did not start running
        if km.has_kernel:
            await km.shutdown_kernel(now=True)
    return nb, time.perf_counter() - start


def longest_pause(nb) -> float:
    """The longest wait, in seconds, between one code cell's reply and the next cell's start (nbclient's
    timing metadata): how long the client sat idle."""
    times = [c.metadata["execution"] for c in nb.cells if c.get("metadata", {}).get("execution")]
    stamp = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))   # noqa: E731
    return max((stamp(b["iopub.status.busy"]) - stamp(a["shell.execute_reply"])).total_seconds()
               for a, b in zip(times, times[1:]) if "shell.execute_reply" in a and "iopub.status.busy" in b)


def _colab_id(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_letters + string.digits + "-_", k=12))


def colab_save(nb, keep_nbgrader: bool = True, seed: int = 0) -> dict:
    """The notebook's JSON as Colab writes it on *File > Download .ipynb*."""
    rng = random.Random(seed)
    data = json.loads(json.dumps(nb))  # a plain copy
    data["nbformat"], data["nbformat_minor"] = 4, 0
    data["metadata"] = {"colab": {"provenance": [], "gpuType": "T4"}, "accelerator": "GPU",
                        "kernelspec": {"name": "python3", "display_name": "Python 3"},
                        "language_info": {"name": "python"}}
    for cell in data["cells"]:
        cell.pop("id", None)  # nbformat 4.0: Colab keeps its ids in the metadata
        meta = cell["metadata"] = {"id": _colab_id(rng)} | {
            k: v for k, v in cell.get("metadata", {}).items() if keep_nbgrader or k != "nbgrader"}
        if cell["cell_type"] != "code":
            continue
        meta["colab"] = {"base_uri": "https://localhost:8080/"}
        if cell.get("outputs"):
            meta["outputId"] = f"{rng.getrandbits(128):032x}"
        meta["executionInfo"] = {"status": "ok", "timestamp": 1733100000000 + rng.randrange(10**6),
                                 "user_tz": -60, "elapsed": rng.randrange(10, 5000),
                                 "user": {"displayName": "A Student", "userId": "0123456789"}}
    return data
