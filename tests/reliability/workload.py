"""Worker processes that drive confkit from separate OS processes, and what they
report back: every call they were told succeeded (with the ids confkit returned),
every refusal, and the call that was interrupted if the server went away.

Each worker runs a seeded random sequence of joins, leaves, posts and reads for a
bounded number of operations. ``acked`` (a shared counter) and ``reached`` (an
event set when the counter reaches ``signal_at``) let the crash test kill the server
in the middle of the load, at an operation count rather than a time.
"""

from __future__ import annotations

import multiprocessing
import queue
import random
import time
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Spec:
    url: str
    worker: int
    users: tuple[int, ...]
    meetings: tuple[int, ...]
    operations: int
    seed: int
    now: datetime


@dataclass
class Report:
    worker: int
    # ("join" | "leave", uid, mid, event_id) or ("post", uid, mid, message_id, text)
    done: list[tuple] = field(default_factory=list)
    refused: dict[str, int] = field(default_factory=dict)
    interrupted: tuple | None = None  # (error class name, op, uid, mid, text)
    reads: int = 0


def run(spec: Spec, acked, reached, signal_at: int, out) -> None:
    """Worker entry point (spawned process): run the operations, put a Report on ``out``."""
    from confkit import ConferenceApp, ConfkitConnectionError, ConfkitError, ManualClock

    rng = random.Random(spec.seed)
    report = Report(spec.worker)
    app = ConferenceApp(spec.url, clock=ManualClock(spec.now))
    try:
        for i in range(spec.operations):
            kind = rng.choice(["join", "join", "leave", "post", "post", "read"])
            uid, mid = rng.choice(spec.users), rng.choice(spec.meetings)
            text = f"w{spec.worker}-{i} <b>&</b>"
            try:
                if kind == "join":
                    report.done.append(("join", uid, mid, app.join_meeting(uid, mid).event_id))
                elif kind == "leave":
                    report.done.append(("leave", uid, mid, app.leave_meeting(uid, mid).event_id))
                elif kind == "post":
                    report.done.append(("post", uid, mid, app.post_message(uid, mid, text).message_id, text))
                else:
                    app.meeting_participants(mid)
                    report.reads += 1
                    continue
            except ConfkitConnectionError as exc:
                report.interrupted = (type(exc).__name__, kind, uid, mid, text)
                break
            except ConfkitError as exc:
                name = type(exc).__name__
                report.refused[name] = report.refused.get(name, 0) + 1
                continue
            with acked.get_lock():
                acked.value += 1
                if acked.value == signal_at:
                    reached.set()
    finally:
        app.close()
        out.put(report)


class Fleet:
    """Spawned worker processes, the shared counter / event, and their report queue
    (held together: a counter or event collected in the parent breaks the children)."""

    def __init__(self, specs: list[Spec], signal_at: int = 0):
        ctx = multiprocessing.get_context("spawn")
        self.acked, self.reached, self.out = ctx.Value("q", 0), ctx.Event(), ctx.Queue()
        self.processes = [ctx.Process(target=run, args=(spec, self.acked, self.reached, signal_at, self.out))
                          for spec in specs]
        for process in self.processes:
            process.start()

    def reports(self, timeout: float = 300.0) -> list[Report]:
        """Every worker's report; fails (instead of hanging) if a worker died without one."""
        reports: list[Report] = []
        deadline = time.monotonic() + timeout
        while len(reports) < len(self.processes):
            try:
                reports.append(self.out.get(timeout=1.0))
            except queue.Empty:
                dead = [p for p in self.processes if p.exitcode not in (None, 0)]
                assert not dead, f"worker(s) died: exit codes {[p.exitcode for p in dead]}"
                assert time.monotonic() < deadline, "workers did not finish"
        for process in self.processes:
            process.join(timeout=timeout)
            assert process.exitcode == 0, f"worker exited with {process.exitcode}"
        return sorted(reports, key=lambda r: r.worker)
