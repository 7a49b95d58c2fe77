"""Wall and CPU time of every solutions/ notebook executed top to bottom, in fast mode and while autograding
(NBGRADER_EXECUTION), as nbclient runs them, next to the fast-mode time its introduction states
(`<!-- fast-mode time: N s -->`, checked against the kernel's CPU time in `make test`: tests/claims.py).

Run it alone, with one torch thread, as `make test` runs the notebooks: OMP_NUM_THREADS=1 python -m benchmarks.notebooks
"""
import os
import re
import resource
import time

import nbclient
import nbformat

from benchmarks.common import ROOT, report
from instructor.config import Course

MODES = {"fast": {"GANLAB_FAST": "1"}, "grading": {"NBGRADER_EXECUTION": "autograde"}}
STATED = re.compile(r"<!--\s*fast-mode time:\s*(\d+) s\s*-->")


def children_cpu():
    """CPU seconds (user + system) of this process's finished children: the kernels, once shut down."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(path, env):
    """(wall seconds, kernel CPU seconds) of one top-to-bottom execution."""
    nb = nbformat.read(str(path), as_version=4)
    old = dict(os.environ)
    os.environ.update(env)
    try:
        cpu, t = children_cpu(), time.perf_counter()
        nbclient.NotebookClient(nb, timeout=1800, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}}).execute()
        return time.perf_counter() - t, children_cpu() - cpu
    finally:
        os.environ.clear()
        os.environ.update(old)


def stated_seconds(path):
    found = STATED.findall("".join(c.source for c in nbformat.read(str(path), as_version=4).cells
                                   if c.cell_type == "markdown"))
    return int(found[0]) if found else None


if __name__ == "__main__":
    rows = []
    for path in Course().sources():
        row = {"notebook": str(path.relative_to(ROOT)), "stated_fast_s": stated_seconds(path)}
        for mode, env in MODES.items():
            row[f"{mode}_s"], row[f"{mode}_cpu_s"] = run(path, env)
        rows.append(row)
    report("notebooks", rows)
