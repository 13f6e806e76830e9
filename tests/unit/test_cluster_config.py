"""deploy/cluster.py renders every address from the environment, so parts can run on separate machines."""

from __future__ import annotations

import pytest

from deploy import cluster


@pytest.fixture()
def settings(monkeypatch, tmp_path):
    def make(**env: str) -> cluster.Settings:
        for key in list(__import__("os").environ):
            if key.startswith("WHOHANDLES_"):
                monkeypatch.delenv(key, raising=False)
        monkeypatch.setenv("WHOHANDLES_CLUSTER_DIR", str(tmp_path))
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        return cluster.Settings()

    return make


def test_defaults_are_the_fixed_ports_of_make_cluster(settings):
    s = settings()
    nginx = cluster.nginx_conf(s)
    assert "listen 127.0.0.1:5005;" in nginx and "listen 127.0.0.1:5055;" in nginx
    assert "server 127.0.0.1:5105 " in nginx and "server 127.0.0.1:5106 " in nginx
    assert "server 127.0.0.1:5155 " in nginx and "server 127.0.0.1:5156 " in nginx
    conf = cluster.supervisord_conf(s)
    for program in ("postgres", "redis", "actions1", "actions2", "rasa1", "rasa2", "nginx", "web"):
        assert f"[program:{program}]" in conf
    assert conf.count("autorestart=true") == 8
    assert 'WHOHANDLES_ACTION_URL="http://127.0.0.1:5055/webhook"' in conf


def test_a_machine_running_only_rasa_points_at_remote_stores_and_actions(settings):
    s = settings(
        WHOHANDLES_CLUSTER_SERVICES="rasa",
        WHOHANDLES_BIND="0.0.0.0",
        WHOHANDLES_PG_HOST="10.0.0.5",
        WHOHANDLES_REDIS_HOST="10.0.0.6",
        WHOHANDLES_ACTION_URL="http://10.0.0.7:5055/webhook",
    )
    conf = cluster.supervisord_conf(s)
    assert "[program:rasa1]" in conf and "[program:postgres]" not in conf and "[program:nginx]" not in conf
    assert 'WHOHANDLES_PG_HOST="10.0.0.5"' in conf and 'WHOHANDLES_REDIS_HOST="10.0.0.6"' in conf
    assert 'WHOHANDLES_ACTION_URL="http://10.0.0.7:5055/webhook"' in conf and 'WHOHANDLES_BIND="0.0.0.0"' in conf
    assert set(cluster.checks(s)) == {"rasa1", "rasa2"}


def test_nginx_upstreams_and_percent_signs_come_through(settings):
    s = settings(
        WHOHANDLES_CLUSTER_SERVICES="nginx",
        WHOHANDLES_RASA_UPSTREAMS="10.0.0.2:5105 10.0.0.3:5105",
        WHOHANDLES_PG_PASSWORD='p%w"d',
    )
    nginx = cluster.nginx_conf(s)
    assert "server 10.0.0.2:5105 " in nginx and "server 10.0.0.3:5105 " in nginx
    assert "server 127.0.0.1:5105 " not in nginx
    assert cluster._quote('p%w"d') == '"p%%w\\"d"'  # supervisord expands %(...)s: a literal % is doubled


def test_an_unknown_service_is_refused(settings):
    with pytest.raises(SystemExit, match="unknown"):
        settings(WHOHANDLES_CLUSTER_SERVICES="rasa mongo")
