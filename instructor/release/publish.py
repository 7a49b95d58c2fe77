"""`make publish`: the public student repository's tree, ready to push.

`python -m instructor.release.publish [DEST]` (default dist/student-repo/) builds the student bundle (bundle.py:
released notebooks and the files they load, the ganlab wheel, README with a Colab badge per lecture, LICENSE)
and makes DEST hold exactly that tree. Everything else in DEST goes, except `.git` and earlier ganlab wheels
(a notebook a student saved from an earlier release still installs its own), so DEST may be a clone
of the student repository (course.toml, [student]). Nothing is written when the leak scanner finds an answer
or a hidden test from solutions/ in the tree. Then it prints the git commands that push it.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from instructor import leaks
from instructor.config import ROOT, Course
from instructor.release import bundle, links

DEFAULT = ROOT / "dist" / "student-repo"
KEEP = (".git",        # a clone's history survives a publish
        "ganlab-*.whl")  # a notebook saved before this release still installs the wheel its set-up cell names


def leaks_in(tree: Path, root: Path = ROOT) -> dict[str, list]:
    """file -> answers or hidden tests (line windows) from any solutions/ notebook found in `tree`."""
    texts = leaks.texts([tree])
    found = {}
    for source in Course(root).sources():
        for name, hits in leaks.find(leaks.secrets(source), texts).items():
            found.setdefault(name, []).extend(hits)
    return found


def sync(tree: Path, dest: Path) -> None:
    """Make `dest` hold exactly the files of `tree` (its .git and earlier ganlab wheels kept)."""
    dest.mkdir(parents=True, exist_ok=True)
    for entry in dest.iterdir():
        if not any(entry.match(pattern) for pattern in KEEP):
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    shutil.copytree(tree, dest, dirs_exist_ok=True)


def publish(dest: Path = DEFAULT, root: Path = ROOT) -> Path:
    """Build the bundle, check it leaks nothing, write it to `dest`; returns `dest`."""
    with tempfile.TemporaryDirectory() as tmp:
        built = bundle.build(Path(tmp), root)
        found = leaks_in(built.folder, root)
        if found:
            shown = "\n".join(f"  {Path(name).relative_to(built.folder) if '!' not in name else name}: {hits[:2]}"
                              for name, hits in sorted(found.items()))
            raise RuntimeError(f"not published: graded material from solutions/ in the student tree:\n{shown}")
        sync(built.folder, Path(dest))
    return Path(dest)


def push_commands(dest: Path, root: Path = ROOT) -> str:
    repo, branch = links.student_repo(root)
    first = "" if (dest / ".git").exists() else (
        f"git init -b {branch} && git remote add origin git@github.com:{repo}.git && ")
    return (f"cd {dest} && {first}git add -A && git commit -m 'Course update' && git push -u origin {branch}")


def main(argv: list[str]) -> None:
    dest = Path(argv[0]).resolve() if argv else DEFAULT
    publish(dest)
    files = sum(1 for f in dest.rglob("*") if f.is_file() and ".git" not in f.relative_to(dest).parts)
    print(f"student repository tree: {dest} ({files} files, no answer or hidden test found)")
    print(f"the public repository github.com/{links.student_repo()[0]} (course.toml) gets it with:")
    print(f"  {push_commands(dest)}")


if __name__ == "__main__":
    main(sys.argv[1:])
