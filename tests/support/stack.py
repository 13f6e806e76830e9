"""Start the real whohandles servers for tests and benchmarks, wait until they answer, stop them.

Why here: the e2e tests, the browser tests, bench/rest_bench.py and bench/eval_rest.py all need the same
thing — the real Rasa server, action server (and web server) on spare ports with their own tracker and
feedback files, so they never touch a `make run` stack on 5005/5055/8080. The servers are started with the
same scripts as `make run` (scripts/serve-*), so what is tested is what runs.

    with Stack(workdir) as stack:           # Rasa + actions
        httpx.post(stack.webhook, json={"sender": "t1", "message": "hi"})

Readiness is polled over HTTP (Rasa's channel health route answers 200 only once the model is loaded;
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
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import httpx

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = float(os.environ.get("WHOHANDLES_STACK_TIMEOUT", "300"))


class StackError(RuntimeError):
    """A server did not become ready (the message carries the end of its log)."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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

    def poll_ready(self, client: httpx.Client) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise StackError(f"{self.name} exited with {self.process.returncode}:\n{_tail(self.log)}")
        try:
            ok = client.get(self.ready_url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False
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

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions_port}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def tracker_db(self) -> Path:
        return self.workdir / "tracker.db"

    @property
    def feedback_db(self) -> Path:
        return self.workdir / "feedback.db"

    @property
    def staff_db(self) -> Path:
        return self.workdir / "staff.db"

    def store_paths(self) -> dict[str, Path]:
        """Every file the stack writes to: all under workdir, never the product's var/ (checked in env())."""
        return {
            "WHOHANDLES_TRACKER_DB": self.tracker_db,
            "WHOHANDLES_FEEDBACK_DB": self.feedback_db,
            "WHOHANDLES_STAFF_DB": self.staff_db,
        }

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            WHOHANDLES_RASA_PORT=str(self.rasa_port),
            WHOHANDLES_ACTIONS_PORT=str(self.actions_port),
            WHOHANDLES_WEB_PORT=str(self.web_port),
            WHOHANDLES_ACTION_URL=self.action_url or f"{self.actions_url}/webhook",
            **{name: str(path) for name, path in self.store_paths().items()},
            WHOHANDLES_CORS=self.web_url,
            RASA_TELEMETRY_ENABLED="false",
            SQLALCHEMY_SILENCE_UBER_WARNING="1",
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
        with httpx.Client() as client:
            while pending:
                pending = [s for s in pending if not s.poll_ready(client)]
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


@contextmanager
def running_stack(workdir: Path, **options: object) -> Iterator[Stack]:
    """Start a Stack (see its options) and stop it afterwards."""
    stack = Stack(Path(workdir), **options)  # type: ignore[arg-type]
    with stack:
        yield stack


@contextmanager
def browser_stack(workdir: Path) -> Iterator[Stack]:
    """Rasa + actions + web, for the browser tests (exposes .web_url and .feedback_db)."""
    with running_stack(workdir, web=True) as stack:
        yield stack
