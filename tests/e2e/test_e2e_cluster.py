"""The cluster against real servers: PostgreSQL, Redis, nginx, two Rasa replicas, two action servers.

One cluster (deploy/devcluster.py: spare ports, its own data dir, everything stopped afterwards) for
the module. What is checked is what an operator would try: turns alternating between replicas, one
sender's concurrent messages on both replicas (RasaHQ/rasa#9213), `kill -9` of a replica and of an action
server under load, a PostgreSQL restart, Redis down, and `make cluster-stop` + `make cluster`.
Timeouts here only guard against hangs; speed is measured by `make bench-cluster`, not asserted.
Set WHOHANDLES_TEST_LOCK_STORE=redis to run the same tests on Rasa's stock RedisLockStore.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from deploy.devcluster import Cluster
from tests.support.messages import top_department

pytestmark = [pytest.mark.e2e, pytest.mark.cluster]

HANG_GUARD_S = 120
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "artifacts"
APOLOGY = "Sorry, I can't look that up right now"
LOAD_QUESTIONS = [
    "Who handles labour dispute arbitration?",
    "I want to withdraw my housing provident fund to pay rent",
    "Who is in charge of provident fund loans?",
    "I was injured at work, who handles work injury insurance?",
    "Which department handles unemployment insurance benefits?",
    "Who approves professional title evaluations?",
    "My company does not pay my social insurance contributions",
    "Who handles vocational skills training?",
]


@pytest.fixture(scope="module")
def cluster():
    running = Cluster(lock_store=os.environ.get("WHOHANDLES_TEST_LOCK_STORE") or None)
    try:
        running.start()
        yield running
    finally:
        running.destroy()
        assert not running.own_pids(), "processes of the test cluster left running"


def say(url: str, sender: str, message: str, client: httpx.Client | None = None) -> list[dict]:
    response = (client or httpx).post(url, json={"sender": sender, "message": message}, timeout=HANG_GUARD_S)
    assert response.status_code == 200, response.text
    return response.json()


def text_of(messages: list[dict]) -> str:
    return " ".join(m.get("text", "") for m in messages)


def record(name: str, figures: dict) -> None:
    """Keep the measured figures (failures, recovery times) for the closing note; printed with -s too."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"cluster-{name}.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
    print(name, figures)


# ---- context across replicas ------------------------------------------------------------------------------
@pytest.mark.parametrize(("first", "second"), [(1, 2), (2, 1)])
def test_a_follow_up_on_the_other_replica_keeps_the_context(cluster, first, second):
    sender = f"alt-{uuid.uuid4().hex[:10]}"
    answer = say(cluster.replica_webhook(first), sender, "What does the Wage Office do?")
    assert top_department(answer) == "hrss.wages", answer
    follow_up = say(cluster.replica_webhook(second), sender, "what else do they do?")
    assert top_department(follow_up) == "hrss.wages", follow_up
    assert cluster.user_texts(sender) == ["What does the Wage Office do?", "what else do they do?"]


# ---- one sender, both replicas at once (RasaHQ/rasa#9213) ------------------------------------------------
def test_concurrent_messages_of_one_sender_on_both_replicas_are_each_processed_once_in_order(cluster):
    sender = f"order-{uuid.uuid4().hex[:10]}"
    rounds, per_round = 8, 4  # each round: 4 messages at the same moment, alternately to replica 1 and 2
    sent: list[str] = []
    replies: list[list[dict]] = []
    with httpx.Client(timeout=HANG_GUARD_S) as client, ThreadPoolExecutor(per_round) as pool:
        for r in range(rounds):
            texts = [f"hello number {r}-{i}" for i in range(per_round)]
            barrier = threading.Barrier(per_round)

            def send(i: int, texts=texts, barrier=barrier) -> list[dict]:
                barrier.wait()
                return say(cluster.replica_webhook(1 + i % 2), sender, texts[i], client)

            replies += list(pool.map(send, range(per_round)))
            sent += texts
    stored = cluster.user_texts(sender)
    assert sorted(stored) == sorted(sent), "every message stored exactly once (none lost, none twice)"
    assert all(reply and APOLOGY not in text_of(reply) for reply in replies), "every message got its answer"
    # In order: each message is processed in full (its reply and action_listen) before the next one starts.
    events = [e for e in cluster.event_types(sender) if e in ("user", "action", "bot")]
    turns = "".join("U" if e == "user" else "." for e in events)
    assert "UU" not in turns, f"a message started before the previous one finished: {turns}"


# ---- kill -9 under load -----------------------------------------------------------------------------------
class Load:
    """10 clients, each its own sender, sending turns through nginx until stopped; counts what failed."""

    def __init__(self, url: str, clients: int = 10) -> None:
        self.url, self.clients = url, clients
        self.stop = threading.Event()
        self.in_flight = 0
        self.lock = threading.Lock()
        self.answered: dict[str, list[str]] = {}
        self.failures: list[str] = []
        self.done = 0
        self.t0 = time.monotonic()
        self.threads = [threading.Thread(target=self.client, args=(i,), daemon=True) for i in range(clients)]

    def client(self, index: int) -> None:
        sender = f"load-{index}-{uuid.uuid4().hex[:8]}"
        self.answered[sender] = []
        with httpx.Client(timeout=HANG_GUARD_S) as client:
            n = 0
            while not self.stop.is_set():
                text = f"{LOAD_QUESTIONS[(index + n) % len(LOAD_QUESTIONS)]} #{n}"
                n += 1
                with self.lock:
                    self.in_flight += 1
                try:
                    response = client.post(self.url, json={"sender": sender, "message": text})
                    ok = response.status_code == 200 and APOLOGY not in text_of(response.json())
                    outcome = "ok" if ok else f"{response.status_code} {response.text[:80]}"
                except httpx.HTTPError as exc:
                    outcome = repr(exc)
                with self.lock:
                    self.in_flight -= 1
                    self.done += 1
                    if outcome == "ok":
                        self.answered[sender].append(text)
                    else:
                        self.failures.append(f"{time.monotonic() - self.t0:.1f}s {outcome}")

    def __enter__(self) -> "Load":
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=HANG_GUARD_S)

    def wait_done(self, more: int) -> None:
        target = self.done + more
        deadline = time.monotonic() + HANG_GUARD_S
        while self.done < target and time.monotonic() < deadline:
            time.sleep(0.1)


def test_kill_9_of_a_replica_and_an_action_server_under_load_fails_only_requests_in_flight(cluster):
    figures: dict = {}
    with Load(cluster.webhook) as load:
        load.wait_done(20)  # warm: every client has had answers
        for program, ready in (
            ("rasa1", f"http://127.0.0.1:{cluster.ports['rasa1']}/webhooks/rest/"),
            ("actions1", f"http://127.0.0.1:{cluster.ports['actions1']}/health"),
        ):
            failures_before = len(load.failures)
            with load.lock:
                in_flight = load.in_flight
            print(f"kill {program} at {time.monotonic() - load.t0:.1f}s")
            old = cluster.kill9(program)
            recovered_s = cluster.wait_restarted(program, old, ready)
            load.wait_done(20)  # the stack keeps answering after the process is back
            figures[program] = {
                "in_flight_at_kill": in_flight,
                "failed": len(load.failures) - failures_before,
                "back_after_s": round(recovered_s, 1),
            }
            assert figures[program]["failed"] <= in_flight, (
                program,
                load.failures[failures_before:],
                cluster.log("nginx"),
                cluster.log("rasa2", 60),
            )
    figures["answered"] = sum(len(v) for v in load.answered.values())
    figures["failures"] = load.failures
    record("kill9", figures)
    assert figures["answered"] > 40
    for sender, texts in load.answered.items():
        stored = set(cluster.user_texts(sender))
        missing = [t for t in texts if t not in stored]
        assert not missing, f"{sender}: answered but not in PostgreSQL: {missing}"


# ---- PostgreSQL and Redis ---------------------------------------------------------------------------------
def test_service_resumes_after_a_postgresql_restart_without_restarting_rasa(cluster):
    sender = f"pg-{uuid.uuid4().hex[:10]}"
    assert top_department(say(cluster.webhook, sender, "What does the Wage Office do?")) == "hrss.wages"
    rasa_pids = (cluster.pid("rasa1"), cluster.pid("rasa2"))
    assert "postgres: started" in cluster.ctl("restart", "postgres")
    replies = [say(cluster.webhook, sender, "what else do they do?") for _ in range(4)]
    assert all(top_department(r) == "hrss.wages" for r in replies), replies
    assert (cluster.pid("rasa1"), cluster.pid("rasa2")) == rasa_pids, "Rasa was not restarted"
    assert cluster.user_texts(sender).count("what else do they do?") == 4


def test_redis_down_gets_a_polite_reply_and_service_recovers_when_it_returns(cluster):
    sender = f"redis-{uuid.uuid4().hex[:10]}"
    assert "redis: stopped" in cluster.ctl("stop", "redis")
    try:
        down = say(cluster.webhook, sender, "Who handles labour dispute arbitration?")
        assert "Sorry" in text_of(down) and "12333" in text_of(down) and "12329" in text_of(down), down
        down_zh = say(cluster.webhook, sender, "公积金贷款逾期了找谁")
        assert "抱歉" in text_of(down_zh), down_zh
    finally:
        assert "redis: started" in cluster.ctl("start", "redis")
    back = say(cluster.webhook, sender, "Who handles labour dispute arbitration?")
    assert top_department(back) == "hrss.mediation-arbitration", back


# ---- the whole cluster stopped and started (keep last: it restarts everything) ---------------------------
def test_a_conversation_survives_cluster_stop_and_start(cluster):
    sender = f"restart-{uuid.uuid4().hex[:10]}"
    assert top_department(say(cluster.webhook, sender, "What does the Wage Office do?")) == "hrss.wages"
    cluster.stop()
    assert not cluster.own_pids(), "cluster-stop left processes running"
    with pytest.raises(httpx.HTTPError):
        httpx.post(cluster.webhook, json={"sender": sender, "message": "hi"}, timeout=5)
    cluster.start()
    after = say(cluster.webhook, sender, "what else do they do?")
    assert top_department(after) == "hrss.wages", after
