"""Start the real whohandles servers for tests and benchmarks, wait until they answer, stop them.

Why here (an importable module, not under tests/): the e2e tests, the browser tests and the benches all need the same
thing — the real Rasa server, action server (and web server) on spare ports with their own tracker and
feedback files, so they never touch a `make run` stack on 5005/5055/8080. The servers are started with the
same scripts as `make run` (scripts/serve-*), so what is tested is what runs.

    with Stack(workdir) as stack:           # Rasa + actions
        httpx.post(stack.webhook, json={"sender": "t1", "message": "hi"})

Ports and URLs follow common/settings.py (the action URL from the stack's actions port). Readiness is polled over HTTP (Rasa's channel health route answers 200 only once the model is loaded;
the action server's /health only after the engine is loaded). Processes get their own session and are
stopped with SIGTERM to the group, SIGKILL after a grace period.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from common import settings
from deploy.cluster import http_ok

ROOT = Path(__file__).resolve().parents[1]


def start_timeout(fallback: float) -> float:
    """Seconds a stack or cluster may take to start: $WHOHANDLES_STACK_TIMEOUT, else `fallback`."""
    return settings.number_or("STACK_TIMEOUT", fallback)


READY_TIMEOUT_S = start_timeout(300)


class StackError(RuntimeError):
    """A server did not become ready (the message carries the end of its log)."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def local_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def server_env(**values: str) -> dict[str, str]:
    """This process's environment plus what every stack and cluster for tests and benches sets: no telemetry,
    no SQLAlchemy 2.0 warning, and `values` (ports, files) on top."""
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1", **values}


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (from /proc)."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


@dataclass
class Server:
    name: str
    command: list[str]
    ready_url: str
    log: Path
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    ready_after: float | None = None

    def start(self, env: dict[str, str]) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        handle = self.log.open("ab")  # append: a restarted server keeps its earlier log
        self.started_at = time.monotonic()
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        handle.close()

    def poll_ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise StackError(f"{self.name} exited with {self.process.returncode}:\n{_tail(self.log)}")
        ok = http_ok(self.ready_url)
        if ok and self.ready_after is None:
            self.ready_after = time.monotonic() - self.started_at
        return ok

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, grace: float = 15.0) -> None:
        if not self.alive:
            return
        assert self.process is not None
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=grace)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=5)


@dataclass
class Stack:
    """Rasa (+ action server, + web server) on spare ports, with files under `workdir`.

    action_url: where Rasa sends custom actions (default: the stack's own action server). Point it at a dead
    or hanging port with actions=False to test what users get when the action server is down.
    """

    workdir: Path
    actions: bool = True
    web: bool = False
    action_url: str | None = None
    action_timeout: float | None = None
    # WHOHANDLES_RATE_LIMITS for the servers: off, because tests and benchmarks need throughput from one
    # address; the tests of the limits themselves pass a value.
    rate_limits: str = "off"
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)
    servers: list[Server] = field(default_factory=list)
    # The web server's staff account (console, gaps page), created with the real `whohandles staff add`.
    staff_user: str = "agent-test"
    staff_password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    # Where to reach the servers and the files they write, from the ports and workdir above.
    rasa_url: str = field(init=False)
    actions_url: str = field(init=False)
    web_url: str = field(init=False)
    webhook: str = field(init=False)
    tracker_db: Path = field(init=False)
    feedback_db: Path = field(init=False)
    staff_db: Path = field(init=False)

    def __post_init__(self) -> None:
        self.rasa_url, self.actions_url, self.web_url = map(
            local_url, (self.rasa_port, self.actions_port, self.web_port)
        )
        self.webhook = f"{self.rasa_url}/webhooks/rest/webhook"
        self.tracker_db, self.feedback_db, self.staff_db = (
            self.workdir / f for f in ("tracker.db", "feedback.db", "staff.db")
        )

    def store_paths(self) -> dict[str, Path]:
        """Every file the stack writes to: all under workdir, never the product's var/ (checked in env())."""
        return {
            "WHOHANDLES_TRACKER_DB": self.tracker_db,
            "WHOHANDLES_FEEDBACK_DB": self.feedback_db,
            "WHOHANDLES_STAFF_DB": self.staff_db,
        }

    def env(self) -> dict[str, str]:
        ports = {
            "WHOHANDLES_RASA_PORT": str(self.rasa_port),
            "WHOHANDLES_ACTIONS_PORT": str(self.actions_port),
            "WHOHANDLES_WEB_PORT": str(self.web_port),
        }
        env = server_env(
            **ports,
            # the stack's own action server unless told otherwise (common/settings.py derives it from the port)
            WHOHANDLES_ACTION_URL=self.action_url or str(settings.value("ACTION_URL", ports)),
            **{name: str(path) for name, path in self.store_paths().items()},
            WHOHANDLES_CORS=self.web_url,
            WHOHANDLES_RATE_LIMITS=self.rate_limits,
        )
        env.pop("WHOHANDLES_SESSION_SECRET", None)  # generated into workdir/session.key beside the staff DB
        if self.action_timeout is not None:
            env["WHOHANDLES_ACTION_TIMEOUT"] = str(self.action_timeout)
        product_var = (ROOT / "var").resolve()
        for name, path in self.store_paths().items():
            if product_var in Path(path).resolve().parents:
                raise StackError(f"{name}={path} is inside the product's var/: give the stack its own workdir")
        return env

    def add_staff(self, env: dict[str, str]) -> None:
        """The web server's staff account, with the same command an operator runs."""
        done = subprocess.run(
            [str(ROOT / ".venv/app/bin/whohandles"), "staff", "add", self.staff_user, "--password-stdin"],
            input=self.staff_password + "\n",
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=120,
        )
        if done.returncode != 0:
            raise StackError(f"whohandles staff add failed: {done.stderr}")

    def server(self, name: str) -> Server:
        return next(s for s in self.servers if s.name == name)

    def start(self, timeout: float = READY_TIMEOUT_S) -> "Stack":
        self.workdir.mkdir(parents=True, exist_ok=True)
        logs = self.workdir / "logs"
        self.servers = [
            Server("rasa", [str(ROOT / "scripts/serve-rasa")], f"{self.rasa_url}/webhooks/rest/", logs / "rasa.log")
        ]
        if self.actions:
            self.servers.append(
                Server(
                    "actions", [str(ROOT / "scripts/serve-actions")], f"{self.actions_url}/health", logs / "actions.log"
                )
            )
        if self.web:
            self.servers.append(Server("web", [str(ROOT / "scripts/serve-web")], f"{self.web_url}/", logs / "web.log"))
        env = self.env()
        if self.web:
            self.add_staff(env)
        for server in self.servers:
            server.start(env)
        try:
            self.wait(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = list(self.servers)
        while pending:
            pending = [s for s in pending if not s.poll_ready()]
            if not pending:
                return
            if time.monotonic() > deadline:
                names = ", ".join(s.name for s in pending)
                raise StackError(
                    f"not ready after {timeout:.0f} s: {names}\n" + "\n".join(_tail(s.log) for s in pending)
                )
            time.sleep(0.2)  # poll interval

    def stop(self) -> None:
        for server in reversed(self.servers):
            server.stop()

    def alive(self) -> bool:
        return all(s.alive for s in self.servers)

    def rss(self) -> dict[str, float]:
        return {s.name: rss_mb(s.process.pid) for s in self.servers if s.alive and s.process}

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
