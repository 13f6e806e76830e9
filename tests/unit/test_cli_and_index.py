"""The whohandles CLI (text and JSON), index fingerprint reuse and missing-index errors, run as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "retrieval.cli"]
ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, index_dir: Path | None = None) -> subprocess.CompletedProcess:
    extra = ["--index-dir", str(index_dir)] if index_dir else []
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run([*CLI, *extra, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)


def test_ask_prints_top3_with_names_org_score_and_evidence():
    result = run("ask", "公积金贷款逾期了找谁")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "1. Loan Management Office / 贷款管理处  [hpf.loans]" in out
    assert "hotline 12329" in out and "上海市公积金管理中心" in out
    assert out.count("score") == 3 and "·" in out


def test_ask_json_is_machine_readable():
    result = run("ask", "--json", "who sets the minimum wage")
    payload = json.loads(result.stdout)
    assert payload["language"] == "en"
    assert payload["verdict"] in ("answer", "clarify")
    assert payload["departments"][0]["id"] == "hrss.planning"
    assert set(payload["departments"][0]) >= {"id", "org", "name", "zh", "score", "evidence", "hotline"}


def test_missing_index_says_which_command_fixes_it(tmp_path):
    result = run("ask", "anything", index_dir=tmp_path / "nowhere")
    assert result.returncode == 3
    assert "whohandles index" in result.stderr and "Traceback" not in result.stderr


def test_corrupt_index_is_reported_not_crashed(tmp_path):
    (tmp_path / "manifest.json").write_text("{broken", encoding="utf-8")
    result = run("ask", "anything", index_dir=tmp_path)
    assert result.returncode == 3 and "whohandles index" in result.stderr


def test_empty_question_is_a_usage_error():
    result = run("ask", " ")
    assert result.returncode == 2 and "give a question" in result.stderr


def test_eval_rejects_a_malformed_file(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "x", "expected": ["hrss.nope"]}\n', encoding="utf-8")
    result = run("eval", str(bad))
    assert result.returncode == 2 and "bad.jsonl:1" in result.stderr and "unknown department ids" in result.stderr


def test_eval_prints_a_final_json_line(tmp_path):
    cases = tmp_path / "mine.jsonl"
    rows = [
        {"question": "公积金贷款逾期了找谁", "lang": "zh", "kind": "keyword", "expected": ["hpf.loans"]},
        {"question": "How do I renew my passport?", "lang": "en", "kind": "out_of_scope", "expected": []},
    ]
    cases.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = run("eval", str(cases))
    assert result.returncode == 0, result.stderr
    last = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(last) == {
        "n",
        "top1",
        "top3",
        "mrr",
        "oos_acc",
        "refused",
        "other_city_acc",
        "ranking_top1",
        "dense_top1",
        "p50_ms",
        "p95_ms",
        "zh_top1",
        "en_top1",
        "evidence_p1",
        "evidence_p1_by_annotator",
    }
    assert last["n"] == 2 and last["top1"] == 1.0 and last["oos_acc"] == 1.0 and last["evidence_p1"] is None
    assert last["evidence_p1_by_annotator"] == []
    assert "bm25" in result.stdout and "dense" in result.stdout


def test_index_is_reused_when_nothing_changed():
    """The default index is already built by `make index`; a second build must not re-encode."""
    result = run("index", "--quiet")
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


def test_the_cli_and_the_feedback_command_work_from_another_directory(tmp_path):
    """The project's index and feedback store are found from anywhere; nothing lands in the working directory."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    env.pop("WHOHANDLES_FEEDBACK_DB", None)
    asked = subprocess.run(
        [*CLI, "ask", "公积金贷款逾期了找谁"], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300
    )
    assert asked.returncode == 0, asked.stderr
    assert "[hpf.loans]" in asked.stdout
    gaps = subprocess.run(
        [sys.executable, "-m", "feedback", "gaps", "--db", str(tmp_path / "own.db")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert gaps.returncode == 0, gaps.stderr
    assert not (tmp_path / "var").exists()


def test_make_help_lists_every_target():
    import re

    out = subprocess.run(["make", "help"], capture_output=True, text=True, cwd=ROOT, timeout=60).stdout
    listed = set(re.findall(r"\x1b\[36m(\S+)", out))
    assert {
        "run",
        "test",
        "test-unit",
        "test-e2e",
        "test-rasa",
        "test-browser",
        "eval",
        "eval-own",
        "calibrate",
        "bench",
        "staff",
    } <= listed


def test_the_readme_sample_payload_is_what_the_actions_send():
    """The README's REST sample: the payload's keys and a real evidence sentence of the department it names."""
    import re

    from actions.payload import build
    from knowledge.loader import load_knowledge
    from retrieval import Engine

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sample = json.loads(re.search(r"```json\n(\{.*?\})\n```", readme, re.S).group(1).replace('"…"', '"x"'))
    custom = sample["custom"]
    answer = Engine.load().ask("公积金贷款逾期了找谁")
    real = build("department_answer", answer.language, [(answer.top, [e.zh for e in answer.top.evidence])])
    assert set(custom) == set(real) and set(custom["departments"][0]) == set(real["departments"][0])
    shown = custom["departments"][0]
    assert shown["id"] == real["departments"][0]["id"] and shown["hotline"] == real["departments"][0]["hotline"]
    duties = [d.zh for d in load_knowledge().get(shown["id"]).duties]
    assert shown["evidence"][0] in duties and shown["evidence"][0] == real["departments"][0]["evidence"][0]
