"""The structured message for integrators, sent with every answer about departments.

Exactly: {"type": "department_answer" | "clarify" | "no_answer" | "department_info" | "other_city",
          "language": "en" | "zh",
          "departments": [{"id", "org", "org_name", "org_zh", "hotline", "name", "zh", "score",
                           "evidence": [sentence, ...]}, ...]}
Departments are ranked best first; ids are the ones in knowledge/data/departments.yml; `name` is English,
`zh` Chinese; `evidence` holds the duty sentences shown to the user, in the answer's language; [] for
no_answer and other_city (a question about another city: this assistant covers Shanghai only).
department_info also carries "more": true when the department has duties not listed yet (ask "what else?").
Through Rasa's REST channel it arrives after the text as {"recipient_id": ..., "custom": {...}}.
"""

from __future__ import annotations

from typing import Any, Literal

from rasa_sdk.executor import CollectingDispatcher

from retrieval import RankedDepartment

PayloadType = Literal["department_answer", "clarify", "no_answer", "department_info", "other_city"]


def department(d: RankedDepartment, evidence: list[str]) -> dict:
    return {
        "id": d.id,
        "org": d.org,
        "org_name": d.org_name,
        "org_zh": d.org_zh,
        "hotline": d.hotline,
        "name": d.name,
        "zh": d.zh,
        "score": round(float(d.score), 4),
        "evidence": evidence,
    }


def build(
    kind: PayloadType, language: str, departments: list[tuple[RankedDepartment, list[str]]], more: bool | None = None
) -> dict:
    message: dict[str, Any] = {
        "type": kind,
        "language": language,
        "departments": [department(d, ev) for d, ev in departments],
    }
    if kind == "department_info":
        message["more"] = bool(more)
    return message


def send(
    dispatcher: CollectingDispatcher,
    kind: PayloadType,
    language: str,
    departments: list[tuple[RankedDepartment, list[str]]] = (),  # type: ignore[assignment]
    more: bool | None = None,
) -> dict:
    """Send the payload as the last message of the turn (call after the text)."""
    message = build(kind, language, list(departments), more)
    dispatcher.utter_message(json_message=message)
    return message
