# whohandles — which Shanghai HRSS / Provident Fund department handles my problem?
# `make help` lists every target. Every target sets up what it needs on a fresh clone.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV_APP  := .venv/app
VENV_RASA := .venv/rasa
APP_PY    := $(VENV_APP)/bin/python
RASA_PY   := $(VENV_RASA)/bin/python
RASA      := $(VENV_RASA)/bin/rasa
PY311     ?= $(shell scripts/find-python 3.11)
PY310     ?= $(shell scripts/find-python 3.10)

# Keep the 2 cores shared fairly between Rasa, the action server and the web console (for what make runs
# itself; the servers' scripts take the same from common/settings.py PROCESS_ENV).
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
export TOKENIZERS_PARALLELISM := false
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PYTHONDONTWRITEBYTECODE := 1

INDEX_DIR := $(or $(WHOHANDLES_INDEX_DIR),var/index)
INDEX     := $(INDEX_DIR)/manifest.json
KNOWLEDGE := $(shell find knowledge -name '*.yml' -o -name '*.py' -o -name '*.txt' | sort)

.PHONY: help
help: ## List every target
	@grep -hE '^[a-zA-Z0-9_-]+:.*?## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

# ---- environments -------------------------------------------------------------------
$(VENV_APP)/.installed: requirements/app.txt pyproject.toml
	@test -n "$(PY311)" || { echo "Python 3.11 not found (pyenv install 3.11)"; exit 1; }
	$(PY311) -m venv $(VENV_APP)
	$(APP_PY) -m pip install --quiet -r requirements/app.txt
	$(APP_PY) -m pip install --quiet --no-deps -e .
	touch $@

$(VENV_RASA)/.installed: requirements/rasa.txt requirements/rasa-nodeps.txt
	@test -n "$(PY310)" || { echo "Python 3.10 not found (pyenv install 3.10)"; exit 1; }
	$(PY310) -m venv $(VENV_RASA)
	$(PY311) -m pip install --quiet uv
	$(PY311) -m uv pip install --quiet --python $(RASA_PY) -r requirements/rasa.txt
	$(PY311) -m uv pip install --quiet --python $(RASA_PY) --no-deps -r requirements/rasa-nodeps.txt
	touch $@

.PHONY: venv
venv: $(VENV_APP)/.installed $(VENV_RASA)/.installed ## Create both virtual environments (app on 3.11, Rasa on 3.10)

# ---- knowledge and index ------------------------------------------------------------
$(INDEX): $(VENV_APP)/.installed $(KNOWLEDGE) $(shell find embeddings -name '*.py')
	$(VENV_APP)/bin/whohandles index

.PHONY: index
index: $(VENV_APP)/.installed ## Build the FAISS index (re-encodes only when knowledge or model changed)
	$(VENV_APP)/bin/whohandles index

.PHONY: eval
eval: $(INDEX) ## Evaluate retrieval on FILE=path.jsonl (default: the dev set)
	$(VENV_APP)/bin/whohandles eval $(or $(FILE),../shared/eval/dev.jsonl)

.PHONY: eval-own
eval-own: $(INDEX) ## Evaluate retrieval on the test part of our realistic question set (never fitted on)
	$(VENV_APP)/bin/whohandles eval tests/data/realistic_test.jsonl

.PHONY: eval-evidence
eval-evidence: $(INDEX) ## Evidence precision@1 (and department figures) on our duty-labelled question set
	$(VENV_APP)/bin/whohandles eval tests/data/evidence.jsonl

.PHONY: calibrate
calibrate: $(INDEX) ## Refit fusion weights, the no-answer threshold and the evidence weight on our own questions (prints the tables)
	$(APP_PY) -m retrieval.calibrate

.PHONY: test-unit
test-unit: $(VENV_APP)/.installed $(INDEX) ## Fast unit tests (no servers)
	$(APP_PY) -m pytest -m "not e2e and not browser" -q tests/unit

.PHONY: test-bot
test-bot: $(VENV_RASA)/.installed ## Unit tests of the Rasa side (bot/: entry point, patches, channel, tracker store, components) in Rasa's environment
	$(RASA_PY) -m pytest -q -p no:cacheprovider tests/bot

LINTED := actions bench bot common deploy embeddings feedback knowledge retrieval web

.PHONY: lint
lint: $(VENV_APP)/.installed ## ruff (lint + format check) and mypy on the code; seconds, run first by make test
	$(VENV_APP)/bin/ruff check .
	$(VENV_APP)/bin/ruff format --check .
	$(VENV_APP)/bin/mypy $(LINTED)

.PHONY: test
test: ## Everything CI runs: lint, unit tests, Rasa data validation + test stories, end-to-end, cluster and browser tests
	$(MAKE) lint
	$(MAKE) test-unit
	$(MAKE) test-bot
	$(MAKE) test-rasa
	$(MAKE) test-e2e
	$(MAKE) test-cluster
	$(MAKE) test-browser

include mk/*.mk
