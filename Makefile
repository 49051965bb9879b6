# The README's commands. `make run` and `make test` set everything up themselves.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
RUN_STAMP := $(VENV)/.run-stamp
NODE_TOOLS := node_modules/.installed-stamp
RUN_DIR ?= .run

.PHONY: setup run test lint fmt bench bench-api clean lock widgets

setup: $(STAMP)

# `make run` installs what running needs and nothing else: a newcomer sees the platform in
# about a minute. The test toolchain (moto, Playwright, mypy, ...) comes with `setup`.
# Both install the versions pinned in constraints.txt (`-c`): every machine gets the
# libraries the tests passed on, whatever PyPI released since.
$(RUN_STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $@

$(STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

# Regenerate constraints.txt after changing a dependency in pyproject.toml: the newest
# versions pyproject.toml allows, resolved in a fresh virtualenv, then `make test`.
LOCK_VENV ?= /tmp/quire-lock-venv
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/python -m pip install --quiet -e '.[dev,postgres]'
	{ echo "# Made by 'make lock' from pyproject.toml (Python $$($(LOCK_VENV)/bin/python -c 'import platform; print(platform.python_version())')); do not edit."; \
	  $(LOCK_VENV)/bin/python -m pip freeze --exclude-editable; } > constraints.txt
	rm -rf $(LOCK_VENV)

# Node-side tools, at the versions package-lock.json pins: the widgets' esbuild, ESLint and
# happy-dom, and the Nu HTML checker. npm is only needed to build the widgets and for tests.
$(NODE_TOOLS): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

# The reader widgets: widgets/src -> themes/default/static/js/quire-widgets*.js (minified).
# Run after changing a widget and commit both; a test fails when they differ.
widgets: $(NODE_TOOLS)
	node widgets/build.js

run: $(RUN_STAMP)
	$(BIN)/quire run --dir $(RUN_DIR) --host 127.0.0.1 --port 8000

lint: setup $(NODE_TOOLS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	node_modules/.bin/eslint widgets

fmt: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Three processes on two cores: most tests wait on servers, browsers and subprocesses.
# The slowest tests are listed at the end of every run, so a slow newcomer is seen.
PYTEST_ARGS ?= -n 3 --durations=25

# The widgets' unit tests (Node's test runner, a happy-dom page, a loopback API) come first:
# they take seconds, and one of them checks the shipped files are a fresh build.
test: setup $(NODE_TOOLS) lint
	node --test --test-reporter=spec widgets/test/*.test.js
	$(BIN)/pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/build.py
	$(BIN)/python bench/publish.py

# The interaction API against Isso, on SQLite and PostgreSQL (needs wrk; see bench/api.py).
bench-api: setup
	$(BIN)/python bench/api.py $(ARGS)

clean:
	rm -rf $(VENV) node_modules $(RUN_DIR) .pytest_cache .mypy_cache .ruff_cache
