"""Page templates from web/static, with {{KEY}} placeholders filled in (HTML-escaped).

The staff pages (agent console, knowledge gaps, sign-in) share one frame, web/static/staff.html: the <head>
(stylesheet, icon) and the header bar with the page's badge, heading and subtitle, declared below. A staff
page's own file holds the rest: what comes before its <main> goes into the header bar (its navigation), then
its <main> and scripts.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"
FRAME = "staff.html"


@dataclass(frozen=True)
class StaffPage:
    title: str
    badge: str
    heading: str
    heading_zh: str
    subtitle: str | None = None  # None: filled per request ({{SUBTITLE}}, e.g. the console's hotlines)


STAFF_PAGES = {
    "agent.html": StaffPage(
        "Hotline agent console · 热线坐席查询", "坐席", "Hotline agent console", "热线坐席部门查询"
    ),
    "gaps.html": StaffPage(
        "Knowledge gaps · 知识库缺口",
        "缺口",
        "Knowledge gaps",
        "知识库缺口",
        "Questions that got no answer or a thumbs-down — what the knowledge base is missing. Also: make gaps",
    ),
    "login.html": StaffPage(
        "Staff sign-in · 工作人员登录",
        "坐席",
        "Staff sign-in",
        "工作人员登录",
        "Hotline console and knowledge gaps · 热线坐席查询与知识库缺口",
    ),
}


def fill(text: str, **values: str) -> str:
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", html.escape(value, quote=True))
    return text


def template(name: str) -> str:
    """The page `name` of web/static, a staff page inside the shared frame."""
    own = (STATIC / name).read_text(encoding="utf-8")
    page = STAFF_PAGES.get(name)
    if page is None:
        return own
    own = own.split("-->\n", 1)[1]  # the file's opening comment
    bar, main, rest = own.partition("  <main>")
    frame = fill(
        (STATIC / FRAME).read_text(encoding="utf-8"),
        TITLE=page.title,
        BADGE=page.badge,
        HEADING=page.heading,
        HEADING_ZH=page.heading_zh,
        **({"SUBTITLE": page.subtitle} if page.subtitle is not None else {}),
    )
    return frame.replace("{{BAR}}\n", bar).replace("{{PAGE}}\n", main + rest)


def render_text(name: str, **values: str) -> str:
    return fill(template(name), **values)
