"""Synthetic background data at a given size, generated directly as records (no
operations) and loaded with confkit's bulk loader.

For N stored events: N // 1000 meetings (at least one), each with 10 past one-hour
instances of 50 sessions (join, then leave or a timeout at the instance's end) and
two messages per session, so N messages as well; N // 20 users (at least 200). All
background instances have ended, so the per-meeting history and the global indexes
grow with N while what is running now stays the same (see ``live``).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from confkit.bulk import MESSAGE, Activity
from confkit.codec import from_ms, to_ms
from confkit.models import EventType, Meeting, MeetingInstance, User

NOW = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)
NOW_MS = to_ms(NOW)
HOUR_MS = 3_600_000
MINUTE_MS = 60_000
DAY_MS = 24 * HOUR_MS

EVENTS_PER_MEETING = 1000
INSTANCES_PER_MEETING = 10
SESSIONS_PER_INSTANCE = EVENTS_PER_MEETING // INSTANCES_PER_MEETING // 2
MESSAGES_PER_SESSION = 2
TIMEOUT_SHARE = 0.2
USERS_PER_EVENT = 1 / 20
MIN_USERS = 200


@dataclass(frozen=True)
class Shape:
    """How much background data a run holds."""

    events: int
    meetings: int
    users: int

    @classmethod
    def for_events(cls, events: int) -> Shape:
        meetings = max(1, events // EVENTS_PER_MEETING)
        return cls(events=meetings * EVENTS_PER_MEETING, meetings=meetings,
                   users=max(MIN_USERS, int(events * USERS_PER_EVENT)))

    @property
    def instances(self) -> int:
        return self.meetings * INSTANCES_PER_MEETING

    @property
    def messages(self) -> int:
        return self.instances * SESSIONS_PER_INSTANCE * MESSAGES_PER_SESSION


def users(shape: Shape) -> Iterator[User]:
    genders = ("female", "male", "non-binary")
    for uid in range(1, shape.users + 1):
        yield User(uid, f"User {uid}", 18 + uid % 60, genders[uid % 3], f"user{uid}@example.com")


def meetings(shape: Shape) -> Iterator[Meeting]:
    for mid in range(1, shape.meetings + 1):
        private = mid % 4 == 0
        audience = tuple(f"user{(mid * 7 + k) % shape.users + 1}@example.com" for k in range(5)) if private else ()
        yield Meeting(mid, f"Meeting {mid}", f"Background meeting {mid}", not private, audience)


def instance_start_ms(order_id: int) -> int:
    """Instance k of every background meeting ran (11 - k) days before NOW, for an hour."""
    return NOW_MS - (INSTANCES_PER_MEETING + 1 - order_id) * DAY_MS


def instances(shape: Shape) -> Iterator[MeetingInstance]:
    for mid in range(1, shape.meetings + 1):
        for order in range(1, INSTANCES_PER_MEETING + 1):
            start = instance_start_ms(order)
            yield MeetingInstance(mid, order, from_ms(start), from_ms(start + HOUR_MS))


def activity(shape: Shape, first_meeting: int, last_meeting: int, seed: int = 7) -> list[Activity]:
    """The events and messages of background meetings first_meeting..last_meeting."""
    rng = random.Random(seed * 1_000_003 + first_meeting)
    records: list[Activity] = []
    add = records.append
    user_ids = range(1, shape.users + 1)
    for mid in range(first_meeting, last_meeting + 1):
        for order in range(1, INSTANCES_PER_MEETING + 1):
            start = instance_start_ms(order)
            end = start + HOUR_MS
            for uid in rng.sample(user_ids, SESSIONS_PER_INSTANCE):
                joined = start + rng.randrange(30 * MINUTE_MS)
                if rng.random() < TIMEOUT_SHARE:
                    left, kind = end, EventType.TIMEOUT
                else:
                    left, kind = joined + MINUTE_MS + rng.randrange(29 * MINUTE_MS), EventType.LEAVE
                add(Activity(mid, order, uid, EventType.JOIN, joined))
                for k in range(MESSAGES_PER_SESSION):
                    add(Activity(mid, order, uid, MESSAGE, joined + 1 + rng.randrange(left - joined - 1),
                                 f"message {k} from user {uid} in {mid}/{order}"))
                add(Activity(mid, order, uid, kind, left))
    return records


# -- the live set: what runs "now", the same at every N ---------------------------
LIVE = 10_000_000          # live meeting and user ids start above any background id
JOIN_MEETING = LIVE + 1    # public; users join and leave it (join / leave timings)
POST_MEETING = LIVE + 2    # POSTER is in it (post_message)
PARTICIPANTS_MEETING = LIVE + 3  # exactly PARTICIPANTS present (meeting_participants)
MESSAGES_MEETING = LIVE + 4      # exactly MESSAGES messages by MESSAGE_AUTHORS users
END_MEETING = LIVE + 5           # ended and rescheduled over and over (end_meeting)
FILLERS = range(LIVE + 10, LIVE + 30)   # other running meetings, FILLER_PRESENT inside each
SCHEDULED = range(LIVE + 30, LIVE + 50)  # instances tomorrow: not running, still candidates
THROUGHPUT = range(LIVE + 100, LIVE + 164)  # meetings the throughput workers use
FUTURE = range(LIVE + 100_000, LIVE + 102_000)  # scheduled later (active_meetings_future)
FUTURE_PER_MEETING = 5  # instances each: 10,000 scheduled instances in all

LIVE_USERS = range(LIVE + 1, LIVE + 5001)
BASE_PRESENT = 10
PARTICIPANTS = 50
MESSAGES = 1000
MESSAGE_AUTHORS = 10
END_PRESENT = 5
FILLER_PRESENT = 5
LIVE_FROM_MS = NOW_MS - HOUR_MS
LIVE_TO_MS = NOW_MS + DAY_MS

RUNNING = [JOIN_MEETING, POST_MEETING, PARTICIPANTS_MEETING, MESSAGES_MEETING, END_MEETING, *FILLERS]
PRESENT_AT_START = {JOIN_MEETING: BASE_PRESENT, POST_MEETING: BASE_PRESENT, PARTICIPANTS_MEETING: PARTICIPANTS,
                    MESSAGES_MEETING: MESSAGE_AUTHORS, END_MEETING: END_PRESENT,
                    **{mid: FILLER_PRESENT for mid in FILLERS}}
POSTER = LIVE_USERS[0]
AUTHOR = LIVE_USERS[0]  # one of the MESSAGE_AUTHORS: MESSAGES // MESSAGE_AUTHORS messages


def live_users() -> Iterator[User]:
    for uid in LIVE_USERS:
        yield User(uid, f"Live user {uid - LIVE}", 30, "female", f"live{uid - LIVE}@example.com")


def live_meetings(throughput: bool = False) -> Iterator[Meeting]:
    """The live meetings; ``throughput`` adds the ones the throughput workers use."""
    for mid in [*RUNNING, *SCHEDULED, *(THROUGHPUT if throughput else ())]:
        yield Meeting(mid, f"Live meeting {mid - LIVE}", "runs now", True, ())


def live_instances(throughput: bool = False) -> Iterator[MeetingInstance]:
    for mid in [*RUNNING, *(THROUGHPUT if throughput else ())]:
        yield MeetingInstance(mid, 1, from_ms(LIVE_FROM_MS), from_ms(LIVE_TO_MS))
    for mid in SCHEDULED:
        yield MeetingInstance(mid, 1, from_ms(NOW_MS + DAY_MS), from_ms(NOW_MS + DAY_MS + HOUR_MS))


def live_activity() -> list[Activity]:
    """Who is present in the running live meetings, and the 1000 messages."""
    joined = LIVE_FROM_MS + MINUTE_MS
    records = []
    for mid, count in PRESENT_AT_START.items():
        # The join meeting's first users are left for the timed joins: take the last ones.
        users = LIVE_USERS[-count:] if mid == JOIN_MEETING else LIVE_USERS[:count]
        records += [Activity(mid, 1, uid, EventType.JOIN, joined) for uid in users]
    authors = LIVE_USERS[:MESSAGE_AUTHORS]
    records += [Activity(MESSAGES_MEETING, 1, authors[i % MESSAGE_AUTHORS], MESSAGE, joined + 1 + i * 100,
                         f"live message {i} about the agenda") for i in range(MESSAGES)]
    return records


def future_meetings() -> Iterator[Meeting]:
    for mid in FUTURE:
        yield Meeting(mid, f"Future meeting {mid - LIVE}", "scheduled later", True, ())


def future_instances() -> Iterator[MeetingInstance]:
    """FUTURE_PER_MEETING one-hour instances of each FUTURE meeting, on the days after tomorrow."""
    for mid in FUTURE:
        for order in range(1, FUTURE_PER_MEETING + 1):
            start = NOW_MS + (1 + order) * DAY_MS
            yield MeetingInstance(mid, order, from_ms(start), from_ms(start + HOUR_MS))
