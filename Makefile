# The GAN course. `make lab` and `make test` are all a fresh machine needs (Python 3.11-3.13; README: a bare machine).
PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
# The instructor's and the students' notebook folders, as nbgrader_config.py names them.
setting = $(shell sed -n 's/^c\.CourseDirectory\.$(1) = "\(.*\)"$$/\1/p' nbgrader_config.py)
SOURCE  := $(call setting,source_directory)
RELEASE := $(call setting,release_directory)
NB     ?= $(RELEASE)
LAB_ARGS ?=
# Jupyter refuses to run as root (containers, CI boxes) unless told to.
AS_ROOT  := $(if $(filter 0,$(shell id -u)),--allow-root,)
# nbgrader shells out to alembic and jupyter: keep the venv's bin first on PATH.
export PATH := $(BIN):$(PATH)

ASSIGNMENTS := $(notdir $(wildcard $(SOURCE)/[0-9]*))

.PHONY: lab test test-quick test-browser release grade lms bundle publish bench gpu-proof clean-venv

# torch first: pinned (requirements-torch.txt) only when no torch is installed yet, so a
# machine that already has a torch (Colab, a laptop with CUDA) keeps its own.
$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# TORCH_INDEX: another index for torch and torchvision only, e.g. https://download.pytorch.org/whl/cpu (1 GB, not 5.5).
TORCH_INDEX ?=
$(VENV)/.torch: | $(VENV)/bin/python
	$(BIN)/python -c "import torch, torchvision" 2>/dev/null || \
		$(BIN)/pip install -r requirements-torch.txt $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	touch $@

$(VENV)/.course: pyproject.toml $(VENV)/.torch
	$(BIN)/pip install -e ".[course]"
	touch $@

$(VENV)/.dev: pyproject.toml $(VENV)/.torch
	$(BIN)/pip install -e ".[dev]"
	touch $@ $(VENV)/.course

# PYTHONPATH: formgrader's feedback pages hide the hidden tests with this repository's instructor/grading/feedback_pages.py.
lab: $(VENV)/.course
	PYTHONPATH=$(CURDIR) $(BIN)/jupyter lab --notebook-dir=$(NB) $(AS_ROOT) $(LAB_ARGS)

# Two workers, one test file each at a time (a file's module fixtures and a notebook's cells stay together), the
# slowest files first (tests/conftest.py), one torch thread per process: two processes of two threads each on
# two cores run many times slower; progress bars redrawn once a second, not ten times (in JupyterLab each redraw
# is a widget message that the kernel, the server and the browser all handle: a sixth of the browser test's CPU).
TEST_ENV := GANLAB_FAST=1 OMP_NUM_THREADS=1 TQDM_MININTERVAL=1
TEST_JOBS ?= 2
test: $(VENV)/.dev colab-venv
	$(TEST_ENV) $(BIN)/python -m pytest -n $(TEST_JOBS) --dist loadfile --no-loadscope-reorder \
		tests $(SOURCE) \
		--nbval-lax --nbval-cell-timeout=600 --durations=15

# Colab's Python 3.13 and package versions (tests/colab/requirements.txt) in .venv-colab/<hash of the pins>/, for the
# Colab emulation (tests/end_to_end/test_colab.py): built once, again only when the pins change (about 2 GB to
# download, 5 GB on disk; 3 to 7 minutes). PYTHON313: the interpreter, when neither python3.13 nor pyenv's is found.
PYTHON313 ?=
.PHONY: colab-venv
colab-venv:
	PYTHON313="$(PYTHON313)" TORCH_INDEX="$(TORCH_INDEX)" $(PYTHON) -m tests.colab.venv

# The inner loop: every test but the slow journeys (tests/end_to_end/) and the notebooks' runs.
test-quick: $(VENV)/.dev
	$(TEST_ENV) $(BIN)/python -m pytest -n $(TEST_JOBS) --dist loadfile --no-loadscope-reorder tests \
		--ignore=tests/end_to_end

release: $(VENV)/.course
	$(BIN)/python -m instructor.release.setup_cell
	@for a in $(ASSIGNMENTS); do \
		$(BIN)/nbgrader generate_assignment $$a --force --log-level=WARN || exit 1; \
	done

# Grade a class: make grade ASSIGNMENT=04_wgan_gp [SUBMISSIONS=<Canvas, Moodle or Blackboard download> | folder]
# [JOBS=N]. Without SUBMISSIONS it grades a built-in example class. Each submission's kernel runs in a bubblewrap
# sandbox, JOBS at a time (default: the CPU cores, at most one per 4 GiB of memory), with cores // JOBS threads;
# UNSAFE=1 grades without isolation when bubblewrap is missing. Results: .grading/reports/<assignment>/, feedback/.
ASSIGNMENT  ?= 04_wgan_gp
SUBMISSIONS ?=
JOBS        ?=
UNSAFE      ?=
grade: $(VENV)/.course
	$(BIN)/python -m instructor.grading.grade $(ASSIGNMENT) $(SUBMISSIONS) $(if $(JOBS),--jobs $(JOBS)) $(if $(filter 1 yes true,$(UNSAFE)),--unsafe)

# Grades and feedback back to the LMS (after grading written answers in formgrader): .grading/reports/<assignment>/lms/
OUT_OF ?=
COLUMN ?=
lms: $(VENV)/.course
	$(BIN)/python -m instructor.grading.lms_export $(ASSIGNMENT) $(if $(OUT_OF),--out-of $(OUT_OF)) $(if $(COLUMN),--column "$(COLUMN)")

# The student bundle: dist/bundle/ and dist/gan-course-bundle.zip (released notebooks and the files they load,
# the ganlab wheel, README with Colab badges, LICENSE).
bundle: release
	$(BIN)/python -m instructor.release.bundle

# The public student repository's tree (course.toml [student]): make publish [STUDENT_REPO=path/to/its/clone].
# It refuses when an answer or hidden test would leak, and prints the git commands that push it.
STUDENT_REPO ?= dist/student-repo
publish: release
	$(BIN)/python -m instructor.release.publish $(STUDENT_REPO)

# JupyterLab in Chromium (apt-get install chromium): every lecture's widgets; screenshots in dist/browser/.
test-browser: $(VENV)/.dev
	$(TEST_ENV) $(BIN)/python -m pytest tests/end_to_end/test_browser.py -v

bench: $(VENV)/.dev
	@for b in speed toy2d "conditional --fast" "image_to_image --fast" "stylegan --fast" "wgan_loop --fast" notebooks grading_speed; do \
		echo "== $$b"; $(BIN)/python -m benchmarks.$$b || exit 1; \
	done

# The GPU proof (README): full settings of lectures 04 and 01, DCGAN throughput, hidden tests on CUDA.
gpu-proof: $(VENV)/.dev
	$(BIN)/python -m benchmarks.gpu_proof --out benchmarks/results/gpu_proof

clean-venv:
	rm -rf $(VENV) .venv-colab
