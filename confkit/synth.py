"""Synthetic meeting activity: realistic, reproducible, at any size.

``plan`` draws a whole history from one seed: users with names, ages, genders and
e-mails; stand-ups (daily, weekdays), classes and syncs (weekly) and one-off events,
public or private with audiences; joins clustered around each start with some late
joiners, dropped connections that rejoin, early leavers, people still inside when an
instance ends (timeouts), hosts who end an instance early, and chat whose rate is
highest at the start and end of a session. The history covers the ``days`` before
the app's now; instances running at now keep their participants inside.

``generate`` writes that plan either through the real operations, driven by a
simulated clock (small data sets), or with the bulk loader (large ones). Both write
the same keys and values, so the same arguments always give the same data.
"""

from __future__ import annotations

import math
import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Literal

from tqdm.auto import tqdm

from .bulk import MESSAGE, PROGRESS_THRESHOLD, Activity, LoadReport, load_activity, load_catalog
from .clock import ManualClock
from .codec import from_ms, to_ms
from .errors import InvalidInputError
from .models import EventType, Meeting, MeetingInstance, User
from .storage import Storage

if TYPE_CHECKING:
    from .app import ConferenceApp

Method = Literal["auto", "operations", "bulk"]
#: Above this many records, ``method="auto"`` uses the bulk loader.
OPERATIONS_LIMIT = 20_000
#: Above this many meeting-days, drawing the history shows a progress bar (~6 events each).
PLAN_PROGRESS_THRESHOLD = 1_000
MINUTE_MS = 60_000

FEMALE = ["Amara", "Chloé", "Emma", "Fatima", "Hana", "Ingrid", "Julia", "Leila", "Mei", "Nadia",
          "Olivia", "Priya", "Sofia", "Yara", "Zoë", "Ana", "Keiko", "Lucía", "Marta", "Ruth"]
MALE = ["Ahmed", "Ben", "Carlos", "Daniel", "Ethan", "Felix", "Hiroshi", "Ivan", "Jonas", "Kwame",
        "Liam", "Mateo", "Noah", "Omar", "Pavel", "Raj", "Samuel", "Tomás", "Umar", "Viktor"]
NEUTRAL = ["Alex", "Charlie", "Jamie", "Kai", "Morgan", "Robin", "Sam", "Taylor"]
LAST = ["Andersen", "Becker", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Haddad", "Ito",
        "Jensen", "Kowalski", "López", "Müller", "Nakamura", "Okafor", "Petrov", "Quinn", "Rossi",
        "Silva", "Tanaka", "Umarov", "Varga", "Wang", "Xu", "Yilmaz", "Zhang", "Nguyen", "Singh"]
DOMAINS = ["example.com", "example.org", "example.net"]
TEAMS = ["Platform", "Payments", "Mobile", "Data", "Design", "Support", "Growth", "Infra", "Search",
         "Security", "Billing", "Identity"]
SUBJECTS = ["Python", "Statistics", "Spanish", "SQL", "Guitar", "Drawing", "Chess", "Yoga",
            "Machine learning", "Public speaking", "Photography", "Japanese"]
EVENTS = ["Town hall", "Product launch", "Guest talk", "Hackathon kick-off", "Quarterly review",
          "Security drill", "Book club", "Charity quiz"]

GREETINGS = ["Hi all!", "Good morning", "Hello everyone", "Hey :)", "Morning!", "Can you hear me?",
             "Hi, joining from the train", "Hello from home"]
MIDDLE = ["+1", "Agreed", "Good point", "Could you repeat the last part?", "Notes are in the doc",
          "I'll take that one", "Screen is frozen for me", "Thanks, that helps", "Question: is this recorded?",
          "Let's follow up offline", "Link: https://example.com/notes", "Done on my side", "Any blockers?",
          "Can you share the slides?", "Makes sense", "I disagree, slightly", "Back in 2 min", "lol"]
FAREWELLS = ["Thanks everyone!", "Bye!", "See you next time", "Have a good one", "Thanks, bye",
             "Great session, thank you"]


@dataclass(frozen=True)
class Kind:
    """A kind of meeting: how often it recurs, how long it lasts, who comes, how chatty it is."""

    name: str
    every_days: int | None  # 1 = every weekday, 7 = weekly, None = once
    minutes: tuple[int, ...]
    hours: tuple[tuple[int, int], ...]  # possible start times (hour, minute)
    members: tuple[int, int]  # how many regulars (bounded by the number of users)
    private_share: float  # probability that a meeting of this kind is private
    attend: float  # probability that a regular comes to an instance
    chat: float  # messages per minute of a typical participant at the quietest phase
    qa: bool  # has a question-and-answer burst near the end


KINDS = {
    "stand-up": Kind("stand-up", 1, (15,), ((9, 0), (9, 15), (9, 30)), (4, 10), 0.5, 0.85, 0.05, False),
    "class": Kind("class", 7, (60, 90), ((9, 0), (14, 0), (16, 0), (18, 0)), (10, 35), 0.0, 0.7, 0.03, True),
    "sync": Kind("sync", 7, (30, 45), ((11, 0), (13, 30), (15, 0)), (3, 8), 1.0, 0.8, 0.04, False),
    "event": Kind("event", None, (60, 90, 120), ((10, 0), (15, 0), (17, 0)), (15, 60), 0.3, 0.75, 0.05, True),
}
KIND_WEIGHTS = {"stand-up": 0.35, "class": 0.3, "sync": 0.2, "event": 0.15}


@dataclass(frozen=True)
class Plan:
    """A complete synthetic history, before it is written anywhere.

    ``instances`` carry their final ``to_dt``; ``scheduled_ends`` holds the original
    end of those a host ended early. ``activity`` is in time order (ties in the
    order they happened) and includes the timeouts written when instances ended.
    """

    start: datetime
    now: datetime
    users: tuple[User, ...]
    meetings: tuple[Meeting, ...]
    kinds: dict[int, str]
    instances: tuple[MeetingInstance, ...]
    scheduled_ends: dict[tuple[int, int], datetime]
    activity: tuple[Activity, ...]

    @property
    def events(self) -> int:
        return sum(1 for a in self.activity if a.kind != MESSAGE)

    @property
    def messages(self) -> int:
        return sum(1 for a in self.activity if a.kind == MESSAGE)


@dataclass(frozen=True)
class SynthReport:
    """What ``generate`` wrote, and how."""

    method: str
    start: datetime
    now: datetime
    users: int
    meetings: int
    instances: int
    events: int
    messages: int
    open_sessions: int
    kinds: dict[int, str] = field(default_factory=dict)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()


def _users(rng: random.Random, count: int, first_id: int) -> list[User]:
    users, taken = [], set()
    for uid in range(first_id, first_id + count):
        gender = rng.choices(["female", "male", "non-binary"], weights=[48, 48, 4])[0]
        first = rng.choice({"female": FEMALE, "male": MALE}.get(gender, NEUTRAL))
        last = rng.choice(LAST)
        base = f"{_ascii(first)}.{_ascii(last)}".replace(" ", "")
        local, n = base, 1
        while local in taken:
            n += 1
            local = f"{base}{n}"
        taken.add(local)
        age = int(rng.triangular(18, 70, 33))
        users.append(User(uid, f"{first} {last}", age, gender, f"{local}@{rng.choice(DOMAINS)}"))
    return users


def _kinds(rng: random.Random, count: int) -> list[str]:
    """Every kind once (shuffled) while there is room, then drawn by weight."""
    first = list(KINDS)
    rng.shuffle(first)
    rest = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()), k=max(0, count - len(first)))
    return (first + rest)[:count]


def _title(kind: str, index: int, used: dict[str, int]) -> tuple[str, str]:
    names = {"stand-up": TEAMS, "sync": TEAMS, "class": SUBJECTS, "event": EVENTS}[kind]
    base = names[index % len(names)]
    title, description = {
        "stand-up": (f"{base} stand-up", f"Daily check-in of the {base} team, weekdays."),
        "sync": (f"{base} weekly sync", f"Weekly planning of the {base} team."),
        "class": (f"{base} class", f"Weekly {base.lower()} lesson, open to everyone."),
        "event": (base, "A one-off event."),
    }[kind]
    used[title] = used.get(title, 0) + 1
    if used[title] > 1:
        title = f"{title} #{used[title]}"
    return title, description


def _schedule(rng: random.Random, kind: Kind, start: datetime, end: datetime,
              live_at: datetime | None = None) -> list[tuple[datetime, int]]:
    """Start times and lengths (minutes) of a meeting's instances between start and
    end; a one-off event given ``live_at`` started 5-30 minutes before it."""
    hour, minute = rng.choice(kind.hours)
    length = rng.choice(kind.minutes)
    if live_at is not None and kind.every_days is None:
        return [(live_at.replace(second=0, microsecond=0) - timedelta(minutes=rng.randint(5, 30)), length)]
    day0 = start.replace(hour=0, minute=0, second=0, microsecond=0)
    days = (end - day0).days + 1
    if kind.every_days is None:
        options = [day0 + timedelta(days=d, hours=hour, minutes=minute) for d in range(days)]
        options = [when for when in options if start <= when < end]
        candidates = [rng.choice(options)] if options else []
    elif kind.every_days == 1:
        candidates = [day0 + timedelta(days=d, hours=hour, minutes=minute) for d in range(days)
                      if (day0 + timedelta(days=d)).weekday() < 5]
    else:
        weekday = rng.randrange(5)
        first = (weekday - day0.weekday()) % 7
        candidates = [day0 + timedelta(days=d, hours=hour, minutes=minute) for d in range(first, days, 7)]
    return [(when, length) for when in candidates if start <= when < end]


def _phase_shape(p: float, qa: bool) -> float:
    """Relative chat rate at fraction ``p`` of the scheduled session: greetings at the
    start, goodbyes at the end, a question-and-answer burst for classes and events."""
    shape = 0.4 + 2.2 * math.exp(-(((p - 0.04) / 0.06) ** 2)) + 1.4 * math.exp(-(((p - 0.97) / 0.05) ** 2))
    if qa:
        shape += 1.6 * math.exp(-(((p - 0.78) / 0.08) ** 2))
    return shape


SHAPE_MAX = 3.0  # above _phase_shape everywhere: the thinning bound


def _text(rng: random.Random, p: float) -> str:
    if p < 0.12:
        return rng.choice(GREETINGS)
    if p > 0.9:
        return rng.choice(FAREWELLS)
    return rng.choice(MIDDLE)


def _seconds(ms: float) -> int:
    """Times in the synthetic data are whole seconds, as people read them."""
    return int(ms // 1000) * 1000


class _Instance:
    """Draws one instance's sessions and messages."""

    def __init__(self, rng: random.Random, meeting_id: int, order_id: int, kind: Kind,
                 start_ms: int, end_ms: int, now_ms: int, chattiness: dict[int, float]):
        self.rng, self.mid, self.order, self.kind = rng, meeting_id, order_id, kind
        self.start, self.scheduled_end, self.now = start_ms, end_ms, now_ms
        self.chattiness = chattiness
        self.end = end_ms
        if rng.random() < 0.08:  # the host ends it early
            early = end_ms - _seconds(rng.uniform(2, max(3.0, 0.25 * (end_ms - start_ms) / MINUTE_MS)) * MINUTE_MS)
            if start_ms < early < now_ms:
                self.end = early
        self.records: list[tuple[int, int, Activity]] = []  # (ts, tie-break, record)

    def _add(self, ts: int, user_id: int, kind: int, text: str = "", tie: int = 0) -> None:
        self.records.append((ts, tie, Activity(self.mid, self.order, user_id, kind, ts, text)))

    def _sessions(self, join: int, leave: int | None) -> list[tuple[int, int | None]]:
        """Split a stay into sessions when the connection drops and the user rejoins."""
        rng = self.rng
        out: list[tuple[int, int | None]] = []
        while rng.random() < 0.12:
            stop = leave if leave is not None else self.scheduled_end
            if stop - join < 4 * MINUTE_MS:
                break
            drop = join + _seconds(rng.uniform(MINUTE_MS, stop - join - 2 * MINUTE_MS))
            back = drop + _seconds(rng.uniform(20_000, 180_000))
            if back >= stop:
                break
            out.append((join, drop))
            join = back
        out.append((join, leave))
        return out

    def attend(self, user_id: int, *, drop_in: bool = False) -> None:
        rng, length = self.rng, self.scheduled_end - self.start
        if drop_in or rng.random() < 0.18:  # a late joiner
            offset = rng.uniform(3 * MINUTE_MS, 0.6 * length)
        else:
            offset = min(rng.expovariate(1 / 50_000), 4 * MINUTE_MS)
        join = self.start + _seconds(offset) + 1000
        roll = rng.random()
        if roll < 0.1 + 0.15 * drop_in:  # leaves early
            stay = rng.uniform(MINUTE_MS, max(2 * MINUTE_MS, 0.7 * (self.scheduled_end - join)))
            leave: int | None = join + _seconds(stay)
        elif roll < 0.7:  # leaves just before the end
            leave = self.scheduled_end - _seconds(min(rng.expovariate(1 / 40_000), 3 * MINUTE_MS)) - 1000
        else:  # stays until the instance ends: a timeout
            leave = None
        if leave is not None and leave <= join:
            leave = None
        for begin, stop in self._sessions(join, leave):
            self._session(user_id, begin, stop)

    def _session(self, user_id: int, join: int, leave: int | None) -> None:
        """Record one session, cut off where the instance really ended or at now."""
        cutoff = min(self.end, self.now)
        if join >= cutoff:
            return
        self._add(join, user_id, EventType.JOIN)
        if leave is not None and leave < cutoff:
            until = leave
            self._add(leave, user_id, EventType.LEAVE, tie=2)
        elif self.end <= self.now:
            until = self.end
            self._add(self.end, user_id, EventType.TIMEOUT, tie=2)
        else:
            until = self.now  # still inside at now
        self._chat(user_id, join, until)

    def _chat(self, user_id: int, join: int, until: int) -> None:
        rng = self.rng
        peak = self.chattiness[user_id] * self.kind.chat * SHAPE_MAX / MINUTE_MS  # per ms
        length = self.scheduled_end - self.start
        t = float(join)
        while True:
            t += rng.expovariate(peak)
            ts = _seconds(t)
            if ts >= until:
                return
            if ts <= join:
                continue
            p = (ts - self.start) / length
            if rng.random() * SHAPE_MAX < _phase_shape(p, self.kind.qa):
                self._add(ts, user_id, MESSAGE, _text(rng, p), tie=1)


def plan(*, users: int, meetings: int, days: int, seed: int, now: datetime,
         first_user_id: int = 1, first_meeting_id: int = 1, progress: bool | None = None) -> Plan:
    """Draw a synthetic history of ``days`` days before ``now`` (nothing written).

    Instances are scheduled up to a day after ``now`` so that some are still to come;
    the first one-off event is live at ``now``, so something is always in progress.
    ``progress``: a progress bar over meetings (default: for large histories only).
    """
    for value, what in ((users, "users"), (meetings, "meetings"), (days, "days")):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidInputError(f"{what} must be a positive integer, got {value!r}")
    if now.tzinfo is None:
        raise InvalidInputError("now must be timezone-aware")
    now = now.astimezone(timezone.utc)
    now_ms = to_ms(now)
    start = now - timedelta(days=days)
    rng = random.Random(f"confkit-synth:{seed}")
    people = _users(rng, users, first_user_id)
    ids = [u.user_id for u in people]
    chattiness = {uid: rng.lognormvariate(0, 0.9) for uid in ids}

    meeting_list, kinds, instances, ends = [], {}, [], {}
    records: list[tuple[int, int, int, Activity]] = []
    titles: dict[str, int] = {}
    counters: dict[str, int] = {}
    by_id = {u.user_id: u for u in people}
    show = meetings * days > PLAN_PROGRESS_THRESHOLD if progress is None else progress
    for n, kind_name in enumerate(tqdm(_kinds(rng, meetings), desc="drawing meetings", unit="meeting",
                                       disable=not show, leave=False)):
        mid = first_meeting_id + n
        kind = KINDS[kind_name]
        index = counters.get(kind_name, 0)
        counters[kind_name] = index + 1
        title, description = _title(kind_name, index, titles)
        size = min(len(ids), rng.randint(*kind.members))
        members = sorted(rng.sample(ids, size))
        private = rng.random() < kind.private_share
        audience = tuple(sorted(email for m in members if (email := by_id[m].email))) if private else ()
        meeting_list.append(Meeting(mid, title, description, not private, audience))
        kinds[mid] = kind_name
        # Each meeting draws from its own stream, seeded by its position (not its id),
        # so adding meetings keeps the others and ids that start later change nothing.
        mrng = random.Random(f"confkit-synth:{seed}:meeting:{n + 1}")
        regulars = set(members)
        outsiders = [] if private else [u for u in ids if u not in regulars]
        live = now if kind_name == "event" and counters["event"] == 1 else None
        for order, (when, minutes) in enumerate(_schedule(mrng, kind, start, now + timedelta(days=1), live), 1):
            begin = to_ms(when)
            inst = _Instance(mrng, mid, order, kind, begin, begin + minutes * MINUTE_MS, now_ms, chattiness)
            instances.append(MeetingInstance(mid, order, from_ms(begin), from_ms(inst.end)))
            if inst.end != inst.scheduled_end:
                ends[(mid, order)] = from_ms(inst.scheduled_end)
            if begin >= now_ms:
                continue
            for uid in members:
                if mrng.random() < kind.attend:
                    inst.attend(uid)
            if outsiders:
                for uid in mrng.sample(outsiders, min(len(outsiders), mrng.randrange(3))):
                    inst.attend(uid, drop_in=True)
            records.extend((ts, tie, len(records) + i, rec) for i, (ts, tie, rec) in enumerate(inst.records))
    records.sort(key=lambda r: r[:3])
    activity = _timeouts_in_join_order(rec for *_, rec in records)
    return Plan(start, now, tuple(people), tuple(meeting_list), kinds, tuple(instances), ends, activity)


def _timeouts_in_join_order(records: Iterator[Activity]) -> tuple[Activity, ...]:
    """Order the timeouts of one instance as the server writes them: by join order."""
    out: list[Activity] = []
    joined: dict[tuple[int, int, int], int] = {}
    pending: list[Activity] = []

    def flush() -> None:
        pending.sort(key=lambda r: joined[(r.meeting_id, r.order_id, r.user_id)])
        out.extend(pending)
        pending.clear()

    for rec in records:
        if pending and (rec.kind != EventType.TIMEOUT or (rec.ts_ms, rec.meeting_id, rec.order_id)
                        != (pending[0].ts_ms, pending[0].meeting_id, pending[0].order_id)):
            flush()
        if rec.kind == EventType.JOIN:
            joined[(rec.meeting_id, rec.order_id, rec.user_id)] = len(out) + len(pending)
        if rec.kind == EventType.TIMEOUT:
            pending.append(rec)
        else:
            out.append(rec)
    flush()
    return tuple(out)


def _next_ids(app: ConferenceApp) -> tuple[int, int]:
    top_user, top_meeting = Storage.of(app).top_ids()
    return top_user + 1, top_meeting + 1


def generate(app: ConferenceApp, *, users: int = 50, meetings: int = 8, days: int = 14, seed: int = 0,
             method: Method = "auto", progress: bool | None = None) -> SynthReport:
    """Write a synthetic history of ``days`` days up to ``app.now()``.

    User and meeting ids continue after the highest ones already stored, so the
    sample data can sit alongside. ``method``: ``"operations"`` replays the history
    through the real operations on a simulated clock, ``"bulk"`` uses the bulk
    loader; ``"auto"`` picks operations up to OPERATIONS_LIMIT records. ``progress``:
    show a progress bar (default: only above a few thousand records).
    """
    if method not in ("auto", "operations", "bulk"):
        raise InvalidInputError(f"method must be 'auto', 'operations' or 'bulk', got {method!r}")
    first_user, first_meeting = _next_ids(app)
    history = plan(users=users, meetings=meetings, days=days, seed=seed, now=app.now(),
                   first_user_id=first_user, first_meeting_id=first_meeting, progress=progress)
    if method == "auto":
        method = "operations" if len(history.activity) <= OPERATIONS_LIMIT else "bulk"
    if method == "bulk":
        open_sessions = _write_bulk(app, history, progress)
    else:
        open_sessions = _write_operations(app, history, progress)
    return SynthReport(method, history.start, history.now, len(history.users), len(history.meetings),
                       len(history.instances), history.events, history.messages, open_sessions,
                       dict(history.kinds))


def _write_bulk(app: ConferenceApp, history: Plan, progress: bool | None) -> int:
    report = load_catalog(app, history.users, history.meetings, history.instances, report=LoadReport())
    report = load_activity(app, history.activity, progress=progress, report=report)
    return report.open_sessions


def _write_operations(app: ConferenceApp, history: Plan, progress: bool | None) -> int:
    """Replay the plan through the operations; the simulated clock visits each moment."""
    from .app import ConferenceApp

    sim = ManualClock(history.start)
    ops = ConferenceApp(stores=app.stores, clock=sim, namespace=app.keys.namespace)
    for user in history.users:
        ops.add_user(user.user_id, user.name, user.age, user.gender, user.email)
    for meeting in history.meetings:
        ops.add_meeting(meeting.meeting_id, meeting.title, meeting.description,
                        is_public=meeting.is_public, audience=meeting.audience)
    for inst in history.instances:
        scheduled = history.scheduled_ends.get((inst.meeting_id, inst.order_id), inst.to_dt)
        ops.add_instance(inst.meeting_id, inst.order_id, inst.from_dt, scheduled)
    # Instances that are over by now end with end_meeting at their end, which writes
    # the timeouts (the plan's timeout records) exactly as the server would.
    now_ms = to_ms(history.now)
    timeouts = {(a.meeting_id, a.order_id) for a in history.activity if a.kind == EventType.TIMEOUT}
    ends = [(to_ms(i.to_dt), i.meeting_id) for i in history.instances
            if to_ms(i.to_dt) <= now_ms and ((i.meeting_id, i.order_id) in timeouts
                                              or (i.meeting_id, i.order_id) in history.scheduled_ends)]
    steps = sorted([(a.ts_ms, 0, n, a) for n, a in enumerate(history.activity) if a.kind != EventType.TIMEOUT]
                   + [(ts, 1, n, mid) for n, (ts, mid) in enumerate(ends)], key=lambda s: s[:3])
    show = len(steps) > PROGRESS_THRESHOLD if progress is None else progress
    for ts, is_end, _, what in tqdm(steps, desc="replaying activity", unit="op", disable=not show, leave=False):
        sim.set(from_ms(ts))
        if is_end:
            ops.end_meeting(what)
        elif what.kind == EventType.JOIN:
            ops.join_meeting(what.user_id, what.meeting_id)
        elif what.kind == EventType.LEAVE:
            ops.leave_meeting(what.user_id, what.meeting_id)
        else:
            ops.post_message(what.user_id, what.meeting_id, what.text)
    storage = Storage.of(ops)
    return sum(storage.presence_count(inst.meeting_id, inst.order_id) for inst in history.instances
               if to_ms(inst.from_dt) <= now_ms < to_ms(inst.to_dt))


def main(argv: list[str] | None = None) -> int:
    """``python -m confkit.synth ...``: the same as ``confkit generate ...``."""
    import sys

    from .cli import main as confkit

    return confkit(["generate", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    raise SystemExit(main())
