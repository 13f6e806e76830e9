# ---- cluster (issue 9): PostgreSQL + Redis + nginx + 2 Rasa replicas + 2 action servers, supervised ---------
# deploy/cluster.py renders the configs from WHOHANDLES_* settings into var/cluster/etc and starts supervisord;
# the data (PostgreSQL cluster, logs) stays under var/cluster. Tests and the bench run their own cluster on
# spare ports (deploy/devcluster.py); the fixed ports below are only for `make cluster`.
CLUSTER_DEBS := postgresql redis-server nginx

.PHONY: cluster-deps
cluster-deps: ## Install Debian's postgresql, redis-server and nginx (only when missing)
	@missing=$$(for p in $(CLUSTER_DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing $$missing with apt-get"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

.PHONY: cluster
cluster: $(VENV_APP)/.compiled $(VENV_RASA)/.compiled $(INDEX) $(MODEL) cluster-deps ## Start the cluster: nginx :5005 → Rasa :5105/:5106, actions :5155/:5156, PostgreSQL, Redis, web :8080
	$(APP_PY) -m deploy.cluster start

.PHONY: cluster-stop
cluster-stop: $(VENV_APP)/.installed ## Stop every process of `make cluster` (the data stays under var/cluster)
	$(APP_PY) -m deploy.cluster stop

.PHONY: cluster-status
cluster-status: $(VENV_APP)/.installed ## Show the state of every process of `make cluster`
	$(APP_PY) -m deploy.cluster status

.PHONY: test-cluster
test-cluster: $(VENV_APP)/.compiled $(VENV_RASA)/.compiled $(INDEX) $(MODEL) cluster-deps ## Ordering and failover tests against a real cluster on spare ports
	$(APP_PY) -m pytest -m cluster tests/e2e -q

.PHONY: bench-cluster
bench-cluster: $(VENV_APP)/.compiled $(VENV_RASA)/.compiled $(INDEX) $(MODEL) cluster-deps ## Single stack vs cluster: msg/s and p50/p95/p99 at 1, 10, 50 clients; PostgreSQL/Redis cost per message
	$(APP_PY) -m bench.cluster_bench
