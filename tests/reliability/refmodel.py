"""An in-memory reference model of confkit, written from the rules in docs/schema.md
and the API docstrings, sharing no code with confkit (only its result and error types).

Every method returns what ConferenceApp's method of the same name must return, or
raises the confkit error class it must raise. Times are epoch milliseconds; results
are built with the model's own arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from confkit import errors
from confkit.models import (
    ActiveMeeting,
    Event,
    EventType,
    JoinTime,
    Meeting,
    MeetingInstance,
    Message,
    Participant,
    User,
)

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MAX_ID = 2**53 - 1


def dt(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


def ms(when: datetime) -> int:
    return (when - EPOCH) // timedelta(milliseconds=1)


class Refused(Exception):
    """The model's verdict that a call must fail with ``kind`` (a confkit error class)."""

    def __init__(self, kind: type[Exception]):
        super().__init__(kind.__name__)
        self.kind = kind


# -- input rules (from the docstrings: ids positive integers up to 2**53-1, digit
#    strings allowed; texts non-blank, bounded; e-mails one '@', no spaces) ---------

def check_id(value: Any) -> int:
    if type(value) is int:
        number = value
    elif type(value) is str and value != "" and all("0" <= c <= "9" for c in value):
        if len(value.lstrip("0")) > 16:  # more digits than any id can have
            raise Refused(errors.InvalidInputError)
        number = int(value)
    else:
        raise Refused(errors.InvalidInputError)
    if number < 1 or number > MAX_ID:
        raise Refused(errors.InvalidInputError)
    return number


def _encodable(value: str) -> bool:
    return not any(0xD800 <= ord(c) <= 0xDFFF for c in value)


def check_text(value: Any, limit: int, *, blank_ok: bool = False) -> str:
    if type(value) is not str or len(value) > limit or not _encodable(value):
        raise Refused(errors.InvalidInputError)
    if not blank_ok and value.strip() == "":
        raise Refused(errors.InvalidInputError)
    return value


def check_email(value: Any) -> str:
    address = check_text(value, 320).strip()
    if address.count("@") != 1 or any(c.isspace() for c in address):
        raise Refused(errors.InvalidInputError)
    local, domain = address.split("@")
    if not local or not domain:
        raise Refused(errors.InvalidInputError)
    return address


def fold(address: str) -> str:
    """Case-insensitive form of an address: only A-Z are folded."""
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in address.strip())


def check_time(value: Any) -> int:
    """An aware datetime whose UTC form is a datetime too (year 1 to 9999)."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise Refused(errors.InvalidInputError)
    try:
        value.replace(tzinfo=None) - value.utcoffset()
    except OverflowError:
        raise Refused(errors.InvalidInputError) from None
    return ms(value)


# -- state ------------------------------------------------------------------------

@dataclass
class MeetingState:
    title: str
    description: str
    public: bool
    audience: set[str]
    instances: dict[int, list[int]] = field(default_factory=dict)   # order -> [from, to]
    events: list[Event] = field(default_factory=list)
    present: dict[int, dict[int, tuple[int, int]]] = field(default_factory=dict)  # order -> uid -> (eid, ts)
    messages: list[Message] = field(default_factory=list)


class Model:
    def __init__(self, now_ms: int):
        self.now = now_ms
        self.users: dict[int, User] = {}
        self.meetings: dict[int, MeetingState] = {}

    # -- helpers -------------------------------------------------------------------
    def _meeting(self, mid: int) -> MeetingState:
        if mid not in self.meetings:
            raise Refused(errors.MeetingNotFoundError)
        return self.meetings[mid]

    def _latest_started(self, m: MeetingState) -> int | None:
        started = [o for o, (start, _) in m.instances.items() if start <= self.now]
        return max(started) if started else None

    def _running(self, m: MeetingState) -> int | None:
        order = self._latest_started(m)
        if order is not None and self.now < m.instances[order][1]:
            return order
        return None

    def running(self, mid: int) -> int | None:
        """The order id of the meeting's running instance, if any."""
        return self._running(self.meetings[mid])

    def audience_contains(self, mid: int, email: str) -> bool:
        return fold(email) in self.meetings[mid].audience

    def _meeting_value(self, mid: int) -> Meeting:
        m = self.meetings[mid]
        return Meeting(mid, m.title, m.description, m.public, tuple(sorted(m.audience)))

    def _instance_value(self, mid: int, order: int) -> MeetingInstance:
        start, end = self.meetings[mid].instances[order]
        return MeetingInstance(mid, order, dt(start), dt(end))

    def _event(self, mid: int, uid: int, order: int, kind: EventType, ts: int) -> Event:
        m = self.meetings[mid]
        event = Event(len(m.events) + 1, uid, mid, order, kind, dt(ts))
        m.events.append(event)
        return event

    def _ended_at(self, m: MeetingState, order: int) -> int:
        """When a no-longer-running instance stopped: its end, the start of the next
        instance by order id, or now, whichever is earliest."""
        stamp = min(self.now, m.instances[order][1])
        later = [o for o in m.instances if o > order]
        if later:
            stamp = min(stamp, m.instances[min(later)][0])
        return stamp

    def _close(self, mid: int, order: int, stamp: int) -> list[Event]:
        m = self.meetings[mid]
        inside = sorted(m.present.pop(order, {}).items(), key=lambda item: item[1][0])
        return [self._event(mid, uid, order, EventType.TIMEOUT, max(stamp, joined))
                for uid, (_, joined) in inside]

    def _lazy_sweep(self, mid: int, keep: int | None) -> list[Event]:
        m = self.meetings[mid]
        out: list[Event] = []
        for order in sorted(o for o, inside in m.present.items() if inside and o != keep):
            out += self._close(mid, order, self._ended_at(m, order))
        return out

    # -- catalog -------------------------------------------------------------------
    def add_user(self, user_id, name, age, gender, email) -> User:
        uid = check_id(user_id)
        user = User(uid, check_text(name, 200), None if age is None else self._age(age),
                    None if gender is None else check_text(gender, 200), None if email is None else check_email(email))
        if uid in self.users and self.users[uid] != user:
            raise Refused(errors.AlreadyExistsError)
        self.users[uid] = user
        return user

    @staticmethod
    def _age(value: Any) -> int:
        if type(value) is not int or not 0 <= value <= 150:
            raise Refused(errors.InvalidInputError)
        return value

    def add_meeting(self, meeting_id, title, description, *, is_public, audience=()) -> Meeting:
        mid = check_id(meeting_id)
        if type(is_public) is not bool or isinstance(audience, str):
            raise Refused(errors.InvalidInputError)
        try:
            invited = list(audience)
        except TypeError:
            raise Refused(errors.InvalidInputError) from None
        folded = {fold(check_email(a)) for a in invited}
        if is_public and folded:
            raise Refused(errors.InvalidInputError)
        title = check_text(title, 200)
        description = check_text(description, 4096, blank_ok=True)
        if mid in self.meetings:
            m = self.meetings[mid]
            if (m.title, m.description, m.public, m.audience) != (title, description, is_public, folded):
                raise Refused(errors.AlreadyExistsError)
        else:
            self.meetings[mid] = MeetingState(title, description, is_public, folded)
        return self._meeting_value(mid)

    def add_instance(self, meeting_id, order_id, from_dt, to_dt) -> MeetingInstance:
        mid, order = check_id(meeting_id), check_id(order_id)
        start, end = check_time(from_dt), check_time(to_dt)
        if end <= start:
            raise Refused(errors.InvalidInputError)
        m = self._meeting(mid)
        if order in m.instances and m.instances[order] != [start, end]:
            raise Refused(errors.AlreadyExistsError)
        m.instances[order] = [start, end]
        return self._instance_value(mid, order)

    def _audience(self, how: str, meeting_id, emails) -> Meeting:
        mid = check_id(meeting_id)
        if not emails:
            raise Refused(errors.InvalidInputError)
        folded = {fold(check_email(a)) for a in emails}
        m = self._meeting(mid)
        if m.public:
            raise Refused(errors.InvalidInputError)
        m.audience = m.audience | folded if how == "add" else m.audience - folded
        return self._meeting_value(mid)

    def add_to_audience(self, meeting_id, *emails) -> Meeting:
        return self._audience("add", meeting_id, emails)

    def remove_from_audience(self, meeting_id, *emails) -> Meeting:
        return self._audience("remove", meeting_id, emails)

    def get_user(self, user_id) -> User:
        uid = check_id(user_id)
        if uid not in self.users:
            raise Refused(errors.UserNotFoundError)
        return self.users[uid]

    def users_list(self) -> list[User]:
        return [self.users[u] for u in sorted(self.users)]

    def get_meeting(self, meeting_id) -> Meeting:
        mid = check_id(meeting_id)
        self._meeting(mid)
        return self._meeting_value(mid)

    def meetings_list(self) -> list[Meeting]:
        return [self._meeting_value(mid) for mid in sorted(self.meetings)]

    def instances(self, meeting_id) -> list[MeetingInstance]:
        mid = check_id(meeting_id)
        m = self._meeting(mid)
        return [self._instance_value(mid, o) for o in sorted(m.instances)]

    # -- the operations --------------------------------------------------------------
    def join_meeting(self, user_id, meeting_id) -> Event:
        uid, mid = check_id(user_id), check_id(meeting_id)
        if uid not in self.users:
            raise Refused(errors.UserNotFoundError)
        m = self._meeting(mid)
        email = self.users[uid].email
        if not m.public and (email is None or fold(email) not in m.audience):
            raise Refused(errors.NotInvitedError)
        order = self._running(m)
        if order is None:
            raise Refused(errors.NoActiveInstanceError)
        if uid in m.present.get(order, {}):
            raise Refused(errors.AlreadyJoinedError)
        self._lazy_sweep(mid, order)
        event = self._event(mid, uid, order, EventType.JOIN, self.now)
        m.present.setdefault(order, {})[uid] = (event.event_id, self.now)
        return event

    def _inside(self, uid: int, mid: int) -> int:
        """The running instance the user is in, or the error leave / post must raise."""
        m = self._meeting(mid)
        order = self._running(m)
        if order is None:
            raise Refused(errors.NoActiveInstanceError)
        if uid not in m.present.get(order, {}):
            raise Refused(errors.NotJoinedError if uid in self.users else errors.UserNotFoundError)
        return order

    def leave_meeting(self, user_id, meeting_id) -> Event:
        uid, mid = check_id(user_id), check_id(meeting_id)
        order = self._inside(uid, mid)
        self._lazy_sweep(mid, order)
        del self.meetings[mid].present[order][uid]
        return self._event(mid, uid, order, EventType.LEAVE, self.now)

    def post_message(self, user_id, meeting_id, text) -> Message:
        uid, mid = check_id(user_id), check_id(meeting_id)
        body = check_text(text, 4096)
        order = self._inside(uid, mid)
        self._lazy_sweep(mid, order)
        m = self.meetings[mid]
        message = Message(len(m.messages) + 1, mid, order, uid, body, dt(self.now))
        m.messages.append(message)
        return message

    def meeting_participants(self, meeting_id) -> list[Participant]:
        mid = check_id(meeting_id)
        m = self._meeting(mid)
        order = self._running(m)
        if order is None:
            raise Refused(errors.NoActiveInstanceError)
        inside = sorted(m.present.get(order, {}).items(), key=lambda item: item[1][0])
        return [Participant(uid, self.users[uid].name, dt(ts)) for uid, (_, ts) in inside]

    def active_meetings(self) -> list[ActiveMeeting]:
        out = []
        for mid in sorted(self.meetings):
            order = self._running(self.meetings[mid])
            if order is not None:
                out.append(ActiveMeeting(self._meeting_value(mid), self._instance_value(mid, order)))
        return out

    def end_meeting(self, meeting_id) -> list[Event]:
        mid = check_id(meeting_id)
        m = self._meeting(mid)
        order = self._latest_started(m)
        if order is None:
            raise Refused(errors.NoActiveInstanceError)
        if self.now < m.instances[order][1]:
            m.instances[order][1] = self.now
        out = self._lazy_sweep(mid, order)
        return out + self._close(mid, order, m.instances[order][1])

    def sweep(self) -> list[Event]:
        out = []
        for mid in sorted(self.meetings):
            out += self._lazy_sweep(mid, self._running(self.meetings[mid]))
        return out

    def join_times(self) -> list[JoinTime]:
        out = []
        for active in self.active_meetings():
            mid = active.meeting.meeting_id
            out += [JoinTime(mid, active.meeting.title, p.user_id, p.name, p.joined_at)
                    for p in self.meeting_participants(mid)]
        return out

    def meeting_messages(self, meeting_id) -> list[Message]:
        mid = check_id(meeting_id)
        return sorted(self._meeting(mid).messages, key=lambda x: (x.timestamp, x.message_id))

    def user_messages(self, user_id, meeting_id) -> list[Message]:
        uid, mid = check_id(user_id), check_id(meeting_id)
        mine = [x for x in self.meeting_messages(mid) if x.user_id == uid]
        if not mine and uid not in self.users:
            raise Refused(errors.UserNotFoundError)
        return mine
