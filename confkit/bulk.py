"""Bulk loading: write large data sets with pipelines, exactly as the operations would.

The synthetic generator and the benchmarks use this to load 10^6 events in seconds
instead of one script call per event. Every record is checked the way the
operations check it (alternating join / leave-or-timeout per user and instance,
times inside the instance, posts only while present), and ids are reserved with
INCRBY, so live operations can keep running on other meetings meanwhile. Load
activity into a meeting only while nothing else writes to that meeting.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tqdm.auto import tqdm

from .codec import event_record, message_record, to_ms
from .errors import InvalidInputError
from .models import EventType, Meeting, MeetingInstance, User
from .validate import message_text, normalise_email

if TYPE_CHECKING:
    from .app import ConferenceApp

CHUNK = 2000
PROGRESS_THRESHOLD = 5000


@dataclass(frozen=True)
class Activity:
    """One thing that happened: a join, leave, timeout (event_type 1-3) or a message (0)."""

    meeting_id: int
    order_id: int
    user_id: int
    kind: int  # EventType value, or MESSAGE
    ts_ms: int
    text: str = ""


MESSAGE = 0


@dataclass
class LoadReport:
    users: int = 0
    meetings: int = 0
    instances: int = 0
    events: int = 0
    messages: int = 0
    open_sessions: int = 0
    per_meeting_events: dict[int, int] = field(default_factory=dict)


def _progress(total: int, desc: str, show: bool | None):
    enabled = total > PROGRESS_THRESHOLD if show is None else show
    return tqdm(total=total, desc=desc, unit="rec", disable=not enabled, leave=False)


def load_catalog(app: ConferenceApp, users: Iterable[User] = (), meetings: Iterable[Meeting] = (),
                 instances: Iterable[MeetingInstance] = (), *, report: LoadReport | None = None) -> LoadReport:
    """Write users, meetings and instances with the same fields add_user / add_meeting /
    add_instance write. Existing ids are overwritten: load into an empty catalog."""
    report = report or LoadReport()
    keys, catalog = app.keys, app.stores.catalog
    pipe = catalog.pipeline(transaction=False)
    pending = 0

    def flush() -> None:
        nonlocal pipe, pending
        if pending:
            pipe.execute()
        pipe, pending = catalog.pipeline(transaction=False), 0

    for user in users:
        pipe.hset(keys.user(user.user_id), mapping={
            "user_id": user.user_id, "name": user.name, "age": user.age,
            "gender": user.gender, "email": user.email})
        pipe.zadd(keys.users, {user.user_id: user.user_id})
        report.users += 1
        pending += 2
        if pending >= CHUNK:
            flush()
    for meeting in meetings:
        if meeting.is_public and meeting.audience:
            raise InvalidInputError(f"meeting {meeting.meeting_id} is public and has an audience")
        pipe.hset(keys.meeting(meeting.meeting_id), mapping={
            "meeting_id": meeting.meeting_id, "title": meeting.title,
            "description": meeting.description, "is_public": int(meeting.is_public)})
        if meeting.audience:
            pipe.sadd(keys.audience(meeting.meeting_id), *{normalise_email(a) for a in meeting.audience})
        pipe.zadd(keys.meetings, {meeting.meeting_id: meeting.meeting_id})
        report.meetings += 1
        pending += 3
        if pending >= CHUNK:
            flush()
    for inst in instances:
        start, end = to_ms(inst.from_dt), to_ms(inst.to_dt)
        if end <= start:
            raise InvalidInputError(f"instance {inst.meeting_id}/{inst.order_id} ends before it starts")
        pipe.hset(keys.instance(inst.meeting_id, inst.order_id), mapping={
            "meeting_id": inst.meeting_id, "order_id": inst.order_id, "from_ms": start, "to_ms": end})
        pipe.zadd(keys.instances(inst.meeting_id), {inst.order_id: inst.order_id})
        pipe.zadd(keys.instances_by_end, {f"{inst.meeting_id}:{inst.order_id}": end})
        report.instances += 1
        pending += 3
        if pending >= CHUNK:
            flush()
    flush()
    return report


class _MeetingLog:
    """Checks one meeting's records in time order and builds what the scripts would write."""

    def __init__(self, meeting_id: int, spans: dict[int, tuple[int, int]]):
        self.meeting_id = meeting_id
        self.spans = spans
        self.present: dict[int, dict[int, int]] = defaultdict(dict)  # order -> user -> join event idx
        self.events: list[str] = []
        self.messages: list[tuple[int, int, str]] = []  # (user, ts, text) ; ids assigned later
        self.message_meta: list[str] = []

    def add(self, rec: Activity) -> None:
        span = self.spans.get(rec.order_id)
        where = f"meeting {self.meeting_id} instance {rec.order_id}"
        if span is None:
            raise InvalidInputError(f"{where} does not exist")
        here = self.present[rec.order_id]
        inside = span[0] <= rec.ts_ms < span[1] or (rec.kind == EventType.TIMEOUT and rec.ts_ms == span[1])
        if not inside:
            raise InvalidInputError(f"activity at {rec.ts_ms} lies outside {where}")
        if rec.kind == MESSAGE:
            if rec.user_id not in here:
                raise InvalidInputError(f"user {rec.user_id} posts in {where} without being in it")
            self.messages.append((rec.user_id, rec.ts_ms, message_text(rec.text)))
            self.message_meta.append(message_record(rec.user_id, rec.order_id, rec.ts_ms))
            return
        if rec.kind == EventType.JOIN:
            if rec.user_id in here:
                raise InvalidInputError(f"user {rec.user_id} joins {where} twice")
            here[rec.user_id] = len(self.events)
        elif rec.kind in (EventType.LEAVE, EventType.TIMEOUT):
            if rec.user_id not in here:
                raise InvalidInputError(f"user {rec.user_id} leaves {where} without being in it")
            del here[rec.user_id]
        else:
            raise InvalidInputError(f"unknown activity kind {rec.kind!r}")
        self.events.append(event_record(rec.user_id, rec.order_id, int(rec.kind), rec.ts_ms))


def load_activity(app: ConferenceApp, records: Sequence[Activity], *, progress: bool | None = None,
                  report: LoadReport | None = None) -> LoadReport:
    """Write events and messages. ``records`` are grouped by meeting and taken in
    time order (ties keep their given order). Instances must already be in the catalog.
    Checks everything before writing anything."""
    report = report or LoadReport()
    by_meeting: dict[int, list[Activity]] = defaultdict(list)
    for rec in records:
        by_meeting[rec.meeting_id].append(rec)
    spans = _instance_spans(app, sorted(by_meeting))
    logs = []
    for mid in sorted(by_meeting):
        log = _MeetingLog(mid, spans[mid])
        for rec in sorted(by_meeting[mid], key=lambda r: r.ts_ms):
            log.add(rec)
        logs.append(log)

    keys, activity = app.keys, app.stores.activity
    bar = _progress(len(records), "loading activity", progress)
    with bar:
        for log in logs:
            mid = log.meeting_id
            # Reserve the ids exactly as INCR in the scripts would hand them out (a
            # counter the operations would not have created stays absent).
            pipe = activity.pipeline(transaction=False)
            for seq, count in ((keys.event_seq(mid), len(log.events)), (keys.message_seq(mid), len(log.messages))):
                if count:
                    pipe.incrby(seq, count)
                else:
                    pipe.get(seq)
            event_top, message_top = (int(v or 0) for v in pipe.execute())
            first_event = event_top - len(log.events) + 1
            first_message = message_top - len(log.messages) + 1
            for start in range(0, len(log.events), CHUNK):
                part = log.events[start:start + CHUNK]
                activity.hset(keys.events(mid), mapping={
                    first_event + start + i: rec for i, rec in enumerate(part)})
                bar.update(len(part))
            for start in range(0, len(log.messages), CHUNK):
                part = log.messages[start:start + CHUNK]
                ids = range(first_message + start, first_message + start + len(part))
                per_user: dict[int, dict[int, int]] = defaultdict(dict)
                for msg_id, (uid, ts, _) in zip(ids, part):
                    per_user[uid][msg_id] = ts
                pipe = activity.pipeline(transaction=False)
                pipe.hset(keys.messages(mid), mapping=dict(zip(ids, log.message_meta[start:start + CHUNK])))
                pipe.hset(keys.message_texts(mid), mapping={i: t for i, (_, _, t) in zip(ids, part)})
                pipe.zadd(keys.messages_by_time(mid), {i: ts for i, (_, ts, _) in zip(ids, part)})
                for uid, members in per_user.items():
                    pipe.zadd(keys.user_messages(mid, uid), members)
                pipe.execute()
                bar.update(len(part))
            pipe = activity.pipeline(transaction=False)
            for order, users in log.present.items():
                if users:
                    pipe.zadd(keys.presence(mid, order), {
                        uid: first_event + idx for uid, idx in users.items()})
                    pipe.sadd(keys.open_instances(mid), order)
                    report.open_sessions += len(users)
            pipe.execute()
            report.events += len(log.events)
            report.messages += len(log.messages)
            report.per_meeting_events[mid] = report.per_meeting_events.get(mid, 0) + len(log.events)
    return report


def _instance_spans(app: ConferenceApp, meeting_ids: list[int]) -> dict[int, dict[int, tuple[int, int]]]:
    keys, catalog = app.keys, app.stores.catalog
    spans: dict[int, dict[int, tuple[int, int]]] = {}
    pipe = catalog.pipeline(transaction=False)
    for mid in meeting_ids:
        pipe.zrange(keys.instances(mid), 0, -1)
    orders = pipe.execute()
    pipe = catalog.pipeline(transaction=False)
    wanted = []
    for mid, order_list in zip(meeting_ids, orders):
        spans[mid] = {}
        for order in order_list:
            pipe.hmget(keys.instance(mid, int(order)), "from_ms", "to_ms")
            wanted.append((mid, int(order)))
    for (mid, order), (start, end) in zip(wanted, pipe.execute()):
        spans[mid][order] = (int(start), int(end))
    return spans
