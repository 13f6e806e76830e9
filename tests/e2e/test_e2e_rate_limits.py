"""Rate limits on the REST channel, against a stack of its own with limits on (the shared one has them off)."""

from __future__ import annotations

import pytest

from deploy.devstack import Stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    # Rasa only: a missing action server just turns answers into the apology, which is still a 200.
    with Stack(
        tmp_path_factory.mktemp("limited-stack"),
        actions=False,
        action_timeout=0.3,
        rate_limits="sender:3/minute ip:8/minute",
    ) as running:
        yield running


def say(http, stack, sender, message="hello"):
    return http.post(stack.webhook, json={"sender": sender, "message": message})


def test_a_sender_over_its_limit_gets_429_with_retry_after(limited, http):
    assert [say(http, limited, "flood-1").status_code for _ in range(3)] == [200, 200, 200]
    r = say(http, limited, "flood-1")
    assert r.status_code == 429
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    body = r.json()
    assert (
        body["error"] == "rate_limited" and "Too many requests" in body["message"] and "请求过于频繁" in body["message"]
    )
    assert say(http, limited, "calm-1").status_code == 200, "another sender is not held back"


def test_one_address_over_its_limit_gets_429(limited, http):
    # 4 requests were counted for 127.0.0.1 above (the refused one too: the IP is checked first); 8 a minute.
    codes = [say(http, limited, f"nat-user-{i}").status_code for i in range(6)]
    assert codes.count(429) >= 1 and codes[0] == 200
    assert http.post(limited.webhook, json={"sender": "x", "message": "y"}).status_code == 429


def test_with_limits_off_nothing_is_refused(stack, http):
    codes = {say(http, stack, "busy-integrator", "/restart").status_code for _ in range(30)}
    assert codes == {200}
