"""Evidence that explains the answer: the first duty shown is one that justifies the department.

Hand-written questions (not from any evaluation file), the duty-labelled set's shape, and `whohandles eval`
reporting evidence precision@1 on a labelled file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from embeddings.corpus import Passage
from retrieval.evaluate import evaluate, headline, read_cases
from retrieval.lexical import DutyIndex
from retrieval.tokenize import tokens

EVIDENCE_SET = Path(__file__).resolve().parents[1] / "data" / "evidence.jsonl"


def _duty_number(engine, dept_id: str, opening: str) -> int:
    duties = engine.knowledge.get(dept_id).duties
    return next(n for n, d in enumerate(duties, 1) if d.en.startswith(opening))


@pytest.mark.parametrize(
    ("question", "dept_id", "openings"),
    [
        # The examples: an overdue loan is risk management or borrower credit, not securitisation ...
        (
            "公积金贷款逾期了找谁",
            "hpf.loans",
            (
                "Responsible for drafting and formulating provident fund loan risk",
                "Responsible for establishing a borrower credit",
            ),
        ),
        # ... a pension transfer is the transfer duty, not the migrant workers' pension policy ...
        (
            "养老保险关系怎么转到上海",
            "hrss.urban-pension",
            ("Responsible for formulating the transfer and continuation",),
        ),
        # ... and a foreigner's work permit is foreigners' employment, not overseas students' residence.
        (
            "外国人来上海工作的工作许可归哪里管",
            "hrss.foreign-experts",
            (
                "To undertake the work permit of foreign experts",
                "Responsible for the employment management of people outside",
                "To undertake the daily work of the Municipal Employment",
            ),
        ),
        ("my provident fund app won't let me log in", "hpf.internet", ("Responsible for the development, operation",)),
    ],
)
def test_the_first_duty_shown_justifies_the_department(engine, question, dept_id, openings):
    answer = engine.ask(question)
    assert answer.departments[0].id == dept_id
    wanted = {_duty_number(engine, dept_id, o) for o in openings}
    first = answer.departments[0].evidence[0]
    assert first.duty in wanted, (first.duty, first.en)
    dept = engine.knowledge.get(dept_id)
    assert first.en == dept.duties[first.duty - 1].en and first.zh == dept.duties[first.duty - 1].zh


def test_words_every_duty_shares_weigh_nothing_among_a_departments_duties():
    passages = [
        Passage("d", "duty", "en", "provident fund loan risk", 0),
        Passage("d", "duty", "en", "provident fund loan securitisation", 1),
        Passage("d", "duty", "en", "provident fund loan statistics", 2),
        Passage("d", "duty", "en", "provident fund loan entrustment", 3),
        Passage("d", "service", "en", "provident fund overdue repayment", 0),
    ]
    index = DutyIndex(passages)
    assert index.scores("d", tokens("provident fund")) == {}  # nothing tells the duties apart
    scores = index.scores("d", tokens("provident fund overdue"))
    assert scores[0] == 1.0 and scores[1] == scores[2] == 0.0  # the service under duty 0 counts for it


def test_a_word_common_across_the_catalogue_counts_for_less_than_a_word_rare_everywhere():
    # In department "d" both "employer" and "maternity" occur in one duty only; across the catalogue
    # "employer" is in every other department's duties too, "maternity" nowhere else.
    passages = [
        Passage("d", "duty", "en", "employer pension institutions", 0),
        Passage("d", "duty", "en", "maternity pension insurance", 1),
        Passage("d", "duty", "en", "pension statistics", 2),
    ] + [Passage(f"o{i}", "duty", "en", f"employer topic{i}", 0) for i in range(6)]
    scores = DutyIndex(passages).scores("d", tokens("employer maternity"))
    assert scores[1] > scores[0] > scores[2] == 0.0


def test_the_labelled_set_is_large_bilingual_and_refers_to_real_duties(engine):
    rows = [json.loads(line) for line in EVIDENCE_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 150
    assert {r["lang"] for r in rows} == {"en", "zh"} and min(
        sum(r["lang"] == x for r in rows) for x in ("en", "zh")
    ) >= 50
    for r in rows:
        duties = engine.knowledge.get(r["department"]).duties
        assert r["duties"] and all(1 <= n <= len(duties) for n in r["duties"]), r
        # two independent annotators; a duty justifies the department when either judged it does
        assert len(r["annotations"]) == 2 and set(r["duties"]) == set().union(*r["annotations"]), r


def test_eval_reports_evidence_precision_at_1(engine, tmp_path):
    loans = engine.knowledge.get("hpf.loans").duties
    risk = _duty_number(engine, "hpf.loans", "Responsible for drafting and formulating provident fund loan risk")
    securitisation = next(n for n, d in enumerate(loans, 1) if "securit" in d.en)
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text(
        "\n".join(
            json.dumps(r, ensure_ascii=False)
            for r in [
                {
                    "question": "公积金贷款逾期了找谁",
                    "lang": "zh",
                    "department": "hpf.loans",
                    "duties": [risk, securitisation],
                    "annotations": [[risk], [securitisation]],
                },
                {
                    "question": "公积金贷款逾期了怎么办",
                    "lang": "zh",
                    "department": "hpf.loans",
                    "duties": [securitisation],
                    "annotations": [[securitisation], [securitisation]],
                },
            ]
        ),
        encoding="utf-8",
    )
    cases = read_cases(labelled, set(engine.knowledge.ids))
    figures = headline(evaluate(engine, cases), len(cases))
    assert figures["top1"] == 1.0
    assert figures["evidence_p1"] == 0.5  # one first duty is the labelled one, the other is not
    assert figures["evidence_p1_by_annotator"] == [0.5, 0.0]  # the risk duty only the first annotator chose
