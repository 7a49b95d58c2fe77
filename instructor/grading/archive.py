"""Unpacking an LMS download, which is untrusted input: a class's zip can hold anything a student (or a
broken LMS export) put in it.

`unpack(source, into)` copies a download (a .zip, or a folder of zips, notebooks and folders) under `into`
and returns one line per thing it refused. It never writes outside `into`:
- a member whose path is absolute or climbs out (`../`, `C:\\`), or that is a symbolic link: refused;
- the download's zips are unpacked where they lie; an archive inside one is opened one level deep (a student's
  own zip, into a folder of its name); deeper ones are refused;
- sizes are counted as the bytes come out, not as the archive claims: a member over `Limits.file` or a
  download over `Limits.total` (a zip bomb) stops that member or the rest, and `Limits.members` caps the count;
- names that are not UTF-8 inside the zip (Windows tools write the OEM code page without saying so) are read
  as UTF-8 when they are, so `Ana María López_…` keeps its accents.
"""
from __future__ import annotations

import io
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MiB, GiB = 2**20, 2**30
UTF8_FLAG = 0x800   # zip general-purpose bit 11: the name is UTF-8
JUNK = ("__MACOSX", ".DS_Store", "Thumbs.db")


@dataclass(frozen=True)
class Limits:
    file: int = 256 * MiB     # one member, uncompressed (the sandbox's largest file)
    total: int = 4 * GiB      # the whole download, uncompressed
    members: int = 20_000     # files in the whole download


class _Budget:
    def __init__(self, limits: Limits):
        self.limits, self.bytes, self.members = limits, 0, 0


def unpack(source: Path, into: Path, limits: Limits = Limits()) -> list[str]:
    """Copy or extract `source` under `into` (emptied first); returns what was refused, one line each."""
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    budget, refused = _Budget(limits), []
    source = Path(source)
    if source.is_dir():
        _copy_folder(source, into, budget, refused)
    elif zipfile.is_zipfile(source):
        _extract(source, into, 0, budget, refused, source.name)
    else:
        _place(source.read_bytes, source.name, into, budget, refused)
    return refused


def _copy_folder(folder: Path, into: Path, budget: _Budget, refused: list[str]) -> None:
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_symlink():
            refused.append(f"{rel}: a symbolic link, not followed")
        elif path.is_dir() and not any(part in JUNK for part in rel.parts):
            (into / rel).mkdir(parents=True, exist_ok=True)   # an empty student folder is worth a line
        elif path.is_file() and not any(part in JUNK for part in rel.parts):
            if path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
                _extract(path, into / rel.parent, 0, budget, refused, str(rel))
            else:
                _place(path.read_bytes, str(rel), into, budget, refused)


def _extract(archive, into: Path, depth: int, budget: _Budget, refused: list[str], label: str) -> None:
    """Extract the zip `archive` (a path or a file object) under `into`; `label` names it in refusals."""
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                name = _name(info)
                where = f"{label}!{name}"
                if info.is_dir() or any(part in JUNK for part in PurePosixPath(name).parts):
                    continue
                if stat.S_ISLNK(info.external_attr >> 16):
                    refused.append(f"{where}: a symbolic link, not extracted")
                    continue
                safe = _safe(name)
                if safe is None:
                    refused.append(f"{where}: its path leaves the download's folder, not extracted")
                    continue
                if name.lower().endswith(".zip"):
                    if depth >= 1:
                        refused.append(f"{where}: an archive inside an archive inside the download, not opened")
                    else:
                        with zf.open(info) as inner:
                            data = _read(inner, budget, refused, where)
                        if data is not None:
                            _extract(io.BytesIO(data), into / safe.parent / _stem(safe.name), depth + 1, budget,
                                     refused, where)
                    continue
                _place(lambda: zf.open(info), str(safe), into, budget, refused, label=where)
    except (zipfile.BadZipFile, OSError, EOFError) as why:
        refused.append(f"{label}: not a readable zip ({why})")


def _place(opener, rel: str, into: Path, budget: _Budget, refused: list[str], label: str = "") -> None:
    """Write one file at `into/rel`, counting its bytes; `opener` gives a binary stream or the bytes."""
    label = label or rel
    if budget.members >= budget.limits.members:
        refused.append(f"{label}: more than {budget.limits.members} files in the download, not extracted")
        return
    got = opener()
    if isinstance(got, bytes):
        data = got if _count(len(got), budget, refused, label) else None
    else:
        with got as stream:
            data = _read(stream, budget, refused, label)
    if data is None:
        return
    budget.members += 1
    target = into / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _read(stream, budget: _Budget, refused: list[str], label: str) -> bytes | None:
    """The stream's bytes, or None (refused) once it passes the per-file or total limit."""
    chunks, size = [], 0
    while chunk := stream.read(MiB):
        size += len(chunk)
        if size > budget.limits.file:
            refused.append(f"{label}: larger than {_size(budget.limits.file)} uncompressed, not extracted")
            return None
        chunks.append(chunk)
    return b"".join(chunks) if _count(size, budget, refused, label) else None


def _count(size: int, budget: _Budget, refused: list[str], label: str) -> bool:
    if size > budget.limits.file:
        refused.append(f"{label}: larger than {_size(budget.limits.file)} uncompressed, not extracted")
        return False
    if budget.bytes + size > budget.limits.total:
        refused.append(f"{label}: the download expands past {_size(budget.limits.total)} (a zip bomb?), not extracted")
        return False
    budget.bytes += size
    return True


def _size(n: int) -> str:
    return f"{n / GiB:g} GiB" if n >= GiB else f"{n / MiB:g} MiB"


def _name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author wrote it: zipfile reads names without the UTF-8 flag as cp437."""
    if info.flag_bits & UTF8_FLAG:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _safe(name: str) -> PurePosixPath | None:
    """`name` as a relative path that stays inside the folder, or None."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or (path.parts and ":" in path.parts[0]) or ".." in path.parts or not path.parts:
        return None
    return path


def _stem(name: str) -> str:
    return name[:-4] if name.lower().endswith(".zip") else name
