"""Signing in as the stack's staff account (created with `whohandles staff add` in deploy/devstack.py)."""

from __future__ import annotations

from urllib.parse import urlsplit


def sign_in(page, stack, path: str = "/agent", password: str | None = None) -> None:
    """Open a staff page: the login form comes first; fill it in, press Enter, land on `path`."""
    page.goto(stack.web_url + path)
    assert urlsplit(page.url).path == "/login", f"{path} must ask for a login first, got {page.url}"
    page.fill("#username", stack.staff_user)
    page.fill("#password", stack.staff_password if password is None else password)
    with page.expect_navigation():
        page.press("#password", "Enter")
    if password is None:
        assert urlsplit(page.url).path == urlsplit(path).path, f"after login: {page.url}"
