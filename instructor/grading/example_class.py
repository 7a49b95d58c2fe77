"""A small example class for any assignment, built from its release and the instructor's answers, as a
download shaped as each LMS makes it (`build(..., lms=...)`): `<student>_<notebook>.ipynb` files (what
`make grade` grades when given nothing), Canvas, Moodle (folders or flat) or Blackboard.

Each student shows one thing that happens in a real class; STORIES says what a fair grader does with it.
PEOPLE gives each a name and an LMS id as a real class has them: two share a name (Sam Lee), one has
accents (Ana María López); on Canvas dave is LATE and erin's file was resubmitted (`-1`); on Blackboard
alice also has an earlier attempt (the blank release), which must not count.
"""
from __future__ import annotations

import copy
import re
import unicodedata
import zipfile
from pathlib import Path

import nbformat
from nbgrader.utils import is_solution

from instructor.config import Course
from instructor.notebooks import answers, fill, is_answer, meta, read, setup_cell, test_points

LONG_RUN = """\
# My own longer experiment (left in by mistake): trains far past the grading machine's per-cell limit.
model = torch.nn.Linear(2, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.01)
for step in range(10**9):
    loss = model(torch.randn(64, 2)).pow(2).mean()
    opt.zero_grad(); loss.backward(); opt.step()
"""

# student -> (what they handed in, what grading must do with it)
STORIES = {
    "alice": ("a correct notebook with written answers", "full marks; written answers wait for a human"),
    "bob": ("a sign error in the first graded function", "loses exactly that function's tests"),
    "carol": ("the release, untouched", "zero, graded without a crash"),
    "dave": ("a syntax error in the last graded function", "loses that function's tests only"),
    "erin": ("an endless loop left in an answer cell", "the cell is interrupted; full marks"),
    "frank": ("deleted the last answer cell and the first test cell", "loses the deleted answer's tests; "
              "the test cell is added back"),
    "grace": ("a copy of the first answer cell (an old wrong attempt above the right one)", "full marks"),
    "heidi": ("a renamed notebook", "renamed back; full marks"),
    "ivan": ("a file that is not JSON", "not graded; reported"),
    "judy": ("cell metadata stripped by an editor", "metadata restored from the release; full marks"),
    "ken": ("a correct answer that prints a UserWarning to stderr", "full marks"),
    "leo": ("`.cuda()` in the first graded function (no GPU when grading)", "loses that function's tests only"),
    "mallory": ("a training cell that runs past the cell timeout", "the cell is interrupted; full marks"),
}


# student -> (name, LMS id): Canvas's user id, Moodle's participant id; Blackboard's user name is the student
PEOPLE = {"alice": ("Alice Martin", 1001), "bob": ("Sam Lee", 1002), "carol": ("Sam Lee", 1003),
          "dave": ("Dave Okafor", 1004), "erin": ("Erin Walsh", 1005), "frank": ("Frank Müller", 1006),
          "grace": ("Grace Chen", 1007), "heidi": ("Heidi Berg", 1008), "ivan": ("Ivan Petrov", 1009),
          "judy": ("Ana María López", 1010), "ken": ("Ken Sato", 1011), "leo": ("Leo Rossi", 1012),
          "mallory": ("Mallory Price", 1013)}
SHAPES = ("files", "canvas", "moodle", "moodle-flat", "blackboard")
BLACKBOARD_TIME, EARLIER = "2026-12-01-10-00-00", "2026-11-30-09-15-00"


def lms_id(student: str, lms: str) -> str:
    """The id `make grade` grades `student` under when the class comes from `lms`."""
    return student if lms in ("files", "blackboard") else str(PEOPLE[student][1])


def _canvas_name(name: str) -> str:
    """Canvas's sortable name in its file names: last name then first, lower case, letters only."""
    first, last = name.rsplit(" ", 1)
    plain = unicodedata.normalize("NFKD", last + first).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", plain.lower())


def lms_path(lms: str, uploaded: str, user: str, name: str, uid: int, late: bool = False) -> str:
    """Where the file `uploaded` of the student (`user` name, display `name`, LMS id `uid`) lies in `lms`'s download."""
    if lms == "canvas":   # the attachment id: any number of the LMS's; here the user id + 1000
        return "_".join([_canvas_name(name), *(["LATE"] if late else []), str(uid), str(uid + 1000), uploaded])
    if lms == "moodle":
        return f"{name}_{uid}_assignsubmission_file/{uploaded}"   # Moodle 4.1 and later: no trailing _
    if lms == "moodle-flat":
        return f"{name}_{uid}_assignsubmission_file_{uploaded}"
    if lms == "blackboard":
        return f"Assignment 4_{user}_attempt_{BLACKBOARD_TIME}_{uploaded}"
    return f"{user}_{uploaded}"


def _named(student: str, uploaded: str, lms: str) -> str:
    """The path of `student`'s file `uploaded` inside the download of `lms` (erin's Canvas file was resubmitted)."""
    if lms == "canvas" and student == "erin":
        uploaded = uploaded.replace(".ipynb", "-1.ipynb")
    return lms_path(lms, uploaded, student, *PEOPLE[student], late=lms == "canvas" and student == "dave")


def _receipt(student: str, stamp: str, stored: str, uploaded: str) -> str:
    """Blackboard's receipt for one attempt."""
    return (f"Name: {PEOPLE[student][0]} ({student})\nAssignment: Assignment 4\nDate Submitted: {stamp}\n"
            f"Current Grade: Needs Grading\n\nSubmission Field:\nThere is no student submission text data for "
            f"this assignment.\n\nComments:\nThere are no student comments for this assignment.\n\nFiles:\n"
            f"\tOriginal filename: {uploaded}\n\tFilename: {stored}\n")


def _graded(release) -> list[str]:
    """Answer cells that have tests, in notebook order."""
    tests = test_points(release)
    return [meta(c)["grade_id"] for c in release.cells
            if is_answer(c) and any(t.startswith(f"test_{meta(c)['grade_id']}") for t in tests)]


def _before_return(code: str, line: str) -> str:
    """Insert `line` before the last top-level `return` of the function in `code`."""
    m = list(re.finditer(r"^( +)return .*$", code, re.M))[-1]
    return code[:m.start()] + m.group(1) + line + "\n" + code[m.start():]


def _sign_error(code: str) -> str:
    m = list(re.finditer(r"^( +)return (.*)$", code, re.M))[-1]
    return code[:m.start()] + f"{m.group(1)}return -({m.group(2)})" + code[m.end():]


def _syntax_error(code: str) -> str:
    """Drop the colon that ends the first `def` (its signature may span several lines)."""
    return re.sub(r"^(def [^:]*?\)):$", r"\1", code, count=1, flags=re.M | re.S)


def submissions(assignment: str, root: Path, lms: str = "files") -> dict[str, str]:
    """path inside the download -> content for every student of the example class, named as `lms` names it."""
    files = {}
    for student, (uploaded, text) in handed_in(assignment, root).items():
        path = _named(student, uploaded, lms)
        files[path] = text
        if lms == "blackboard":
            files[path.removesuffix(f"_{uploaded}") + ".txt"] = _receipt(
                student, BLACKBOARD_TIME, path, uploaded)
    if lms == "blackboard":   # alice's earlier attempt, the blank release: the latest attempt counts
        release_file = Course(root).release_notebook(assignment)
        earlier = f"Assignment 4_alice_attempt_{EARLIER}_{release_file.name}"
        files[earlier] = release_file.read_text()
        files[earlier.removesuffix(f"_{release_file.name}") + ".txt"] = _receipt("alice", EARLIER, earlier,
                                                                               release_file.name)
    return files


def handed_in(assignment: str, root: Path) -> dict[str, tuple[str, str]]:
    """student -> (the file name they uploaded, its content), for every student of the example class."""
    release_file = Course(root).release_notebook(assignment)
    notebook = release_file.stem
    release = read(release_file)
    code = answers(read(Course(root).source(assignment, notebook)))
    graded = _graded(release)
    first, last = graded[0], graded[-1]

    def with_code(**changed) -> nbformat.NotebookNode:
        return fill(release, {**code, **changed})

    notebooks = {
        "alice": _write_answers(with_code()),
        "bob": with_code(**{first: _sign_error(code[first])}),
        "carol": release,
        "dave": with_code(**{last: _syntax_error(code[last])}),
        "erin": with_code(**{first: code[first] + "\n\nwhile True:  # checking my function by hand\n    pass\n"}),
        "frank": _delete(with_code(), last, next(t for t in test_points(release))),
        "grace": _duplicate(with_code(), first, _sign_error(code[first])),
        "ken": with_code(**{first: _before_return(code[first], "import warnings; "
                                                  "warnings.warn('debugging', UserWarning)")}),
        "leo": with_code(**{first: _before_return(code[first], "torch.zeros(1).cuda()  # from my Colab session")}),
        "mallory": _insert_after_setup(with_code(), LONG_RUN),
        "judy": _strip_metadata(with_code()),
    }
    files = {s: (f"{notebook}.ipynb", nbformat.writes(nb)) for s, nb in notebooks.items()}
    files["heidi"] = (f"{notebook} (1).ipynb", nbformat.writes(with_code()))
    files["ivan"] = (f"{notebook}.ipynb", nbformat.writes(with_code())[:4000])
    return dict(sorted(files.items()))


def build(assignment: str, root: Path, out: Path, lms: str = "files") -> Path:
    """Write the example class as `out/<assignment>-example-class[-<lms>].zip`, as `lms` names its download;
    returns its path."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{assignment}-example-class{'' if lms == 'files' else '-' + lms}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in submissions(assignment, root, lms).items():
            zf.writestr(name, text)
    return path


def _write_answers(nb):
    for cell in nb.cells:
        if cell.cell_type == "markdown" and is_solution(cell):
            cell.source = "The discriminator's gradient vanishes once it wins, so the generator stops learning."
    return nb


def _delete(nb, *grade_ids):
    nb.cells = [c for c in nb.cells if meta(c).get("grade_id") not in grade_ids]
    return nb


def _duplicate(nb, grade_id, earlier_source):
    i = next(i for i, c in enumerate(nb.cells) if meta(c).get("grade_id") == grade_id)
    attempt = copy.deepcopy(nb.cells[i])
    attempt.source, attempt.id = earlier_source, f"copy-{attempt.id}"[:64]  # a new id, as Jupyter gives a copy
    nb.cells.insert(i, attempt)
    return nb


def _insert_after_setup(nb, source):
    i = nb.cells.index(setup_cell(nb))
    cell = nbformat.v4.new_code_cell(source)
    cell.id = "my-own-experiment"   # fixed, so that every build of the class is the same bytes
    nb.cells.insert(i + 1, cell)
    return nb


def _strip_metadata(nb):
    for cell in nb.cells:
        cell.metadata = {}
    return nb
