"""instructor/grading/isolation/execute.py's GuardedExecute without the sandbox (with it: test_sandbox.py, test_redteam.py)."""
from nbformat.v4 import new_code_cell, new_notebook

from instructor.grading.isolation.execute import GuardedExecute
from instructor.notebooks import printed

WIDGET_CELL = """\
from ipywidgets import interact
interact(lambda x: print("x is", x), x=(0, 4))"""


def test_grading_runs_widget_cells_without_nbclients_output_widget_mimic(tmp_path):
    # the mimic has stalled the request after a widget cell until the cell timeout (drop_output_widget_mimic)
    nb = new_notebook(cells=[new_code_cell(WIDGET_CELL), new_code_cell("print('next cell')")])
    executor = GuardedExecute(timeout=60)
    executor.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert "@jupyter-widgets/output" not in executor.widget_registry
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in nb.cells[0].outputs)
    assert printed(nb.cells[1]) == "next cell\n", nb.cells[1].outputs
