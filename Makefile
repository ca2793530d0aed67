# `make test` is the test command of the README and of .ci/run. pytest runs on one process per
# CPU, at most 4 (pytest-xdist); each has a PostgreSQL and a Redis database of its own.
# `make chat` and `make run` install what running pixbot needs; `make lint` and `make test` add
# the test tools. Stamp files in the venv make each install run once, and again when
# pyproject.toml changes.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
TEST_TOOLS := $(VENV)/.installed-test

.PHONY: install test lint chat run

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(TEST_TOOLS): $(INSTALLED)
	$(BIN)/pip install -q -e ".[test]"
	touch $@

install: $(INSTALLED)  ## pixbot in .venv: .venv/bin/pixbot

chat: $(INSTALLED)  ## try the bot in this terminal, no token needed (ARGS="--lang fr")
	$(BIN)/pixbot chat $(ARGS)

run: $(INSTALLED)  ## serve Telegram; needs BOT_TOKEN (environment or .env)
	$(BIN)/pixbot run

lint: $(TEST_TOOLS)
	$(BIN)/ruff check bot content storage tests
	$(BIN)/mypy

test: lint
	$(BIN)/pixbot content validate
	$(BIN)/pytest -q -p no:cacheprovider -n auto --maxprocesses 4
