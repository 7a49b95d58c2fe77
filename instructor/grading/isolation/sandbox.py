"""The sandbox a submission's kernel runs in while it is graded: bubblewrap (`bwrap`), never our own.

The trusted grader (nbgrader's autograde, outside) talks to the kernel over unix sockets in a private run
folder; the kernel sees only:
- read-only: the system's /usr (and the /lib, /bin links), a few files of /etc (dynamic linker, fonts,
  time zone), the Python installation and virtual environment, and editable packages' own folders
  (ganlab/, never the repository around it);
- its working folder `/home/student/<assignment>`: a private tmpfs with the files shipped next to the
  notebook (data such as a checkpoint) bound read-only; no notebook file, so the hidden tests reach the
  kernel only as the cells are executed;
- a private tmpfs `/tmp`, `/dev/shm` and HOME; a new pid, network (no network at all), ipc and uts
  namespace; its own session; killed with everything it started when the grader lets go of it.
Limits (prlimit): data memory, processes and threads, file size. Run as root (a grading server, CI), the
kernel also drops to an unprivileged uid, one per parallel slot, so the process limit holds per kernel
(the kernel never enforces RLIMIT_NPROC for root).
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = ("install bubblewrap: `sudo apt-get install bubblewrap` (Debian, Ubuntu) or `sudo dnf install "
                "bubblewrap` (Fedora, RHEL); it needs Linux with user namespaces. Without it, `make grade UNSAFE=1` "
                "grades without isolation: the students' code then runs as you, with your files and network.")
HOME = "/home/student"
NOBODY = 65534
# What the kernel needs from /etc: the dynamic linker's cache, fonts (matplotlib's C libraries print
# "Fontconfig error" to stderr without them, which would cost a test cell), time zone, user names.
ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "fonts", "localtime", "alternatives", "passwd", "group",
       "nsswitch.conf")
# Variables the kernel keeps from the grader's environment (everything else, e.g. tokens, is dropped).
ENV_KEPT = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "MPLBACKEND", "PYDEVD_DISABLE_FILE_VALIDATION",
            "OMP_NUM_THREADS", "MKL_NUM_THREADS", "PYTHONHASHSEED")
ENV_PREFIXES = ("NBGRADER_", "GANLAB_", "CUDA_")
GiB, MiB = 2**30, 2**20


class SandboxUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class Limits:
    # RLIMIT_DATA, not RLIMIT_AS: torch alone maps ~3.5 GiB of address space (libraries, reservations) but
    # uses ~0.9 GiB of data; the data limit is what a memory hog actually runs into (MemoryError).
    memory: int = 4 * GiB
    processes: int = max(64, 4 * (os.cpu_count() or 1))   # processes + threads of the kernel's uid
    file_size: int = 256 * MiB                             # largest file it may write (RLIMIT_FSIZE)
    tmpfs: int = 512 * MiB                                 # each of /tmp, /dev/shm, HOME


def bwrap() -> str | None:
    return shutil.which("bwrap")


def _python_roots() -> list[Path]:
    """The Python installation and the virtual environment (resolved, deduplicated, outermost first)."""
    roots = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    roots.add(Path(os.path.realpath(sys.executable)).parent.parent)
    return [r for r in sorted(roots) if not any(o != r and o in r.parents for o in roots)]


def package_dirs(names=("ganlab",)) -> list[Path]:
    """Source folders of packages installed in editable mode (outside the environment's roots)."""
    roots, found = _python_roots(), []
    for name in names:
        spec = importlib.util.find_spec(name)
        for loc in (spec.submodule_search_locations or []) if spec else []:
            path = Path(loc).resolve()
            if not any(r == path or r in path.parents for r in roots):
                found.append(path)
    return found


def _with_parents(args: list[str], dest: Path, made: set) -> None:
    """bwrap creates a bind's missing parents with mode 0700, closed to the kernel's uid: make them 0755."""
    for parent in reversed(dest.parents):
        if str(parent) != "/" and parent not in made:
            made.add(parent)
            args += ["--perms", "0755", "--dir", str(parent)]


def command(kernel_cmd: list[str], *, workdir: str, data: list[Path], rundir: Path, uid: int | None,
            env: dict[str, str], limits: Limits = Limits()) -> list[str]:
    """`kernel_cmd` wrapped: prlimit -> bwrap -> (setpriv to `uid`) -> kernel, in working folder `workdir`."""
    exe = bwrap()
    if exe is None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed: " + INSTALL_HINT)
    args, made = [exe, "--die-with-parent", "--new-session"], set()
    # As root: no user namespace (the kernel drops to `uid` itself, inside); otherwise bwrap needs one.
    args += (["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
             if os.geteuid() == 0 else ["--unshare-all"])
    for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        p = Path("/", top)
        if p.is_symlink():
            args += ["--symlink", os.readlink(p), str(p)]
        elif p.is_dir():
            args += ["--ro-bind", str(p), str(p)]
    args += ["--ro-bind", "/usr", "/usr"]
    args += ["--perms", "0755", "--dir", "/etc"]
    for name in ETC:
        if Path("/etc", name).exists():
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    args += ["--proc", "/proc", "--dev", "/dev", "--hostname", "grading"]
    for tmp in ("/tmp", "/dev/shm", HOME):
        args += ["--perms", "1777", "--size", str(limits.tmpfs), "--tmpfs", tmp]
        made.add(Path(tmp))
    # Python after the private /tmp: a course (and its venv) kept under /tmp stays visible, the rest of /tmp not.
    for root in _python_roots() + package_dirs():
        if root != Path("/usr") and Path("/usr") not in root.parents:
            _with_parents(args, root, made)
            args += ["--ro-bind", str(root), str(root)]
    args += ["--perms", "1777", "--dir", workdir]
    for entry in data:   # symlinks are never followed: one could point at the instructor's files
        if not entry.is_symlink():
            args += ["--ro-bind", str(entry), f"{workdir}/{entry.name}"]
    _with_parents(args, rundir, made)
    args += ["--bind", str(rundir), str(rundir), "--chdir", workdir, "--clearenv"]
    kept = {k: v for k, v in env.items() if k in ENV_KEPT or k.startswith(ENV_PREFIXES)}
    kept.update(HOME=HOME, USER="student", LOGNAME="student", MPLCONFIGDIR=f"{HOME}/.matplotlib",
                PATH=f"{Path(os.path.abspath(sys.executable)).parent}:/usr/local/bin:/usr/bin:/bin")
    for k, v in sorted(kept.items()):
        args += ["--setenv", k, v]
    args.append("--")
    if uid is not None:
        args += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--"]
    rlimits = ["prlimit", f"--data={limits.memory}", f"--nproc={_nproc(limits, uid)}",
               f"--fsize={limits.file_size}", "--core=0", "--"]
    # `a/../b` would not resolve inside, where `a` may not exist: paths are given normalised.
    return rlimits + args + [os.path.abspath(a) if os.path.isabs(a) else a for a in kernel_cmd]


def slot_uid(slot: int) -> int | None:
    """The unprivileged uid of parallel slot `slot` (65534 = nobody, then 65533, ...); None unless root."""
    return NOBODY - slot if os.geteuid() == 0 else None


def _nproc(limits: Limits, uid: int | None) -> int:
    """RLIMIT_NPROC counts every thread of the real uid: as ourselves (not root), allow for those we have, twice
    over (a browser or another kernel of ours may start more meanwhile; bwrap's own clone fails past the limit)."""
    if uid is not None:
        return limits.processes
    mine = sum(_threads(p) for p in Path("/proc").iterdir() if p.name.isdigit() and _owner(p) == os.getuid())
    return limits.processes + 2 * mine


def _threads(p: Path) -> int:
    try:
        return len(os.listdir(p / "task"))
    except OSError:   # it ended meanwhile
        return 0


def _owner(p: Path) -> int | None:
    try:
        return p.stat().st_uid
    except OSError:
        return None


def check(limits: Limits = Limits()) -> None:
    """Raise SandboxUnavailable with what to do when a kernel could not run in the sandbox here."""
    if bwrap() is None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed: " + INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="ganlab-probe-") as run:
        os.chmod(run, 0o777)
        cmd = command([os.path.abspath(sys.executable), "-c", "import ganlab, torch, ipykernel"], workdir=f"{HOME}/probe",
                      data=[], rundir=Path(run), uid=slot_uid(0), env=dict(os.environ), limits=limits)
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise SandboxUnavailable(
            f"bubblewrap is installed but a kernel could not start in the sandbox (exit {proc.returncode}): "
            f"{proc.stderr.strip()[-600:]}\nExpected `import ganlab, torch, ipykernel` to work in it. Check that "
            "user namespaces are enabled (sysctl kernel.unprivileged_userns_clone=1, or "
            "kernel.apparmor_restrict_unprivileged_userns=0 on Ubuntu 24.04) and that the Python environment is "
            "readable by every user; or grade without isolation with UNSAFE=1.")
