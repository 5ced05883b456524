"""Timing helpers: latency samples, their median and p99, and the round-trip floor
measured in the same window as each operation."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Stats:
    """Latency of one kind of call, in milliseconds."""

    calls: int
    median_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, seconds: list[float]) -> Stats:
        ordered = sorted(seconds)
        p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
        return cls(len(ordered), statistics.median(ordered) * 1e3, p99 * 1e3, ordered[-1] * 1e3)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def interleaved(op: Callable[[Any], Any], floor: Callable[[], Any], calls: int, *,
                setup: Callable[[int], Any] | None = None,
                check: Callable[[int, Any], None] | None = None) -> tuple[list[float], list[float]]:
    """Time ``calls`` operations, each right after one floor call, so both see the
    same machine. Per call: untimed ``setup(i)`` (its result is the op's argument),
    the timed floor call, the timed op, then the untimed ``check(i, result)``.
    Returns the op's and the floor's samples, in seconds."""
    clock = time.perf_counter
    op_s, floor_s = [], []
    gc.collect()
    for i in range(calls):
        arg = setup(i) if setup is not None else None
        start = clock()
        floor()
        middle = clock()
        result = op(arg)
        end = clock()
        floor_s.append(middle - start)
        op_s.append(end - middle)
        if check is not None:
            check(i, result)
    return op_s, floor_s


def alone(call: Callable[[], Any], calls: int) -> list[float]:
    """``calls`` timings of ``call``, in seconds."""
    clock = time.perf_counter
    samples = []
    gc.collect()
    for _ in range(calls):
        start = clock()
        call()
        samples.append(clock() - start)
    return samples
