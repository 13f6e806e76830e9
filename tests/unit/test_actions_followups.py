"""Clarification choices, department lookups, follow-ups and hotlines against the real engine."""

from __future__ import annotations

import pytest

from actions.clarify import ActionChooseOption, parse_choice
from actions.department_info import PAGE, ActionDepartmentInfo, ActionDepartmentMore, ActionOrganization
from actions.hotline import ActionHotline
from tests.support.actions import department_entity, run, tracker

CANDIDATES = ["hrss.urban-pension", "hrss.rural-pension", "hrss.fund-supervision"]

pytestmark = pytest.mark.usefixtures("private_feedback_db")  # tests/unit/conftest.py


@pytest.mark.parametrize(
    "text, index",
    [
        ("the first one", 0),
        ("the second one", 1),
        ("the third one", 2),
        ("2", 1),
        ("number 3", 2),
        ("option one", 0),
        ("the last one", 2),
        ("第二个", 1),
        ("第一个", 0),
        ("选第三个", 2),
        ("最后一个", 2),
        ("第2个", 1),
        ("选二", 1),
        ("I'll take the 2nd", 1),
        ("whatever", None),
        ("the fourth", None),
        ("4", None),
    ],
)
def test_parse_choice(text, index):
    assert parse_choice(text, 3) == index


@pytest.mark.parametrize("text, language", [("the second one", "en"), ("第二个", "zh")])
def test_choose_by_ordinal(text, language):
    slots = {"candidates": CANDIDATES, "pending_question": "Who handles pensions?"}
    result = run(ActionChooseOption(), tracker(text, "choose_option", slots))
    assert result.payload["type"] == "department_answer" and result.payload["language"] == language
    assert result.payload["departments"][0]["id"] == CANDIDATES[1]
    assert result.slots["candidates"] is None and result.slots["last_departments"] == [CANDIDATES[1]]


def test_choose_by_button_payload_keeps_the_previous_language():
    text = '/choose_option{"department":"hrss.rural-pension"}'
    entities = [{"entity": "department", "value": "hrss.rural-pension", "start": 0, "end": 0}]
    slots = {"candidates": CANDIDATES, "pending_question": "养老保险归谁管", "language": "zh"}
    result = run(ActionChooseOption(), tracker(text, "choose_option", slots, entities))
    assert result.payload["language"] == "zh" and result.payload["departments"][0]["id"] == "hrss.rural-pension"
    assert "农村养老保险处（Rural Endowment Insurance Department）" in result.text


def test_unclear_choice_asks_again_with_buttons():
    result = run(ActionChooseOption(), tracker("hmm, maybe", "choose_option", {"candidates": CANDIDATES}))
    assert len(result.buttons) == 3 and result.payloads == [] and result.events == []


def test_choice_without_options():
    result = run(ActionChooseOption(), tracker("the second one", "choose_option"))
    assert "nothing to choose" in result.text and result.payloads == []


def test_department_info_by_entity(engine):
    message = "What does the Wage Office do?"
    entities = [department_entity("Wage Office", "hrss.wages", message)]
    result = run(ActionDepartmentInfo(), tracker(message, "ask_department_info", entities=entities))
    payload = result.payload
    assert payload["type"] == "department_info" and payload["departments"][0]["id"] == "hrss.wages"
    duties = [d.en for d in engine.knowledge.get("hrss.wages").duties]
    assert payload["departments"][0]["evidence"] == duties[:PAGE]
    assert "Wage Office (工资处)" in result.text and "12333" in result.text
    assert result.slots["shown_duties"] == list(range(min(PAGE, len(duties))))


def test_department_info_by_name_without_entity():
    result = run(ActionDepartmentInfo(), tracker("贷款管理处是做什么的？", "ask_department_info"))
    assert result.payload["departments"][0]["id"] == "hpf.loans" and result.payload["language"] == "zh"
    assert "贷款管理处（Loan Management Office）" in result.text and "12329" in result.text


def test_department_info_without_a_department_answers_the_question():
    result = run(ActionDepartmentInfo(), tracker("who handles labour dispute arbitration?", "ask_department_info"))
    assert result.payload["type"] == "department_answer"


def test_what_else_shows_the_other_duties(engine):
    duties = engine.knowledge.get("hrss.wages").duties
    slots = {"last_departments": ["hrss.wages"], "shown_duties": [0, 1]}
    result = run(ActionDepartmentMore(), tracker("what else do they handle?", "ask_more", slots))
    shown = result.payload["departments"][0]["evidence"]
    assert shown == [d.en for d in duties[2 : 2 + PAGE]]
    assert result.slots["shown_duties"] == list(range(min(2 + PAGE, len(duties))))


def test_what_else_in_chinese_when_everything_was_shown(engine):
    count = len(engine.knowledge.get("hrss.wages").duties)
    slots = {"last_departments": ["hrss.wages"], "shown_duties": list(range(count))}
    result = run(ActionDepartmentMore(), tracker("那个部门还管什么？", "ask_more", slots))
    assert "都已经列出来了" in result.text
    assert len(result.payload["departments"][0]["evidence"]) == count


def test_what_else_without_context():
    result = run(ActionDepartmentMore(), tracker("what else?", "ask_more"))
    assert "Which department" in result.text and result.payloads == []


def test_which_organisation():
    result = run(
        ActionOrganization(),
        tracker("which organisation is that?", "ask_organization", {"last_departments": ["hpf.loans"]}),
    )
    assert "Shanghai Provident Fund Management Center" in result.text and "12329" in result.text
    assert result.payload["departments"][0]["id"] == "hpf.loans"


@pytest.mark.parametrize(
    "text, slots, present, absent",
    [
        ("what's the hotline?", {}, ["12333", "12329"], []),
        ("公积金热线是多少", {}, ["12329"], ["12333"]),
        ("what's the HRSS hotline number", {}, ["12333"], ["12329"]),
        ("what number do I call?", {"last_departments": ["hpf.loans"]}, ["12329"], ["12333"]),
        ("电话多少", {"last_departments": ["hrss.wages"]}, ["12333"], ["12329"]),
    ],
)
def test_hotline(text, slots, present, absent):
    result = run(ActionHotline(), tracker(text, "ask_hotline", slots))
    assert all(p in result.text for p in present) and not any(a in result.text for a in absent)


def test_an_engine_error_becomes_an_apology(monkeypatch, engine):
    def broken(*_a, **_k):
        raise RuntimeError("index corrupted")

    monkeypatch.setattr(engine, "ask", broken)
    from actions.answer import ActionAnswer

    result = run(ActionAnswer(), tracker("公积金贷款逾期了找谁"))
    assert "抱歉" in result.text and "12333" in result.text and "12329" in result.text


def test_hotline_about_a_topic_answers_with_the_department():
    result = run(
        ActionHotline(), tracker("which number do I call about my work injury insurance claim?", "ask_hotline")
    )
    assert result.payload["type"] == "department_answer"
    assert result.payload["departments"][0]["id"] == "hrss.injury-welfare" and "12333" in result.text


@pytest.mark.parametrize("text", ["what is the hotline?", "你们的热线电话号码是多少"])
def test_bare_hotline_question_never_becomes_a_department_answer(text):
    result = run(ActionHotline(), tracker(text, "ask_hotline"))
    assert result.payloads == [] and "12333" in result.text and "12329" in result.text


def test_follow_up_intent_without_context_but_with_a_real_question():
    result = run(ActionDepartmentMore(), tracker("what else can I do about labour dispute arbitration?", "ask_more"))
    assert result.payload["departments"][0]["id"] == "hrss.mediation-arbitration"


def test_department_named_with_its_organisation_beats_a_shorter_entity():
    message = "公积金中心的信访办公室管什么？"
    entities = [department_entity("信访办公室", "hrss.letters-and-calls", message)]  # what NLU may tag
    result = run(ActionDepartmentInfo(), tracker(message, "ask_department_info", entities=entities))
    assert result.payload["departments"][0]["id"] == "hpf.office"


def test_hotline_question_with_a_topic_and_an_organisation_answers_the_topic():
    message = "The provident fund app never shows my loan balance, who runs the app and its hotline number?"
    result = run(ActionHotline(), tracker(message, "ask_hotline"))
    assert result.payload["type"] in ("department_answer", "clarify")
    assert result.payload["departments"][0]["id"] == "hpf.internet"


@pytest.mark.parametrize(
    "text", ["公积金热线是多少？", "公积金中心热线是多少", "What is the provident fund centre hotline?"]
)
def test_bare_hotline_question_with_an_organisation_gives_its_number(text):
    result = run(ActionHotline(), tracker(text, "ask_hotline"))
    assert result.payloads == [] and "12329" in result.text and "12333" not in result.text
