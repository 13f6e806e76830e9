"""Hotline agent console in a real browser: keyboard-first lookup, highlights, copy for call notes."""

from __future__ import annotations

import pytest
from staff_helpers import sign_in

pytestmark = pytest.mark.browser

KEYWORDS = "labour dispute arbitration"
DEPARTMENT = "hrss.mediation-arbitration"
ZH_KEYWORDS = "职称评审"
ZH_DEPARTMENT = "hrss.professional-technical"


def _lookup(page, text: str) -> None:
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    page.locator(f'#results[data-query="{text}"]').wait_for(state="attached")


def test_console_answers_a_keyword_query_with_the_right_department_first(stack, desktop):
    page = desktop.page
    sign_in(page, stack, "/agent")
    assert page.evaluate("document.activeElement.id") == "q", "focus starts in the search box"

    _lookup(page, ZH_KEYWORDS)
    assert page.locator("#results > li").first.get_attribute("data-department-id") == ZH_DEPARTMENT

    page.keyboard.press("Escape")
    _lookup(page, KEYWORDS)
    cards = page.locator("#results > li")
    assert cards.count() == 3
    first = cards.first
    assert first.get_attribute("data-department-id") == DEPARTMENT
    assert first.locator(".name-zh").text_content().strip()
    assert first.locator(".hotline").text_content().strip().endswith("12333")
    assert first.locator("mark").count() >= 1, "matched words are highlighted"
    assert "%" in first.locator(".conf-num").text_content()
    assert int(page.locator("#status").get_attribute("data-ms")) >= 0, "the status shows the lookup's time"
    desktop.shot("console.png")

    page.keyboard.press("Control+Enter")
    page.locator("#toast").wait_for(state="visible")
    copied = page.evaluate("document.body.dataset.copied")
    assert DEPARTMENT in copied and KEYWORDS in copied
    assert page.evaluate("navigator.clipboard.readText()") == copied


def test_console_rejects_nothing_typed_and_renders_html_as_text(stack, desktop):
    page = desktop.page
    sign_in(page, stack, "/agent")
    page.keyboard.press("Enter")  # empty: nothing happens, focus stays
    assert page.evaluate("document.activeElement.id") == "q"
    _lookup(page, "<img src=x onerror=alert(1)> 公积金")
    assert page.locator("#results img").count() == 0
    assert desktop.dialogs == []


def test_console_normalises_traditional_input_and_says_when_a_question_is_about_another_city(stack, desktop):
    page = desktop.page
    sign_in(page, stack, "/agent")
    _lookup(page, "職稱評審")  # traditional characters: the same department as 职称评审
    first = page.locator("#results > li").first
    assert first.get_attribute("data-department-id") == ZH_DEPARTMENT
    assert first.locator("mark").count() >= 1, "the simplified evidence is highlighted for a traditional query"

    page.keyboard.press("Escape")
    _lookup(page, "杭州公积金提取")
    verdict = page.locator("#verdict").text_content()
    assert "杭州" in verdict and "12333" in verdict and "12329" in verdict
    assert page.locator("#results > li").count() == 0
