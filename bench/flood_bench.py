"""Flood benchmark: does one flooding client slow everybody else down? (issue 10, abuse limits)

    make bench-flood      # or: .venv/app/bin/python -m bench.flood_bench [--seconds 12] [--rounds 3] [--no-off]

Starts its own stack (Rasa + actions + web, spare ports) with the default rate limits (or
$WHOHANDLES_RATE_LIMITS) and measures normal clients' latency p50/p95:
- REST webhook: 4 citizens, each from its own loopback address (127.0.0.2-5), a new sender every 4
  questions, a question a second after each answer;
- web API /api/ask: 2 hotline agents (127.0.0.6-7), a lookup a second after each answer;
alone and while a flooder on 127.0.0.9 offers 120 requests a second (REST: 4 threads at up to 20/s, a new
sender per request, so only the per-address limit stops it; /api/ask: 2 threads at up to 20/s), alternating
`--rounds` pairs of `--seconds` phases so a slow spell of a shared host hits both alike. Then the same
against a stack with WHOHANDLES_RATE_LIMITS=off (skip with --no-off): the same offered flood, which gets
whatever the servers can do. Prints a table and one JSON line (`rest_p95_after_burst_ms`: REST p95 of
requests sent 5 s or more into a phase, once the flooder's allowed burst is spent). The flooder's threads
run on the same 2 cores as the servers, so part of any slow-down is the client's own CPU. Figures go here,
never into tests.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from common.stats import percentile
from deploy.devstack import Stack

BURST_S = 5.0
NORMAL_PAUSE_S = 1.0  # each normal client: a question, its answer, a second's pause
COOL_DOWN_S = 10.0  # between rounds: the 10-second windows empty (the minute ones only partly: measured as is)
FLOOD_INTERVAL_S = 0.05  # each flood thread: 20 requests a second when the server keeps up
QUESTIONS = [
    "My employer hasn't paid my wages for two months. Who handles that?",
    "单位拖欠工资找哪个部门？",
    "Who handles labour dispute arbitration?",
    "我想提取住房公积金付房租",
    "公积金贷款逾期了怎么办，找谁",
    "工伤认定归哪个部门管",
    "Which department handles unemployment insurance benefits?",
    "职称评审是哪个部门负责的",
]


def client_from(address: str, timeout: float = 30) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=timeout)


def normal_client(
    kind: str, stack: Stack, address: str, stop: threading.Event, out: list, codes: Counter, t0: float
) -> None:
    with client_from(address) as http:
        i = 0
        while not stop.is_set():
            if i % 4 == 0:  # a new person (conversation) every 4 questions: well within one person's limit
                sender = f"citizen-{uuid.uuid4().hex[:8]}"
            question = QUESTIONS[i % len(QUESTIONS)]
            started = time.perf_counter()
            if kind == "rest":
                r = http.post(stack.webhook, json={"sender": sender, "message": question})
            else:
                r = http.get(stack.web_url + "/api/ask", params={"q": question})
            out.append((started - t0, (time.perf_counter() - started) * 1000))
            codes[r.status_code] += 1
            i += 1
            stop.wait(NORMAL_PAUSE_S)


def flooder(kind: str, stack: Stack, stop: threading.Event, codes: Counter) -> None:
    with client_from("127.0.0.9", timeout=60) as http:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                if kind == "rest":
                    r = http.post(stack.webhook, json={"sender": uuid.uuid4().hex, "message": QUESTIONS[0]})
                else:
                    r = http.get(stack.web_url + "/api/ask", params={"q": QUESTIONS[1]})
                codes[r.status_code] += 1
            except httpx.HTTPError:
                codes["error"] += 1
            stop.wait(max(0.0, FLOOD_INTERVAL_S - (time.perf_counter() - started)))


def phase(stack: Stack, seconds: float, flood: bool) -> dict:
    """One phase; returns the raw samples (merged over rounds by summarise)."""
    stop = threading.Event()
    rest: list[tuple[float, float]] = []
    ask: list[tuple[float, float]] = []
    normal_codes: Counter[int] = Counter()
    flood_codes: Counter[int] = Counter()
    t0 = time.perf_counter()
    threads = [
        threading.Thread(target=normal_client, args=("rest", stack, f"127.0.0.{2 + i}", stop, rest, normal_codes, t0))
        for i in range(4)
    ]
    threads += [
        threading.Thread(target=normal_client, args=("ask", stack, f"127.0.0.{6 + i}", stop, ask, normal_codes, t0))
        for i in range(2)
    ]
    if flood:
        threads += [threading.Thread(target=flooder, args=("rest", stack, stop, flood_codes)) for _ in range(4)]
        threads += [threading.Thread(target=flooder, args=("ask", stack, stop, flood_codes)) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return {"rest": rest, "ask": ask, "normal_codes": normal_codes, "flood_codes": flood_codes}


def summarise(phases: list[dict]) -> dict:
    rest = [x for p in phases for x in p["rest"]]
    ask = [x for p in phases for x in p["ask"]]
    rest_ms, ask_ms = [ms for _, ms in rest], [ms for _, ms in ask]
    late = [ms for t, ms in rest if t >= BURST_S]  # after the flooder's first burst has been let through
    normal: Counter[int]
    flood: Counter[int]
    normal, flood = (
        sum((p["normal_codes"] for p in phases), Counter()),
        sum((p["flood_codes"] for p in phases), Counter()),
    )
    return {
        "rest_p95_after_burst_ms": round(percentile(late, 0.95), 1),
        "rest_p50_ms": round(statistics.median(rest_ms), 1),
        "rest_p95_ms": round(percentile(rest_ms, 0.95), 1),
        "ask_p50_ms": round(statistics.median(ask_ms), 1),
        "ask_p95_ms": round(percentile(ask_ms, 0.95), 1),
        "normal_requests": len(rest_ms) + len(ask_ms),
        "normal_statuses": {str(k): v for k, v in normal.items()},
        "flood_requests": sum(flood.values()),
        "flood_statuses": {str(k): v for k, v in flood.items()},
    }


def run(limits: str, seconds: float, rounds: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="whohandles-flood-") as workdir:
        with Stack(Path(workdir), web=True, rate_limits=limits) as stack:
            with httpx.Client(timeout=30) as warm:  # first requests load caches; keep them out of the figures
                for q in QUESTIONS:
                    warm.post(stack.webhook, json={"sender": "warm-up", "message": q})
                    warm.get(stack.web_url + "/api/ask", params={"q": q})
            # Alternate alone / flood phases so that a slow spell of a shared host hits both alike. A flood
            # phase starts with a pause so the limits' windows of the previous flood have passed.
            alone, flooded = [], []
            for _ in range(rounds):
                alone.append(phase(stack, seconds, flood=False))
                flooded.append(phase(stack, seconds, flood=True))
                time.sleep(COOL_DOWN_S)
            return {"alone": summarise(alone), "flood": summarise(flooded)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=12.0, help="length of each phase")
    parser.add_argument("--rounds", type=int, default=3, help="alone/flood pairs per stack")
    parser.add_argument("--no-off", action="store_true", help="skip the comparison run with limits off")
    args = parser.parse_args()
    limits = os.environ.get("WHOHANDLES_RATE_LIMITS", "")
    if limits.strip().lower() == "off":
        limits = ""  # this benchmark is about the limits: measure with the defaults
    results: dict[str, Any] = {"limits": limits or "defaults", "on": run(limits, args.seconds, args.rounds)}
    if not args.no_off:
        results["off"] = run("off", args.seconds, args.rounds)
    print(
        f"{'limits':<8} {'phase':<6} {'REST p50':>9} {'REST p95':>9} {'p95>5s':>7} {'ask p50':>8} {'ask p95':>8}"
        "  normal  flood requests (statuses)"
    )
    for mode in ("on", "off"):
        for name, r in results.get(mode, {}).items():
            print(
                f"{mode:<8} {name:<6} {r['rest_p50_ms']:>9} {r['rest_p95_ms']:>9} {r['rest_p95_after_burst_ms']:>7}"
                f" {r['ask_p50_ms']:>8} {r['ask_p95_ms']:>8}"
                f"  {r['normal_statuses']}  {r['flood_requests']} {r['flood_statuses']}"
            )
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
