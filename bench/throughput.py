"""Throughput with several client processes: each runs join -> post -> leave cycles
on its own share of the throughput meetings for a fixed time; the report is the
operations per second of all processes together."""

from __future__ import annotations

import multiprocessing
import time
from datetime import timedelta

from confkit import ConferenceApp, ManualClock

from . import dataset as ds

USERS_PER_PROCESS = 500
START_TIMEOUT_S = 120


def worker(url: str, cluster: bool, index: int, processes: int, duration: float,
           ready, go, results) -> None:
    clock = ManualClock(ds.NOW)
    app = ConferenceApp(url, cluster=cluster, clock=clock)
    meetings = list(ds.THROUGHPUT)[index::processes]
    first = 1000 + index * USERS_PER_PROCESS
    users = ds.LIVE_USERS[first:first + USERS_PER_PROCESS]
    tick = timedelta(milliseconds=1)
    app.join_meeting(users[0], meetings[0])  # connect and load the scripts before the start
    app.leave_meeting(users[0], meetings[0])
    ready.put(index)
    go.wait()
    count, i = 0, 0
    start = time.perf_counter()
    deadline = start + duration
    while time.perf_counter() < deadline:
        uid, mid = users[i % len(users)], meetings[i % len(meetings)]
        clock.advance(tick)
        app.join_meeting(uid, mid)
        app.post_message(uid, mid, "throughput message")
        app.leave_meeting(uid, mid)
        count += 3
        i += 1
    results.put((index, count, time.perf_counter() - start))
    app.close()


def measure(url: str, cluster: bool, processes: int, duration: float) -> dict:
    """Operations per second of ``processes`` client processes started together."""
    ctx = multiprocessing.get_context("spawn")
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=worker, args=(url, cluster, i, processes, duration, ready, go, results))
             for i in range(processes)]
    for proc in procs:
        proc.start()
    try:
        for _ in procs:
            ready.get(timeout=START_TIMEOUT_S)
        go.set()
        done = [results.get(timeout=START_TIMEOUT_S + duration) for _ in procs]
    finally:
        for proc in procs:
            proc.join(timeout=START_TIMEOUT_S)
    rates = [count / seconds for _, count, seconds in done]
    return {"processes": processes, "ops_per_s": sum(rates), "per_process_ops_per_s": sorted(rates),
            "operations": sum(count for _, count, _ in done), "seconds": duration}
