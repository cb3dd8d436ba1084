# Two entry points (see README): `make demo` grades the sample class, `make test` runs the tests.
# Both set up .venv on first use: torch's CPU build first, so nothing resolves a CUDA build.

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test check lint key bench bench-batch bench-serve serve screenshots gradescope clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check torch==2.13.0 numpy
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

# Grades the sample class: reports in out/reports/, out/index.html, out/grades.csv, out/results.jsonl.
demo: setup
	@$(BIN)/grader grade submissions/hw2-cnn -o out/

# Everything: lint, types (strict on grader/core and grader/math), and every test, slow ones included,
# over two processes (pytest-xdist).
test: setup lint
	$(BIN)/python -m pytest -q -n 2

# The developer's loop: lint, types, and the tests that start no server, browser or whole-class run.
check: setup lint
	$(BIN)/python -m pytest -q -n 2 -m "not slow"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

key: setup
	$(BIN)/grader key hw2-cnn

bench: setup
	$(BIN)/python benchmarks/check_cold_start.py

gradescope: setup
	$(BIN)/python gradescope/build_zip.py dist/gradescope-autograder.zip

# N synthetic submissions through `grader grade` vs a naive simplify baseline (about a minute).
bench-batch: setup
	$(BIN)/python benchmarks/batch_throughput.py -n 1000

# The grading service on the sample course (SQLite in grader-data/; tokens: `grader tokens course.yaml -o tokens.csv`).
serve: setup
	$(BIN)/grader serve --course course.yaml

# 32 clients submitting the sample class to `grader serve --workers 2` for 30 s.
bench-serve: setup
	$(BIN)/python benchmarks/serve_load.py --clients 32 --seconds 30

# Headless-Chromium screenshots of a report and the class summary into out/screenshots/.
screenshots: setup
	$(BIN)/python scripts/screenshots.py out/screenshots

clean:
	rm -rf $(VENV) build dist *.egg-info
