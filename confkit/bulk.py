"""Bulk loading: write large data sets with pipelines, exactly as the operations would.

The synthetic generator and the benchmarks use this to load 10^6 events in seconds
instead of one script call per event. Every record is checked the way the
operations check it (alternating join / leave-or-timeout per user and instance,
times inside the instance, posts only while present), and ids are reserved with
INCRBY, so live operations can keep running on other meetings meanwhile. Load
activity into a meeting only while nothing else writes to that meeting.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tqdm.auto import tqdm

from .codec import event_record, message_record, to_ms, user_fields
from .errors import InvalidInputError
from .keys import Keys
from .models import EventType, Meeting, MeetingInstance, User
from .retry import call
from .storage import Command, Storage
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


def _progress(total: int, desc: str, show: bool | None):
    enabled = total > PROGRESS_THRESHOLD if show is None else show
    return tqdm(total=total, desc=desc, unit="rec", disable=not enabled, leave=False)


def load_catalog(app: ConferenceApp, users: Iterable[User] = (), meetings: Iterable[Meeting] = (),
                 instances: Iterable[MeetingInstance] = (), *, report: LoadReport | None = None) -> LoadReport:
    """Write users, meetings and instances with the same fields add_user / add_meeting /
    add_instance write (then each meeting's copy of its latest instance, as
    add_instance keeps it). Existing ids are overwritten: load into an empty catalog."""
    report = report or LoadReport()
    keys = app.keys
    now_ms = to_ms(app.now())
    storage = Storage.of(app)
    touched: set[int] = set()
    with _Writer(storage, "catalog", threads=0) as writer:
        for user in users:
            writer.add(("HSET", keys.user(user.user_id), *(i for pair in user_fields(user).items() for i in pair)),
                       ("ZADD", keys.users, user.user_id, user.user_id))
            report.users += 1
        for meeting in meetings:
            if meeting.is_public and meeting.audience:
                raise InvalidInputError(f"meeting {meeting.meeting_id} is public and has an audience")
            mid = meeting.meeting_id
            writer.add(("HSET", keys.meeting(mid), "meeting_id", mid, "title", meeting.title,
                        "description", meeting.description, "is_public", int(meeting.is_public)),
                       ("ZADD", keys.meetings, mid, mid))
            if meeting.audience:
                writer.add(("SADD", keys.audience(mid), *sorted({normalise_email(a) for a in meeting.audience})))
            report.meetings += 1
            touched.add(mid)
        for inst in instances:
            start, end = to_ms(inst.from_dt), to_ms(inst.to_dt)
            if end <= start:
                raise InvalidInputError(f"instance {inst.meeting_id}/{inst.order_id} ends before it starts")
            mid, order = inst.meeting_id, inst.order_id
            writer.add(("HSET", keys.instance(mid, order), "meeting_id", mid, "order_id", order,
                        "from_ms", start, "to_ms", end),
                       ("ZADD", keys.instances(mid), order, order),
                       storage.instance_index_command(mid, order, start, end, now_ms))
            report.instances += 1
            touched.add(mid)
    replies = call(app.stores, "load_catalog", lambda: storage.run_many("remember_latest", sorted(touched), now_ms),
                   writes=True, repeatable=True)
    for reply in replies:
        if isinstance(reply, Exception):
            raise storage.refusal(reply, "remember_latest", now_ms)
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

    def _where(self, rec: Activity) -> str:
        return f"meeting {self.meeting_id} instance {rec.order_id}"

    def add(self, rec: Activity) -> None:
        span = self.spans.get(rec.order_id)
        if span is None:
            raise InvalidInputError(f"{self._where(rec)} does not exist")
        here = self.present[rec.order_id]
        kind, user_id, ts = rec.kind, rec.user_id, rec.ts_ms
        if not (span[0] <= ts < span[1] or (kind == EventType.TIMEOUT and ts == span[1])):
            raise InvalidInputError(f"activity at {ts} lies outside {self._where(rec)}")
        if kind == MESSAGE:
            if user_id not in here:
                raise InvalidInputError(f"user {user_id} posts in {self._where(rec)} without being in it")
            self.messages.append((user_id, ts, message_text(rec.text)))
            self.message_meta.append(message_record(user_id, rec.order_id, ts))
            return
        if kind == EventType.JOIN:
            if user_id in here:
                raise InvalidInputError(f"user {user_id} joins {self._where(rec)} twice")
            here[user_id] = len(self.events)
        elif kind == EventType.LEAVE or kind == EventType.TIMEOUT:
            if user_id not in here:
                raise InvalidInputError(f"user {user_id} leaves {self._where(rec)} without being in it")
            del here[user_id]
        else:
            raise InvalidInputError(f"unknown activity kind {kind!r}")
        self.events.append(event_record(user_id, rec.order_id, int(kind), ts))


def load_activity(app: ConferenceApp, records: Sequence[Activity], *, progress: bool | None = None,
                  report: LoadReport | None = None) -> LoadReport:
    """Write events and messages. ``records`` are grouped by meeting and taken in
    time order (ties keep their given order). Instances must already be in the catalog.
    Checks everything before writing anything."""
    report = report or LoadReport()
    by_meeting: dict[int, list[Activity]] = defaultdict(list)
    for rec in records:
        by_meeting[rec.meeting_id].append(rec)
    storage = Storage.of(app)
    spans = storage.instance_spans(sorted(by_meeting))
    logs = []
    for mid in sorted(by_meeting):
        log = _MeetingLog(mid, spans[mid])
        for rec in sorted(by_meeting[mid], key=lambda r: r.ts_ms):
            log.add(rec)
        logs.append(log)

    keys = app.keys
    # Reserve every meeting's ids first, exactly as INCR in the scripts would hand them out.
    tops = storage.reserve([(seq, count) for log in logs
                            for seq, count in ((keys.event_seq(log.meeting_id), len(log.events)),
                                               (keys.message_seq(log.meeting_id), len(log.messages)))])
    bar = _progress(len(records), "loading activity", progress)
    with bar, _Writer(storage, "activity") as writer:
        for log, event_top, message_top in zip(logs, tops[0::2], tops[1::2]):
            mid = log.meeting_id
            first_event = event_top - len(log.events) + 1
            first_message = message_top - len(log.messages) + 1
            for start in range(0, len(log.events), CHUNK):
                part = log.events[start:start + CHUNK]
                first = first_event + start
                writer.add(("HSET", keys.events(mid), *_flat(range(first, first + len(part)), part)),
                           records=len(part))
                bar.update(len(part))
            for start in range(0, len(log.messages), CHUNK):
                posts = log.messages[start:start + CHUNK]
                ids = range(first_message + start, first_message + start + len(posts))
                writer.add(*message_commands(keys, mid, ids, posts, log.message_meta[start:start + CHUNK]),
                           records=len(posts))
                bar.update(len(posts))
            for order, users in log.present.items():
                if users:
                    writer.add(("ZADD", keys.presence(mid, order),
                                *_flat([first_event + idx for idx in users.values()], users)),
                               ("SADD", keys.open_instances(mid), order))
                    report.open_sessions += len(users)
            report.events += len(log.events)
            report.messages += len(log.messages)
    return report


def message_commands(keys: Keys, meeting_id: int, ids: Sequence[int], posts: Sequence[tuple[int, int, str]],
                     records: Sequence[str], target: Callable[[str], str] | None = None) -> list[Command]:
    """The commands that store messages ``ids`` of a meeting as post_message would:
    ``posts`` (user_id, timestamp ms, text) and their JSON ``records``, into the keys
    ``target`` maps each key name to (default: the keys themselves)."""
    target = target or (lambda key: key)
    per_user: dict[int, list[int]] = defaultdict(list)
    for message_id, (user_id, ts, _) in zip(ids, posts):
        per_user[user_id] += (ts, message_id)
    return [("HSET", target(keys.messages(meeting_id)), *_flat(ids, records)),
            ("HSET", target(keys.message_texts(meeting_id)), *_flat(ids, [text for _, _, text in posts])),
            ("ZADD", target(keys.messages_by_time(meeting_id)), *_flat([ts for _, ts, _ in posts], ids)),
            *(("ZADD", target(keys.user_messages(meeting_id, user_id)), *scored)
              for user_id, scored in per_user.items())]


def _flat(first: Iterable[Any], second: Iterable[Any]) -> list[Any]:
    """[a0, b0, a1, b1, ...]: field/value or score/member pairs as one argument list."""
    return [item for pair in zip(first, second) for item in pair]


class _Writer:
    """Commands gathered into pipelines (``Storage.execute``: each retried whole, as
    every command here can be repeated), sent from background threads (each with its
    own connection), so the next batch is built and encoded while Redis applies the
    previous one: a bulk load is bound by the client's CPU and the server's in turn,
    and this lets them overlap. The batches are independent writes, so their order
    does not matter. At most DEPTH batches in flight; the first error is raised again
    in the caller. ``threads=0`` sends each batch in the caller's thread."""

    DEPTH = 3
    THREADS = 2
    FLUSH_AT = 2 * CHUNK  # records per pipeline

    def __init__(self, storage: Storage, store: str, threads: int = THREADS):
        self.storage, self.store = storage, store
        self.commands: list[Command] = []
        self.queued = 0
        self.pending: deque[Future] = deque()
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="confkit-bulk") if threads else None

    def add(self, *commands: Command, records: int | None = None) -> None:
        """Queue commands that write ``records`` records (default: one per command)."""
        self.commands.extend(commands)
        self.added(len(commands) if records is None else records)

    def added(self, records: int) -> None:
        """Count queued records; send the batch once it holds FLUSH_AT."""
        self.queued += records
        if self.queued >= self.FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        if self.commands:
            if self.pool is None:
                self.storage.execute(self.store, self.commands)
            else:
                self.pending.append(self.pool.submit(self.storage.execute, self.store, self.commands))
            self.commands, self.queued = [], 0
        while len(self.pending) > self.DEPTH:
            self.pending.popleft().result()

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        try:
            if exc_type is None:
                self.flush()
            while self.pending:
                self.pending.popleft().result()
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True)
