"""The widget and the demo page by keyboard, in both languages: focus order, the dialog's focus trap, the
"other duties" card, tappable hotlines, the page's language switch and its accessibility statement."""

from __future__ import annotations

import pytest
from widget_helpers import ask, last_turn_departments, open_widget

pytestmark = pytest.mark.browser

SHADOW = "document.querySelector('#whohandles-widget').shadowRoot"
# What has focus: inside the widget, the element in its shadow root; else the page's element.
FOCUSED = f"""() => {{
  const inner = {SHADOW}.activeElement;
  const node = inner || document.activeElement;
  return {{inWidget: !!inner, inPanel: !!(inner && inner.closest('.wh-panel')),
          cls: node.className || '', tag: node.tagName, label: node.getAttribute('aria-label') || node.textContent.trim(),
          href: node.getAttribute('href') || ''}};
}}"""
OUT_OF_SCOPE = "How do I renew my passport?"  # a neighbouring service none of the departments handles
DEPARTMENT_NAMED = "What does the Wage Office do?"


def test_the_launcher_is_among_the_first_tab_stops(stack, desktop):
    page = desktop.page
    page.goto(stack.web_url + "/")
    stops = []
    for _ in range(12):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUSED))
    launcher = next(i for i, s in enumerate(stops) if "wh-launcher" in s["cls"])
    page_ask = (
        next(i for i, s in enumerate(stops) if "btn-primary" in s["cls"])
        if any("btn-primary" in s["cls"] for s in stops)
        else len(stops)
    )
    assert "skip" in stops[0]["cls"], "the skip link stays the first stop"
    assert launcher == 1 and launcher < page_ask


def test_tab_stays_inside_the_open_dialog_and_reaches_votes_and_hotlines(stack, desktop):
    page = desktop.page
    open_widget(page, stack.web_url)
    assert page.locator(".wh-panel").get_attribute("aria-modal") == "true"
    ask(page, "Where do I apply for labour dispute arbitration?")
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUSED))
    assert all(s["inPanel"] for s in seen), [s for s in seen if not s["inPanel"]][:3]
    classes = " ".join(s["cls"] for s in seen)
    assert "wh-vote" in classes, "👍/👎 are reachable with Tab"
    assert any(s["href"].startswith("tel:") for s in seen), "the hotline link is reachable with Tab"
    assert "wh-input" in classes and "wh-close" in classes, "Tab cycles back round the dialog"
    # Shift+Tab from the first control goes to the last one, not to the page behind.
    page.evaluate(f"{SHADOW}.querySelector('.wh-lang').focus()")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(FOCUSED)["inPanel"]


def test_plain_text_hotlines_are_tappable(stack, desktop):
    page = desktop.page
    open_widget(page, stack.web_url)
    ask(page, OUT_OF_SCOPE)
    links = page.locator(".wh-bot .wh-bubble a.wh-tel")
    hrefs = set(links.evaluate_all("as => as.map(a => a.getAttribute('href'))"))
    assert {"tel:12333", "tel:12329"} <= hrefs
    # The text around the links is still all there, in order.
    text = page.locator(".wh-bot .wh-bubble", has=page.locator("a.wh-tel")).last.text_content()
    assert text.index("12333") < text.index("12329")


def test_the_duties_card_shows_what_the_text_lists_and_offers_more(stack, desktop):
    page = desktop.page
    open_widget(page, stack.web_url)
    ask(page, DEPARTMENT_NAMED)
    assert last_turn_departments(page)[:1] == ["hrss.wages"]
    card = page.locator(".wh-card-main").last
    duties = card.locator(".wh-evidence li")
    assert duties.count() == 5, "the card lists the same five duties as the text"
    more = page.locator(".wh-cards .wh-choice").last
    assert more.is_visible(), "the department has more duties: the card offers to show them"
    shown = set(duties.all_text_contents())
    more.click()
    page.locator(".wh-card-main").nth(1).wait_for()
    following = set(page.locator(".wh-card-main").last.locator(".wh-evidence li").all_text_contents())
    assert following and not following & shown, "'what else' lists the duties not shown yet"


def test_the_language_switch_switches_the_page_and_the_widget(stack, desktop):
    page = desktop.page
    page.goto(stack.web_url + "/")
    page.get_by_role("button", name="简体中文", exact=True).click()
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "不知道该找哪个部门？"
    page.locator(".wh-launcher").click()
    assert page.locator(".wh-title").text_content() == "我的问题找哪个部门？"
    desktop.shot("page-zh.png")
    page.reload()  # remembered
    assert page.locator("h1").inner_text() == "不知道该找哪个部门？"
    page.get_by_role("button", name="English", exact=True).click()
    assert page.locator("h1").inner_text() == "Not sure which department handles your problem?"
    assert page.locator(".wh-title").text_content() == "Who handles my problem?"


def test_the_accessibility_link_leads_to_the_statement(stack, desktop):
    page = desktop.page
    page.goto(stack.web_url + "/")
    page.get_by_role("link", name="Accessibility").click()
    statement = page.locator("#accessibility")
    assert statement.is_visible()
    text = statement.inner_text()
    assert "Keyboard" in text and "Screen readers" in text and "12333" in text
