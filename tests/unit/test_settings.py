"""common/settings.py: one table of every WHOHANDLES_* setting, read by every entry point."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from common import settings

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".git", ".venv", "var", "models", "results", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache"}
NAME = re.compile(r"\bWHOHANDLES_[A-Z0-9_]*[A-Z0-9]\b")


def _clean_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(settings.PREFIX)}
    return {**env, **values}


def _sources() -> list[Path]:
    """Code and configuration that can read a setting: Python, the scripts, the make files, deploy/, Rasa's YAML."""
    found = [ROOT / "Makefile", ROOT / "endpoints.yml", ROOT / "credentials.yml"]
    found += [p for p in (ROOT / "scripts").iterdir() if p.is_file()]
    found += list((ROOT / "mk").glob("*.mk")) + [p for p in (ROOT / "deploy").iterdir() if p.is_file()]
    for path in ROOT.rglob("*.py"):
        if not SKIP & set(path.relative_to(ROOT).parts):
            found.append(path)
    return found


def test_every_setting_used_anywhere_is_in_the_table():
    used: dict[str, Path] = {}
    for path in _sources():
        for name in NAME.findall(path.read_text(encoding="utf-8", errors="replace")):
            used.setdefault(name, path)
    missing = {
        name: str(path.relative_to(ROOT))
        for name, path in used.items()
        if name.removeprefix("WHOHANDLES_") not in settings.BY_NAME
    }
    assert not missing, f"settings used but not in common/settings.py SETTINGS: {missing}"
    assert len(used) > 40  # the scan saw the code


def test_every_setting_in_the_table_is_used_somewhere():
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in _sources() if p.name != "settings.py")
    unused = [s.var for s in settings.SETTINGS if s.var not in text and f'"{s.name}"' not in text]
    assert not unused, f"in the table but read nowhere: {unused}"


def test_defaults_and_derived_defaults():
    env = _clean_env()
    assert settings.integer("RASA_PORT", env) == 5005
    assert settings.integer("WHOHANDLES_ACTIONS_PORT", env) == 5055  # the prefix is optional
    assert settings.value("ACTION_URL", env) == "http://127.0.0.1:5055/webhook"
    assert settings.value("RASA_URL", env) == "http://127.0.0.1:5005"
    assert settings.value("CORS", env) == "http://127.0.0.1:8080,http://localhost:8080"
    assert settings.value("SESSION_SECRET", env) is None
    assert settings.path("TRACKER_DB", env) == ROOT / "var" / "tracker.db"


def test_an_override_in_the_environment_wins_and_moves_what_follows_it():
    env = _clean_env(WHOHANDLES_ACTIONS_PORT="6055", WHOHANDLES_WEB_PORT="9090", WHOHANDLES_RASA_URL="http://rasa:1/")
    assert settings.value("ACTION_URL", env) == "http://127.0.0.1:6055/webhook"
    assert settings.value("CORS", env) == "http://127.0.0.1:9090,http://localhost:9090"
    assert settings.value("RASA_URL", env) == "http://rasa:1/"
    assert settings.value("RASA_URL", {**env, "WHOHANDLES_RASA_URL": ""}) == "http://127.0.0.1:5005"  # empty: unset
    assert settings.path("TRACKER_DB", {**env, "WHOHANDLES_TRACKER_DB": "/tmp/t.db"}) == Path("/tmp/t.db")


def test_shell_output_round_trips_through_bash():
    tricky = 'it\'s a "pass" $word `x` ; rm -rf /'
    env = _clean_env(
        WHOHANDLES_PG_PASSWORD=tricky, WHOHANDLES_CLUSTER_SERVICES="rasa actions", WHOHANDLES_WEB_PORT="9090"
    )
    script = 'settings=$("$1" -m common.settings --shell) && eval "$settings" && env -0'
    done = subprocess.run(
        ["bash", "-c", script, "bash", sys.executable], cwd=ROOT, env=env, capture_output=True, timeout=60, check=True
    )
    exported = dict(item.split("=", 1) for item in done.stdout.decode().split("\0") if "=" in item)
    expected = {**settings.effective(env), **settings.PROCESS_ENV}
    assert {k: exported.get(k) for k in expected} == expected
    assert exported["WHOHANDLES_PG_PASSWORD"] == tricky
    assert exported["WHOHANDLES_CORS"] == "http://127.0.0.1:9090,http://localhost:9090"


def test_a_bad_value_is_a_clear_message_naming_the_variable_not_a_traceback():
    with pytest.raises(settings.SettingError, match="WHOHANDLES_RASA_PORT must be a whole number, not 'fifty'"):
        settings.integer("RASA_PORT", {"WHOHANDLES_RASA_PORT": "fifty"})
    env = _clean_env(WHOHANDLES_WEB_PORT="80x")
    for command in (
        [sys.executable, "-m", "common.settings", "--shell"],
        ["scripts/serve-web"],
        ["scripts/serve-rasa"],
        [sys.executable, "-m", "deploy.cluster", "render"],
    ):
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode != 0, command
        assert "WHOHANDLES_WEB_PORT must be a whole number, not '80x'" in done.stderr, (command, done.stderr)
        assert "Traceback" not in done.stderr, command


def test_the_readme_shows_the_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- settings:begin", 1)[1].split("-->\n", 1)[1].split("<!-- settings:end -->")[0]
    assert block == settings.markdown(), "README's settings table is stale: python -m common.settings --markdown"


def test_modules_take_their_defaults_from_the_table():
    from common import retention
    from deploy import cluster
    from embeddings.encoders import DEFAULT_ENCODER
    from embeddings.index import DEFAULT_INDEX_DIR
    from feedback.store import DEFAULT_PATH as FEEDBACK_DB
    from web.config import Settings
    from web.staff import DEFAULT_PATH as STAFF_DB

    assert settings.value("CLUSTER_SERVICES", {}) == " ".join(cluster.ALL_SERVICES)
    assert retention.DEFAULT_DAYS == 180 and DEFAULT_ENCODER == "e5"
    assert (DEFAULT_INDEX_DIR, FEEDBACK_DB, STAFF_DB) == (
        ROOT / "var/index",
        ROOT / "var/feedback.db",
        ROOT / "var/staff.db",
    )
    web = Settings()  # the dataclass's own defaults (tests build it directly) agree with the table
    assert (web.host, web.port, web.rasa_url) == ("127.0.0.1", 8080, "http://127.0.0.1:5005")
    assert (web.max_header_bytes, web.max_body_bytes, web.request_timeout, web.session_hours) == (
        16384,
        65536,
        10.0,
        8.0,
    )


def test_every_entry_point_honours_the_index_dir(tmp_path, monkeypatch):
    import actions.engine as action_engine  # loads the real engine at import (actions/__init__.py): before the setting
    from embeddings.index import IndexMissingError
    from web.server import EngineHolder

    nowhere = tmp_path / "no-index"
    env = {**os.environ, "WHOHANDLES_INDEX_DIR": str(nowhere)}
    cli = subprocess.run(
        [sys.executable, "-m", "retrieval.cli", "ask", "x"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert cli.returncode == 3 and str(nowhere) in cli.stderr

    monkeypatch.setenv("WHOHANDLES_INDEX_DIR", str(nowhere))
    holder = EngineHolder()
    holder.load()
    assert holder.engine is None and str(nowhere) in holder.problem

    monkeypatch.setattr(action_engine, "_engine", None)
    with pytest.raises(IndexMissingError, match=re.escape(str(nowhere))):
        action_engine.get_engine()
