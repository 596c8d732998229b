# One entry point for people and CI. Every target creates .venv and installs what it needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export HN_DATA_DIR ?= $(CURDIR)/data

.PHONY: help install demo test ui bench lint format clean browser

help:  ## list the targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel
	# constraints.txt pins torch to the CPU wheel; pyproject keeps a range open for GPU users.
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the project with its dev tools

# A new instance gets the project's settings (run monitoring, a run queue); an existing
# dagster.yaml is left as it is.
$(DAGSTER_HOME)/dagster.yaml:
	mkdir -p $(DAGSTER_HOME)
	cp hn_assets/dagster.yaml $(DAGSTER_HOME)/dagster.yaml

demo: $(STAMP) $(DAGSTER_HOME)/dagster.yaml  ## offline end-to-end run on the bundled sample archive
	HN_SOURCE=sample $(BIN)/python -m hn_assets.demo

# Chromium drives the browser test of the Dagster UI; Debian's packages, installed once.
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "chromium + chromedriver missing: install Debian's chromium and chromium-driver (the UI browser test needs them)"; exit 1; fi; \
	fi

test: $(STAMP) browser  ## install everything and run the whole pytest suite
	$(BIN)/pytest

# The UI shows what `make demo` built, so it uses the demo's settings unless told otherwise
# (make ui HN_SOURCE=api HN_LSTM_PROFILE=paper for the live API and the full-size model).
ui: $(STAMP) $(DAGSTER_HOME)/dagster.yaml  ## Dagster webserver + daemon on 127.0.0.1:3000
	HN_SOURCE=$${HN_SOURCE:-sample} HN_LSTM_PROFILE=$${HN_LSTM_PROFILE:-small_cpu} \
	HN_LSTM_MAX_SECONDS=$${HN_LSTM_MAX_SECONDS:-150} \
	$(BIN)/python -m hn_assets.ui -w workspace.yaml -h 127.0.0.1 -p 3000

bench: $(STAMP)  ## run every benchmark (JSON on the last line of each)
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b --json || exit 1; done

lint: $(STAMP)  ## ruff check + format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:  ## remove local data and the Dagster instance (keeps .venv)
	rm -rf data .dagster_home
