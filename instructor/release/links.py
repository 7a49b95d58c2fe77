"""Every public address of the course, derived from the student repository named once in course.toml.

The student repository (`make publish`) holds the bundle's tree at its root: README.md, LICENSE, the ganlab
wheel and <assignment>/<notebook>.ipynb with the files next to it. From [student] repo and branch:
    colab_url("01_gan_basics/gan_basics.ipynb")  https://colab.research.google.com/github/<repo>/blob/<branch>/...
    raw_url("ganlab-0.1.0-py3-none-any.whl")     https://raw.githubusercontent.com/<repo>/<branch>/...
`render_readme()` rewrites the Colab links of the instructor README (make release runs it).
"""
from __future__ import annotations

import re
from pathlib import Path

from instructor.config import ROOT

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: jupyterlab brings tomli
    import tomli as tomllib

_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
# A Colab link to a lecture notebook, whatever repository it points at: group 1 is <assignment>/<notebook>.ipynb.
COLAB_LINK = re.compile(r"https://colab\.research\.google\.com/github/[^)\s\"']*?/(\d\d_[\w-]+/[\w-]+\.ipynb)")
BADGE = "https://colab.research.google.com/assets/colab-badge.svg"


def toml(path: Path) -> dict:
    with open(path, "rb") as f:
        return tomllib.load(f)


def student_repo(root: Path = ROOT) -> tuple[str, str]:
    """(owner/name, branch) of the public student repository: course.toml, [student] repo and branch."""
    path = Path(root) / "course.toml"
    try:
        section = toml(path)["student"]
        repo, branch = section["repo"], section.get("branch", "main")
    except (FileNotFoundError, KeyError) as e:
        raise ValueError(f"{path} needs a [student] section with repo = \"owner/name\" ({e!r})") from None
    if not _REPO.match(repo) or not branch:
        raise ValueError(f"{path}: [student] repo must be \"owner/name\" and branch non-empty, got {repo!r}, {branch!r}")
    return repo, branch


def colab_url(path: str, root: Path = ROOT) -> str:
    """Colab's address of a notebook in the student repository (`path` relative to its root)."""
    repo, branch = student_repo(root)
    return f"https://colab.research.google.com/github/{repo}/blob/{branch}/{path}"


def raw_url(path: str, root: Path = ROOT) -> str:
    """The download address of a file in the student repository (`path` relative to its root)."""
    repo, branch = student_repo(root)
    return f"https://raw.githubusercontent.com/{repo}/{branch}/{path}"


def lecture_path(notebook: Path) -> str:
    """<assignment>/<notebook>.ipynb: where a released notebook lies in the student repository."""
    return f"{notebook.parent.name}/{notebook.name}"


def badge(notebook: Path, root: Path = ROOT) -> str:
    """A Markdown "Open in Colab" badge for a released notebook."""
    return f"[![Open In Colab]({BADGE})]({colab_url(lecture_path(notebook), root)})"


def render_readme(path: Path = ROOT / "README.md", root: Path = ROOT) -> bool:
    """Point every lecture's Colab link in `path` at the student repository; True when the file changed."""
    text = Path(path).read_text()
    new = COLAB_LINK.sub(lambda m: colab_url(m.group(1), root), text)
    if new == text:
        return False
    Path(path).write_text(new)
    return True
