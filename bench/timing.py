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
                check: Callable[[int, Any], None] | None = None) -> tuple[list[float], list[float], list[float]]:
    """Time ``calls`` operations, each right after one floor call, so both see the
    same machine. Per call: untimed ``setup(i)`` (its result is the op's argument),
    the timed floor call, the timed op, then the untimed ``check(i, result)``.
    Returns the op's and the floor's wall-clock samples and the op's client CPU time
    (this thread's: Python and its system calls, not the wait for the server), in seconds."""
    clock, cpu = time.perf_counter, time.thread_time
    op_s, floor_s, op_cpu = [], [], []
    gc.collect()
    for i in range(calls):
        arg = setup(i) if setup is not None else None
        start = clock()
        floor()
        middle = clock()
        cpu_start = cpu()
        result = op(arg)
        cpu_end = cpu()
        end = clock()
        floor_s.append(middle - start)
        op_s.append(end - middle)
        op_cpu.append(cpu_end - cpu_start)
        if check is not None:
            check(i, result)
        result = None  # freed here, untimed, not when the next call's result replaces it
    return op_s, floor_s, op_cpu


def alone(call: Callable[[], Any], calls: int, cpu: list[float] | None = None) -> list[float]:
    """``calls`` timings of ``call``, in seconds; its client CPU times go to ``cpu`` if given."""
    clock, thread = time.perf_counter, time.thread_time
    samples = []
    gc.collect()
    for _ in range(calls):
        start, cpu_start = clock(), thread()
        call()
        cpu_end = thread()
        samples.append(clock() - start)
        if cpu is not None:
            cpu.append(cpu_end - cpu_start)
    return samples
