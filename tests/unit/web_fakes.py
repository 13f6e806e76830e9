"""A tiny stand-in for retrieval.Engine (keyword overlap over the real knowledge base), for web API unit tests,
and signing a test client in through the real login form.

Why: the web layer's contract (validation, JSON shape, terms, feedback) should be testable without the index.
"""

from __future__ import annotations

import re
from pathlib import Path

from knowledge.loader import load_knowledge
from retrieval.types import Answer, Evidence, RankedDepartment
from web.staff import StaffStore
from web.terms import query_terms

AGENT, PASSWORD = "agent-1", "correct horse battery staple"  # the staff account the web tests sign in as


def staff_store(path: Path) -> StaffStore:
    """A staff store at `path` holding the one account the tests sign in as (AGENT / PASSWORD)."""
    store = StaffStore(path)
    store.add(AGENT, PASSWORD)
    return store


class FakeEngine:
    def __init__(self) -> None:
        self.kb = load_knowledge()
        self.knowledge = self.kb

    def ask(self, query: str, k: int = 3) -> Answer:
        terms = query_terms(query)
        scored = []
        for d in self.kb.departments:
            hits = []
            for duty in d.duties:
                text = (duty.en + " " + duty.zh).lower()
                n = sum(1 for t in terms if t in text)
                if n:
                    hits.append((n, duty))
            hits.sort(key=lambda h: -h[0])
            scored.append((sum(h[0] for h in hits[:3]), d, hits))
        scored.sort(key=lambda s: -s[0])
        best = scored[0][0] or 1
        ranked = tuple(
            RankedDepartment(
                id=d.id,
                org=d.org,
                name=d.name,
                zh=d.zh,
                org_name=d.organization.name,
                org_zh=d.organization.zh,
                hotline=d.hotline,
                score=round(s / (best + 1), 3),
                evidence=tuple(Evidence(en=h.en, zh=h.zh, score=float(n)) for n, h in hits[:3]),
            )
            for s, d, hits in scored[:k]
        )
        verdict = "no_answer" if scored[0][0] == 0 else "answer"
        language = "zh" if any("\u4e00" <= c <= "\u9fff" for c in query) else "en"
        return Answer(
            query=query, language=language, verdict=verdict, confidence=ranked[0].score, margin=0.2, departments=ranked
        )


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_from(html_text: str) -> str:
    match = CSRF.search(html_text)
    assert match, "the page has a form with a CSRF token"
    return match.group(1)


def sign_in(client, name: str, password: str, next_url: str = "/agent"):
    """Log a starlette TestClient in through GET /login + POST /login (the real form, CSRF token included)."""
    token = csrf_from(client.get("/login", params={"next": next_url}).text)
    response = client.post(
        "/login", data={"username": name, "password": password, "csrf": token, "next": next_url}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return response
