"""Browser-test fixtures: the real stack (Rasa + actions + web, deploy/devstack.py) and Debian's Chromium.

Playwright cannot download its own browser here, so it drives /usr/bin/chromium (`make browser-deps`).
Screenshots land in var/artifacts/screenshots/ for CI artifacts and for people to judge the design.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class RunningStack:
    web_url: str
    feedback_db: Path
    staff_user: str
    staff_password: str


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """Real Rasa + action server + web server on spare ports, with their own tracker and feedback files.

    WHOHANDLES_BROWSER_WEB_URL + WHOHANDLES_FEEDBACK_DB + WHOHANDLES_BROWSER_STAFF_USER / _PASSWORD point the
    tests at a stack that is already running instead (a staging copy; the tests write votes and gap statuses).
    """
    if os.environ.get("WHOHANDLES_BROWSER_WEB_URL"):
        missing = [
            v
            for v in ("WHOHANDLES_FEEDBACK_DB", "WHOHANDLES_BROWSER_STAFF_USER", "WHOHANDLES_BROWSER_STAFF_PASSWORD")
            if not os.environ.get(v)
        ]
        if missing:  # never fall back to the product's var/feedback.db: the tests would fill its gaps page
            pytest.fail(f"WHOHANDLES_BROWSER_WEB_URL also needs {', '.join(missing)}")
        yield RunningStack(
            os.environ["WHOHANDLES_BROWSER_WEB_URL"].rstrip("/"),
            Path(os.environ["WHOHANDLES_FEEDBACK_DB"]),
            os.environ["WHOHANDLES_BROWSER_STAFF_USER"],
            os.environ["WHOHANDLES_BROWSER_STAFF_PASSWORD"],
        )
        return
    from deploy.devstack import Stack

    with Stack(tmp_path_factory.mktemp("stack"), web=True) as running:  # Rasa + actions + web
        yield running


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps`")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageWatch:
    """A page plus everything that must not happen on it: dialogs (alert from injected HTML), script errors."""

    def __init__(self, page):
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        # Console errors include CSP violations and failed loads: the pages must produce none.
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        self.page.screenshot(path=str(path))
        return path


def _watched(browser, viewport, **extra):
    context = browser.new_context(viewport=viewport, locale="en-US", **extra)
    context.set_default_timeout(30_000)
    return context, PageWatch(context.new_page())


@pytest.fixture()
def desktop(browser):
    context, watch = _watched(browser, DESKTOP, permissions=["clipboard-read", "clipboard-write"])
    yield watch
    context.close()
    assert watch.errors == [], f"script errors on the page: {watch.errors}"


@pytest.fixture()
def phone(browser):
    context, watch = _watched(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    yield watch
    context.close()
    assert watch.errors == [], f"script errors on the page: {watch.errors}"
