"""A real `make cluster` (deploy/cluster.py) on spare ports with its own data directory, for tests and benches.

Why here: the ordering and failover tests and bench/cluster_bench.py need the same thing as an operator —
PostgreSQL, Redis, nginx, two Rasa replicas and two action servers under supervisord — but never on the
fixed ports of `make cluster` nor on its var/cluster, so they can run beside it and beside other test runs.
Every port comes from free_port(); the data directory is a fresh one under /tmp (readable by the
`postgres` user, which PostgreSQL runs as when we are root) and is removed afterwards.

    with Cluster() as cluster:
        httpx.post(cluster.webhook, json={"sender": "t1", "message": "hi"})
        cluster.kill9("rasa1")

`stop()` shuts supervisord down and then SIGKILLs any process left that carries this cluster's fresh
WHOHANDLES_CLUSTER_DIR in its environment, so a failing test leaves nothing running.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from common import settings
from deploy.cluster import http_ok, pg_bin
from deploy.devstack import ROOT, free_port, local_url, server_env, start_timeout

START_TIMEOUT_S = start_timeout(600)


def fresh_dir() -> Path:
    """A new data directory under /tmp that the `postgres` user can enter (PostgreSQL runs as it when we are root)."""
    path = Path(tempfile.mkdtemp(prefix="whohandles-cluster-"))
    os.chmod(path, 0o755)
    return path


@dataclass
class Cluster:
    """deploy/cluster.py on spare ports; `services` as WHOHANDLES_CLUSTER_SERVICES (the web server is off)."""

    services: str = "postgres redis actions rasa nginx"
    lock_store: str | None = None  # e.g. "redis" for Rasa's stock RedisLockStore
    dir: Path = field(default_factory=lambda: fresh_dir())
    keep_dir: bool = False
    ports: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("front", "rasa1", "rasa2", "actions", "actions1", "actions2", "pg", "redis", "web"):
            self.ports.setdefault(name, free_port())

    # ---- addresses ------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return local_url(self.ports["front"])

    @property
    def webhook(self) -> str:
        return f"{self.url}/webhooks/rest/webhook"

    def replica_webhook(self, n: int) -> str:
        return f"{local_url(self.ports[f'rasa{n}'])}/webhooks/rest/webhook"

    def env(self) -> dict[str, str]:
        env = server_env(
            WHOHANDLES_CLUSTER_DIR=str(self.dir),
            WHOHANDLES_CLUSTER_SERVICES=self.services,
            WHOHANDLES_RASA_PORT=str(self.ports["front"]),
            WHOHANDLES_RASA_REPLICA_PORTS=f"{self.ports['rasa1']} {self.ports['rasa2']}",
            WHOHANDLES_ACTIONS_PORT=str(self.ports["actions"]),
            WHOHANDLES_ACTIONS_REPLICA_PORTS=f"{self.ports['actions1']} {self.ports['actions2']}",
            WHOHANDLES_WEB_PORT=str(self.ports["web"]),
            WHOHANDLES_PG_PORT=str(self.ports["pg"]),
            WHOHANDLES_REDIS_PORT=str(self.ports["redis"]),
            WHOHANDLES_READY_TIMEOUT=str(START_TIMEOUT_S),
            # like deploy/devstack.py: load and failover tests need throughput from one address
            WHOHANDLES_RATE_LIMITS=str(settings.value("CLUSTER_RATE_LIMITS")),
        )
        for key in (
            "WHOHANDLES_RASA_UPSTREAMS",
            "WHOHANDLES_ACTIONS_UPSTREAMS",
            "WHOHANDLES_ACTION_URL",
            "WHOHANDLES_RASA_URL",
            "WHOHANDLES_PG_HOST",
            "WHOHANDLES_REDIS_HOST",
            "WHOHANDLES_BIND",
        ):
            env.pop(key, None)
        if self.lock_store:
            env["WHOHANDLES_LOCK_STORE"] = self.lock_store
        return env

    # ---- lifecycle ------------------------------------------------------------------------------------
    def _deploy(self, command: str, timeout: float) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "deploy.cluster", command],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"deploy.cluster {command} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self) -> "Cluster":
        try:
            self._deploy("start", START_TIMEOUT_S + 60)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop supervisord (and so every program), then SIGKILL any process of this cluster that is left."""
        try:
            self._deploy("stop", 120)
        except (RuntimeError, subprocess.TimeoutExpired):
            pass
        for pid in self.own_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def own_pids(self) -> list[int]:
        """Processes started for this cluster: every one inherits WHOHANDLES_CLUSTER_DIR=<our fresh dir>."""
        marker = f"WHOHANDLES_CLUSTER_DIR={self.dir}".encode()
        found = []
        for proc in Path("/proc").iterdir():
            if proc.name.isdigit() and int(proc.name) != os.getpid():
                try:
                    if marker in (proc / "environ").read_bytes().split(b"\0"):
                        found.append(int(proc.name))
                except OSError:
                    continue
        return found

    def destroy(self) -> None:
        self.stop()
        if not self.keep_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "Cluster":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.destroy()

    # ---- supervisord ----------------------------------------------------------------------------------
    def _supervisord_pid(self) -> int | None:
        try:
            return int((self.dir / "supervisord.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def ctl(self, *args: str) -> str:
        result = subprocess.run(
            [str(Path(sys.executable).parent / "supervisorctl"), "-c", str(self.dir / "etc/supervisord.conf"), *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        return result.stdout

    def pid(self, program: str) -> int:
        out = self.ctl("pid", program).strip()
        return int(out) if out.isdigit() else 0

    def state(self, program: str) -> str:
        parts = self.ctl("status", program).split()
        return parts[1] if len(parts) > 1 else "UNKNOWN"

    def kill9(self, program: str) -> int:
        """SIGKILL the program's process (as a crash would), not through supervisord; returns the old pid."""
        pid = self.pid(program)
        assert pid, f"{program} is not running"
        os.kill(pid, signal.SIGKILL)
        return pid

    def wait_restarted(self, program: str, old_pid: int, ready_url: str | None = None, timeout: float = 300) -> float:
        """Seconds until supervisord runs `program` again under a new pid (and `ready_url` answers 200)."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            pid = self.pid(program)
            if pid and pid != old_pid and self.state(program) == "RUNNING":
                if ready_url is None or http_ok(ready_url):
                    return time.monotonic() - started
            time.sleep(0.25)  # poll interval
        raise TimeoutError(f"{program} not back within {timeout:.0f} s:\n{self.log(program)}")

    def log(self, program: str, lines: int = 30) -> str:
        try:
            return "\n".join((self.dir / "log" / f"{program}.log").read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    # ---- PostgreSQL -----------------------------------------------------------------------------------
    def sql(self, query: str) -> list[list[str]]:
        """Rows of `query` from the tracker database, via Debian's psql (no extra Python driver)."""
        psql = shutil.which("psql") or pg_bin("psql")
        result = subprocess.run(
            [
                psql,
                "-h",
                "127.0.0.1",
                "-p",
                str(self.ports["pg"]),
                "-U",
                "whohandles",
                "-d",
                "whohandles",
                "-AtF",
                "\t",
                "-c",
                query,
            ],
            env={**os.environ, "PGPASSWORD": "whohandles"},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return [line.split("\t") for line in result.stdout.splitlines() if line]

    def user_texts(self, sender: str) -> list[str]:
        """The user messages of `sender` stored in PostgreSQL, in the order Rasa stored them."""
        safe = sender.replace("'", "''")
        rows = self.sql(
            f"SELECT data::json->>'text' FROM events WHERE sender_id = '{safe}' AND type_name = 'user' ORDER BY id"
        )
        return [r[0] for r in rows]

    def event_types(self, sender: str) -> list[str]:
        safe = sender.replace("'", "''")
        return [r[0] for r in self.sql(f"SELECT type_name FROM events WHERE sender_id = '{safe}' ORDER BY id")]
