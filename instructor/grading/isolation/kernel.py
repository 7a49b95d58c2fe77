"""A jupyter_client kernel manager whose kernel runs in the sandbox (instructor/grading/isolation/sandbox.py).

nbgrader's executor (nbclient) starts the kernel through it. The connection goes over unix sockets
(`transport="ipc"`) in a private run folder, the one path the sandbox shares with the grader: the
sandbox has no network, so TCP on 127.0.0.1 would not reach it. The kernel's own stdout/stderr go to
a log file there, never into the grader's memory. Interrupts (the per-cell timeout) are sent as
messages: the kernel is in its own session, out of reach of a signal to the launcher's process group.
"""
from __future__ import annotations

import os
import shutil
import signal
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer, Unicode

from instructor.grading.isolation import sandbox


class SandboxedKernelManager(AsyncKernelManager):
    uid = Integer(None, allow_none=True, help="unprivileged uid the kernel runs as (root only)").tag(config=True)
    memory = Integer(sandbox.Limits.memory, help="bytes of data memory (RLIMIT_DATA)").tag(config=True)
    processes = Integer(sandbox.Limits.processes, help="processes and threads (RLIMIT_NPROC)").tag(config=True)
    file_size = Integer(sandbox.Limits.file_size, help="largest file written (RLIMIT_FSIZE)").tag(config=True)
    log_file = Unicode("", help="where the kernel's own stdout/stderr go (default: discarded)").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # A short path: unix socket names are limited to 107 bytes.
        self._rundir = Path(tempfile.mkdtemp(prefix="ganlab-k"))
        if self.uid is not None:
            os.chown(self._rundir, self.uid, self.uid)
        self.transport = "ipc"
        self.ip = str(self._rundir / "k")
        self.connection_file = str(self._rundir / "kernel.json")

    @property
    def kernel_spec(self):
        spec = super().kernel_spec
        if spec is not None:
            spec.interrupt_mode = "message"
        return spec

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        if self.uid is not None:   # the kernel reads the connection file as `uid`
            os.chown(self.connection_file, self.uid, self.uid)
        assignment_dir = Path(kw.get("cwd") or os.getcwd())
        # The files shipped next to the notebook, never a notebook (this one holds the hidden tests).
        data = sorted(p for p in assignment_dir.iterdir() if p.suffix != ".ipynb" and not p.name.startswith("."))
        limits = sandbox.Limits(memory=self.memory, processes=self.processes, file_size=self.file_size)
        cmd = sandbox.command(kernel_cmd, workdir=f"{sandbox.HOME}/{assignment_dir.name}", data=data,
                              rundir=self._rundir, uid=self.uid, env=dict(kw.get("env") or os.environ),
                              limits=limits)
        log = open(self.log_file or os.devnull, "ab")
        try:
            kw.update(cwd=str(self._rundir), stdout=log, stderr=log)
            await super()._async_launch_kernel(cmd, **kw)
        finally:
            log.close()

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        """Also called when the kernel died: then its exit status is still there to log (the report quotes it)."""
        process = getattr(self.provisioner, "process", None)
        status = process.poll() if process is not None else None
        if status not in (None, 0) and self.log_file:
            sig = status - 128 if status > 128 else -status   # bwrap reports a signal as 128 + its number
            name = f" ({signal.Signals(sig).name})" if sig in signal.valid_signals() else ""
            with open(self.log_file, "a") as log:
                log.write(f"\n[grading] the sandbox ended on its own with status {status}{name}\n")
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._rundir, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources   # the public name is bound to the base class's function
