"""Per-client rate limits (common/ratelimit.py): the setting, the per-kind buckets, Retry-After."""

from __future__ import annotations

import pytest

from common.ratelimit import DEFAULTS, RateLimiter, parse


def test_setting_values():
    assert parse("off") == {} and parse("OFF") == {} and parse("0") == {}
    default = parse("")
    assert {k: [str(i) for i in v] for k, v in default.items()} == {
        k: [str(i) for i in parse(v)["sender"]] for k, v in DEFAULTS.items()
    }
    both = parse("10/minute;100/hour")
    assert [str(i) for i in both["sender"]] == [str(i) for i in both["ip"]] == ["10 per 1 minute", "100 per 1 hour"]
    mixed = parse("sender:5/minute ip:off")
    assert [str(i) for i in mixed["sender"]] == ["5 per 1 minute"] and "ip" not in mixed
    for bad in ("lots", "sender:x/minute", "user:5/minute"):
        with pytest.raises(ValueError):
            parse(bad)


def test_burst_then_refused_with_retry_after():
    limiter = RateLimiter("sender:3/minute ip:100/minute")
    assert [limiter.check("sender", "a") for _ in range(3)] == [None, None, None]
    wait = limiter.check("sender", "a")
    assert wait is not None and 1 <= wait <= 60
    assert limiter.check("sender", "b") is None, "another sender has its own bucket"
    assert limiter.check("ip", "a") is None, "the IP bucket is separate from the sender's"


def test_a_refused_request_consumes_nothing_and_all_limits_apply():
    limiter = RateLimiter("2/minute;3/hour")
    assert limiter.check("ip", "1.2.3.4") is None and limiter.check("ip", "1.2.3.4") is None
    assert limiter.check("ip", "1.2.3.4") is not None  # the minute limit
    hour_item = limiter.limits["ip"][1]
    assert limiter._limiter.get_window_stats(hour_item, "ip", "1.2.3.4").remaining == 1


def test_off_and_reads_the_environment(monkeypatch):
    off = RateLimiter("off")
    assert not off.enabled and all(off.check("sender", "a") is None for _ in range(1000))
    monkeypatch.setenv("WHOHANDLES_RATE_LIMITS", "sender:1/hour")
    env = RateLimiter()
    assert env.check("sender", "x") is None and env.check("sender", "x") is not None


def test_after_the_burst_requests_refill_steadily_like_a_token_bucket(monkeypatch):
    """With a clock we move: 10/minute allows 10 at once, then about one every 6 s — not 10 again a minute later."""
    import time

    now = [1_800_000_000.0]  # at the start of a window; the limits library reads time.time()
    monkeypatch.setattr(time, "time", lambda: now[0])
    limiter = RateLimiter("sender:10/minute ip:off")
    allowed = []
    for step in range(180):  # three minutes in 1 s steps, one attempt a second
        if limiter.check("sender", "s") is None:
            allowed.append(step)
        now[0] += 1.0
    assert allowed[:10] == list(range(10)), "the burst"
    later = [b - a for a, b in zip(allowed[10:], allowed[11:], strict=False)]
    assert later and max(later) <= 7 and min(later) >= 5, f"steady refill, not bursts: {allowed}"


def test_windows_with_spaces_and_kinds():
    spec = parse("sender:6/10 seconds;20/minute ip:30 per 10 seconds")
    assert [str(i) for i in spec["sender"]] == ["6 per 10 second", "20 per 1 minute"]
    assert [str(i) for i in spec["ip"]] == ["30 per 10 second"]
    assert [str(i) for i in parse("6/10 seconds")["ip"]] == ["6 per 10 second"]
    with pytest.raises(ValueError):
        parse("junk sender:5/minute")
