"""The one percentile every benchmark and `whohandles eval` report (nearest rank on the sorted values), so a
p95 means the same in every table."""

from __future__ import annotations

from typing import Iterable


def percentile(values: Iterable[float], q: float) -> float:
    """The value at rank round(q·(n−1)) of the sorted values (q in [0, 1]); NaN for no values."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]
