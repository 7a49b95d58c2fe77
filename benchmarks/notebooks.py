"""Wall time of every solutions/ notebook executed top to bottom, in fast mode and while
autograding (NBGRADER_EXECUTION), as nbclient runs them."""
import os
import time

import nbclient
import nbformat

from benchmarks.common import ROOT, report

MODES = {"fast": {"GANLAB_FAST": "1"}, "grading": {"NBGRADER_EXECUTION": "autograde"}}


def run(path, env):
    nb = nbformat.read(str(path), as_version=4)
    old = dict(os.environ)
    os.environ.update(env)
    try:
        t = time.perf_counter()
        nbclient.NotebookClient(nb, timeout=1800, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}}).execute()
        return time.perf_counter() - t
    finally:
        os.environ.clear()
        os.environ.update(old)


if __name__ == "__main__":
    rows = []
    for path in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        row = {"notebook": str(path.relative_to(ROOT))}
        for mode, env in MODES.items():
            row[f"{mode}_s"] = run(path, env)
        rows.append(row)
    report("notebooks", rows)
