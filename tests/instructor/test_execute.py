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


def _test_cell(source):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": "test_x", "points": 1}
    return cell


FIGURE_CELL = """\
import matplotlib.pyplot as plt, numpy as np
plt.imshow(np.random.default_rng(0).random((400, 400)))   # a PNG far past pyzmq's zero-copy threshold
plt.show()"""


def test_library_threads_started_by_honest_cells_do_not_trip_the_guard(tmp_path):
    """pyzmq starts its zero-copy collector thread with the first large message (a figure), tqdm its monitor with
    the first bar: neither is the notebook's code, and the test cell after them runs."""
    nb = new_notebook(cells=[new_code_cell(FIGURE_CELL), new_code_cell(
        "from tqdm.auto import tqdm\nfor _ in tqdm(range(3)):\n    pass"), _test_cell("print('tested')")])
    executor = GuardedExecute(timeout=60)
    executor.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert executor._notes["guard_failed"] == [], executor._notes
    assert printed(nb.cells[2]) == "tested\n", nb.cells[2].outputs


def test_a_thread_left_running_stops_the_test_cells(tmp_path):
    nb = new_notebook(cells=[new_code_cell("import threading, time\nthreading.Thread(target=time.sleep, args=(30,), "
                                           "daemon=True, name='mine').start()"), _test_cell("print('tested')")])
    executor = GuardedExecute(timeout=60)
    executor.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert [e for _, e in executor._notes["guard_failed"]] == [
        "RuntimeError: the notebook left code running after its cell: thread(s) mine"]
    assert nb.cells[1].outputs[0]["ename"] == "GradingGuardError"
