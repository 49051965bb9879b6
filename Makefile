# The README's commands. `make run` and `make test` set everything up themselves.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
RUN_STAMP := $(VENV)/.run-stamp
NODE_TOOLS := node_modules/.installed-stamp
RUN_DIR ?= .run

.PHONY: setup run test lint fmt bench bench-api clean

setup: $(STAMP)

# `make run` installs what running needs and nothing else: a newcomer sees the platform in
# about a minute. The test toolchain (moto, Playwright, mypy, ...) comes with `setup`.
$(RUN_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Node-side test tools (the Nu HTML checker); npm is only needed for tests.
$(NODE_TOOLS): package.json
	npm install --no-audit --no-fund --silent
	touch $@

run: $(RUN_STAMP)
	$(BIN)/quire run --dir $(RUN_DIR) --host 127.0.0.1 --port 8000

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Three processes on two cores: most tests wait on servers, browsers and subprocesses.
# The slowest tests are listed at the end of every run, so a slow newcomer is seen.
PYTEST_ARGS ?= -n 3 --durations=25

test: setup $(NODE_TOOLS) lint
	$(BIN)/pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/build.py
	$(BIN)/python bench/publish.py

# The interaction API against Isso, on SQLite and PostgreSQL (needs wrk; see bench/api.py).
bench-api: setup
	$(BIN)/python bench/api.py $(ARGS)

clean:
	rm -rf $(VENV) node_modules $(RUN_DIR) .pytest_cache .mypy_cache .ruff_cache
