"""Driving the citizen widget the way a person does: click the launcher, type, press Enter, wait for the reply."""

from __future__ import annotations

LOG = ".wh-log"


def open_widget(page, web_url: str) -> None:
    page.goto(web_url + "/")
    page.locator(".wh-launcher").click()
    page.locator("#wh-input").wait_for(state="visible")


def answered(page) -> int:
    return int(page.locator(LOG).get_attribute("data-answered") or 0)


def ask(page, text: str) -> None:
    """Type a question and press Enter; return once the reply is rendered."""
    before = answered(page)
    box = page.locator("#wh-input")
    box.fill(text)
    box.press("Enter")
    page.locator(f'{LOG}[data-answered="{before + 1}"]').wait_for(state="attached")
    assert page.locator(".wh-error").count() == 0, "the widget could not reach Rasa (see the stack's logs)"


def last_turn_departments(page) -> list[str]:
    """Department ids of the cards in the latest reply (main card first)."""
    return page.evaluate("""() => {
      const log = document.querySelector('#whohandles-widget').shadowRoot.querySelector('.wh-log');
      const users = log.querySelectorAll('.wh-user');
      const last = users[users.length - 1];
      const ids = [];
      for (let n = last && last.nextElementSibling; n && !n.classList.contains('wh-user'); n = n.nextElementSibling)
        n.querySelectorAll('.wh-card').forEach(c => ids.push(c.dataset.departmentId));
      return ids;
    }""")


def sender(page) -> str:
    return page.evaluate("JSON.parse(localStorage.getItem('whohandles.chat.v1')).sender")
