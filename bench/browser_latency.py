"""Time from Enter to the answer on screen, in headless Chromium, for the citizen widget and the agent console.

    python -m bench.browser_latency QUESTIONS.jsonl [--n 20] [--web-url URL --rasa-url URL]

QUESTIONS is a .jsonl file (each line an object with a "question", "query", "text" or "q" field) or a plain text
file with one question per line; questions are read at run time and never copied into code. Without --web-url
the script starts its own stack (Rasa + actions + web) on spare ports via deploy/devstack.py, with its own
files and staff account; with --web-url, --staff-user and $WHOHANDLES_BENCH_STAFF_PASSWORD sign in to the console.
The clock starts on the real Enter keydown in the page and stops at the first animation frame after the
answer is in the DOM, so Playwright's own round trips are not counted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS

# Resolves with ms from the Enter keydown to the frame after `done()` turns true (checked on every DOM change).
_ARM = """([rootSel, doneSrc]) => {
  const scope = rootSel ? document.querySelector(rootSel).shadowRoot : document;
  const done = new Function("scope", doneSrc);
  window.__whLatency = new Promise((resolve) => {
    let t0 = null;
    const onKey = (e) => { if (e.key === "Enter" && t0 === null) t0 = performance.now(); };
    window.addEventListener("keydown", onKey, true);
    const obs = new MutationObserver(() => {
      if (t0 === null || !done(scope)) return;
      obs.disconnect();
      window.removeEventListener("keydown", onKey, true);
      requestAnimationFrame(() => resolve(performance.now() - t0));
    });
    obs.observe(scope, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}"""


def read_questions(path: Path, n: int) -> list[str]:
    out: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("{"):
            item = json.loads(line)
            text = next((item[k] for k in ("question", "query", "text", "q") if isinstance(item.get(k), str)), "")
        else:
            text = line
        if text.strip():
            out.append(text.strip())
        if len(out) >= n:
            break
    if not out:
        raise SystemExit(f"{path}: no questions found")
    return out


def warm_up(page, web_url: str, questions: list[str], rounds: int) -> None:
    """A fresh Rasa answers its first few messages slowly (graph tracing, tracker tables): not what users see
    on a running service, so a few untimed questions go first."""
    page.goto(web_url + "/")
    page.locator(".wh-launcher").click()
    for i, q in enumerate((questions * rounds)[:rounds], start=1):
        page.locator("#wh-input").fill(q)
        page.locator("#wh-input").press("Enter")
        page.locator(f'.wh-log[data-answered="{i}"]').wait_for(state="attached")
    page.evaluate("localStorage.clear()")


def bench_widget(page, web_url: str, questions: list[str]) -> list[float]:
    page.goto(web_url + "/")
    page.evaluate("localStorage.clear()")
    page.reload()
    page.locator(".wh-launcher").click()
    box = page.locator("#wh-input")
    times = []
    for i, q in enumerate(questions, start=1):
        box.fill(q)
        page.evaluate(
            _ARM, ["#whohandles-widget", f"return Number(scope.querySelector('.wh-log').dataset.answered) >= {i};"]
        )
        box.press("Enter")
        times.append(page.evaluate("window.__whLatency"))
    if page.locator(".wh-error").count():  # a failed request also ends the wait, fast: never report it as speed
        raise SystemExit("the widget could not reach Rasa; no timing reported")
    return times


def sign_in(page, web_url: str, user: str, password: str) -> None:
    page.goto(web_url + "/agent")  # the login form first, then back to the console
    page.fill("#username", user)
    page.fill("#password", password)
    with page.expect_navigation():
        page.press("#password", "Enter")
    if not page.url.rstrip("/").endswith("/agent"):
        raise SystemExit(f"could not sign in to the console as {user!r}")


def bench_console(page, web_url: str, questions: list[str]) -> list[float]:
    page.goto(web_url + "/agent")
    box = page.locator("#q")
    times = []
    for q in questions:
        box.fill(q)
        page.evaluate(
            _ARM, [None, f"return scope.getElementById('results').dataset.query === {json.dumps(q.strip())};"]
        )
        box.press("Enter")
        times.append(page.evaluate("window.__whLatency"))
        if page.locator(".verdict.error").count():
            raise SystemExit(f"the console lookup failed: {page.locator('.verdict').text_content()}")
    return times


def summary(name: str, times: list[float]) -> dict:
    ordered = sorted(times)
    return {
        "page": name,
        "n": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p90_ms": round(ordered[max(0, int(len(ordered) * 0.9) - 1)], 1),
        "max_ms": round(ordered[-1], 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--web-url", help="an already running web server (e.g. http://127.0.0.1:8080 from make run)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--warm-up", type=int, default=5, help="untimed widget questions first (default 5)")
    parser.add_argument(
        "--staff-user", help="staff account for the console of --web-url (password: $WHOHANDLES_BENCH_STAFF_PASSWORD)"
    )
    args = parser.parse_args(argv)
    questions = read_questions(args.questions, args.n)

    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with ExitStack() as stack:
        web_url = args.web_url
        user, password = args.staff_user, os.environ.get("WHOHANDLES_BENCH_STAFF_PASSWORD", "")
        if not web_url:
            from deploy.devstack import Stack  # noqa: PLC0415

            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="whohandles-bench-")))
            running = stack.enter_context(Stack(workdir, web=True))
            web_url, user, password = running.web_url, running.staff_user, running.staff_password
        elif not (user and password):
            raise SystemExit("--web-url needs --staff-user and $WHOHANDLES_BENCH_STAFF_PASSWORD for the console")
        pw = stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.set_default_timeout(30_000)
        if args.warm_up:
            warm_up(page, web_url.rstrip("/"), questions, args.warm_up)
        sign_in(page, web_url.rstrip("/"), user, password)
        results = [
            summary("widget", bench_widget(page, web_url.rstrip("/"), questions)),
            summary("console", bench_console(page, web_url.rstrip("/"), questions)),
        ]
        browser.close()
    for r in results:
        print(
            f"{r['page']:<8} Enter→answer on screen: p50 {r['p50_ms']} ms, p90 {r['p90_ms']} ms, max {r['max_ms']} ms "
            f"over {r['n']} questions"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
