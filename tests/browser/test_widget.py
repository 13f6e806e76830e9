"""Citizen widget in a real browser against the real stack (Rasa + actions + retrieval + web)."""

from __future__ import annotations

import re
import sqlite3

import pytest
from staff_helpers import sign_in
from widget_helpers import answered, ask, last_turn_departments, open_widget, sender

from tests.support.questions import CLARIFY_EN, first_with_verdict

pytestmark = pytest.mark.browser

# Questions written for these tests (not taken from any evaluation set), each naming one department's duty plainly.
EN_QUESTION = "Where do I apply for labour dispute arbitration?"
EN_DEPARTMENT = "hrss.mediation-arbitration"
ZH_QUESTION = "公积金提取找哪个部门办理"
ZH_DEPARTMENT = "hpf.collection"
INJECTED = "<img src=x onerror=alert(1)>"


def test_english_and_chinese_questions_get_the_right_department_and_survive_reload(stack, desktop):
    page = desktop.page
    open_widget(page, stack.web_url)
    assert page.evaluate("document.querySelector('#whohandles-widget').shadowRoot.activeElement.id") == "wh-input"

    ask(page, EN_QUESTION)
    assert last_turn_departments(page)[:1] == [EN_DEPARTMENT]
    assert page.locator("#wh-input").get_attribute("placeholder").startswith("Describe")
    assert page.locator(".wh-card-main .wh-evidence li").last.text_content().strip()

    ask(page, ZH_QUESTION)
    assert last_turn_departments(page)[:1] == [ZH_DEPARTMENT]
    assert page.locator(".wh-title").text_content() == "我的问题找哪个部门？"  # the interface followed the user
    desktop.shot("widget-desktop.png")

    who = sender(page)
    page.reload()
    page.locator(".wh-panel").wait_for(state="visible")  # it was open: it stays open
    bubbles = page.locator(".wh-user .wh-bubble").all_text_contents()
    assert bubbles == [EN_QUESTION, ZH_QUESTION]
    assert [c for c in page.locator(".wh-card-main").evaluate_all("cs => cs.map(c => c.dataset.departmentId)")] == [
        EN_DEPARTMENT,
        ZH_DEPARTMENT,
    ]
    assert sender(page) == who


def test_clarification_buttons_can_be_clicked(stack, desktop, engine):
    page = desktop.page
    open_widget(page, stack.web_url)
    ask(page, first_with_verdict(engine, CLARIFY_EN, "clarify"))
    choices = page.locator(".wh-choices:not(.wh-examples) .wh-choice:not([disabled])")
    assert choices.count() >= 2, "the assistant should offer departments to choose from"
    for i in range(choices.count()):  # each choice says whose it is, its hotline and the duty behind it
        option = choices.nth(i)
        assert re.search(r"12333|12329", option.locator(".wh-option-org").text_content())
        assert option.locator(".wh-option-why").text_content().strip()
    label = choices.first.locator(".wh-option-title").text_content()
    desktop.shot("widget-clarify.png")
    before = answered(page)
    choices.first.click()
    page.locator(f'.wh-log[data-answered="{before + 1}"]').wait_for(state="attached")
    assert page.locator(".wh-user .wh-bubble").last.text_content() == label
    assert page.locator(".wh-chosen .wh-option-title").first.text_content() == label
    assert last_turn_departments(page), "choosing a department shows its card"


def test_another_city_gets_the_shanghai_only_note_with_both_hotlines(stack, desktop):
    page = desktop.page
    open_widget(page, stack.web_url)
    ask(page, "北京的公积金怎么提取出来付房租")
    note = page.locator(".wh-other-city").last
    assert "北京" in note.locator(".wh-bubble").text_content()
    assert sorted(note.locator("a[href^='tel:']").evaluate_all("els => els.map(e => e.getAttribute('href'))")) == [
        "tel:12329",
        "tel:12333",
    ]
    assert last_turn_departments(page) == []
    desktop.shot("widget-other-city.png")


def test_injected_html_is_shown_as_text_and_runs_nothing(stack, desktop):
    page = desktop.page
    open_widget(page, stack.web_url)
    ask(page, INJECTED)
    assert page.locator(".wh-user .wh-bubble").last.text_content() == INJECTED
    assert page.get_by_text(INJECTED, exact=True).first.is_visible()
    assert page.locator("#whohandles-widget img, .wh-log img").count() == 0
    assert (
        page.evaluate("document.querySelector('#whohandles-widget').shadowRoot.querySelectorAll('[onerror]').length")
        == 0
    )
    page.wait_for_timeout(300)
    assert desktop.dialogs == []


def vote_on_answer(page, web_url: str, question: str, thumb: str) -> None:
    """Open the widget, ask `question` and press 👍 ("up") or 👎 ("down") under the answer until it shows pressed."""
    open_widget(page, web_url)
    ask(page, question)
    page.locator(f".wh-feedback .wh-{thumb}").last.click()
    page.locator(f".wh-feedback .wh-{thumb}[aria-pressed='true']").last.wait_for()


def test_thumbs_up_is_stored_in_sqlite(stack, desktop):
    page = desktop.page
    vote_on_answer(page, stack.web_url, EN_QUESTION, "up")
    with sqlite3.connect(stack.feedback_db) as db:
        rows = db.execute(
            "SELECT sender, question, answer, department_id, vote FROM votes WHERE sender = ?", (sender(page),)
        ).fetchall()
    assert len(rows) == 1
    who, question, answer, department, vote = rows[0]
    assert (question, department, vote) == (EN_QUESTION, EN_DEPARTMENT, "up")
    assert answer.strip()
    page.reload()  # the vote is remembered with the conversation
    page.locator(".wh-feedback .wh-up[aria-pressed='true']").last.wait_for()


def test_thumbs_down_shows_up_in_the_gaps_page(stack, desktop):
    page = desktop.page
    vote_on_answer(page, stack.web_url, ZH_QUESTION, "down")
    sign_in(page, stack, "/agent/gaps")
    row = page.locator("tr", has_text=ZH_QUESTION)
    assert row.count() >= 1 and ZH_DEPARTMENT in row.first.text_content()


def test_keyboard_only(stack, desktop):
    page = desktop.page
    page.goto(stack.web_url + "/")
    page.locator(".wh-launcher").focus()
    page.keyboard.press("Enter")
    active = "document.querySelector('#whohandles-widget').shadowRoot.activeElement"
    page.wait_for_function(f"{active} && {active}.id === 'wh-input'")
    before = answered(page)
    page.keyboard.type(EN_QUESTION)
    page.keyboard.press("Enter")
    page.locator(f'.wh-log[data-answered="{before + 1}"]').wait_for(state="attached")
    assert last_turn_departments(page)[:1] == [EN_DEPARTMENT]
    page.keyboard.press("Tab")
    assert page.evaluate(f"{active}.getAttribute('aria-label')") == "Send"
    page.keyboard.press("Escape")
    assert page.locator(".wh-panel").is_hidden()
    assert page.evaluate(f"{active}.classList.contains('wh-launcher')")
    for label in page.locator("#whohandles-widget button").evaluate_all(
        "bs => bs.filter(b => b.offsetParent !== null).map(b => b.getAttribute('aria-label') || b.textContent.trim())"
    ):
        assert label, "every visible button has a name"


def test_phone_screen(stack, phone):
    page = phone.page
    open_widget(page, stack.web_url)
    box = page.locator(".wh-panel").bounding_box()
    assert box["width"] == 390 and box["height"] >= 800, "the open chat fills a phone screen"
    ask(page, ZH_QUESTION)
    assert last_turn_departments(page)[:1] == [ZH_DEPARTMENT]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling"
    phone.shot("widget-phone.png")
