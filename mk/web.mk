# ---- web: citizen widget, agent console, feedback, browser tests -----------------------------------------
# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here) with CJK fonts so
# Chinese renders in screenshots. MODEL and the .compiled stamps come from mk/rasa.mk (included first).
CHROMIUM    := /usr/bin/chromium
SCREENSHOTS := var/artifacts/screenshots

.PHONY: browser-deps
browser-deps: ## Install Debian's Chromium + CJK fonts for the browser tests (only when missing)
	@if [ -x $(CHROMIUM) ] && dpkg -s fonts-noto-cjk >/dev/null 2>&1; then :; else \
	  echo "installing chromium and fonts-noto-cjk with apt-get"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null; \
	fi
	@$(CHROMIUM) --version

.PHONY: web
web: $(VENV_APP)/.installed $(INDEX) ## Serve the demo page, widget and agent console on 127.0.0.1:8080 (no Rasa)
	scripts/serve-web

.PHONY: test-browser
test-browser: $(VENV_APP)/.compiled $(VENV_RASA)/.compiled $(INDEX) $(MODEL) browser-deps ## Browser tests: widget + console in headless Chromium against the real stack
	mkdir -p $(SCREENSHOTS)
	$(APP_PY) -m pytest -m browser tests/browser -q

.PHONY: gaps
gaps: $(VENV_APP)/.installed ## List questions that got no answer or a 👎 (what the knowledge base is missing)
	$(APP_PY) -m feedback gaps

.PHONY: staff
staff: $(VENV_APP)/.installed ## Staff accounts for the console: list; ADD=name (asks for a password); REMOVE=name
	@if [ -n "$(ADD)" ]; then $(VENV_APP)/bin/whohandles staff add "$(ADD)"; \
	elif [ -n "$(REMOVE)" ]; then $(VENV_APP)/bin/whohandles staff remove "$(REMOVE)"; \
	else $(VENV_APP)/bin/whohandles staff list; fi

.PHONY: bench-browser
bench-browser: $(VENV_APP)/.compiled $(VENV_RASA)/.compiled $(INDEX) $(MODEL) browser-deps ## Enter-to-answer latency in the browser, p50 over 20 questions of FILE=path.jsonl
	$(APP_PY) -m bench.browser_latency $(or $(FILE),../shared/eval/dev.jsonl) --n 20
