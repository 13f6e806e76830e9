"""REST benchmark: Rasa ready time, sequential latency, throughput with 10 clients, RSS of both servers.

    make bench            # or: .venv/app/bin/python -m bench.rest_bench [--n 60] [--url http://127.0.0.1:5005]

Starts its own stack on spare ports (deploy/devstack.py) unless --url is given. Every request is a
who-handles question (so it runs NLU, the dialogue policies, the custom action and the retrieval engine)
from a new sender. The questions are our own, not the evaluation set. The last line is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid

import httpx

from bench._common import run_clients, send, stack_or_url
from common.stats import percentile

QUESTIONS = [
    "My employer hasn't paid my wages for two months. Who handles that?",
    "单位拖欠工资找哪个部门？",
    "Who handles labour dispute arbitration?",
    "劳动争议仲裁找谁",
    "I want to withdraw my housing provident fund to pay rent",
    "我想提取住房公积金付房租",
    "Who is in charge of provident fund loans?",
    "公积金贷款逾期了怎么办，找谁",
    "I was injured at work, who handles work injury insurance?",
    "工伤认定归哪个部门管",
    "Which department handles unemployment insurance benefits?",
    "失业保险金归谁管",
    "Who approves professional title evaluations?",
    "职称评审是哪个部门负责的",
    "I am a foreign expert and need a work permit",
    "外国专家来沪工作许可找谁",
    "Who regulates human resources service agencies?",
    "人力资源服务机构归谁管理",
    "Who handles the resettlement of demobilized military officers?",
    "军队转业干部安置找哪个处",
    "Who supervises designated medical institutions for medical insurance?",
    "医保定点医院由谁监督",
    "My company does not pay my social insurance contributions",
    "公司不给交社保，去哪里投诉",
    "Who sets the policy for rural pension insurance?",
    "农村养老保险政策由哪个处制定",
    "Who handles vocational skills training?",
    "职业技能培训归哪个部门",
    "I want to report corruption by an official of the bureau",
    "我要举报公积金中心工作人员违纪",
    "Who develops the provident fund mobile app and online services?",
    "公积金网上办事大厅归谁管",
    "Who handles complaints about the provident fund centre's service?",
    "投诉公积金服务态度找哪个部门",
    "Who decides the annual provident fund contribution base?",
    "公积金缴存基数调整由谁负责",
    "Who handles the salaries of civil servants?",
    "公务员工资政策由哪个部门制定",
    "Who handles letters and visits from the public?",
    "信访找哪个部门",
]


def sequential(client: httpx.Client, webhook: str, n: int) -> list[float]:
    latencies = []
    for i in range(n):
        question = QUESTIONS[i % len(QUESTIONS)]
        started = time.perf_counter()
        send(client, webhook, f"bench-{uuid.uuid4().hex}", question)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def concurrent(webhook: str, clients: int, per_client: int) -> tuple[float, list[float]]:
    elapsed, latencies = run_clients(webhook, clients, per_client, QUESTIONS, timeout=60)
    return clients * per_client / elapsed, latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=len(QUESTIONS) * 2, help="sequential requests")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--per-client", type=int, default=20)
    parser.add_argument("--url", help="benchmark a running Rasa server instead of starting one")
    args = parser.parse_args()

    started = time.monotonic()
    with stack_or_url(args.url) as (webhook, stack):
        report: dict = {}
        if stack:
            report["ready_s"] = {s.name: round(s.ready_after or 0, 1) for s in stack.servers}
            report["stack_start_s"] = round(time.monotonic() - started, 1)
            print(f"ready: Rasa {report['ready_s']['rasa']} s, actions {report['ready_s']['actions']} s after start")
        with httpx.Client(timeout=60) as client:
            sequential(client, webhook, 5)  # warm-up
            seq = sequential(client, webhook, args.n)
        report["sequential_ms"] = {
            "n": len(seq),
            "p50": round(statistics.median(seq), 1),
            "p95": round(percentile(seq, 0.95), 1),
            "max": round(max(seq), 1),
        }
        print(
            f"sequential ({len(seq)} questions): p50 {report['sequential_ms']['p50']} ms, "
            f"p95 {report['sequential_ms']['p95']} ms, max {report['sequential_ms']['max']} ms"
        )
        rate, lat = concurrent(webhook, args.clients, args.per_client)
        report["concurrent"] = {
            "clients": args.clients,
            "messages": len(lat),
            "msg_per_s": round(rate, 1),
            "p50_ms": round(statistics.median(lat), 1),
            "p95_ms": round(percentile(lat, 0.95), 1),
        }
        print(
            f"{args.clients} concurrent clients: {rate:.1f} msg/s (p50 {report['concurrent']['p50_ms']} ms, "
            f"p95 {report['concurrent']['p95_ms']} ms)"
        )
        if stack:
            report["rss_mb"] = {k: round(v) for k, v in stack.rss().items()}
            print(f"RSS: Rasa {report['rss_mb'].get('rasa')} MB, actions {report['rss_mb'].get('actions')} MB")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
