"""Debian's Chromium as the browser tests and the browser bench launch it (Playwright cannot download its own
browser here: `make browser-deps` installs this one)."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
