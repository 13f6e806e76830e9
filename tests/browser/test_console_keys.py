"""The console's Esc: a fresh start for the next caller, not just an empty box."""

from __future__ import annotations

import pytest
from staff_helpers import sign_in

pytestmark = pytest.mark.browser


def test_escape_clears_the_box_the_answer_and_what_would_be_copied(stack, desktop):
    page = desktop.page
    sign_in(page, stack, "/agent")
    page.keyboard.type("公积金提取")
    page.keyboard.press("Enter")
    page.locator('#results[data-query="公积金提取"]').wait_for(state="attached")
    assert page.locator("#results > li").count() >= 1 and page.locator("#verdict").is_visible()

    page.keyboard.press("Escape")
    assert page.locator("#q").input_value() == ""
    assert page.locator("#results > li").count() == 0
    assert page.locator("#verdict").is_hidden() and page.locator("#empty").is_visible()
    assert page.evaluate("document.activeElement.id") == "q"
    page.locator("body").click()  # C outside the box copies: there is nothing left to copy
    page.keyboard.press("c")
    assert "Nothing to copy" in page.locator("#toast").text_content()
