"""The bot's messages read the same way in every test: over HTTP (e2e Reply) or from an action run (Result).

Why one place: both hold Rasa's message dicts (text / buttons / custom payload); a message without a payload
has no "custom" key over REST and an empty one from rasa-sdk's dispatcher, so `payloads` skips both.
"""

from __future__ import annotations

from typing import Any


class BotMessages:
    messages: list[dict[str, Any]]

    @property
    def texts(self) -> list[str]:
        return [m["text"] for m in self.messages if m.get("text")]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def payloads(self) -> list[dict[str, Any]]:
        return [m["custom"] for m in self.messages if m.get("custom")]

    @property
    def payload(self) -> dict[str, Any]:
        assert len(self.payloads) == 1, f"expected one custom payload, got {self.messages}"
        return self.payloads[0]

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [b for m in self.messages for b in m.get("buttons") or []]


def first_departments(messages: list[dict[str, Any]]) -> list[str]:
    """Ids of the first custom payload that lists departments ([] when none: no answer)."""
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get("departments"):
            return [d["id"] for d in custom["departments"]]
    return []


def top_department(messages: list[dict[str, Any]]) -> str | None:
    """The department a reply names first, if any."""
    return next(iter(first_departments(messages)), None)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """An HTTP answer (httpx or Starlette's TestClient) in the one error shape, with this status and code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "message"} and body["error"] == code and body["message"]
    return body
