"""LMS downloads as Canvas, Moodle and Blackboard name them (instructor/grading/lms.py), unpacked as untrusted input
(instructor/grading/archive.py). The names follow each LMS's documentation and its own import code: Canvas's
"Re-upload submissions" reads the first two all-digit parts of a file name (user id, attachment id); Moodle's
feedback-zip import splits a folder name `fullname_participantid_plugintype_pluginname` on `_`."""
import io
import zipfile

import pytest

from instructor.config import ROOT
from instructor.grading import archive, collect, example_class, lms
from instructor.grading.example_class import PEOPLE, SHAPES, lms_id

ASSIGNMENT, NOTEBOOK = "04_wgan_gp", "wgan_gp"
PLAIN = r".*[/\\](?P<student_id>[^/\\_]+)_(?P<file_id>[^/\\]+)$"


def _zip(path, members: dict[str, bytes | str]):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.fixture(scope="module")
def handed_in():
    return example_class.handed_in(ASSIGNMENT, ROOT)


@pytest.fixture(scope="module", params=SHAPES)
def collected(request, tmp_path_factory):
    """One shape of the example class, unpacked and read."""
    shape = request.param
    download = example_class.build(ASSIGNMENT, ROOT, tmp_path_factory.mktemp(shape), lms=shape)
    unpacked = tmp_path_factory.mktemp(f"{shape}-unpacked")
    refused = archive.unpack(download, unpacked)
    found, skipped = lms.recognise(unpacked, ASSIGNMENT, NOTEBOOK, PLAIN)
    return shape, {s.student: s for s in found}, refused + skipped


def test_every_shape_gives_each_student_their_own_notebook_under_the_lms_id(collected, handed_in):
    shape, found, skipped = collected
    assert skipped == []
    assert set(found) == {lms_id(s, shape) for s in PEOPLE}, "one student per LMS id: the two Sam Lees stay two"
    for student, (uploaded, text) in handed_in.items():
        sub = found[lms_id(student, shape)]
        assert sub.lms == shape
        assert list(sub.files) == [uploaded], f"{shape}: {student} hands in {uploaded}, got {list(sub.files)}"
        assert sub.files[uploaded].read_text() == text, f"{shape}: {student}'s notebook changed on the way"


def test_names_are_kept_for_the_report_and_the_lms(collected):
    shape, found, _ = collected
    judy, bob, carol = (found[lms_id(s, shape)] for s in ("judy", "bob", "carol"))
    if shape in ("moodle", "moodle-flat"):
        assert judy.name == "Ana María López" and bob.name == carol.name == "Sam Lee"
    elif shape == "canvas":
        assert (judy.name, bob.name, carol.name) == ("lopezanamaria", "leesam", "leesam")
        assert found["1004"].late and not found["1001"].late, "dave handed in LATE"
        assert found["1001"].attachment == "2001"
    elif shape == "blackboard":
        assert judy.name == "Ana María López", "Blackboard's receipt names the student"


def test_blackboard_latest_attempt_counts_and_the_others_are_listed(tmp_path, handed_in):
    archive.unpack(example_class.build(ASSIGNMENT, ROOT, tmp_path, lms="blackboard"), tmp_path / "out")
    found, _ = lms.recognise(tmp_path / "out", ASSIGNMENT, NOTEBOOK, PLAIN)
    alice = next(s for s in found if s.student == "alice")
    assert alice.files[f"{NOTEBOOK}.ipynb"].read_text() == handed_in["alice"][1], "the latest attempt is graded"
    assert alice.attempt == example_class.BLACKBOARD_TIME and lms.timestamp(alice) == "2026-12-01 10:00:00"
    assert alice.older == ["attempt of 2026-11-30 09:15:00 superseded by the attempt of 2026-12-01 10:00:00"]


def test_collect_writes_the_submitted_tree_the_timestamp_and_the_roster(tmp_path):
    root = tmp_path / "course"
    root.mkdir()
    (root / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text())
    download = example_class.build(ASSIGNMENT, ROOT, tmp_path, lms="blackboard")
    found, skipped = collect.collect(root, ASSIGNMENT, download, NOTEBOOK)
    folder = root / ".grading" / "submitted" / "alice" / ASSIGNMENT
    assert (folder / "timestamp.txt").read_text() == "2026-12-01 10:00:00"
    roster = {r["student"]: r for r in collect.read_roster(root, ASSIGNMENT)}
    assert set(roster) == set(PEOPLE) and roster["judy"]["name"] == "Ana María López"
    assert roster["alice"]["older"] and "path" not in str(roster["alice"]["files"])


def test_canvas_resubmission_and_a_file_of_the_same_name_are_both_kept(tmp_path):
    _zip(tmp_path / "c.zip", {"doejane_12345_987654_wgan_gp.ipynb": "a", "doejane_12345_987655_wgan_gp-1.ipynb": "b"})
    refused = archive.unpack(tmp_path / "c.zip", tmp_path / "out")
    (sub,), skipped = lms.recognise(tmp_path / "out", ASSIGNMENT, NOTEBOOK, PLAIN)
    assert refused == skipped == []
    assert sorted(sub.files) == ["wgan_gp-1.ipynb", "wgan_gp.ipynb"], "neither is dropped; intake decides which"


def test_unrecognised_names_and_other_files_are_reported_not_guessed(tmp_path):
    _zip(tmp_path / "d.zip", {"wgan_gp.ipynb": "{}", "Jane Doe_12_assignsubmission_onlinetext_/onlinetext.html": "x"})
    archive.unpack(tmp_path / "d.zip", tmp_path / "out")
    found, skipped = lms.recognise(tmp_path / "out", ASSIGNMENT, NOTEBOOK, PLAIN)
    assert found == []
    assert skipped == ["Jane Doe_12_assignsubmission_onlinetext_/onlinetext.html: not a notebook",
                       "wgan_gp.ipynb: its name does not say whose it is (no LMS's naming matches)"]


# ---- untrusted archives

def test_paths_that_leave_the_folder_and_links_are_refused(tmp_path):
    link = zipfile.ZipInfo("link.ipynb")
    link.external_attr = (0o120777 << 16)   # a symbolic link to the instructor's files
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in ("../escape.ipynb", "/etc/evil.ipynb", "C:\\evil.ipynb", "a/../../up.ipynb"):
            zf.writestr(name, "x")
        zf.writestr(link, "/work/main/solutions/04_wgan_gp/wgan_gp.ipynb")
        zf.writestr("amy_wgan_gp.ipynb", "ok")
    (tmp_path / "d.zip").write_bytes(buf.getvalue())
    into = tmp_path / "sub" / "out"
    refused = archive.unpack(tmp_path / "d.zip", into)
    assert len(refused) == 5 and sum("leaves the download's folder" in r for r in refused) == 4
    assert any("link.ipynb: a symbolic link" in r for r in refused)
    assert [p.name for p in tmp_path.rglob("*") if p.is_file() and p.suffix == ".ipynb"] == ["amy_wgan_gp.ipynb"]


def test_a_zip_bomb_and_deep_nesting_are_refused(tmp_path):
    limits = archive.Limits(file=1 * archive.MiB, total=int(3.5 * archive.MiB))
    inner = io.BytesIO()
    _zip(inner, {"deeper.zip": _zip(io.BytesIO(), {"x_wgan_gp.ipynb": "x"}).getvalue(), "amy_wgan_gp.ipynb": "a"})
    _zip(tmp_path / "d.zip", {"big.ipynb": b"\0" * (2 * archive.MiB),   # claims nothing: counted as it comes out
                              **{f"s{i}_wgan_gp.ipynb": b"\0" * (archive.MiB - 10) for i in range(4)},
                              "nested.zip": inner.getvalue()})
    refused = archive.unpack(tmp_path / "d.zip", tmp_path / "out", limits)
    assert any(r.startswith("d.zip!big.ipynb: larger than 1 MiB") for r in refused)
    assert any("expands past" in r for r in refused), refused
    assert any(r.startswith("d.zip!nested.zip!deeper.zip: an archive inside an archive") for r in refused)
    assert (tmp_path / "out" / "nested" / "amy_wgan_gp.ipynb").read_text() == "a", "one level of nesting opens"
    assert sum(p.stat().st_size for p in (tmp_path / "out").rglob("*") if p.is_file()) <= limits.total


def test_names_without_the_utf8_flag_keep_their_accents(tmp_path):
    name = "Ana María López_1010_assignsubmission_file_/wgan_gp.ipynb"
    class Unflagged(zipfile.ZipInfo):   # UTF-8 bytes without the flag, as Windows tools write them
        def _encodeFilenameFlags(self):
            return self.filename.encode("utf-8"), self.flag_bits & ~archive.UTF8_FLAG

    with zipfile.ZipFile(tmp_path / "m.zip", "w") as zf:
        zf.writestr(Unflagged(name), "{}")
    assert not zipfile.ZipFile(tmp_path / "m.zip").infolist()[0].flag_bits & archive.UTF8_FLAG
    assert archive.unpack(tmp_path / "m.zip", tmp_path / "out") == []
    (sub,), _ = lms.recognise(tmp_path / "out", ASSIGNMENT, NOTEBOOK, PLAIN)
    assert (sub.student, sub.name, sub.lms) == ("1010", "Ana María López", "moodle")
