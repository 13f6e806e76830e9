"""The knowledge-gaps page for staff: questions that got no answer or a 👎, and marking them resolved/dismissed.

GET /agent/gaps lists the open gaps (?show=all: also the resolved and dismissed ones, which can be reopened);
POST /agent/gaps/status (a plain form with the session's CSRF token) records who resolved or dismissed a gap
in the feedback store and returns to the list. Both need a staff login (web/auth.py).
"""

from __future__ import annotations

import html
import time
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from common.language import detect
from feedback import FeedbackStore
from feedback.store import GAP_REASONS, GAP_STATUSES
from web import pages
from web.auth import FORM_LIMITS, csrf_ok, require_staff, staff_html, staff_values

STATIC = Path(__file__).resolve().parent / "static"
PREVIEW = 120  # characters of a long question shown before "show all"
PAGE_ROWS = 500
ACTIONS = {"resolved": "Resolved · 已解决", "dismissed": "Dismiss · 忽略", "open": "Reopen · 重新打开"}
STATUS_TEXT = {"resolved": "resolved · 已解决", "dismissed": "dismissed · 已忽略"}


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _question_cell(question: str) -> str:
    if len(question) <= PREVIEW:
        return f'<td class="question">{_e(question)}</td>'
    return (
        f'<td class="question"><details><summary><span class="preview">{_e(question[:PREVIEW])}</span>'
        f'<span class="more">… (show all {len(question)} characters · 展开全文)</span>'
        f'<span class="less">{len(question)} characters · 收起</span></summary>'
        f'<p class="full">{_e(question)}</p></details></td>'
    )


def _action_cell(gap: dict, csrf: str, show_all: bool) -> str:
    choices = ("open",) if gap["status"] != "open" else ("resolved", "dismissed")
    back = "all" if show_all else ""
    forms = "".join(
        f'<form method="post" action="/agent/gaps/status"><input type="hidden" name="csrf" value="{_e(csrf)}">'
        f'<input type="hidden" name="question" value="{_e(gap["question"])}">'
        f'<input type="hidden" name="reason" value="{_e(gap["reason"])}">'
        f'<input type="hidden" name="show" value="{back}">'
        f'<button type="submit" name="status" value="{status}" data-status="{status}">{ACTIONS[status]}</button></form>'
        for status in choices
    )
    label = (
        f'<span class="status-{gap["status"]}">{STATUS_TEXT[gap["status"]]}</span> ' if gap["status"] != "open" else ""
    )
    return f'<td class="act">{label}{forms}</td>'


def _row(gap: dict, csrf: str, show_all: bool) -> str:
    seen = time.strftime("%Y-%m-%d %H:%M", time.localtime(gap["last_seen"]))
    reason = "No answer · 未找到部门" if gap["reason"] == "no_answer" else "Marked unhelpful · 用户反馈无帮助"
    language = gap["language"] or detect(gap["question"])
    cells = [
        f"<td>{_e(str(gap['count']))}</td>",
        f"<td>{_e(reason)}</td>",
        _question_cell(gap["question"]),
        f"<td>{_e(gap['department_id'] or '—')}</td>",
        f"<td>{_e(language)}</td>",
        f"<td>{_e(seen)}</td>",
        _action_cell(gap, csrf, show_all),
    ]
    return f'<tr data-reason="{_e(gap["reason"])}" data-status="{gap["status"]}">' + "".join(cells) + "</tr>"


async def page(request: Request) -> Response:
    store: FeedbackStore = request.app.state.store
    show_all = request.query_params.get("show") == "all"
    gaps = await run_in_threadpool(store.gaps, PAGE_ROWS, show_all)
    values = staff_values(request)
    rows = "\n".join(_row(g, values["CSRF"], show_all) for g in gaps)
    rows = rows or '<tr><td colspan="7" class="empty">No open gaps · 暂无待处理的缺口</td></tr>'
    open_count = sum(1 for g in gaps if g["status"] == "open")
    summary = f"{open_count} open · 待处理 {open_count} 条" + (f", {len(gaps) - open_count} closed" if show_all else "")
    toggle = (
        ("/agent/gaps", "Only open gaps · 仅看待处理")
        if show_all
        else ("/agent/gaps?show=all", "Also resolved and dismissed · 含已处理")
    )
    text = pages.render_text("gaps.html", SUMMARY=summary, TOGGLE_HREF=toggle[0], TOGGLE_TEXT=toggle[1], **values)  # type: ignore[arg-type]
    return staff_html(text.replace("{{ROWS}}", rows))  # rows are built from escaped parts above


async def set_status(request: Request) -> Response:
    try:
        form = await request.form(max_files=0, max_fields=8, max_part_size=FORM_LIMITS["max_part_size"] * 4)
    except HTTPException:
        raise
    except Exception:  # malformed or oversized form: a plain refusal, never a 500
        return _refuse(400, "Send the form from the gaps page. · 请从缺口页面提交。")
    if not csrf_ok(request, form.get("csrf")):
        return _refuse(403, "This page had expired; reload it and try again. · 页面已过期，请刷新后重试。")
    question, reason, status = form.get("question"), form.get("reason"), form.get("status")
    if not isinstance(question, str) or not question.strip() or reason not in GAP_REASONS or status not in GAP_STATUSES:
        return _refuse(400, "Unknown gap or action. · 无效的缺口或操作。")
    store: FeedbackStore = request.app.state.store
    found = await run_in_threadpool(store.set_gap_status, question, reason, status, request.state.staff)
    if not found:
        return _refuse(404, "No such gap was recorded. · 没有这条缺口记录。")
    return RedirectResponse("/agent/gaps" + ("?show=all" if form.get("show") == "all" else ""), status_code=303)


def routes() -> list[Route]:
    return [
        Route("/agent/gaps", require_staff(page)),
        Route("/agent/gaps/status", require_staff(set_status), methods=["POST"]),
    ]


def _refuse(status: int, message: str) -> HTMLResponse:
    body = (
        f'<!doctype html><html lang="en"><meta charset="utf-8"><title>Knowledge gaps</title>'
        f'<link rel="stylesheet" href="/static/agent.css"><main><p class="login-message">{_e(message)}</p>'
        f'<p><a href="/agent/gaps">Back to the gaps · 返回缺口列表</a></p></main></html>'
    )
    return staff_html(body, status)
