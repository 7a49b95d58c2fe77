"""`make publish`: the public student repository's tree holds what students need and nothing graded, and
every Colab link and download address comes from the one repository named in course.toml."""
import re
import zipfile

import pytest

from instructor import leaks, notebooks
from instructor.config import ROOT, Course
from instructor.release import bundle, links, publish, setup_cell
from ganlab.models import checkpoint

SOURCES = Course().sources()
RELEASES = Course().releases()
EXTRAS = sorted(f for p in RELEASES for f in p.parent.iterdir() if f.is_file() and f.suffix != ".ipynb")
OLD_WHEEL = "ganlab-0.0.9-py3-none-any.whl"
COLAB = {links.colab_url(links.lecture_path(p)) for p in RELEASES}


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    dest = tmp_path_factory.mktemp("student") / "repo"
    (dest / ".git").mkdir(parents=True)
    (dest / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (dest / "stale.txt").write_text("from an older publish")
    with zipfile.ZipFile(dest / OLD_WHEEL, "w") as wheel:
        wheel.writestr("ganlab/__init__.py", '"""An earlier release."""\n')
    return publish.publish(dest)


def test_the_tree_holds_the_course_and_nothing_else(tree):
    files = sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file() and ".git" not in p.parts)
    expected = sorted(["README.md", "LICENSE", setup_cell.wheel_name(), OLD_WHEEL]
                      + [links.lecture_path(p) for p in RELEASES]
                      + [f"{f.parent.name}/{f.name}" for f in EXTRAS])
    assert files == expected
    assert (tree / ".git" / "HEAD").exists(), "a clone's .git survives a publish"
    assert (tree / OLD_WHEEL).exists(), "a notebook saved from an earlier release still finds its wheel"
    assert "MIT License" in (tree / "LICENSE").read_text()


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.parent.name)
def test_no_answer_or_hidden_test_in_the_published_tree(tree, source):
    found = leaks.find(leaks.secrets(source), leaks.texts([tree]))
    assert not found, f"graded material in the student repository: {found}"


def test_publish_refuses_a_tree_with_an_answer(monkeypatch, tmp_path):
    answer = next(iter(notebooks.answers(notebooks.read(SOURCES[0])).values()))
    real = bundle.write_license

    def leaky_license(dest, root=ROOT):
        real(dest, root)
        dest.write_text(dest.read_text() + answer)
        return dest

    monkeypatch.setattr(bundle, "write_license", leaky_license)
    with pytest.raises(RuntimeError, match=r"not published: [^\0]*\n  LICENSE: "):
        publish.publish(tmp_path / "repo")
    assert not (tmp_path / "repo").exists(), "nothing is written when the tree leaks"


def test_the_checkpoint_is_stored_once_in_ganlab_and_the_wheel_carries_it(tree):
    stored = sorted((ROOT / bundle.SHIPPED).iterdir())
    assert [f.name for f in stored] == ["stylegan_digits16.pt"], "lectures 07 and 08's StyleGAN: ganlab/checkpoints/"
    copies = [f for p in SOURCES + RELEASES for f in p.parent.iterdir() if f.name in {s.name for s in stored}]
    assert not copies, f"the checkpoint is stored once, in {bundle.SHIPPED}/ (find_checkpoint finds it): {copies}"
    with zipfile.ZipFile(tree / setup_cell.wheel_name()) as z:
        assert sorted(n for n in z.namelist() if n.startswith(bundle.SHIPPED)) == \
            sorted({f"{bundle.SHIPPED}/{f.name}" for f in stored + EXTRAS})
        for f in stored + EXTRAS:
            assert z.read(f"{bundle.SHIPPED}/{f.name}") == f.read_bytes(), f"{f.name} not shipped as is"


def test_a_checkpoint_is_found_next_to_the_notebook_then_in_the_wheel(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(checkpoint, "SHIPPED", tmp_path / "shipped")
    assert checkpoint.find_checkpoint("g.pt") is None
    (tmp_path / "shipped").mkdir()
    (tmp_path / "shipped" / "g.pt").write_bytes(b"w")
    assert checkpoint.find_checkpoint("g.pt") == str(tmp_path / "shipped" / "g.pt")
    (tmp_path / "g.pt").write_bytes(b"w")
    assert checkpoint.find_checkpoint("g.pt") == "g.pt"


def _links(text):
    return re.findall(r"https://colab\.research\.google\.com/github/[^)\s\"']+", text)


def test_the_instructor_readme_links_each_lecture_to_the_student_repository():
    found = _links((ROOT / "README.md").read_text())
    assert sorted(found) == sorted(COLAB), \
        f"README.md's Colab links differ from course.toml's student repository: run `make release`\n{found}"


def test_the_student_readme_has_one_colab_badge_per_lecture(tree):
    text = (tree / "README.md").read_text()
    assert sorted(_links(text)) == sorted(COLAB)
    assert text.count(links.BADGE) == len(RELEASES)
    assert f"github.com/{links.student_repo()[0]}" in text


def test_set_up_cells_download_the_wheel_published_in_the_tree(tree):
    online = setup_cell.online_wheel()
    assert online == links.raw_url(setup_cell.wheel_name())
    assert (tree / online.removeprefix(links.raw_url(""))).is_file(), f"{online} names no file of the tree"
    for path in RELEASES:
        assert online in setup_cell.cell(notebooks.read(path)).source, f"{path.name}: run `make release`"


def test_render_readme_points_old_links_at_the_student_repository(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("[a](https://colab.research.google.com/github/me/private/blob/dev/course/01_x/x.ipynb)\n")
    assert links.render_readme(readme) is True
    assert readme.read_text() == f"[a]({links.colab_url('01_x/x.ipynb')})\n"
    assert links.render_readme(readme) is False


@pytest.mark.parametrize("section", ['[student]\nrepo = "no-slash"\n', "[bundle]\n", 'repo = "a/b"\n'])
def test_a_bad_student_section_is_explained(tmp_path, section):
    (tmp_path / "course.toml").write_text(section)
    with pytest.raises(ValueError, match=r"\[student\]"):
        links.student_repo(tmp_path)
