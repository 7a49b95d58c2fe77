"""The executor `make grade` puts in place of nbgrader's Execute (same traits: timeout, interrupts...).

- `sandbox=True`: the kernel runs in bubblewrap (kernel.py and sandbox.py, beside this file).
- Test cells get their helpers back before they run: right after the kernel starts (before any of the
  student's cells) it silently records the modules the tests check with; before every test cell it
  silently puts back any attribute of those modules that was rebound or deleted (`torch.allclose = ...`,
  `ganlab.feedback.expect_close = ...`) and the code of their functions (`f.__code__ = ...`), and re-runs
  the set-up cell's imports, so an answer cell that shadows `expect_close`, `torch` or `F` has no effect
  on the tests. Neither is saved into the notebook.
  When that fails (the student's code removed the guard), the test cell is not run and scores 0. So it is
  when the student's cells left code running that could act after the guard: a thread (threading, _thread,
  a Timer), a trace or profile hook, or a changed signal handler (an alarm). New audit hooks are refused
  outright; tqdm's monitor thread is switched off and pyzmq's garbage collector started at once, so every
  thread that was not there at the start is the notebook's own. Code in the same interpreter can still defeat
  it by subtler means (a callback on the kernel's own event loop): instructor/grading/scan.py flags such code.
- No mimic of JupyterLab's Output widget (`drop_output_widget_mimic`): it could stall the cell after a
  widget cell until the timeout.
- Outputs are capped per cell (`max_output_bytes`) as they arrive: a cell printing 100 MB costs neither
  the grader's memory nor the feedback file.
What happened (a failing guard, truncated outputs, the kernel's torch threads) goes to `notes_file` (JSON) for the
report.
"""
from __future__ import annotations

import ast
import json
import secrets
from pathlib import Path

from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, Unicode

from instructor.notebooks import is_test, meta

# The modules test cells check with (their attributes are put back before each test cell, and so are the
# methods of torch.Tensor and of ganlab.feedback's classes); the set-up cell's imports are re-run as well.
GUARDED_MODULES = ("builtins", "math", "torch", "torch.nn.functional", "ganlab", "ganlab.feedback")
SNAPSHOT = """\
def _grading_snapshot():
    import builtins, importlib, signal, sys, threading, torch, types
    try:   # libraries' own threads, started now or never, so that a thread that starts later is the notebook's
        import tqdm.std
        tqdm.std.tqdm.monitor_interval = 0   # tqdm's monitor: never
    except ImportError:
        pass
    try:
        from zmq.utils.garbage import gc as zmq_gc
        if not zmq_gc.is_alive():   # pyzmq's zero-copy collector, else started by the first large message (a figure)
            zmq_gc.start()
    except ImportError:
        pass
    def refuse(event, args):
        if event == "sys.addaudithook":   # raising RuntimeError here refuses the new hook, silently
            raise RuntimeError("grading: no audit hooks")
    sys.addaudithook(refuse)
    saved = [(m, dict(vars(m)), False) for m in map(importlib.import_module, {modules!r})]
    classes = [c for c in vars(importlib.import_module("ganlab.feedback")).values()
               if isinstance(c, type) and c.__module__ == "ganlab.feedback"]
    saved += [(c, dict(vars(c)), True) for c in [torch.Tensor] + classes]
    code = [(f, f.__code__, f.__defaults__, f.__kwdefaults__) for _, was, _ in saved for f in was.values()
            if isinstance(f, types.FunctionType)]   # `expect_close.__code__ = ...` patches the function itself
    threads = set(sys._current_frames())   # every thread running Python, _thread's included
    handlers = {{s: signal.getsignal(s) for s in signal.valid_signals() if s not in (signal.SIGKILL, signal.SIGSTOP)}}
    def still_running():
        left = [getattr(threading._active.get(t), "name", "a _thread thread") for t in set(sys._current_frames()) - threads]
        hooks = [name for name, hook in (("sys.settrace", sys.gettrace()), ("sys.setprofile", sys.getprofile()),
                                         ("threading.settrace", getattr(threading, "_trace_hook", None)),
                                         ("threading.setprofile", getattr(threading, "_profile_hook", None)))
                 if hook is not None]
        changed = [signal.Signals(s).name for s, h in handlers.items() if signal.getsignal(s) is not h]
        return ([f"thread(s) {{', '.join(left)}}"] if left else []) + hooks + (
            [f"handler(s) of {{', '.join(changed)}}"] if changed else [])
    def restore():
        running = still_running()
        if running:
            raise RuntimeError("the notebook left code running after its cell: " + "; ".join(running))
        for owner, was, exact in saved:
            now = vars(owner)
            for key, value in was.items():
                if now.get(key, restore) is not value:
                    setattr(owner, key, value)
            for key in [k for k in now if exact and k not in was]:
                delattr(owner, key)
        for f, c, d, k in code:
            f.__code__, f.__defaults__, f.__kwdefaults__ = c, d, k
    setattr(builtins, {name!r}, restore)
_grading_snapshot()
del _grading_snapshot
"""
THREADS = "__import__('torch').get_num_threads()"   # the kernel's torch threads, noted for the report


def drop_output_widget_mimic(client) -> None:
    """Remove nbclient's mimic of JupyterLab's Output widget from `client` (a NotebookClient). The mimic answers
    an `interact` with a comm message sent on the shell channel from synchronous code; the next cell's request
    then sat unsent until the cell timeout (in the Colab emulation: 600 s, about once per full test run, always
    right after a widget cell). Without it the widgets still run in the kernel and the cell keeps their view."""
    client.widget_registry.pop("@jupyter-widgets/output", None)


def setup_imports(source: str) -> str:
    """The set-up cell's top-level import statements, one per line."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ""
    return "\n".join(ast.unparse(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom)))


class GuardedExecute(Execute):
    sandbox = Bool(False, help="run the kernel in bubblewrap (instructor/grading/isolation/sandbox.py)").tag(config=True)
    max_output_bytes = Integer(2 * 2**20, help="outputs kept per cell; the rest is dropped").tag(config=True)
    notes_file = Unicode("", help="JSON file for what happened while executing").tag(config=True)
    # nbclient waits 4 s for a cell's output after its reply; a grading server busy with other kernels (or a
    # kernel just past a memory limit) can take longer, and nbgrader then grades nothing in the notebook.
    iopub_timeout = Integer(60, help="seconds to wait for a cell's output after its reply").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        if self.sandbox:
            from instructor.grading.isolation.kernel import SandboxedKernelManager
            self.kernel_manager_class = SandboxedKernelManager
        self._guard = f"_grading_guard_{secrets.token_hex(8)}"
        self._setup = next((setup_imports(c.source) for c in nb.cells
                            if c.cell_type == "code" and meta(c).get("grade_id") == "setup" and meta(c).get("locked")),
                           "")
        self._snapshot_taken, self._output_bytes = False, {}
        self._notes = {"guard_failed": [], "truncated": [], "torch_threads": None}
        try:
            return super().preprocess(nb, resources, km)
        finally:
            if self.notes_file:
                Path(self.notes_file).parent.mkdir(parents=True, exist_ok=True)
                Path(self.notes_file).write_text(json.dumps(self._notes))

    def preprocess_cell(self, cell, resources, index):
        if not self._snapshot_taken:   # the first cell: Execute.preprocess has re-run NotebookClient.__init__
            self._snapshot_taken = True
            drop_output_widget_mimic(self)
            self._silent(SNAPSHOT.format(modules=GUARDED_MODULES, name=self._guard), "the start (snapshot)",
                         expressions={"threads": THREADS})
        if is_test(cell):
            restore = f"getattr(__import__('builtins'), {self._guard!r})()\n{self._setup}"
            failed = self._silent(restore, meta(cell).get("grade_id", f"cell {index + 1}"))
            if failed:   # fail closed: with its helpers not restored, the test cell proves nothing
                cell.outputs = [new_output("error", ename="GradingGuardError", evalue=failed, traceback=[
                    f"GradingGuardError: {failed}; the test was not run (the notebook's code changed the grader's "
                    "own state)"])]
                return cell, self.resources
        return super().preprocess_cell(cell, resources, index)

    def _silent(self, code: str, before: str, expressions: dict | None = None) -> str:
        """Run `code` in the kernel, saved nowhere; returns '' or what failed (noted: the student's code
        broke the guard, or left the kernel busy past the time limit). `expressions`: values to note."""
        reply = self.wait_for_reply(self.kc.execute(code, silent=True, store_history=False, allow_stdin=False,
                                                    user_expressions=expressions or {}))
        content = (reply or {}).get("content", {"status": "error", "ename": "no reply in time", "evalue": ""})
        if content.get("status") == "ok":
            for key, value in content.get("user_expressions", {}).items():
                text = value.get("data", {}).get("text/plain") if value.get("status") == "ok" else None
                self._notes["torch_threads" if key == "threads" else key] = int(text) if text else None
            return ""
        failed = f"{content.get('ename')}: {str(content.get('evalue', ''))[:120]}".rstrip(": ")
        self._notes["guard_failed"].append([before, failed])
        return failed

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get("content", {}), default=str))
        used = self._output_bytes.get(cell_index, 0)
        self._output_bytes[cell_index] = used + size
        if used + size <= self.max_output_bytes:
            return super().output(outs, msg, display_id, cell_index)
        if used <= self.max_output_bytes:   # the first output over the cap: say so, once
            self._notes["truncated"].append(cell_index)
            outs.append(new_output("stream", name="stdout", text=(
                f"\n[grading: output truncated: this cell printed more than "
                f"{self.max_output_bytes // 2**20} MiB]\n")))
        return None
