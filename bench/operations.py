"""The timed operations: each call a real, successful operation on the live set
(bench.dataset), checked after it is timed, with one floor call timed just before it."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from confkit import ConferenceApp, EventType, ManualClock
from confkit.bulk import load_catalog

from . import dataset as ds
from .admin import Admin
from .timing import Stats, interleaved

OPERATIONS = ("join_meeting", "leave_meeting", "post_message", "meeting_participants", "active_meetings",
              "active_meetings_future", "join_times", "end_meeting", "meeting_messages", "user_messages")
JOIN_ROUND = 500  # users joined, then left, per round

CALLS = {  # at scale 1; join_meeting's calls are followed by as many leave_meeting calls
    "join_meeting": 2000, "post_message": 2000, "meeting_participants": 1500,
    "active_meetings": 1000, "active_meetings_future": 1000,
    "join_times": 500, "end_meeting": 300, "meeting_messages": 300, "user_messages": 1000,
}
WHAT = {
    "join_meeting": "a user not present joins a running public meeting",
    "leave_meeting": "a user who joined leaves",
    "post_message": "a present user posts a 30-character message",
    "meeting_participants": f"{ds.PARTICIPANTS} present, with names",
    "active_meetings": f"{len(ds.RUNNING)} running, {len(ds.SCHEDULED)} scheduled for tomorrow",
    "active_meetings_future": f"the same, with {len(ds.FUTURE) * ds.FUTURE_PER_MEETING:,} more instances "
                              f"scheduled later (in {len(ds.FUTURE):,} meetings)",
    "join_times": f"{sum(ds.PRESENT_AT_START.values())} participants in {len(ds.RUNNING)} running meetings",
    "end_meeting": f"ends a running instance with {ds.END_PRESENT} present (5 timeouts)",
    "meeting_messages": f"{ds.MESSAGES} messages",
    "user_messages": f"{ds.MESSAGES // ds.MESSAGE_AUTHORS} of the meeting's {ds.MESSAGES} messages",
}


class BenchError(RuntimeError):
    """A timed call did not do what it should: the numbers would be meaningless."""


def expect(condition: bool, what: str) -> None:
    if not condition:
        raise BenchError(what)


@dataclass
class OpResult:
    name: str
    stats: Stats
    floor: Stats          # the floor calls interleaved with this operation
    server_us: float | None   # server time per call (INFO commandstats), None if setup writes mix in
    client_us: float          # median client CPU time per call (Python and its system calls)
    slowest: dict | None      # the worst SLOWLOG entry (>= SLOWLOG_US) while this ran

    @property
    def round_trips(self) -> float:
        return self.stats.median_ms / self.floor.median_ms

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "what": WHAT[self.name], **self.stats.as_dict(),
                "floor_median_ms": self.floor.median_ms, "round_trips": self.round_trips,
                "server_us": self.server_us, "client_us": self.client_us, "slowest": self.slowest}


class Runner:
    """Times the operations on one loaded server (one data size)."""

    def __init__(self, app: ConferenceApp, clock: ManualClock, admin: Admin, floor_server_us: float):
        self.app, self.clock, self.admin = app, clock, admin
        self.floor_server_us = floor_server_us
        self.floor_script = app.stores.script_client.register_script("return 1")
        self.floor_script()
        admin.script_names[self.floor_script.sha] = "floor"
        self.samples: dict[str, tuple[list[float], list[float], list[float]]] = {}
        self.server: dict[str, list[float]] = {}
        self.slow: dict[str, list] = {}
        self.floor_slow: list = []  # a trivial script held the server this long: the machine, not confkit
        self.operations = 0
        self.posted = self.joined = self.ended = 0  # progress of the stateful operations
        self.future_loaded = False

    def tick(self) -> None:
        self.clock.advance(timedelta(milliseconds=1))

    def timed(self, name: str, op, calls: int, *, setup=None, check=None, server_time: bool = True,
              scripts_only: bool = False) -> None:
        """``scripts_only``: each call sends one script and nothing else, so its server
        time is the scripts' time alone (see Admin.take)."""
        self.admin.take()
        op_s, floor_s, op_cpu = interleaved(op, self.floor_script, calls, setup=setup, check=check)
        usec, _, slow = self.admin.take(scripts_only=scripts_only)
        held, floors, cpu = self.samples.setdefault(name, ([], [], []))
        held.extend(op_s)
        floors.extend(floor_s)
        cpu.extend(op_cpu)
        if server_time:
            self.server.setdefault(name, []).append((usec - calls * self.floor_server_us) / calls)
        self.slow.setdefault(name, []).extend(e for e in slow if e.command != "EVALSHA (floor)")
        self.floor_slow.extend(e for e in slow if e.command == "EVALSHA (floor)")
        self.operations += calls

    def slowlog_summary(self) -> dict[str, Any]:
        """Worst SLOWLOG entries of the operations and of the floor, and how many
        entries of the operations were over 1 ms among all commands run."""
        ops = [e for entries in self.slow.values() for e in entries]
        worst = max(ops, key=lambda e: e.duration_us, default=None)
        floor = max(self.floor_slow, key=lambda e: e.duration_us, default=None)
        over = sorted((e for e in ops if e.duration_us > 1000), key=lambda e: -e.duration_us)
        return {"worst": worst.as_dict() if worst else None, "worst_floor": floor.as_dict() if floor else None,
                "over_1ms": [e.as_dict() for e in over],
                "floor_over_1ms": sum(e.duration_us > 1000 for e in self.floor_slow),
                "operations": self.operations}

    def floor_interleaved(self) -> Stats:
        """Every floor call timed right before an operation call, all operations together."""
        return Stats.of([t for _, floors, _ in self.samples.values() for t in floors])

    def results(self) -> list[OpResult]:
        out = []
        for name in OPERATIONS:
            op_s, floor_s, op_cpu = self.samples[name]
            server = self.server.get(name)
            slow = max(self.slow.get(name, []), key=lambda e: e.duration_us, default=None)
            out.append(OpResult(name, Stats.of(op_s), Stats.of(floor_s),
                                sum(server) / len(server) if server else None,
                                statistics.median(op_cpu) * 1e6, slow.as_dict() if slow else None))
        return out

    # -- the operations, in an order that keeps the live set's counts known ---------
    # Each method times ``calls`` more calls and may be called again (the benchmark
    # runs them in rounds, alternating between the data sizes).
    STEPS = ("meeting_participants", "active_meetings", "active_meetings_future", "join_times", "meeting_messages",
             "user_messages", "post_message", "join_meeting", "end_meeting")

    def step(self, name: str, calls: int) -> None:
        getattr(self, name)(calls)

    def meeting_participants(self, calls: int) -> None:
        def check(_: int, people) -> None:
            expect(len(people) == ds.PARTICIPANTS, f"{len(people)} participants, not {ds.PARTICIPANTS}")
        self.timed("meeting_participants", lambda _: self.app.meeting_participants(ds.PARTICIPANTS_MEETING),
                   calls, setup=lambda _: self.tick(), check=check)

    def active_meetings(self, calls: int) -> None:
        def check(_: int, active) -> None:
            expect([a.meeting.meeting_id for a in active] == ds.RUNNING, "active meetings differ from the live set")
        self.timed("active_meetings", lambda _: self.app.active_meetings(), calls,
                   setup=lambda _: self.tick(), check=check, scripts_only=not self.app.stores.cluster)

    def active_meetings_future(self, calls: int) -> None:
        """active_meetings again, after 10,000 instances were scheduled for later (untimed, once)."""
        if not self.future_loaded:
            load_catalog(self.app, (), ds.future_meetings(), ds.future_instances())
            self.admin.settle()  # the load may have set off an AOF rewrite: not while timing
            self.future_loaded = True

        def check(_: int, active) -> None:
            expect([a.meeting.meeting_id for a in active] == ds.RUNNING, "active meetings differ from the live set")
        self.timed("active_meetings_future", lambda _: self.app.active_meetings(), calls,
                   setup=lambda _: self.tick(), check=check, scripts_only=not self.app.stores.cluster)

    def join_times(self, calls: int) -> None:
        rows = sum(ds.PRESENT_AT_START.values())

        def check(_: int, joined) -> None:
            expect(len(joined) == rows, f"{len(joined)} join times, not {rows}")
        self.timed("join_times", lambda _: self.app.join_times(), calls, setup=lambda _: self.tick(), check=check)

    def meeting_messages(self, calls: int) -> None:
        def check(_: int, messages) -> None:
            expect(len(messages) == ds.MESSAGES, f"{len(messages)} messages, not {ds.MESSAGES}")
        self.timed("meeting_messages", lambda _: self.app.meeting_messages(ds.MESSAGES_MEETING), calls,
                   setup=lambda _: self.tick(), check=check)

    def user_messages(self, calls: int) -> None:
        count = ds.MESSAGES // ds.MESSAGE_AUTHORS

        def check(_: int, messages) -> None:
            expect(len(messages) == count and all(m.user_id == ds.AUTHOR for m in messages),
                   f"{len(messages)} messages by user {ds.AUTHOR}, not {count}")
        self.timed("user_messages", lambda _: self.app.user_messages(ds.AUTHOR, ds.MESSAGES_MEETING), calls,
                   setup=lambda _: self.tick(), check=check)

    def post_message(self, calls: int) -> None:
        first = self.posted
        self.posted += calls

        def setup(i: int) -> str:
            self.tick()
            return f"benchmark message number {first + i:06d}"

        def check(i: int, message) -> None:
            expect(message.user_id == ds.POSTER and message.text == f"benchmark message number {first + i:06d}",
                   "post_message stored something else")
        self.timed("post_message", lambda text: self.app.post_message(ds.POSTER, ds.POST_MEETING, text),
                   calls, setup=setup, check=check, scripts_only=True)

    def join_meeting(self, calls: int) -> None:
        """Joins of users who are not in the meeting, then leaves of the same users."""
        pool = ds.LIVE_USERS[:len(ds.LIVE_USERS) // 2]  # the join meeting's own present users are the last ones
        for first in range(0, calls, JOIN_ROUND):
            users = [pool[(self.joined + k) % len(pool)] for k in range(min(JOIN_ROUND, calls - first))]
            self.joined += len(users)

            def setup(i: int, users=users) -> int:
                self.tick()
                return users[i]

            def joined(i: int, event, users=users) -> None:
                expect(event.event_type is EventType.JOIN and event.user_id == users[i], "join did not join")

            def left(i: int, event, users=users) -> None:
                expect(event.event_type is EventType.LEAVE and event.user_id == users[i], "leave did not leave")
            self.timed("join_meeting", lambda uid: self.app.join_meeting(uid, ds.JOIN_MEETING), len(users),
                       setup=setup, check=joined, scripts_only=True)
            self.timed("leave_meeting", lambda uid: self.app.leave_meeting(uid, ds.JOIN_MEETING), len(users),
                       setup=setup, check=left, scripts_only=True)

    def end_meeting(self, calls: int) -> None:
        app = self.app

        def setup(_: int) -> None:
            self.tick()
            if self.ended:  # schedule the next instance from now and fill it again (untimed)
                now = app.now()
                app.add_instance(ds.END_MEETING, self.ended + 1, now, now + timedelta(days=1))
                for uid in ds.LIVE_USERS[:ds.END_PRESENT]:
                    app.join_meeting(uid, ds.END_MEETING)

        def end(_: None) -> list:
            events = app.end_meeting(ds.END_MEETING)
            self.ended += 1
            return events

        def check(_: int, events) -> None:
            expect(len(events) == ds.END_PRESENT and all(e.event_type is EventType.TIMEOUT for e in events),
                   f"end_meeting wrote {len(events)} events")
        self.timed("end_meeting", end, calls, setup=setup, check=check, server_time=False)
