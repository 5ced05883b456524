"""ConferenceApp: the eight conference operations, plus the catalog calls.

Every operation that checks and writes does both inside one Lua script, so it is
atomic and costs one round trip; listings cost at most two. No operation scans the
keyspace. Time comes from the injectable clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import runner, validate
from .clock import Clock, system_clock
from .codec import from_ms, to_ms
from .connection import Stores, connect, redact
from .errors import InvalidInputError, MeetingNotFoundError, UserNotFoundError
from .keys import DEFAULT_NAMESPACE, Keys
from .models import (
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
from .retry import idempotent, reachable, sent_once
from .storage import Storage

if TYPE_CHECKING:
    from .sample import SampleSummary


class ConferenceApp:
    """Video-conference bookkeeping on Redis.

    ``url``: a ``redis://``, ``rediss://`` or ``unix://`` URL; ``None`` means
    ``$CONFKIT_REDIS_URL``, then the embedded server. ``cluster=True``: the URL names
    a node of a Redis Cluster (see docs/schema.md for the mapping). ``clock``: a
    zero-argument callable returning an aware datetime (default: the system clock, UTC).

    Each public call is guarded once (``confkit.retry``): connection failures are
    retried as its kind allows and end as a ConfkitConnectionError. The commands
    themselves live in ``confkit.storage``.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        clock: Clock | None = None,
        namespace: str = DEFAULT_NAMESPACE,
        stores: Stores | None = None,
        cluster: bool = False,
    ):
        self.stores = stores if stores is not None else connect(url, cluster=cluster)
        self.clock: Clock = clock if clock is not None else system_clock
        self.keys = Keys(namespace)
        self._store = Storage(self.stores, self.keys)

    def __repr__(self) -> str:
        return f"ConferenceApp(url={redact(self.stores.url)!r}, namespace={self.keys.namespace!r})"

    def close(self) -> None:
        """Release the connection pools."""
        self.stores.catalog.close()
        self.stores.activity.close()

    def __enter__(self) -> ConferenceApp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def now(self) -> datetime:
        """The clock's current time (UTC), checked to be timezone-aware."""
        return validate.aware(self.clock(), "the clock's time")

    def _now_ms(self) -> int:
        return to_ms(self.now())

    # -- catalog ---------------------------------------------------------------
    @idempotent
    def add_user(self, user_id: Any, name: str, age: int | None, gender: str | None,
                 email: str | None) -> User:
        """Create a user. Repeating an identical call is accepted; a different user
        under an existing id raises AlreadyExistsError (users are never rewritten).
        Age, gender and e-mail may be None (unknown): such a user can join public
        meetings, and private ones only with an e-mail in the audience."""
        user = User(
            user_id=validate.ident(user_id, "user_id"),
            name=validate.text(name, "name", max_chars=validate.MAX_NAME_CHARS),
            age=None if age is None else validate.age(age),
            gender=None if gender is None else validate.text(gender, "gender", max_chars=validate.MAX_NAME_CHARS),
            email=None if email is None else validate.email(email),
        )
        self._store.add_user(user)
        return user

    @idempotent
    def add_meeting(self, meeting_id: Any, title: str, description: str, *,
                    is_public: bool, audience: Iterable[str] = ()) -> Meeting:
        """Create a meeting: public, or private with an audience of e-mail addresses."""
        mid = validate.ident(meeting_id, "meeting_id")
        public = validate.flag(is_public, "is_public")
        emails = validate.audience(audience)
        if public and emails:
            raise InvalidInputError("a public meeting has no audience; pass is_public=False to invite")
        meeting = Meeting(
            meeting_id=mid,
            title=validate.text(title, "title", max_chars=validate.MAX_NAME_CHARS),
            description=validate.text(description, "description", allow_empty=True),
            is_public=public,
            audience=tuple(emails),
        )
        self._store.run("add_meeting", mid, self._now_ms(), [mid, meeting.title, meeting.description,
                                                             int(public), *emails])
        self._store.index_meeting(mid)
        return meeting

    @idempotent
    def add_instance(self, meeting_id: Any, order_id: Any, from_dt: datetime,
                     to_dt: datetime) -> MeetingInstance:
        """Schedule instance ``order_id`` of a meeting, running from from_dt until to_dt."""
        mid = validate.ident(meeting_id, "meeting_id")
        order = validate.ident(order_id, "order_id")
        start = validate.aware(from_dt, "from_dt")
        end = validate.aware(to_dt, "to_dt")
        start_ms, end_ms = to_ms(start), to_ms(end)
        if end_ms <= start_ms:
            raise InvalidInputError(f"to_dt ({end.isoformat()}) must be after from_dt ({start.isoformat()})")
        now_ms = self._now_ms()
        self._store.run("add_instance", mid, now_ms, [mid, order, start_ms, end_ms])
        self._store.index_instance(mid, order, start_ms, end_ms, now_ms)
        return MeetingInstance(mid, order, from_ms(start_ms), from_ms(end_ms))

    @idempotent
    def add_to_audience(self, meeting_id: Any, *emails: str) -> Meeting:
        """Invite more e-mail addresses to a private meeting."""
        return self._change_audience("add", meeting_id, emails)

    @idempotent
    def remove_from_audience(self, meeting_id: Any, *emails: str) -> Meeting:
        """Stop addresses from joining a private meeting. Users already inside stay
        until they leave or the instance ends; they cannot join again."""
        return self._change_audience("remove", meeting_id, emails)

    def _change_audience(self, how: str, meeting_id: Any, emails: Sequence[str]) -> Meeting:
        mid = validate.ident(meeting_id, "meeting_id")
        if not emails:
            raise InvalidInputError("name at least one e-mail address")
        normalised = sorted({validate.normalise_email(validate.email(a)) for a in emails})
        self._store.run("change_audience", mid, self._now_ms(), [how, *normalised])
        return self.get_meeting(mid)

    @reachable
    def get_user(self, user_id: Any) -> User:
        uid = validate.ident(user_id, "user_id")
        user = self._store.user(uid)
        if user is None:
            raise UserNotFoundError(uid)
        return user

    @reachable
    def users(self) -> list[User]:
        """Every user, in id order (pipelined, BATCH at a time)."""
        return self._store.users()

    @reachable
    def get_meeting(self, meeting_id: Any) -> Meeting:
        mid = validate.ident(meeting_id, "meeting_id")
        meeting = self._store.meeting(mid)
        if meeting is None:
            raise MeetingNotFoundError(mid)
        return meeting

    @reachable
    def meetings(self) -> list[Meeting]:
        """Every meeting, in id order."""
        return self._store.meetings()

    @reachable
    def instances(self, meeting_id: Any) -> list[MeetingInstance]:
        """A meeting's instances in order_id order."""
        mid = validate.ident(meeting_id, "meeting_id")
        if not self._store.meeting_exists(mid):
            raise MeetingNotFoundError(mid)
        return self._store.instances(mid)

    @idempotent
    def load_sample_data(self) -> SampleSummary:
        """The sample users, meetings and instances, placed around the clock's now."""
        from .sample import load  # the demo data set: not needed by the core class

        return load(self)

    @idempotent
    def import_meeting(self, report: Any, chat: Any = None, *, meeting_id: Any = None, roster: Any = None,
                       include_direct: bool = False, dry_run: bool = False,
                       progress: bool | None = None) -> Any:
        """Write a meeting export (``confkit.formats`` AttendanceReport, optional
        ChatLog) as one instance of a meeting, all or nothing; returns an
        ``ImportResult``. Repeating it changes nothing. See ``confkit.importer``."""
        from .importer import import_meeting
        return import_meeting(self, report, chat, meeting_id=meeting_id, roster=roster,
                              include_direct=include_direct, dry_run=dry_run, progress=progress)

    @idempotent
    def reset(self) -> int:
        """Delete every confkit key in both stores; returns how many were deleted.

        The only call that walks the keyspace (SCAN by the namespace prefix), so it
        leaves other data on a shared server alone. Never run implicitly.
        """
        return self._store.reset()

    # -- the eight operations ----------------------------------------------------
    def _join_email(self, user_id: int) -> str:
        """On one server the join script reads the user's e-mail itself (""); on a
        cluster the user lives in another slot, so we read it first."""
        if not self.stores.cluster:
            return ""
        exists, address = self._store.user_email(user_id)
        if not exists:
            raise UserNotFoundError(user_id)
        return "@" if address is None else validate.normalise_email(address)  # "@": none

    @sent_once
    def join_meeting(self, user_id: Any, meeting_id: Any) -> Event:
        """Join the meeting's running instance. Public meetings admit any user;
        private ones only users whose e-mail is in the audience."""
        uid = validate.ident(user_id, "user_id")
        mid = validate.ident(meeting_id, "meeting_id")
        email = self._join_email(uid)
        now_ms = self._now_ms()
        reply = self._store.run("join", mid, now_ms, [uid, email], user_id=uid, user_key=not email)
        return runner.written_event(reply, uid, mid, EventType.JOIN, now_ms)

    @sent_once
    def leave_meeting(self, user_id: Any, meeting_id: Any) -> Event:
        """Leave the running instance the user is in."""
        uid = validate.ident(user_id, "user_id")
        mid = validate.ident(meeting_id, "meeting_id")
        now_ms = self._now_ms()
        reply = self._store.run("leave", mid, now_ms, [uid], user_id=uid)
        return runner.written_event(reply, uid, mid, EventType.LEAVE, now_ms)

    @reachable
    def meeting_participants(self, meeting_id: Any) -> list[Participant]:
        """Who is in the meeting's running instance now, in join order."""
        mid = validate.ident(meeting_id, "meeting_id")
        reply = self._store.run("participants", mid, self._now_ms(), self._store.participant_args())
        _, present = runner.participants(reply)
        names = self._names(uid for uid, _, _ in present)
        return [Participant(uid, names.get(uid, name), joined) for uid, joined, name in present]

    def _names(self, user_ids: Iterable[int]) -> dict[int, str]:
        """Users' names for the participants script's rows: on a single server the
        script read them itself; on a cluster they are read here (other slots)."""
        return self._store.labels(user_ids, ())[0] if self.stores.cluster else {}

    @reachable
    def active_meetings(self) -> list[ActiveMeeting]:
        """Meetings with a running instance, in meeting id order."""
        now_ms = self._now_ms()
        if not self.stores.cluster:
            return self._store.active_meetings(now_ms)
        candidates = self._store.candidate_meetings(now_ms)
        result = []
        for mid, reply in zip(candidates, self._store.meeting_states(candidates, now_ms)):
            state = runner.meeting_state(self._reply(reply, "meeting_state", mid, now_ms), mid)
            if state is not None:
                result.append(state)
        return result

    def _reply(self, reply: Any, script: str, meeting_id: int, now_ms: int) -> Any:
        """A pipelined script reply, or raise the typed error for an error reply."""
        if isinstance(reply, Exception):
            raise self._store.refusal(reply, script, now_ms, meeting_id=meeting_id)
        return reply

    @sent_once
    def end_meeting(self, meeting_id: Any) -> list[Event]:
        """End the latest started instance; returns the timeout events written.

        Running: it ends now and everyone inside times out now. Already past its
        end: anyone still recorded times out at its end. A second call writes nothing.
        """
        mid = validate.ident(meeting_id, "meeting_id")
        reply = self._store.run("end_meeting", mid, self._now_ms())
        self._store.index_instance_end(mid, int(reply[0]), int(reply[1]))
        return runner.events(reply[2:], mid)

    @sent_once
    def sweep(self) -> list[Event]:
        """Write the timeouts for every instance that has ended on its own with
        users still inside; returns them. Operations also do this lazily, per meeting."""
        now_ms = self._now_ms()
        ids = self._store.meeting_ids()
        events: list[Event] = []
        for mid, reply in zip(ids, self._store.run_many("sweep", ids, now_ms)):
            events.extend(runner.events(self._reply(reply, "sweep", mid, now_ms), mid))
        return events

    @reachable
    def join_times(self) -> list[JoinTime]:
        """Every participant of every running meeting, with the time they joined."""
        now_ms = self._now_ms()
        candidates = self._store.candidate_meetings(now_ms)
        rows: list[tuple[int, str, int, datetime, str]] = []
        replies = self._store.run_many("participants", candidates, now_ms, self._store.participant_args())
        for mid, reply in zip(candidates, replies):
            if runner.refusal_code(reply) is not None:
                continue  # not running after all
            title, present = runner.participants(self._reply(reply, "participants", mid, now_ms))
            rows.extend((mid, title, uid, joined, name) for uid, joined, name in present)
        names = self._names(uid for _, _, uid, _, _ in rows)
        return [JoinTime(mid, title, uid, names.get(uid, name), joined) for mid, title, uid, joined, name in rows]

    @sent_once
    def post_message(self, user_id: Any, meeting_id: Any, text: str) -> Message:
        """Post a chat message; only a user inside the running instance may."""
        uid = validate.ident(user_id, "user_id")
        mid = validate.ident(meeting_id, "meeting_id")
        body = validate.message_text(text)
        now_ms = self._now_ms()
        reply = self._store.run("post_message", mid, now_ms, [uid, body], user_id=uid)
        message_id, order_id = runner.written(reply)
        return Message(message_id, mid, order_id, uid, body, from_ms(now_ms))

    @reachable
    def meeting_messages(self, meeting_id: Any) -> list[Message]:
        """Every message of the meeting, all instances, oldest first."""
        mid = validate.ident(meeting_id, "meeting_id")
        return self._messages(mid, None)

    @reachable
    def user_messages(self, user_id: Any, meeting_id: Any) -> list[Message]:
        """One user's messages in one meeting, all instances, oldest first."""
        uid = validate.ident(user_id, "user_id")
        mid = validate.ident(meeting_id, "meeting_id")
        messages = self._messages(mid, uid)
        if not messages and not self._store.user_exists(uid):
            raise UserNotFoundError(uid)
        return messages

    def _messages(self, meeting_id: int, user_id: int | None) -> list[Message]:
        messages = self._store.messages(meeting_id, user_id)
        if not messages and not self._store.meeting_exists(meeting_id):
            raise MeetingNotFoundError(meeting_id)
        return messages
