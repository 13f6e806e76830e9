"""Conversations through the real REST channel, Rasa server and action server."""

from __future__ import annotations

import pytest

from tests.support.questions import CLARIFY_EN, CLARIFY_ZH, first_with_verdict

pytestmark = pytest.mark.e2e

PAYLOAD_KEYS = {"type", "language", "departments"}
DEPARTMENT_KEYS = {"id", "org", "org_name", "org_zh", "hotline", "name", "zh", "score", "evidence"}


def check_payload(payload: dict, kind: str, language: str) -> None:
    # department_info also says whether the department has duties not listed yet ("what else?")
    assert set(payload) == (PAYLOAD_KEYS | {"more"} if kind == "department_info" else PAYLOAD_KEYS)
    if kind == "department_info":
        assert isinstance(payload["more"], bool)
    assert payload["type"] == kind and payload["language"] == language
    for d in payload["departments"]:
        assert set(d) == DEPARTMENT_KEYS
        assert isinstance(d["score"], float) and all(isinstance(e, str) for e in d["evidence"])


def test_who_handles_in_english(chat, engine):
    reply = chat().say("Who handles labour dispute arbitration?")
    assert [("text" in m, "custom" in m) for m in reply.messages] == [
        (True, False),
        (False, True),
    ], "text first, payload last"
    check_payload(reply.payload, "department_answer", "en")
    dept = reply.payload["departments"][0]
    assert dept["id"] == "hrss.mediation-arbitration"
    assert 1 <= len(dept["evidence"]) <= 3
    assert "Mediation and Arbitration Management Office (调解仲裁管理处)" in reply.text
    assert "12333" in reply.text and "12329" not in reply.text
    assert all(e in reply.text for e in dept["evidence"])


def test_who_handles_in_chinese(chat):
    reply = chat().say("外国专家来沪工作找哪个部门？")
    check_payload(reply.payload, "department_answer", "zh")
    assert reply.top_id == "hrss.foreign-experts"
    assert "外国专家和留学人员处（国际合作处）（Office of Foreign Experts" in reply.text
    assert "12333" in reply.text


@pytest.mark.parametrize(
    ("question", "language", "place"),
    [("深圳的社保断缴了怎么补缴", "zh", "深圳"), ("How do I withdraw my housing fund in Beijing?", "en", "Beijing")],
)
def test_another_city_gets_other_city_with_both_hotlines(chat, question, language, place):
    reply = chat().say(question)
    check_payload(reply.payload, "other_city", language)
    assert reply.payload["departments"] == []
    assert place in reply.text and "12333" in reply.text and "12329" in reply.text


def test_traditional_characters_get_the_same_department_as_simplified(chat):
    simplified = chat().say("公司拖欠工资三个月了怎么办")
    traditional = chat().say("公司拖欠工資三個月了怎麼辦")
    assert traditional.payload["type"] == simplified.payload["type"] != "no_answer"
    assert [d["id"] for d in traditional.payload["departments"]] == [d["id"] for d in simplified.payload["departments"]]
    assert traditional.payload["language"] == "zh"


def start_clarification(chat, engine, questions, language):
    """A new conversation that asks the first of `questions` the engine clarifies: (conversation, reply, offered ids)."""
    conversation = chat()
    reply = conversation.say(first_with_verdict(engine, questions, "clarify"))
    check_payload(reply.payload, "clarify", language)
    return conversation, reply, [d["id"] for d in reply.payload["departments"]]


def test_clarification_then_button_click(chat, engine):
    conversation, reply, offered = start_clarification(chat, engine, CLARIFY_EN, "en")
    assert 2 <= len(offered) <= 3 and len(reply.buttons) == len(offered)
    assert reply.buttons[1]["payload"] == f'/choose_option{{"department":"{offered[1]}"}}'
    chosen = conversation.say(reply.buttons[1]["payload"])
    check_payload(chosen.payload, "department_answer", "en")
    assert chosen.top_id == offered[1]


def test_clarification_then_the_second_one(chat, engine):
    conversation, _, offered = start_clarification(chat, engine, CLARIFY_EN, "en")
    chosen = conversation.say("the second one")
    assert chosen.top_id == offered[1]


def test_clarification_in_chinese_then_di_er_ge(chat, engine):
    conversation, _, offered = start_clarification(chat, engine, CLARIFY_ZH, "zh")
    chosen = conversation.say("第二个")
    check_payload(chosen.payload, "department_answer", "zh")
    assert chosen.top_id == offered[1]
    assert "相关职责" in chosen.text


def test_button_click_keeps_the_chinese_language(chat, engine):
    question = first_with_verdict(engine, CLARIFY_ZH, "clarify")
    conversation = chat()
    reply = conversation.say(question)
    chosen = conversation.say(reply.buttons[0]["payload"])
    assert chosen.payload["language"] == "zh" and "咨询热线" in chosen.text


def test_department_lookup_and_follow_ups_in_english(chat):
    conversation = chat()
    info = conversation.say("What does the Wage Office do?")
    check_payload(info.payload, "department_info", "en")
    assert info.top_id == "hrss.wages"
    first = info.payload["departments"][0]["evidence"]
    more = conversation.say("what else do they handle?")
    check_payload(more.payload, "department_info", "en")
    assert more.top_id == "hrss.wages"
    assert more.payload["departments"][0]["evidence"] and not set(first) & set(
        more.payload["departments"][0]["evidence"]
    )
    org = conversation.say("which organisation is that?")
    assert "Shanghai Municipal Human Resources and Social Security Bureau" in org.text and "12333" in org.text
    assert org.top_id == "hrss.wages"


def test_department_lookup_and_follow_up_in_chinese(chat):
    conversation = chat()
    info = conversation.say("贷款管理处是做什么的？")
    check_payload(info.payload, "department_info", "zh")
    assert info.top_id == "hpf.loans"
    more = conversation.say("那个部门还管什么？")
    check_payload(more.payload, "department_info", "zh")
    assert more.top_id == "hpf.loans" and "贷款管理处" in more.text


def test_follow_up_after_an_answer(chat):
    conversation = chat()
    answer = conversation.say("Who handles labour dispute arbitration?")
    shown = set(answer.payload["departments"][0]["evidence"])
    more = conversation.say("what else do they handle?")
    assert more.top_id == "hrss.mediation-arbitration"
    assert not shown & set(more.payload["departments"][0]["evidence"])


@pytest.mark.parametrize(
    "question, language",
    [
        ("What's the weather like tomorrow?", "en"),
        ("明天天气怎么样？", "zh"),
        ("Recommend a good hotpot restaurant", "en"),
    ],
)
def test_out_of_scope_gets_no_department(chat, question, language):
    reply = chat().say(question)
    assert all(p["departments"] == [] for p in reply.payloads)
    assert "12333" in reply.text and "12329" in reply.text
    if reply.payloads:
        check_payload(reply.payload, "no_answer", language)


def test_hotline_without_context_gives_both(chat):
    reply = chat().say("what's the hotline?")
    assert "12333" in reply.text and "12329" in reply.text


def test_hotline_follows_the_last_department(chat):
    conversation = chat()
    conversation.say("公积金贷款逾期了找谁")
    reply = conversation.say("热线是多少")
    assert "12329" in reply.text and "12333" not in reply.text


@pytest.mark.parametrize(
    "message, expected",
    [
        ("hello", "Hello"),
        ("你好", "您好"),
        ("thanks!", "welcome"),
        ("谢谢", "不客气"),
        ("are you a bot?", "automated"),
        ("你是机器人吗", "自动"),
        ("what can you do?", "Describe your problem"),
        ("bye", "Goodbye"),
    ],
)
def test_small_talk_follows_the_language(chat, message, expected):
    reply = chat().say(message)
    assert expected in reply.text and reply.payloads == []


@pytest.mark.parametrize("command", ["/restart", "/session_start", "/back"])
def test_rasa_conversation_commands_are_confirmed_not_apologised_for(chat, command):
    conversation = chat()
    conversation.say("Who handles labour dispute arbitration?")
    reply = conversation.say(command)
    assert reply.text and "Sorry" not in reply.text and "抱歉" not in reply.text
    assert "12333" not in reply.text, "no outage message with the hotlines"
    after = conversation.say("Who handles labour dispute arbitration?")
    assert after.top_id == "hrss.mediation-arbitration", "the conversation goes on normally"
