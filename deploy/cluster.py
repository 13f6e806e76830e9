"""`make cluster`: PostgreSQL, Redis, nginx, two Rasa replicas, two action servers and the web server,
each supervised (and restarted) by supervisord, with every address taken from the environment.

Why one small module: the configuration files of the parts (supervisord, nginx, redis) must agree on the
same ports and paths, so they are rendered together from one `Settings` into `<dir>/etc/`; the data stays
under `<dir>` (var/cluster by default): the PostgreSQL cluster (initdb on first start, its own socket
directory), Redis' working dir, nginx' temp files, the logs. The same settings run each part on its own
machine: WHOHANDLES_CLUSTER_SERVICES says which parts this machine starts, the *_HOST / *_UPSTREAMS
variables where the others are (README, "Running as a cluster").

    python -m deploy.cluster start | stop | status | render

`start` returns once every local part answers (or fails with the end of its log); `stop` shuts supervisord
down and waits until every process it started is gone. Stdlib only (runs in the app venv).
"""

from __future__ import annotations

import argparse
import functools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from common import settings as setting

ROOT = Path(__file__).resolve().parents[1]
ALL_SERVICES = ("postgres", "redis", "actions", "rasa", "nginx", "web")
# The cluster's own values of two settings that are unset by default (common/settings.py says why).
CLUSTER_ACTION_TIMEOUT_S = 6.0
CLUSTER_READY_TIMEOUT_S = 600.0


def _setting(read: Callable[[str], Any], name: str) -> Any:
    """A field default read from common/settings.py (the defaults are declared there, once)."""
    return field(default_factory=lambda: read(name))


def _words(name: str) -> list[str]:
    return (setting.value(name) or "").split()


@dataclass
class Settings:
    """Every address and path of the cluster, from WHOHANDLES_* variables (defaults: all on 127.0.0.1)."""

    dir: Path = _setting(setting.path, "CLUSTER_DIR")
    services: list[str] = _setting(_words, "CLUSTER_SERVICES")
    bind: str = _setting(setting.value, "BIND")
    front_port: int = _setting(setting.integer, "RASA_PORT")
    rasa_ports: list[int] = _setting(setting.ports, "RASA_REPLICA_PORTS")
    actions_port: int = _setting(setting.integer, "ACTIONS_PORT")
    actions_ports: list[int] = _setting(setting.ports, "ACTIONS_REPLICA_PORTS")
    web_port: int = _setting(setting.integer, "WEB_PORT")
    # Where nginx finds the replicas (host:port, space-separated): default the local replica ports.
    rasa_upstreams: list[str] = _setting(_words, "RASA_UPSTREAMS")
    actions_upstreams: list[str] = _setting(_words, "ACTIONS_UPSTREAMS")
    # Where the Rasa replicas send custom actions (default: the local nginx in front of the action servers).
    action_url: str = _setting(setting.value, "ACTION_URL")
    # Where the web server finds Rasa (default: the local nginx front).
    rasa_url: str = _setting(setting.value, "RASA_URL")
    pg_host: str = _setting(setting.value, "PG_HOST")
    pg_port: int = _setting(setting.integer, "PG_PORT")
    pg_db: str = _setting(setting.value, "PG_DB")
    pg_user: str = _setting(setting.value, "PG_USER")
    pg_password: str = _setting(setting.value, "PG_PASSWORD")
    pg_allow: str = _setting(setting.value, "PG_ALLOW")
    redis_host: str = _setting(setting.value, "REDIS_HOST")
    redis_port: int = _setting(setting.integer, "REDIS_PORT")
    redis_db: int = _setting(setting.integer, "REDIS_DB")
    redis_password: str = field(default_factory=lambda: setting.value("REDIS_PASSWORD") or "")
    lock_store: str = _setting(setting.value, "LOCK_STORE")
    # Seconds a ticket of a replica that died mid-message blocks its conversation (Rasa's default: 60).
    lock_lifetime: int = field(default_factory=lambda: int(os.environ.get("TICKET_LOCK_LIFETIME") or "10"))
    # Seconds a replica waits for an action (the single stack's 1.5 s is too tight when one replica carries
    # the load of a dead one on shared cores; nginx already re-sends calls to a dead action server).
    action_timeout: float = field(default_factory=lambda: setting.number_or("ACTION_TIMEOUT", CLUSTER_ACTION_TIMEOUT_S))
    ready_timeout: float = field(default_factory=lambda: setting.number_or("READY_TIMEOUT", CLUSTER_READY_TIMEOUT_S))

    def __post_init__(self) -> None:
        self.dir = self.dir.resolve()
        unknown = set(self.services) - set(ALL_SERVICES)
        if unknown:
            raise SystemExit(f"WHOHANDLES_CLUSTER_SERVICES: unknown {sorted(unknown)} (known: {ALL_SERVICES})")
        self.rasa_upstreams = self.rasa_upstreams or [f"127.0.0.1:{p}" for p in self.rasa_ports]
        self.actions_upstreams = self.actions_upstreams or [f"127.0.0.1:{p}" for p in self.actions_ports]

    # ---- paths ------------------------------------------------------------------------------------------
    etc = property(lambda self: self.dir / "etc")
    logs = property(lambda self: self.dir / "log")
    pgdata = property(lambda self: self.dir / "pg")
    pgsocket = property(lambda self: self.dir / "pg-run")
    supervisor_conf = property(lambda self: self.etc / "supervisord.conf")
    supervisor_pid = property(lambda self: self.dir / "supervisord.pid")
    supervisor_sock = property(lambda self: self.dir / "supervisor.sock")

    def runs(self, service: str) -> bool:
        return service in self.services

    def rasa_env(self, port: int) -> dict[str, str]:
        return {
            "WHOHANDLES_RASA_PORT": str(port),
            # Behind nginx every request comes from nginx: Sanic reads the client's address from the one
            # X-Forwarded-For hop nginx adds, so per-IP rate limits see citizens, not the proxy.
            "SANIC_PROXIES_COUNT": "1",
            "WHOHANDLES_ENDPOINTS": str(ROOT / "deploy/endpoints-cluster.yml"),
            "WHOHANDLES_ACTION_URL": self.action_url,
            "WHOHANDLES_BIND": self.bind,
            "WHOHANDLES_PG_HOST": self.pg_host,
            "WHOHANDLES_PG_PORT": str(self.pg_port),
            "WHOHANDLES_PG_DB": self.pg_db,
            "WHOHANDLES_PG_USER": self.pg_user,
            "WHOHANDLES_PG_PASSWORD": self.pg_password,
            "WHOHANDLES_REDIS_HOST": self.redis_host,
            "WHOHANDLES_REDIS_PORT": str(self.redis_port),
            "WHOHANDLES_REDIS_DB": str(self.redis_db),
            "WHOHANDLES_REDIS_PASSWORD": self.redis_password,
            "WHOHANDLES_LOCK_STORE": self.lock_store,
            "TICKET_LOCK_LIFETIME": str(self.lock_lifetime),
            "SQL_POOL_SIZE": "8",
            "WHOHANDLES_ACTION_TIMEOUT": str(self.action_timeout),
        }


# ---- binaries -------------------------------------------------------------------------------------------
def pg_bin(name: str) -> str:
    """A PostgreSQL server binary: on PATH, else Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise SystemExit(f"{name} not found: install Debian's postgresql (make cluster-deps)")


def binary(name: str, *extra: str) -> str:
    for path in (shutil.which(name), *extra):
        if path and Path(path).exists():
            return path
    raise SystemExit(f"{name} not found (make cluster-deps installs it)")


def pg_owner() -> str | None:
    """PostgreSQL refuses to run as root: as root, run it as Debian's `postgres` user."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
        return "postgres"
    except KeyError as exc:
        raise SystemExit("running as root needs the `postgres` user (Debian's postgresql package)") from exc


# ---- rendering ------------------------------------------------------------------------------------------
def _quote(value: str) -> str:
    return '"' + value.replace("%", "%%").replace('"', '\\"') + '"'


def _program(
    name: str,
    command: str,
    env: dict[str, str] | None = None,
    *,
    priority: int,
    settings: Settings,
    user: str | None = None,
    stopsignal: str = "TERM",
    startsecs: int = 3,
    directory: Path = ROOT,
) -> str:
    lines = [
        f"[program:{name}]",
        f"command={command.replace('%', '%%')}",
        f"directory={directory}",
        f"priority={priority}",
        "autostart=true",
        "autorestart=true",
        f"startsecs={startsecs}",
        "startretries=1000",
        f"stopsignal={stopsignal}",
        "stopwaitsecs=20",
        "stopasgroup=true",
        "killasgroup=true",
        "redirect_stderr=true",
        f"stdout_logfile={settings.logs / (name + '.log')}",
        "stdout_logfile_maxbytes=20MB",
        "stdout_logfile_backups=2",
    ]
    if user:
        lines.append(f"user={user}")
    if env:
        lines.append("environment=" + ",".join(f"{k}={_quote(v)}" for k, v in env.items()))
    return "\n".join(lines) + "\n"


def supervisord_conf(s: Settings) -> str:
    head = f"""; Rendered by deploy/cluster.py from WHOHANDLES_* settings — edit those, not this file.
[supervisord]
user={pwd.getpwuid(os.getuid()).pw_name}
logfile={s.logs / "supervisord.log"}
pidfile={s.supervisor_pid}
childlogdir={s.logs}
loglevel=info

[unix_http_server]
file={s.supervisor_sock}
chmod=0700

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://{s.supervisor_sock}

"""
    parts = [head]
    if s.runs("postgres"):
        # SIGINT = PostgreSQL's fast shutdown (SIGTERM would wait for Rasa's pooled connections to close).
        parts.append(
            _program(
                "postgres",
                f"{pg_bin('postgres')} -D {s.pgdata} -p {s.pg_port} -c listen_addresses={s.bind} "
                f"-c unix_socket_directories={s.pgsocket} -c max_connections=200",
                priority=10,
                settings=s,
                user=pg_owner(),
                stopsignal="INT",
                # its own data directory: the postgres user may not be able to enter the checkout (a 0700 home
                # or mktemp directory), and PostgreSQL needs nothing from it
                directory=s.pgdata,
            )
        )
    if s.runs("redis"):
        parts.append(_program("redis", f"{binary('redis-server')} {s.etc / 'redis.conf'}", priority=10, settings=s))
    if s.runs("actions"):
        for i, port in enumerate(s.actions_ports, 1):
            env = {"WHOHANDLES_ACTIONS_PORT": str(port), "WHOHANDLES_BIND": s.bind}
            parts.append(_program(f"actions{i}", str(ROOT / "scripts/serve-actions"), env, priority=20, settings=s))
    if s.runs("rasa"):
        for i, port in enumerate(s.rasa_ports, 1):
            parts.append(
                _program(
                    f"rasa{i}", str(ROOT / "scripts/serve-rasa"), s.rasa_env(port), priority=30, settings=s, startsecs=5
                )
            )
    if s.runs("nginx"):
        parts.append(
            _program(
                "nginx",
                f"{binary('nginx', '/usr/sbin/nginx')} -c {s.etc / 'nginx.conf'} -p {s.dir / 'nginx'}",
                priority=40,
                settings=s,
                stopsignal="QUIT",
            )
        )
    if s.runs("web"):
        env = {
            "WHOHANDLES_WEB_PORT": str(s.web_port),
            "WHOHANDLES_WEB_HOST": s.bind,
            "WHOHANDLES_RASA_URL": s.rasa_url,
            "WHOHANDLES_FEEDBACK_DB": str(s.dir / "feedback.db"),
        }
        parts.append(_program("web", str(ROOT / "scripts/serve-web"), env, priority=50, settings=s))
    return "\n".join(parts)


def nginx_conf(s: Settings) -> str:
    """nginx in front of the Rasa replicas, and in front of the action servers.

    Rasa front: a replica that refuses connections (dead, or restarting and not listening yet) is skipped
    and the request goes to the other; a POST already sent to a replica that dies is not re-sent (it may
    have been processed), so only requests in flight at a crash fail. Action servers are pure functions of
    the tracker they receive: a call in flight on one that dies is re-sent to the other (non_idempotent).
    An action call is not re-sent on a read timeout (5 s): under overload that would double the work.
    Upstream keep-alive closes before Sanic's 5 s so nginx never reuses a connection Sanic is closing.
    """
    nginx_dir = s.dir / "nginx"

    def upstream(name: str, servers: list[str]) -> str:
        lines = "\n".join(f"    server {a} max_fails=1 fail_timeout=2s;" for a in servers)
        return f"  upstream {name} {{\n    least_conn;\n{lines}\n    keepalive 64;\n    keepalive_timeout 2s;\n  }}\n"

    proxy = """      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_connect_timeout 2s;
      proxy_next_upstream_tries 2;
"""
    return f"""# Rendered by deploy/cluster.py from WHOHANDLES_* settings — edit those, not this file.
daemon off;
worker_processes 1;
pid {nginx_dir / "nginx.pid"};
error_log stderr warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {nginx_dir / "body"};
  proxy_temp_path {nginx_dir / "proxy"};
  fastcgi_temp_path {nginx_dir / "fastcgi"};
  uwsgi_temp_path {nginx_dir / "uwsgi"};
  scgi_temp_path {nginx_dir / "scgi"};
  client_max_body_size 1m;
  client_body_buffer_size 1m;
{upstream("rasa", s.rasa_upstreams)}{upstream("actions", s.actions_upstreams)}
  server {{
    listen {s.bind}:{s.front_port};
    location / {{
      proxy_pass http://rasa;
{proxy}      proxy_read_timeout 60s;
      proxy_next_upstream error timeout http_502 http_503;
    }}
  }}
  server {{
    listen {s.bind}:{s.actions_port};
    location / {{
      proxy_pass http://actions;
{proxy}      proxy_read_timeout 5s;
      proxy_next_upstream error http_502 http_503 non_idempotent;
    }}
  }}
}}
"""


def redis_conf(s: Settings) -> str:
    """Redis holds only the per-conversation locks (seconds-lived): no persistence to disk."""
    password = f"requirepass {s.redis_password}\n" if s.redis_password else ""
    return f"""# Rendered by deploy/cluster.py from WHOHANDLES_* settings — edit those, not this file.
bind {s.bind}
port {s.redis_port}
protected-mode {"yes" if s.bind in ("127.0.0.1", "localhost") or s.redis_password else "no"}
daemonize no
dir {s.dir / "redis"}
logfile ""
save ""
appendonly no
{password}"""


def render(s: Settings) -> None:
    for d in (
        s.etc,
        s.logs,
        s.dir / "redis",
        *(s.dir / "nginx" / t for t in ("body", "proxy", "fastcgi", "uwsgi", "scgi")),
    ):
        d.mkdir(parents=True, exist_ok=True)
    (s.etc / "supervisord.conf").write_text(supervisord_conf(s), encoding="utf-8")
    (s.etc / "nginx.conf").write_text(nginx_conf(s), encoding="utf-8")
    (s.etc / "redis.conf").write_text(redis_conf(s), encoding="utf-8")
    os.chmod(s.etc / "supervisord.conf", 0o600)  # carries the passwords
    os.chmod(s.etc / "redis.conf", 0o600)


def init_postgres(s: Settings) -> None:
    """initdb on first start: superuser WHOHANDLES_PG_USER with a password, trusted local socket only."""
    owner = pg_owner()
    s.pgsocket.mkdir(parents=True, exist_ok=True)
    if owner:
        shutil.chown(s.pgsocket, owner)
    if (s.pgdata / "PG_VERSION").exists():
        return
    s.pgdata.mkdir(parents=True, exist_ok=True)
    os.chmod(s.dir, 0o755)  # the postgres user must reach its data directory
    pwfile = s.dir / ".pgpass-init"
    pwfile.write_text(s.pg_password + "\n", encoding="utf-8")
    if owner:
        shutil.chown(s.pgdata, owner)
        shutil.chown(pwfile, owner)
    prefix = ["runuser", "-u", owner, "--"] if owner else []
    if owner and subprocess.run([*prefix, "test", "-w", str(s.pgdata)], check=False).returncode != 0:
        raise SystemExit(
            f"the `{owner}` user cannot reach {s.pgdata}: make its parent directories traversable "
            "(chmod o+x) or set WHOHANDLES_CLUSTER_DIR to a directory it can reach"
        )
    try:
        subprocess.run(
            [
                *prefix,
                pg_bin("initdb"),
                "-D",
                str(s.pgdata),
                "-U",
                s.pg_user,
                "-E",
                "UTF8",
                "--locale=C",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                f"--pwfile={pwfile}",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    finally:
        pwfile.unlink(missing_ok=True)
    if s.pg_allow not in ("127.0.0.1/32", ""):
        with (s.pgdata / "pg_hba.conf").open("a", encoding="utf-8") as hba:
            hba.write(f"host all all {s.pg_allow} scram-sha-256\n")


# ---- start / stop ---------------------------------------------------------------------------------------
def supervisor_pid(s: Settings) -> int | None:
    try:
        pid = int(s.supervisor_pid.read_text().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def _tcp(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def http_ok(url: str) -> bool:
    """Whether `url` answers 200 within 2 s."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _redis_ping(host: str, port: int, password: str) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as conn:
            if password:
                conn.sendall(f"AUTH {password}\r\n".encode())
                conn.recv(64)
            conn.sendall(b"PING\r\n")
            return conn.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def checks(s: Settings) -> dict[str, Callable[[], bool]]:
    """What `start` waits for: each local part answering on its own address."""
    local = "127.0.0.1" if s.bind in ("0.0.0.0", "::") else s.bind
    found: dict[str, Callable[[], bool]] = {}
    if s.runs("postgres"):
        found["postgres"] = lambda: (
            subprocess.run([pg_bin("pg_isready"), "-q", "-h", local, "-p", str(s.pg_port)], check=False).returncode == 0
        )
    if s.runs("redis"):
        found["redis"] = lambda: _redis_ping(local, s.redis_port, s.redis_password)
    if s.runs("actions"):
        for i, port in enumerate(s.actions_ports, 1):
            found[f"actions{i}"] = functools.partial(http_ok, f"http://{local}:{port}/health")
    if s.runs("rasa"):
        for i, port in enumerate(s.rasa_ports, 1):
            found[f"rasa{i}"] = functools.partial(http_ok, f"http://{local}:{port}/webhooks/rest/")
    if s.runs("nginx"):
        found["nginx"] = lambda: _tcp(local, s.front_port) and _tcp(local, s.actions_port)
    if s.runs("web"):
        found["web"] = lambda: http_ok(f"http://{local}:{s.web_port}/")
    return found


def wait_ready(s: Settings, timeout: float) -> None:
    started = time.monotonic()
    pending = checks(s)
    while pending:
        for name, check in list(pending.items()):
            if check():
                print(f"  {name} ready after {time.monotonic() - started:.1f} s", flush=True)
                del pending[name]
        if not pending:
            return
        if supervisor_pid(s) is None:
            raise SystemExit(f"supervisord exited; see {s.logs}/supervisord.log")
        if time.monotonic() - started > timeout:
            tails = "\n".join(f"--- {n}.log\n{_tail(s.logs / (n + '.log'))}" for n in pending)
            raise SystemExit(f"not ready after {timeout:.0f} s: {', '.join(pending)}\n{tails}")
        time.sleep(0.25)  # poll interval


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def supervisord_bin() -> str:
    return str(Path(sys.executable).parent / "supervisord")


def start(s: Settings) -> None:
    if supervisor_pid(s):
        print(f"cluster already running (supervisord pid {supervisor_pid(s)}); waiting until ready")
    else:
        s.dir.mkdir(parents=True, exist_ok=True)
        if s.runs("postgres"):
            init_postgres(s)
        render(s)
        subprocess.run([supervisord_bin(), "-c", str(s.supervisor_conf)], check=True, cwd=ROOT)
    wait_ready(s, s.ready_timeout)
    print(f"whohandles cluster is up (data and logs under {s.dir}):")
    if s.runs("nginx"):
        print(
            f"  REST channel   POST http://{s.bind}:{s.front_port}/webhooks/rest/webhook  (nginx → {' '.join(s.rasa_upstreams)})"
        )
        print(f"  action servers http://{s.bind}:{s.actions_port}/webhook  (nginx → {' '.join(s.actions_upstreams)})")
    if s.runs("web"):
        print(f"  citizen widget http://{s.bind}:{s.web_port}/   agent console http://{s.bind}:{s.web_port}/agent")
    if s.runs("postgres"):
        print(f"  PostgreSQL     {s.bind}:{s.pg_port} db {s.pg_db} (data {s.pgdata})")
    if s.runs("redis"):
        print(f"  Redis          {s.bind}:{s.redis_port}")
    print("`make cluster-stop` stops it all.")


def stop(s: Settings, timeout: float = 60) -> None:
    pid = supervisor_pid(s)
    if pid is None:
        print("cluster not running")
        return
    os.kill(pid, signal.SIGTERM)  # supervisord stops its programs (reverse priority), then exits
    deadline = time.monotonic() + timeout
    while supervisor_pid(s) is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    if supervisor_pid(s) is not None:
        os.kill(pid, signal.SIGKILL)
        raise SystemExit(f"supervisord did not stop within {timeout:.0f} s (killed)")
    print("cluster stopped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("start", "stop", "status", "render"))
    args = parser.parse_args(argv)
    try:
        s = Settings()
    except setting.SettingError as exc:
        raise SystemExit(f"whohandles: {exc}") from None
    if args.command == "start":
        start(s)
    elif args.command == "stop":
        stop(s)
    elif args.command == "render":
        render(s)
        print(s.etc)
    else:
        if supervisor_pid(s) is None:
            print("cluster not running")
            return 3
        return subprocess.run(
            [str(Path(sys.executable).parent / "supervisorctl"), "-c", str(s.supervisor_conf), "status"], check=False
        ).returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
