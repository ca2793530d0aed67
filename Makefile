# `make test` is the test command of the README and of .ci/run.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install test lint

$(BIN)/pixbot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $@

install: $(BIN)/pixbot

lint: install
	$(BIN)/ruff check bot content storage tests
	$(BIN)/mypy

test: install lint
	$(BIN)/pixbot content validate
	$(BIN)/pytest -q -p no:cacheprovider

.PHONY: chat run
chat: install  ## try the bot in this terminal, no token needed
	$(BIN)/pixbot chat

run: install  ## serve Telegram; needs BOT_TOKEN (environment or .env)
	$(BIN)/pixbot run
