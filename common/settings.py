"""Every WHOHANDLES_* setting, its default and what it means: the one table every entry point reads.

Why one table: ports, files, URLs and the CORS origin used to be declared again by mk/rasa.mk, each
scripts/serve-* script, web/config.py, deploy/cluster.py, the REST channel and the test stack, and two of those
defaults already disagreed. Here each setting is declared once; a default that follows another setting (the
action URL from the actions port, the Rasa URL from the Rasa port, the CORS origins from the web port) is
written as `{OTHER}` and computed from the other's effective value. An empty variable counts as unset.

    from common.settings import integer, value
    integer("RASA_PORT")            # 5005, or $WHOHANDLES_RASA_PORT (names without the prefix work too)
    value("ACTION_URL")             # http://127.0.0.1:5055/webhook when neither is set

    eval "$(python -m common.settings --shell)"    # bash: export NAME=value for every effective value
    python -m common.settings --markdown           # the table in the README

A value of the wrong type (a port that is not a number) raises SettingError naming the variable; the command
line prints that message and exits 2, and the servers stop with it instead of a traceback. Standard library
only: both interpreters (Rasa's Python 3.10 and the app's 3.11) import it.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

PREFIX = "WHOHANDLES_"
ROOT = Path(__file__).resolve().parents[1]  # relative paths are the project's, from any working directory


class SettingError(ValueError):
    """A setting's value does not fit its type; the message names the variable."""


@dataclass(frozen=True)
class Setting:
    name: str  # without the WHOHANDLES_ prefix
    default: str | None  # None: unset (the meaning says what happens then); "{OTHER}" follows another setting
    kind: str  # str | int | float | ports | path | flag
    meaning: str
    group: str

    @property
    def var(self) -> str:
        return PREFIX + self.name


RUN, WEB, ENGINE, CLUSTER, SUPERVISOR, TESTS = (
    "servers",
    "web server",
    "retrieval and data",
    "cluster",
    "make run (set by mk/rasa.mk)",
    "tests and benchmarks",
)

SETTINGS: tuple[Setting, ...] = (
    # ---- the servers of `make run` (and of every test stack, on other ports) ------------------------------------
    Setting(
        "RASA_PORT", "5005", "int", "Rasa server (REST channel); in the cluster, nginx in front of the replicas", RUN
    ),
    Setting("ACTIONS_PORT", "5055", "int", "action server; in the cluster, nginx in front of the action servers", RUN),
    Setting("WEB_PORT", "8080", "int", "web server: demo page and widget, agent console, /api", RUN),
    Setting("BIND", "127.0.0.1", "str", "address Rasa, the action server and the cluster's parts listen on", RUN),
    Setting("WEB_HOST", "127.0.0.1", "str", "address the web server listens on", RUN),
    Setting("ACTION_URL", "http://127.0.0.1:{ACTIONS_PORT}/webhook", "str", "where Rasa sends custom actions", RUN),
    Setting("RASA_URL", "http://127.0.0.1:{RASA_PORT}", "str", "the Rasa server the demo page's widget talks to", RUN),
    Setting(
        "CORS",
        "http://127.0.0.1:{WEB_PORT},http://localhost:{WEB_PORT}",
        "str",
        "browser origins allowed to call the REST channel (commas or spaces); never `*`",
        RUN,
    ),
    Setting("TRACKER_DB", "var/tracker.db", "path", "Rasa's conversations (SQLite tracker store)", RUN),
    Setting("MODELS", "models", "path", "trained Rasa model (directory or file)", RUN),
    Setting(
        "ENDPOINTS", "endpoints.yml", "path", "Rasa endpoints file (`make cluster`: deploy/endpoints-cluster.yml)", RUN
    ),
    Setting(
        "ACTION_TIMEOUT",
        None,
        "float",
        "seconds Rasa waits for an action (unset: credentials.yml's action_timeout, 1.5; `make cluster`: 6)",
        RUN,
    ),
    Setting(
        "READY_TIMEOUT",
        None,
        "float",
        "seconds to wait for every server to answer (unset: 300 in `make run`, 600 in `make cluster`)",
        RUN,
    ),
    Setting("MAX_SESSION_TURNS", "8", "int", "user messages after which a conversation starts a new session", RUN),
    Setting(
        "RATE_LIMITS",
        None,
        "str",
        "per-client limits, `LIMITS` or `sender:LIMITS ip:LIMITS`; `off` disables (unset: sender "
        "6/10 seconds;20/minute;300/hour, ip 30/10 seconds;120/minute;3000/hour)",
        RUN,
    ),
    Setting("RETENTION_DAYS", "180", "str", "days questions and conversations are kept; `off` keeps them", RUN),
    # ---- retrieval -----------------------------------------------------------------------------------------------
    Setting("INDEX_DIR", "var/index", "path", "FAISS index (CLI, action server and web server)", ENGINE),
    Setting(
        "ENCODER",
        "e5",
        "str",
        "query/passage encoder: e5, use, minilm or any sentence-transformers name or path",
        ENGINE,
    ),
    Setting("ENCODER_THREADS", None, "int", "threads the encoder uses for a question (unset: every core)", ENGINE),
    Setting("QUERY_CACHE", "4096", "int", "action server's cache of encoded questions, in entries; 0 disables", ENGINE),
    # ---- web server ----------------------------------------------------------------------------------------------
    Setting("WIDGET_ORIGINS", None, "str", "other sites allowed to post 👍/👎 (commas or spaces, like CORS)", WEB),
    Setting("FEEDBACK_DB", "var/feedback.db", "path", "votes, unanswered questions, gap status (SQLite)", WEB),
    Setting("STAFF_DB", "var/staff.db", "path", "staff accounts (session.key is written beside it)", WEB),
    Setting(
        "SESSION_SECRET",
        None,
        "str",
        "key that signs the staff session cookie (unset: generated into session.key)",
        WEB,
    ),
    Setting("SESSION_HOURS", "8", "float", "how long a staff session lasts without use", WEB),
    Setting("HTTPS", "0", "flag", "`1` behind HTTPS: Secure `__Host-` session cookie", WEB),
    Setting("HSTS_SECONDS", "0", "int", "`Strict-Transport-Security` max-age, HTTPS deployments only (0: off)", WEB),
    Setting(
        "TRUSTED_USER_HEADER",
        None,
        "str",
        "header with the staff name set by an authenticating proxy (unset: off)",
        WEB,
    ),
    Setting("WEB_MAX_HEADER_BYTES", "16384", "int", "request line + headers", WEB),
    Setting("WEB_MAX_BODY_BYTES", "65536", "int", "any request body (`/api/feedback` keeps its own 16 KB)", WEB),
    Setting("WEB_REQUEST_TIMEOUT", "10", "float", "seconds to send a whole request", WEB),
    # ---- `make cluster` (deploy/cluster.py) ----------------------------------------------------------------------
    Setting("CLUSTER_DIR", "var/cluster", "path", "the cluster's configuration, data and logs", CLUSTER),
    Setting(
        "CLUSTER_SERVICES", "postgres redis actions rasa nginx web", "str", "the parts this machine starts", CLUSTER
    ),
    Setting("RASA_REPLICA_PORTS", "5105 5106", "ports", "ports of this machine's Rasa replicas", CLUSTER),
    Setting("ACTIONS_REPLICA_PORTS", "5155 5156", "ports", "ports of this machine's action servers", CLUSTER),
    Setting(
        "RASA_UPSTREAMS", None, "str", "host:port of every Rasa replica nginx uses (unset: the local ones)", CLUSTER
    ),
    Setting(
        "ACTIONS_UPSTREAMS", None, "str", "host:port of every action server nginx uses (unset: the local ones)", CLUSTER
    ),
    Setting("PG_HOST", "127.0.0.1", "str", "PostgreSQL tracker store", CLUSTER),
    Setting("PG_PORT", "5432", "int", "PostgreSQL port", CLUSTER),
    Setting("PG_DB", "whohandles", "str", "PostgreSQL database", CLUSTER),
    Setting("PG_USER", "whohandles", "str", "PostgreSQL user (the superuser initdb creates)", CLUSTER),
    Setting("PG_PASSWORD", "whohandles", "str", "PostgreSQL password", CLUSTER),
    Setting("PG_ALLOW", "127.0.0.1/32", "str", "network allowed to reach PostgreSQL over TCP", CLUSTER),
    Setting("REDIS_HOST", "127.0.0.1", "str", "Redis lock store", CLUSTER),
    Setting("REDIS_PORT", "6379", "int", "Redis port", CLUSTER),
    Setting("REDIS_DB", "0", "int", "Redis database number", CLUSTER),
    Setting("REDIS_PASSWORD", None, "str", "Redis password (unset: none)", CLUSTER),
    Setting(
        "LOCK_STORE",
        "bot.lock_store.AtomicRedisLockStore",
        "str",
        "Rasa lock store class; `redis` is Rasa's stock one",
        CLUSTER,
    ),
    # ---- set by `make run` for deploy/supervisord-run.conf -------------------------------------------------------
    Setting("RUN_DIR", None, "path", "supervisord's socket, pid file and log (`make run`: var/run)", SUPERVISOR),
    Setting("RUN_USER", None, "str", "the user supervisord runs as (`make run`: whoever runs it)", SUPERVISOR),
    Setting(
        "SUPERVISOR_TOKEN",
        None,
        "str",
        "password of supervisord's control socket, fresh for each `make run`",
        SUPERVISOR,
    ),
    # ---- tests and benchmarks ------------------------------------------------------------------------------------
    Setting(
        "STACK_TIMEOUT", None, "float", "seconds a test stack may take to start (unset: 300; a cluster 600)", TESTS
    ),
    Setting("CLUSTER_RATE_LIMITS", "off", "str", "RATE_LIMITS of the test clusters", TESTS),
    Setting("TEST_LOCK_STORE", None, "str", "LOCK_STORE of the cluster tests (`redis`: Rasa's stock store)", TESTS),
    Setting(
        "BROWSER_WEB_URL", None, "str", "browser tests against this running web server instead of their own", TESTS
    ),
    Setting("BROWSER_STAFF_USER", None, "str", "its staff account, with BROWSER_STAFF_PASSWORD", TESTS),
    Setting("BROWSER_STAFF_PASSWORD", None, "str", "the password of BROWSER_STAFF_USER", TESTS),
    Setting("BENCH_STAFF_PASSWORD", None, "str", "password of `bench/browser_latency.py --staff-user`", TESTS),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}

# Not WHOHANDLES_* but set the same way for every server process: Rasa, the action server and the web server
# share 2 cores (one BLAS/torch thread each), and nothing downloads models at run time.
PROCESS_ENV: dict[str, str] = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
}


def apply_process_env() -> None:
    """PROCESS_ENV for this process, where the environment does not say otherwise (a server started without
    its scripts/serve-* script, e.g. by a test)."""
    for name, raw in PROCESS_ENV.items():
        os.environ.setdefault(name, raw)


_FOLLOWS = re.compile(r"\{([A-Z0-9_]+)\}")
_FLAGS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def _setting(name: str) -> Setting:
    key = name.removeprefix(PREFIX)
    try:
        return BY_NAME[key]
    except KeyError:
        raise KeyError(f"{PREFIX}{key} is not a setting (common/settings.py lists them)") from None


def value(name: str, env: Mapping[str, str] | None = None) -> str | None:
    """The effective value: the environment's (empty counts as unset), else the default, with `{OTHER}`
    filled in from the other setting's effective value; None when unset without a default."""
    env = os.environ if env is None else env
    setting = _setting(name)
    raw = env.get(setting.var)
    if raw not in (None, ""):
        return raw
    if setting.default is None:
        return None
    return _FOLLOWS.sub(lambda m: str(value(m.group(1), env)), setting.default)


def _required(name: str, env: Mapping[str, str] | None) -> str:
    raw = value(name, env)
    if raw is None:
        raise SettingError(f"{_setting(name).var} is not set")
    return raw


def integer(name: str, env: Mapping[str, str] | None = None) -> int:
    raw = _required(name, env)
    try:
        return int(raw)
    except ValueError:
        raise SettingError(f"{_setting(name).var} must be a whole number, not {raw!r}") from None


def number(name: str, env: Mapping[str, str] | None = None) -> float:
    raw = _required(name, env)
    try:
        return float(raw)
    except ValueError:
        raise SettingError(f"{_setting(name).var} must be a number, not {raw!r}") from None


def number_or(name: str, unset: float, env: Mapping[str, str] | None = None) -> float:
    """A number setting without a default of its own: its value when set, else `unset` (which depends on who
    asks: `make run` waits 300 s for the servers, `make cluster` 600)."""
    return number(name, env) if value(name, env) is not None else unset


def ports(name: str, env: Mapping[str, str] | None = None) -> list[int]:
    """Port numbers separated by spaces or commas."""
    raw = _required(name, env)
    try:
        return [int(p) for p in raw.replace(",", " ").split()]
    except ValueError:
        raise SettingError(f"{_setting(name).var} must be port numbers separated by spaces, not {raw!r}") from None


def flag(name: str, env: Mapping[str, str] | None = None) -> bool:
    raw = (value(name, env) or "0").strip().lower()
    if raw not in _FLAGS:
        raise SettingError(f"{_setting(name).var} must be 1 or 0 (true/false, yes/no, on/off), not {raw!r}")
    return _FLAGS[raw]


def path(name: str, env: Mapping[str, str] | None = None) -> Path:
    """A file or directory; a relative one is the project's (the servers run from the project root)."""
    return ROOT / _required(name, env)


def default_path(name: str) -> Path:
    """The default file of a path setting, whatever the environment says."""
    return path(name, {})


_CHECKS = {"int": integer, "float": number, "ports": ports, "flag": flag}


def effective(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """{variable: value} for every setting that has a value, each checked against its type."""
    found = {}
    for setting in SETTINGS:
        raw = value(setting.name, env)
        if raw is None:
            continue
        if setting.kind in _CHECKS:
            _CHECKS[setting.kind](setting.name, env)
        found[setting.var] = raw
    return found


def shell(env: Mapping[str, str] | None = None) -> str:
    """`export NAME=value` lines (quoted for bash) for the effective settings and PROCESS_ENV."""
    values = {**effective(env), **PROCESS_ENV}
    return "".join(f"export {name}={shlex.quote(raw)}\n" for name, raw in values.items())


def markdown() -> str:
    """The README's table of settings."""
    lines = ["| variable | default | what |", "|---|---|---|"]
    group = ""
    for setting in SETTINGS:
        if setting.group != group:
            group = setting.group
            lines.append(f"| **{group}** | | |")
        default = "–" if setting.default is None else f"`{setting.default}`"
        lines.append(f"| `{setting.var}` | {default} | {setting.meaning} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m common.settings", description=__doc__.splitlines()[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--shell", action="store_true", help="print `export NAME=value` lines for bash's eval")
    what.add_argument("--markdown", action="store_true", help="print the table of settings (README)")
    args = parser.parse_args(argv)
    try:
        sys.stdout.write(shell() if args.shell else markdown())
    except SettingError as exc:
        print(f"whohandles: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
