# ---- the Rasa assistant (issue 3) -------------------------------------------------------------------
# Chain: venvs -> bytecode -> index -> `bot.generate` (knowledge -> NLU data) -> `rasa train` (skipped when
# nothing changed) -> supervisord (deploy/supervisord-run.conf) starts rasa, actions, web and restarts any that
# crashes; a one-shot `ready` prints where to reach them.
# Ports and files come from WHOHANDLES_* variables; the scripts take their defaults from common/settings.py
# (`python -m common.settings --markdown`). Tests and the bench start their own stack on other ports (deploy/devstack.py).
export RASA_TELEMETRY_ENABLED  := false
export TF_CPP_MIN_LOG_LEVEL    := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

MODEL         := models/whohandles.tar.gz
GENERATED_DIR := bot/data/nlu/generated
GENERATED     := $(GENERATED_DIR)/.stamp
RASA_DATA     := $(filter-out $(GENERATED_DIR)/%,$(shell find bot/data -name '*.yml' 2>/dev/null))
RASA_CODE     := $(wildcard bot/components/*.py) common/language.py
RASA_FILES    := --data bot/data --domain domain.yml --config config.yml

# PYTHONDONTWRITEBYTECODE is set (Makefile, CI): without precompiled bytecode every start recompiles
# TensorFlow and Rasa (~20 s). Compile the venvs' site-packages once.
$(VENV_RASA)/.compiled: $(VENV_RASA)/.installed
	$(RASA_PY) -m compileall -q -j 0 $(VENV_RASA)/lib > /dev/null 2>&1 || true
	touch $@
$(VENV_APP)/.compiled: $(VENV_APP)/.installed
	$(APP_PY) -m compileall -q -j 0 $(VENV_APP)/lib > /dev/null 2>&1 || true
	touch $@

# Knowledge -> entity lookup/synonyms and intent examples (files rewritten only when their content changes).
$(GENERATED): $(VENV_APP)/.installed $(KNOWLEDGE) bot/generate.py $(filter bot/data/nlu/%,$(RASA_DATA))
	$(APP_PY) -m bot.generate
	touch $@

.PHONY: generate
generate: $(VENV_APP)/.installed ## Regenerate bot/data/nlu/generated/ from knowledge/
	$(APP_PY) -m bot.generate
	touch $(GENERATED)

$(MODEL): $(VENV_RASA)/.compiled $(GENERATED) $(RASA_DATA) $(RASA_CODE) config.yml domain.yml
	$(RASA) train $(RASA_FILES) --out models --fixed-model-name whohandles
	touch $@

.PHONY: train
train: $(VENV_RASA)/.compiled generate ## Train the Rasa model (Rasa skips it when data and config are unchanged)
	$(RASA) train $(RASA_FILES) --out models --fixed-model-name whohandles
	touch $(MODEL)

.PHONY: run
run: $(VENV_APP)/.compiled $(VENV_RASA)/.compiled $(INDEX) $(MODEL) ## Start Rasa :5005, actions :5055 and web :8080; Ctrl-C stops all
	@mkdir -p var/run
	@# Ctrl-C: supervisord stops every program and exits 0; the trap keeps the shell (and so make) at exit 0.
	@trap 'exit 0' INT; WHOHANDLES_RUN_DIR=$(CURDIR)/var/run WHOHANDLES_RUN_USER=$$(id -un) \
	  WHOHANDLES_SUPERVISOR_TOKEN=$$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n') \
	  $(VENV_APP)/bin/supervisord -c deploy/supervisord-run.conf

.PHONY: test-rasa
test-rasa: $(MODEL) ## rasa data validate + test stories (--fail-on-prediction-errors)
	$(RASA) data validate $(RASA_FILES)
	$(RASA) test core --stories bot/tests --model $(MODEL) --fail-on-prediction-errors --out results/core

.PHONY: test-e2e
test-e2e: $(VENV_APP)/.compiled $(VENV_RASA)/.compiled $(INDEX) $(MODEL) ## End-to-end tests over HTTP against real servers
	$(APP_PY) -m pytest -m "e2e and not cluster" tests/e2e -q

.PHONY: bench
bench: $(VENV_APP)/.compiled $(VENV_RASA)/.compiled $(INDEX) $(MODEL) ## REST latency, throughput, ready time and RSS (N=questions)
	$(APP_PY) -m bench.rest_bench $(if $(N),--n $(N))

.PHONY: eval-rest
eval-rest: $(VENV_APP)/.compiled $(VENV_RASA)/.compiled $(INDEX) $(MODEL) ## Top-1 through the REST channel on FILE=path.jsonl
	$(APP_PY) -m bench.eval_rest $(or $(FILE),../shared/eval/dev.jsonl)

.PHONY: bench-flood
bench-flood: $(VENV_APP)/.compiled $(VENV_RASA)/.compiled $(INDEX) $(MODEL) ## Normal clients' p50/p95 alone and during a flood, rate limits on vs off
	$(APP_PY) -m bench.flood_bench $(if $(SECONDS),--seconds $(SECONDS))
