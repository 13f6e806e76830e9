"""action_answer against the real engine: text, payload and slots for answer / clarify / no answer."""

from __future__ import annotations

import pytest

from actions.answer import ActionAnswer
from tests.support.actions import run, tracker

CLARIFY_EN = ["Who handles pensions?", "Who handles my provident fund account?", "Who handles social security?"]
PAYLOAD_KEYS = {"type", "language", "departments"}
DEPARTMENT_KEYS = {"id", "org", "org_name", "org_zh", "hotline", "name", "zh", "score", "evidence"}

pytestmark = pytest.mark.usefixtures("private_feedback_db")  # tests/unit/conftest.py


def test_answer_in_english(engine):
    result = run(ActionAnswer(), tracker("Who handles labour dispute arbitration?"))
    assert [bool(m.get("text")) for m in result.messages] == [True, False], "text first, payload last"
    payload = result.payload
    assert set(payload) == PAYLOAD_KEYS and payload["type"] == "department_answer" and payload["language"] == "en"
    [dept] = payload["departments"]
    assert set(dept) == DEPARTMENT_KEYS and dept["id"] == "hrss.mediation-arbitration"
    assert dept["name"] == engine.knowledge.get("hrss.mediation-arbitration").name
    assert 1 <= len(dept["evidence"]) <= 3
    duties = [d.en for d in engine.knowledge.get(dept["id"]).duties]
    assert all(e in duties for e in dept["evidence"]), "evidence is verbatim duty text"
    assert "Mediation and Arbitration Management Office (调解仲裁管理处)" in result.text
    assert "Hotline: 12333" in result.text and "12329" not in result.text
    assert result.slots["last_departments"] == ["hrss.mediation-arbitration"]
    assert result.slots["shown_duties"] and result.slots["candidates"] is None


def test_answer_in_chinese_names_the_department_in_both_languages(engine):
    result = run(ActionAnswer(), tracker("劳动争议仲裁找谁"))
    assert result.payload["language"] == "zh"
    dept = result.payload["departments"][0]
    assert dept["id"] == "hrss.mediation-arbitration"
    assert "调解仲裁管理处（Mediation and Arbitration Management Office）" in result.text
    assert "咨询热线：12333" in result.text
    zh_duties = [d.zh for d in engine.knowledge.get(dept["id"]).duties]
    assert all(e in zh_duties for e in dept["evidence"])


def test_hotline_comes_from_knowledge(engine):
    result = run(ActionAnswer(), tracker("公积金贷款逾期了找谁"))
    dept = engine.knowledge.get(result.payload["departments"][0]["id"])
    assert dept.org == "hpf" and dept.organization.hotline in result.text


def test_clarify_offers_buttons_that_set_the_choice(engine):
    question = next((q for q in CLARIFY_EN if engine.ask(q).verdict == "clarify"), None)
    assert question, f"none of {CLARIFY_EN} is ambiguous for the engine any more"
    result = run(ActionAnswer(), tracker(question))
    payload = result.payload
    assert payload["type"] == "clarify" and 2 <= len(payload["departments"]) <= 3
    ids = [d["id"] for d in payload["departments"]]
    assert [b["payload"] for b in result.buttons] == [f'/choose_option{{"department":"{i}"}}' for i in ids]
    assert result.slots["candidates"] == ids and result.slots["pending_question"] == question
    scores = [d["score"] for d in payload["departments"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    "question", ["What's the weather like tomorrow?", "明天天气怎么样", "How do I renew my passport?"]
)
def test_no_answer_is_honest_and_gives_both_hotlines(question):
    result = run(ActionAnswer(), tracker(question, intent="out_of_scope"))
    assert result.payload == {"type": "no_answer", "language": result.payload["language"], "departments": []}
    assert "12333" in result.text and "12329" in result.text


def test_no_answer_is_recorded_for_the_maintainers(tmp_path):
    pytest.importorskip("feedback.store")
    import sqlite3

    db = tmp_path / "feedback.db"
    run(ActionAnswer(), tracker("Where can I buy a cheap bicycle?", intent="out_of_scope", sender="citizen-7"))
    rows = sqlite3.connect(db).execute("SELECT sender, question, language FROM unanswered").fetchall()
    assert rows == [("citizen-7", "Where can I buy a cheap bicycle?", "en")]


def test_out_of_scope_intent_still_offers_choices_when_the_engine_is_unsure(engine):
    """NLU's out-of-scope guess does not overrule the engine: an in-domain question it is unsure about gets
    the likely departments as choices, never a flat refusal."""
    for question in CLARIFY_EN:
        if engine.ask(question).verdict == "clarify":
            result = run(ActionAnswer(), tracker(question, intent="out_of_scope"))
            assert result.payload["type"] == "clarify" and len(result.payload["departments"]) >= 2
            return
    pytest.fail("no question in CLARIFY_EN gets a clarification any more")


def test_nlu_fallback_still_answers_a_clear_question():
    result = run(ActionAnswer(), tracker("Who handles labour dispute arbitration?", intent="nlu_fallback"))
    assert result.payload["type"] == "department_answer"
