"""The engine on hand-written questions in both languages (not from any evaluation file)."""

from __future__ import annotations

import re

import pytest

from retrieval import Engine, detect_language


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("公积金贷款逾期了找谁", "hpf.loans"),
        ("my boss hasn't paid our social insurance for three months, who can force him to?", "hrss.labor-inspection"),
        (
            "I want to apply for arbitration against my former employer over a labour dispute",
            "hrss.mediation-arbitration",
        ),
        ("申请失业保险金的政策是哪个处定的？", "hrss.employment"),
        ("外国人来上海工作的工作许可归哪里管", "hrss.foreign-experts"),
        ("provident fund withdrawal rules", "hpf.collection"),
        ("定点药店刷医保卡违规怎么举报", "hrss.designated-medical"),
        ("Which office runs the 12329 hotline and the provident fund WeChat account?", "hpf.internet"),
    ],
)
def test_hand_written_questions_rank_the_right_department_first(engine, question, expected):
    answer = engine.ask(question)
    assert answer.departments[0].id == expected, [(d.id, d.score) for d in answer.departments]
    assert answer.verdict in ("answer", "clarify")


@pytest.mark.parametrize(
    "question", ["How do I renew my passport?", "推荐一家好吃的火锅店", "what's the weather tomorrow"]
)
def test_out_of_scope_gets_no_answer(engine, question):
    assert engine.ask(question).verdict == "no_answer"


def test_answer_carries_names_hotline_and_evidence(engine):
    answer = engine.ask("公积金贷款逾期了找谁", k=3)
    top = answer.top
    assert answer.language == "zh"
    assert len(answer.departments) == 3
    assert (top.org, top.hotline, top.zh) == ("hpf", "12329", "贷款管理处")
    assert 1 <= len(top.evidence) <= 3
    assert "风险" in top.evidence[0].zh  # overdue loans: the loan risk-management duty comes first
    assert all(re.search("贷款|借款", e.zh) and re.search("loan|borrow", e.en, re.I) for e in top.evidence)
    scores = [d.score for d in answer.departments]
    assert scores == sorted(scores, reverse=True) and 0 <= scores[-1] <= scores[0] <= 1


def test_bad_input_never_raises(engine):
    for text in ["", "   ", "\x00\x01\x02", "？？？", "<img src=x onerror=alert(1)>", "a" * 20000, "🙂" * 50]:
        answer = engine.ask(text)
        assert answer.verdict == "no_answer" or answer.departments


def test_find_department_by_name(engine):
    assert engine.find_department("工资处是做什么的") == "hrss.wages"
    assert engine.find_department("What does the Loan Management Office do?") == "hpf.loans"
    assert engine.find_department("what does the Medical Insurance Payment Office do") == "hrss.medical-insurance"
    assert engine.find_department("公积金中心办公室管什么") == "hpf.office"
    assert engine.find_department("hello there") is None


def test_describe_lists_every_duty(engine):
    info = engine.describe("hrss.wages")
    assert len(info.evidence) == len(engine.knowledge.get("hrss.wages").duties)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("公积金贷款逾期了", "zh"),
        ("provident fund loan", "en"),
        ("12329 公积金 loan", "zh"),
        ("", "en"),
        ("HRSS 社保", "zh"),
    ],
)
def test_detect_language(text, language):
    assert detect_language(text) == language


def test_long_queries_are_cut_to_the_token_budget(engine):
    encoder = engine.encoder
    long_question = "My employer has not paid my wages for three months and keeps saying next week. " * 4
    cut = encoder.truncate(long_question)
    assert long_question.startswith(cut) and len(cut) < len(long_question)
    assert encoder._model.token_count(cut, True) <= encoder.query_max_tokens
    assert encoder.truncate("公积金贷款逾期") == "公积金贷款逾期"  # short queries are untouched
    assert long_question.split()[len(cut.split()) - 1] == cut.split()[-1]  # cut between words, not inside one


def test_a_long_question_loses_its_stopwords_before_its_content(engine):
    question = "Hello, I hope you can help me because I do not know where I should go: " * 2 + "unpaid wages"
    assert engine.encoder.token_count(question) > engine.encoder.query_max_tokens
    dense = engine.dense_query(question)
    assert engine.encoder.token_count(engine.encoder.truncate(dense)) <= engine.encoder.query_max_tokens
    assert engine.encoder.truncate(dense).endswith("unpaid wages")
    assert engine.dense_query("公积金贷款逾期了找谁") == "公积金贷款逾期了找谁"  # within budget: as typed


def test_the_encoder_uses_every_core_by_default(engine):
    import os

    assert engine.encoder.threads == (int(os.environ.get("WHOHANDLES_ENCODER_THREADS") or os.cpu_count()))


@pytest.mark.parametrize(
    "question, org",
    [
        ("公积金中心的党员发展归哪个处？", "hpf"),
        ("I want to report corruption by a social security official", "hrss"),
        ("人社系统的干部作风问题向谁举报", "hrss"),
        ("公积金能不能用来交社保？", None),  # both organisations' business: no preference
        ("how do I renew my passport", None),
    ],
)
def test_the_organisation_a_question_names(engine, question, org):
    assert engine.named_org(question) == org


def test_naming_an_organisation_ranks_its_departments_first(engine):
    for question, org in [
        ("公积金中心的党员发展和入党积极分子培养找哪个部门？", "hpf"),
        ("人社局机关的党员发展和入党积极分子培养找哪个部门？", "hrss"),
    ]:
        assert engine.ask(question).top.org == org


def test_a_guessed_department_name_does_not_outrank_the_need(engine):
    question = "我们公司要一次性裁员三十多人，需要向人社局报告裁员情况，这是就业促进处管的吧？"
    assert "就业促进处" not in engine.need(question)
    assert engine.ask(question).top.id == "hrss.industrial-relations"


def test_a_question_about_a_named_department_keeps_the_name(engine):
    question = "What does the Wage Office at Shanghai HRSS actually handle?"
    assert engine.need(question) == question
    assert engine.ask(question).top.id == "hrss.wages"


@pytest.mark.parametrize(
    ("question", "place"),
    [
        ("北京公积金租房提取需要什么材料", "北京"),
        ("How do I claim unemployment benefit in Hangzhou?", "Hangzhou"),
        ("深圳社保断缴了怎么补", "深圳"),
    ],
)
def test_another_city_is_recognised(engine, question, place):
    answer = engine.ask(question)
    assert (answer.verdict, answer.place, answer.departments) == ("other_city", place, ())


@pytest.mark.parametrize(
    "question",
    [
        "北京的社保怎么转到上海",  # moving to Shanghai is Shanghai's business
        "I moved from Chengdu to Shanghai, how do I transfer my pension?",
        "南京西路那边的公积金提取",  # a Shanghai street named after a city
    ],
)
def test_shanghai_questions_naming_another_place_are_not_other_city(engine, question):
    assert engine.ask(question).verdict in ("answer", "clarify")


def _ranked(dept_id: str, score: float):
    from retrieval.types import RankedDepartment

    return RankedDepartment(dept_id, "hrss", dept_id, dept_id, "HRSS", "人社局", "12333", score)


@pytest.mark.parametrize(
    ("verdict", "scores", "offered"),
    [
        ("answer", (0.8, 0.1, 0.05), ["a"]),  # a clear answer: one department
        ("answer", (0.5, 0.2, 0.05), ["a", "b"]),  # a second that still scores 30 % of the first: also possible
        ("clarify", (0.4, 0.3, 0.05), ["a", "b"]),  # choices: always two, a third only at 30 % of the first
        ("clarify", (0.4, 0.3, 0.2), ["a", "b", "c"]),
        ("no_answer", (0.05, 0.04, 0.01), []),
        ("other_city", (), []),
    ],
)
def test_what_the_user_is_offered(verdict, scores, offered):
    from retrieval.types import Answer

    answer = Answer("q", "en", verdict, 0.5, 0.1, tuple(_ranked(i, s) for i, s in zip("abc", scores, strict=False)))
    assert [d.id for d in answer.offered] == offered
