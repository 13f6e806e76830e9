"""Per-client rate limits shared by the REST channel (Rasa, Python 3.10) and the web server (Python 3.11).

Built on the `limits` library (in-memory storage: each server is one process). The strategy is limits'
sliding-window counter, which behaves like a token bucket of N tokens refilled at N per window: a fresh
client may send a burst of N, after which requests are allowed again at a steady N per window (limits'
moving window would instead release the whole burst again one window later). Every limit of a kind must
allow the request; a refused request consumes nothing.

One setting, `WHOHANDLES_RATE_LIMITS`:
- unset: the defaults below;
- `off` (or `0`, `none`): no limits (tests, benchmarks and evaluation that need throughput);
- `10/minute;100/hour`: these limits for each sender and each IP address;
- `sender:10/minute;100/hour ip:60/minute`: per kind (a kind not named keeps its default; `ip:off` turns one
  kind off). Limits are the `limits` library's notation: `6/10 seconds`, `20 per minute`, `300/hour`.

Defaults. A citizen types a question every few seconds at most: per sender 6 in 10 s, 20 a minute and 300
an hour leave room for quick follow-ups and button clicks. Per IP address the sustained limit is higher
because a call centre, an office or a mobile carrier's NAT puts many people behind one address (120 a minute
and 3,000 an hour cover a room of hotline agents looking up during calls; the console sends one lookup per
Enter), while 30 in 10 s keeps one address's burst short: a flood gets 30 answers, then 2 a second
(bench/flood_bench.py measures what that costs everybody else).
"""

from __future__ import annotations

import math
import os
import re
import time

from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter

ENV = "WHOHANDLES_RATE_LIMITS"
KINDS = ("sender", "ip")
DEFAULTS = {"sender": "6/10 seconds;20/minute;300/hour", "ip": "30/10 seconds;120/minute;3000/hour"}
OFF = {"off", "0", "none", "false", "no"}
_PART = re.compile(r"(\w+)\s*:\s*(.*?)(?=\s+\w+\s*:|$)")


def parse(spec: str | None) -> dict[str, list]:
    """{"sender": [RateLimitItem, ...], "ip": [...]} from a setting value; {} when limits are off.

    Raises ValueError on a value that is not a limit, so a typo fails at start-up, not silently."""
    spec = (spec or "").strip()
    if spec.lower() in OFF and spec:
        return {}
    chosen = dict(DEFAULTS)
    if ":" not in spec:
        if spec:
            chosen = {k: spec for k in KINDS}
    else:
        for match in _PART.finditer(spec):
            kind, value = match.group(1).lower(), match.group(2).strip()
            if kind not in KINDS:
                raise ValueError(f"{ENV}: unknown kind {kind!r} (use sender: or ip:)")
            chosen[kind] = value
        if _PART.sub("", spec).strip():
            raise ValueError(f"{ENV}={spec!r}: write 'sender:LIMITS ip:LIMITS' or just LIMITS")
    try:
        return {kind: list(parse_many(value)) for kind, value in chosen.items() if value.lower() not in OFF}
    except ValueError as exc:
        raise ValueError(f"{ENV}={spec!r}: {exc}") from None


class RateLimiter:
    """check(kind, key) -> None when allowed (and counted), else the seconds to wait (for Retry-After)."""

    def __init__(self, spec: str | None = None) -> None:
        self.spec = os.environ.get(ENV, "") if spec is None else spec
        self.limits = parse(self.spec)
        self._limiter = SlidingWindowCounterRateLimiter(MemoryStorage())

    @property
    def enabled(self) -> bool:
        return bool(self.limits)

    def check(self, kind: str, key: str) -> int | None:
        items = self.limits.get(kind)
        if not items or not key:
            return None
        key = key[:200]
        refused = [item for item in items if not self._limiter.test(item, kind, key)]
        if not refused:
            for item in items:
                self._limiter.hit(item, kind, key)
            return None
        now = time.time()
        waits = [self._limiter.get_window_stats(item, kind, key).reset_time - now for item in refused]
        return max(1, math.ceil(max(waits)))
