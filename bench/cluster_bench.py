"""Single stack vs cluster in one run: msg/s and p50/p95/p99 at 1, 10 and 50 clients; the cost of PostgreSQL
and Redis per message; a 200-turn conversation vs fresh ones; the pipeline's rate vs the engine alone.

    make bench-cluster        # or: .venv/app/bin/python -m bench.cluster_bench [--per-level 200]

Both run on spare ports with their own data (deploy/devstack.py, deploy/devcluster.py), one after
the other on the same machine. Every message is a who-handles question from a new sender (NLU, policies,
the custom action, the retrieval engine) unless said otherwise. The engine-only rate is measured in this
process with 10 threads after the stacks are stopped. The last line is a JSON object (also written to
var/artifacts/bench-cluster.json).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bench._common import run_clients, send
from bench.rest_bench import QUESTIONS
from common.stats import percentile
from deploy.devcluster import Cluster
from deploy.devstack import ROOT, Stack

LEVELS = (1, 10, 50)
TICKS = os.sysconf("SC_CLK_TCK")


def load(webhook: str, clients: int, total: int) -> dict:
    elapsed, lat = run_clients(webhook, clients, max(1, total // clients), QUESTIONS)
    return {
        "clients": clients,
        "messages": len(lat),
        "msg_per_s": round(len(lat) / elapsed, 1),
        "p50_ms": round(statistics.median(lat), 1),
        "p95_ms": round(percentile(lat, 0.95), 1),
        "p99_ms": round(percentile(lat, 0.99), 1),
    }


def levels(webhook: str, total: int) -> list[dict]:
    with httpx.Client(timeout=120) as client:
        for i in range(10):  # warm-up
            send(client, webhook, f"warm-{uuid.uuid4().hex}", QUESTIONS[i % len(QUESTIONS)])
    out = []
    for clients in LEVELS:
        row = load(webhook, clients, total if clients > 1 else max(40, total // 5))
        print(
            f"  {clients:>2} clients: {row['msg_per_s']:6.1f} msg/s  p50 {row['p50_ms']:7.1f}  "
            f"p95 {row['p95_ms']:7.1f}  p99 {row['p99_ms']:7.1f} ms",
            flush=True,
        )
        out.append(row)
    return out


def long_vs_fresh(webhook: str, turns: int = 200) -> dict:
    """One sender's 200-turn conversation vs fresh senders, interleaved turn by turn (one fresh message, one
    turn of the long conversation, same question) so both see the same machine and the same database size."""
    fresh: list[float] = []
    long: list[float] = []
    sender = f"long-{uuid.uuid4().hex}"
    with httpx.Client(timeout=120) as client:
        for i in range(turns):
            question = QUESTIONS[i % len(QUESTIONS)]
            for who, into in ((f"fresh-{uuid.uuid4().hex}", fresh), (sender, long)):
                started = time.perf_counter()
                send(client, webhook, who, question)
                into.append((time.perf_counter() - started) * 1000)
    row = {
        "fresh_p50_ms": round(statistics.median(fresh), 1),
        "long_p50_ms": round(statistics.median(long), 1),
        "fresh_last50_p50_ms": round(statistics.median(fresh[-50:]), 1),
        "long_last50_p50_ms": round(statistics.median(long[-50:]), 1),
        "turns": turns,
    }
    row["ratio"] = round(row["long_p50_ms"] / row["fresh_p50_ms"], 2)
    print(
        f"  {turns}-turn conversation p50 {row['long_p50_ms']} ms vs fresh senders {row['fresh_p50_ms']} ms "
        f"(interleaved): {row['ratio']}x; last 50 turns {row['long_last50_p50_ms']} vs "
        f"{row['fresh_last50_p50_ms']} ms",
        flush=True,
    )
    return row


# ---- PostgreSQL / Redis cost ----------------------------------------------------------------------------
def cpu_seconds(pids: list[int], names: tuple[str, ...]) -> float:
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        if any(comm.startswith(n) for n in names):
            fields = stat[stat.rindex(")") + 2 :].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / TICKS


def postgres_pids(cluster: Cluster) -> list[int]:
    """The postmaster and its backends (children)."""
    root = cluster.pid("postgres")
    pids = [root]
    try:
        pids += [int(p) for p in Path(f"/proc/{root}/task/{root}/children").read_text().split()]
    except OSError:
        pass
    return pids


def redis_commands(port: int) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(b"INFO stats\r\n")
        data = b""
        while b"total_commands_processed" not in data or not data.endswith(b"\r\n"):
            data += conn.recv(65536)
    line = next(x for x in data.decode().splitlines() if x.startswith("total_commands_processed"))
    return int(line.split(":")[1])


def pg_transactions(cluster: Cluster) -> int:
    return int(cluster.sql("SELECT sum(xact_commit + xact_rollback) FROM pg_stat_database")[0][0])


def store_cost(cluster: Cluster, messages: int = 200, clients: int = 10) -> dict:
    pg_before, redis_before = (
        cpu_seconds(postgres_pids(cluster), ("postgres",)),
        cpu_seconds([cluster.pid("redis")], ("redis",)),
    )
    tx_before, cmd_before = pg_transactions(cluster), redis_commands(cluster.ports["redis"])
    load(cluster.webhook, clients, messages)
    pids = postgres_pids(cluster)
    row = {
        "messages": messages,
        "postgres_cpu_ms_per_msg": round((cpu_seconds(pids, ("postgres",)) - pg_before) * 1000 / messages, 2),
        "redis_cpu_ms_per_msg": round(
            (cpu_seconds([cluster.pid("redis")], ("redis",)) - redis_before) * 1000 / messages, 2
        ),
        "postgres_tx_per_msg": round((pg_transactions(cluster) - tx_before - 1) / messages, 1),
        "redis_commands_per_msg": round((redis_commands(cluster.ports["redis"]) - cmd_before - 1) / messages, 1),
        "events_rows": int(cluster.sql("SELECT count(*) FROM events")[0][0]),
    }
    print(
        f"  per message: PostgreSQL {row['postgres_cpu_ms_per_msg']} ms CPU, {row['postgres_tx_per_msg']} "
        f"transactions; Redis {row['redis_cpu_ms_per_msg']} ms CPU, {row['redis_commands_per_msg']} commands",
        flush=True,
    )
    return row


def engine_only(clients: int = 10, total: int = 400) -> dict:
    """Questions/s of the retrieval engine alone in this process: without the query cache (the issue's
    reference) and with it (as the action server runs it), on the same question mix as the pipeline."""
    from actions.engine import get_engine
    from retrieval import Engine

    def rate(engine) -> float:
        for q in QUESTIONS[:5]:
            engine.ask(q)
        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(engine.ask, (QUESTIONS[i % len(QUESTIONS)] for i in range(total))))
        return round(total / (time.perf_counter() - started), 1)

    row = {"uncached": rate(Engine.load()), "cached": rate(get_engine())}
    print(
        f"  engine alone, {clients} threads: {row['uncached']} questions/s without the query cache, "
        f"{row['cached']} with it",
        flush=True,
    )
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-level", type=int, default=200, help="messages per level of 10 and 50 clients")
    args = parser.parse_args()
    report: dict = {"cores": os.cpu_count()}

    print("single stack (1 Rasa, 1 action server, SQLite):", flush=True)
    with tempfile.TemporaryDirectory(prefix="whohandles-bench-") as workdir, Stack(Path(workdir)) as stack:
        report["single"] = levels(stack.webhook, args.per_level)
        report["single_long_vs_fresh"] = long_vs_fresh(stack.webhook)

    print("cluster (nginx → 2 Rasa, nginx → 2 action servers, PostgreSQL, Redis):", flush=True)
    with Cluster() as cluster:
        report["cluster"] = levels(cluster.webhook, args.per_level)
        report["cluster_long_vs_fresh"] = long_vs_fresh(cluster.webhook)
        report["store_cost"] = store_cost(cluster)

    engine = report["engine_only_10_threads_q_per_s"] = engine_only()
    single10 = next(r for r in report["single"] if r["clients"] == 10)["msg_per_s"]
    cluster10 = next(r for r in report["cluster"] if r["clients"] == 10)["msg_per_s"]
    report["pipeline_over_engine"] = {
        f"{stack}_over_{kind}": round(rate / engine[kind], 2)
        for stack, rate in (("single", single10), ("cluster", cluster10))
        for kind in ("uncached", "cached")
    }
    print(
        "  pipeline ÷ engine at 10 clients: "
        + ", ".join(f"{k} {v:.0%}" for k, v in report["pipeline_over_engine"].items()),
        flush=True,
    )
    best = max(r["msg_per_s"] for r in report["cluster"])
    report["msg_per_s_per_core"] = round(best / (os.cpu_count() or 1), 1)
    out = ROOT / "var" / "artifacts" / "bench-cluster.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
