"""ConferenceApp: the eight conference operations, plus the catalog calls.

Every operation that checks and writes does both inside one Lua script, so it is
atomic and costs one round trip; listings cost at most two. No operation scans the
keyspace. Time comes from the injectable clock.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import redis

from . import scripts, validate
from .clock import Clock, system_clock
from .codec import decode_event, decode_message, decode_user, from_ms, message_fields_many, to_ms, user_fields
from .connection import Stores, connect, redact
from .errors import (
    AlreadyExistsError,
    AlreadyJoinedError,
    ConfkitConnectionError,
    ConfkitError,
    InvalidInputError,
    MeetingNotFoundError,
    NoActiveInstanceError,
    NotInvitedError,
    NotJoinedError,
    OutcomeUnknownError,
    UserNotFoundError,
)
from .keys import DEFAULT_NAMESPACE, Keys
from .models import (
    ActiveMeeting,
    Event,
    JoinTime,
    Meeting,
    MeetingInstance,
    Message,
    Participant,
    User,
)
from .sample import SampleSummary
from .sample import load as load_sample

F = TypeVar("F", bound=Callable[..., Any])
BATCH = 500
KEY_CACHE = 4096  # meetings whose script keys are kept built
MESSAGE_CHUNK = 500  # message ids per HMGET when listing messages


_UNREACHABLE = (redis.ConnectionError, redis.TimeoutError)


# A script's CONFKIT_<CODE> refusal -> the error raised and its message.
_REFUSALS: dict[str, tuple[type[Exception], str]] = {
    "NOT_INVITED": (NotInvitedError, "{user} is not in the audience of private {meeting}"),
    "NO_ACTIVE_INSTANCE": (NoActiveInstanceError, "{meeting} has no instance running at {now}"),
    "NO_STARTED_INSTANCE": (NoActiveInstanceError, "{meeting} has no instance that has started by {now}"),
    "ALREADY_JOINED": (AlreadyJoinedError, "{user} is already in {meeting}"),
    "NOT_JOINED": (NotJoinedError, "{user} is not in the running instance of {meeting}"),
    "USER_EXISTS": (AlreadyExistsError, "{user} already exists with different details"),
    "MEETING_EXISTS": (AlreadyExistsError, "{meeting} already exists with different details"),
    "INSTANCE_EXISTS": (AlreadyExistsError, "{meeting} already has that instance with other times"),
    "MEETING_IS_PUBLIC": (InvalidInputError, "{meeting} is public: it has no audience to change"),
}


def _reachable(method: F) -> F:
    """For reads: retry connection failures with backoff, then raise ConfkitConnectionError."""
    return _guarded(method, writes=False, repeatable=True)


def _idempotent(method: F) -> F:
    """For writes whose repeat changes nothing (add_user, add_meeting, ...): retry with
    backoff; if any attempt failed after sending, the final error is OutcomeUnknownError."""
    return _guarded(method, writes=True, repeatable=True)


def _sent_once(method: F) -> F:
    """For writes that are not safe to repeat (join, leave, post, end, sweep): connect
    first (retried), then send once; a failure after sending is OutcomeUnknownError."""
    return _guarded(method, writes=True, repeatable=False)


def _guarded(method: F, *, writes: bool, repeatable: bool) -> F:
    @functools.wraps(method)
    def wrapper(self: ConferenceApp, *args: Any, **kwargs: Any) -> Any:
        policy = self.stores.retry
        delays = policy.delays()
        maybe_applied = False
        for attempt in range(len(delays) + 1):
            sent = False
            try:
                if writes:
                    self._connect_first()
                sent = True
                return method(self, *args, **kwargs)
            except redis.AuthenticationError as exc:
                raise ConfkitConnectionError(
                    f"Redis at {redact(self.stores.url)} refused confkit's login: {exc}") from None
            except _UNREACHABLE as exc:
                # LOADING (a restarted server reading its AOF) means the command was refused.
                if writes and sent and not isinstance(exc, redis.BusyLoadingError):
                    maybe_applied = True
                    if not repeatable:
                        raise OutcomeUnknownError(
                            f"lost Redis at {redact(self.stores.url)} during {method.__name__}; it may or may"
                            f" not have been applied (never twice): {exc}") from None
                if attempt == len(delays):
                    if maybe_applied:
                        raise OutcomeUnknownError(
                            f"lost Redis at {redact(self.stores.url)} during {method.__name__}, after retries;"
                            f" it may have been applied: repeating it is safe: {exc}") from None
                    raise ConfkitConnectionError(
                        f"cannot reach Redis at {redact(self.stores.url)}: {exc}") from None
                policy.sleep(delays[attempt])
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper  # type: ignore[return-value]


def _pairs(reply: Sequence[Any], meeting_id: int) -> list[Event]:
    return [decode_event(meeting_id, reply[i], reply[i + 1]) for i in range(0, len(reply), 2)]


class ConferenceApp:
    """Video-conference bookkeeping on Redis.

    ``url``: a ``redis://``, ``rediss://`` or ``unix://`` URL; ``None`` means
    ``$CONFKIT_REDIS_URL``, then the embedded server. ``cluster=True``: the URL names
    a node of a Redis Cluster (see docs/schema.md for the mapping). ``clock``: a
    zero-argument callable returning an aware datetime (default: the system clock, UTC).
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
        self._scripts = {
            name: self.stores.activity.register_script(scripts.source(name)) for name in scripts.NAMES
        }
        self._dbs = ("", "") if self.stores.cluster else (
            str(self.stores.catalog_db), str(self.stores.activity_db))
        # The keys a meeting script is handed depend on the meeting id only.
        self._script_keys = functools.lru_cache(maxsize=KEY_CACHE)(
            lambda meeting_id: tuple(self.keys.meeting_script_keys(meeting_id)))

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

    # -- plumbing --------------------------------------------------------------
    def _connect_first(self) -> None:
        """Make sure a pooled connection to the activity store is up, before a write
        that must not be resent; a failure here means nothing was sent."""
        pool = getattr(self.stores.activity, "connection_pool", None)
        if pool is None:  # a cluster client: every failure counts as "maybe sent"
            return
        try:
            connection = pool.get_connection()
        except TypeError:  # redis-py before 5.3 wants a command name
            connection = pool.get_connection("PING")
        pool.release(connection)

    def now(self) -> datetime:
        """The clock's current time (UTC), checked to be timezone-aware."""
        return validate.aware(self.clock(), "the clock's time")

    def _run(self, name: str, meeting_id: int, args: Sequence[Any] = (), *,
             user_id: int | None = None, user_key: bool = False, now_ms: int | None = None,
             client: Any = None) -> Any:
        """Run a meeting script; ``user_id`` names the user in errors, ``user_key``
        also hands the script the user's hash (single server only: another slot)."""
        keys = self._script_keys(meeting_id)
        if user_key:
            keys = (*keys, self.keys.user(user_id))  # type: ignore[arg-type]
        now = to_ms(self.now()) if now_ms is None else now_ms
        try:
            return self._call(name, keys, (*self._dbs, now, *args), client)
        except redis.ResponseError as exc:
            raise self._error(exc, meeting_id=meeting_id, user_id=user_id) from None

    def _call(self, name: str, keys: Sequence[str], argv: Sequence[Any], client: Any = None) -> Any:
        """EVALSHA of a registered script; on NOSCRIPT (a server that restarted or
        flushed its scripts) load it and run it again. In a pipeline this only queues
        the call: ``_pipelined`` deals with NOSCRIPT there, without the extra round
        trip redis-py's pipelines spend checking scripts before every execute."""
        script = self._scripts[name]
        client = self.stores.activity if client is None else client
        try:
            return client.evalsha(script.sha, len(keys), *keys, *argv)
        except redis.exceptions.NoScriptError:
            client.script_load(script.script)  # on a cluster: loaded on every primary
            return client.evalsha(script.sha, len(keys), *keys, *argv)

    def _describe_user(self, user_id: int) -> str:
        name = self.stores.catalog.hget(self.keys.user(user_id), "name")
        return f"user {user_id} ({name})" if name is not None else f"user {user_id}"

    def _describe_meeting(self, meeting_id: int) -> str:
        title = self.stores.catalog.hget(self.keys.meeting(meeting_id), "title")
        return f"meeting {meeting_id} ({title})" if title is not None else f"meeting {meeting_id}"

    def _user_exists(self, user_id: int) -> bool:
        return bool(self.stores.catalog.exists(self.keys.user(user_id)))

    def _error(self, exc: redis.ResponseError, *, meeting_id: int | None = None,
               user_id: int | None = None) -> Exception:
        """Map a script's CONFKIT_<CODE> error reply to a typed error with readable names."""
        code = str(exc).split()[0].removeprefix("CONFKIT_") if str(exc).startswith("CONFKIT_") else ""
        if not code:
            return exc
        if code == "USER_NOT_FOUND" or (code == "NOT_JOINED" and user_id is not None
                                        and not self._user_exists(user_id)):
            return UserNotFoundError(user_id)  # type: ignore[arg-type]
        if code == "MEETING_NOT_FOUND":
            return MeetingNotFoundError(meeting_id)  # type: ignore[arg-type]
        refusal = _REFUSALS.get(code)
        if refusal is None:
            return exc
        error, template = refusal
        meeting = self._describe_meeting(meeting_id) if meeting_id is not None else ""
        user = self._describe_user(user_id) if user_id is not None else ""
        return error(template.format(user=user, meeting=meeting, now=self.now().isoformat()))

    # -- catalog ---------------------------------------------------------------
    @_idempotent
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
        fields = [item for pair in user_fields(user).items() for item in pair]
        try:
            self._call("add_user", [self.keys.user(user.user_id)], [self._dbs[0], *fields],
                       self.stores.catalog)
        except redis.ResponseError as exc:
            raise self._error(exc, user_id=user.user_id) from None
        self.stores.catalog.zadd(self.keys.users, {user.user_id: user.user_id})
        return user

    @_idempotent
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
        self._run("add_meeting", mid, [mid, meeting.title, meeting.description,
                                       int(public), *emails])
        self.stores.catalog.zadd(self.keys.meetings, {mid: mid})
        return meeting

    @_idempotent
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
        self._run("add_instance", mid, [mid, order, start_ms, end_ms])
        self.stores.catalog.zadd(self.keys.instances_by_end, {f"{mid}:{order}": end_ms})
        return MeetingInstance(mid, order, from_ms(start_ms), from_ms(end_ms))

    @_idempotent
    def add_to_audience(self, meeting_id: Any, *emails: str) -> Meeting:
        """Invite more e-mail addresses to a private meeting."""
        return self._change_audience("add", meeting_id, emails)

    @_idempotent
    def remove_from_audience(self, meeting_id: Any, *emails: str) -> Meeting:
        """Stop addresses from joining a private meeting. Users already inside stay
        until they leave or the instance ends; they cannot join again."""
        return self._change_audience("remove", meeting_id, emails)

    def _change_audience(self, how: str, meeting_id: Any, emails: Sequence[str]) -> Meeting:
        mid = validate.ident(meeting_id, "meeting_id")
        if not emails:
            raise InvalidInputError("name at least one e-mail address")
        normalised = sorted({validate.normalise_email(validate.email(a)) for a in emails})
        self._run("change_audience", mid, [how, *normalised])
        return self.get_meeting(mid)

    @_reachable
    def get_user(self, user_id: Any) -> User:
        uid = validate.ident(user_id, "user_id")
        data = self.stores.catalog.hgetall(self.keys.user(uid))
        if not data:
            raise UserNotFoundError(uid)
        return _user(data)

    @_reachable
    def users(self) -> list[User]:
        """Every user, in id order (pipelined, BATCH at a time)."""
        ids = self.stores.catalog.zrange(self.keys.users, 0, -1)
        return [_user(d) for d in self._hgetall_many([self.keys.user(int(i)) for i in ids]) if d]

    def _hgetall_many(self, keys: list[str]) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        for start in range(0, len(keys), BATCH):
            pipe = self.stores.catalog.pipeline(transaction=False)
            for key in keys[start:start + BATCH]:
                pipe.hgetall(key)
            out.extend(pipe.execute())
        return out

    @_reachable
    def get_meeting(self, meeting_id: Any) -> Meeting:
        mid = validate.ident(meeting_id, "meeting_id")
        pipe = self.stores.catalog.pipeline(transaction=False)
        pipe.hgetall(self.keys.meeting(mid))
        pipe.smembers(self.keys.audience(mid))
        data, audience = pipe.execute()
        if not data:
            raise MeetingNotFoundError(mid)
        return _meeting(data, audience)

    @_reachable
    def meetings(self) -> list[Meeting]:
        """Every meeting, in id order."""
        ids = [int(i) for i in self.stores.catalog.zrange(self.keys.meetings, 0, -1)]
        result = []
        for start in range(0, len(ids), BATCH):
            pipe = self.stores.catalog.pipeline(transaction=False)
            for mid in ids[start:start + BATCH]:
                pipe.hgetall(self.keys.meeting(mid))
                pipe.smembers(self.keys.audience(mid))
            replies = pipe.execute()
            result.extend(_meeting(replies[i], replies[i + 1])
                          for i in range(0, len(replies), 2) if replies[i])
        return result

    @_reachable
    def instances(self, meeting_id: Any) -> list[MeetingInstance]:
        """A meeting's instances in order_id order."""
        mid = validate.ident(meeting_id, "meeting_id")
        if not self.stores.catalog.exists(self.keys.meeting(mid)):
            raise MeetingNotFoundError(mid)
        orders = self.stores.catalog.zrange(self.keys.instances(mid), 0, -1)
        rows = self._hgetall_many([self.keys.instance(mid, int(o)) for o in orders])
        return [_instance(r) for r in rows if r]

    @_idempotent
    def load_sample_data(self) -> SampleSummary:
        """The sample users, meetings and instances, placed around the clock's now."""
        return load_sample(self)

    @_idempotent
    def import_meeting(self, report: Any, chat: Any = None, *, meeting_id: Any = None, roster: Any = None,
                       include_direct: bool = False, dry_run: bool = False,
                       progress: bool | None = None) -> Any:
        """Write a meeting export (``confkit.formats`` AttendanceReport, optional
        ChatLog) as one instance of a meeting, all or nothing; returns an
        ``ImportResult``. Repeating it changes nothing. See ``confkit.importer``."""
        from .importer import import_meeting
        return import_meeting(self, report, chat, meeting_id=meeting_id, roster=roster,
                              include_direct=include_direct, dry_run=dry_run, progress=progress)

    @_idempotent
    def reset(self) -> int:
        """Delete every confkit key in both stores; returns how many were deleted.

        The only call that walks the keyspace (SCAN by the namespace prefix), so it
        leaves other data on a shared server alone. Never run implicitly.
        """
        deleted = 0
        clients = [self.stores.catalog] if self.stores.cluster else [self.stores.catalog, self.stores.activity]
        for client in clients:
            batch: list[str] = []
            for key in client.scan_iter(match=self.keys.all_pattern, count=1000):
                batch.append(key)
                if len(batch) >= BATCH:
                    deleted += _unlink(client, batch)
                    batch = []
            if batch:
                deleted += _unlink(client, batch)
        return deleted

    # -- the eight operations ----------------------------------------------------
    def _join_email(self, user_id: int) -> str:
        """On one server the join script reads the user's e-mail itself (""); on a
        cluster the user lives in another slot, so we read it first."""
        if not self.stores.cluster:
            return ""
        user_id_field, address = self.stores.catalog.hmget(self.keys.user(user_id), "user_id", "email")
        if user_id_field is None:
            raise UserNotFoundError(user_id)
        return "@" if address is None else validate.normalise_email(address)  # "@": none

    @_sent_once
    def join_meeting(self, user_id: Any, meeting_id: Any) -> Event:
        """Join the meeting's running instance. Public meetings admit any user;
        private ones only users whose e-mail is in the audience."""
        uid = validate.ident(user_id, "user_id")
        mid = validate.ident(meeting_id, "meeting_id")
        email = self._join_email(uid)
        reply = self._run("join", mid, [uid, email], user_id=uid, user_key=not email)
        return _pairs(reply, mid)[0]

    @_sent_once
    def leave_meeting(self, user_id: Any, meeting_id: Any) -> Event:
        """Leave the running instance the user is in."""
        uid = validate.ident(user_id, "user_id")
        mid = validate.ident(meeting_id, "meeting_id")
        return _pairs(self._run("leave", mid, [uid], user_id=uid), mid)[0]

    @_reachable
    def meeting_participants(self, meeting_id: Any) -> list[Participant]:
        """Who is in the meeting's running instance now, in join order."""
        mid = validate.ident(meeting_id, "meeting_id")
        reply = self._run("participants", mid)
        present = [(int(reply[i]), decode_event(mid, 0, reply[i + 1]).timestamp)
                   for i in range(3, len(reply), 2)]
        names = self._names([uid for uid, _ in present])
        return [Participant(uid, names.get(uid, ""), joined) for uid, joined in present]

    def _names(self, user_ids: Iterable[int]) -> dict[int, str]:
        return self._labels(user_ids, ())[0]

    def _labels(self, user_ids: Iterable[int], meeting_ids: Iterable[int]) -> tuple[dict[int, str], dict[int, str]]:
        """Users' names and meetings' titles, in one pipelined round trip."""
        users, meetings = sorted(set(user_ids)), sorted(set(meeting_ids))
        if not users and not meetings:
            return {}, {}
        pipe = self.stores.catalog.pipeline(transaction=False)
        for uid in users:
            pipe.hget(self.keys.user(uid), "name")
        for mid in meetings:
            pipe.hget(self.keys.meeting(mid), "title")
        replies = [value or "" for value in pipe.execute()]
        return dict(zip(users, replies[:len(users)])), dict(zip(meetings, replies[len(users):]))

    def _candidate_meetings(self, now_ms: int) -> list[int]:
        members = self.stores.catalog.zrangebyscore(self.keys.instances_by_end, f"({now_ms}", "+inf")
        return sorted({int(m.split(":")[0]) for m in members})

    @_reachable
    def active_meetings(self) -> list[ActiveMeeting]:
        """Meetings with a running instance, in meeting id order."""
        now_ms = to_ms(self.now())
        candidates = self._candidate_meetings(now_ms)
        result = []
        for mid, state in zip(candidates, self._run_many("meeting_state", candidates, now_ms)):
            if len(_raise_error(state)) == 7:
                meeting = _meeting({"meeting_id": mid, "title": state[0], "description": state[1],
                                    "is_public": state[2]}, state[3])
                instance = MeetingInstance(mid, int(state[4]), from_ms(int(state[5])), from_ms(int(state[6])))
                result.append(ActiveMeeting(meeting, instance))
        return result

    def _run_many(self, name: str, meeting_ids: Sequence[int], now_ms: int) -> list[Any]:
        """Run a meeting script for many meetings, pipelined BATCH at a time, all at the
        same ``now_ms``. Replies in order; a meeting's error reply is left in its place."""
        replies: list[Any] = []
        for start in range(0, len(meeting_ids), BATCH):
            replies.extend(self._pipelined(name, meeting_ids[start:start + BATCH], now_ms))
        return replies

    def _pipelined(self, name: str, meeting_ids: Sequence[int], now_ms: int) -> list[Any]:
        """One call of script ``name`` per meeting, pipelined: one pipeline on a single
        server, one per primary on a cluster. Calls answered NOSCRIPT run once more after
        the script is loaded; calls answered MOVED/ASK go through the cluster client."""
        activity = self.stores.activity
        groups: list[tuple[Any, list[int]]]
        if not self.stores.cluster:
            groups = [(activity, list(range(len(meeting_ids))))]
        else:
            # redis-py refuses scripts in a cluster pipeline, so send one ordinary
            # pipeline to each primary, holding the meetings whose slot it serves.
            by_node: dict[str, list[int]] = {}
            for i, mid in enumerate(meeting_ids):
                by_node.setdefault(activity.get_node_from_key(self.keys.meeting(mid)).name, []).append(i)
            groups = [(activity.get_node(node_name=node).redis_connection, positions)
                      for node, positions in by_node.items()]
        replies: list[Any] = [None] * len(meeting_ids)
        for client, positions in groups:
            for attempt in range(2):
                pipe = client.pipeline(transaction=False)
                for i in positions:
                    self._run(name, meeting_ids[i], now_ms=now_ms, client=pipe)
                for i, reply in zip(positions, pipe.execute(raise_on_error=False)):
                    replies[i] = reply
                positions = [i for i in positions if isinstance(replies[i], redis.exceptions.NoScriptError)]
                if not positions or attempt:
                    break
                client.script_load(self._scripts[name].script)  # forgotten: load it, run those again
        for i, reply in enumerate(replies):
            if isinstance(reply, (redis.exceptions.AskError, redis.exceptions.TryAgainError)):
                # The slot moved meanwhile: the cluster client follows the redirection.
                try:
                    replies[i] = self._run(name, meeting_ids[i], now_ms=now_ms)
                except (redis.ResponseError, ConfkitError) as exc:
                    replies[i] = exc
        return replies

    @_sent_once
    def end_meeting(self, meeting_id: Any) -> list[Event]:
        """End the latest started instance; returns the timeout events written.

        Running: it ends now and everyone inside times out now. Already past its
        end: anyone still recorded times out at its end. A second call writes nothing.
        """
        mid = validate.ident(meeting_id, "meeting_id")
        reply = self._run("end_meeting", mid)
        order, end_ms = int(reply[0]), int(reply[1])
        self.stores.catalog.zadd(self.keys.instances_by_end, {f"{mid}:{order}": end_ms})
        return _pairs(reply[2:], mid)

    @_sent_once
    def sweep(self) -> list[Event]:
        """Write the timeouts for every instance that has ended on its own with
        users still inside; returns them. Operations also do this lazily, per meeting."""
        now_ms = to_ms(self.now())
        ids = [int(i) for i in self.stores.catalog.zrange(self.keys.meetings, 0, -1)]
        events: list[Event] = []
        for mid, reply in zip(ids, self._run_many("sweep", ids, now_ms)):
            events.extend(_pairs(_raise_error(reply), mid))
        return events

    @_reachable
    def join_times(self) -> list[JoinTime]:
        """Every participant of every running meeting, with the time they joined."""
        now_ms = to_ms(self.now())
        candidates = self._candidate_meetings(now_ms)
        rows: list[tuple[int, int, datetime]] = []
        for mid, reply in zip(candidates, self._run_many("participants", candidates, now_ms)):
            if isinstance(reply, ConfkitError) or (isinstance(reply, redis.ResponseError)
                                                   and str(reply).startswith("CONFKIT_")):
                continue  # not running after all
            reply = _raise_error(reply)
            rows.extend((mid, int(reply[i]), decode_event(mid, 0, reply[i + 1]).timestamp)
                        for i in range(3, len(reply), 2))
        names, titles = self._labels((uid for _, uid, _ in rows), (mid for mid, _, _ in rows))
        return [JoinTime(mid, titles.get(mid, ""), uid, names.get(uid, ""), joined)
                for mid, uid, joined in rows]

    @_sent_once
    def post_message(self, user_id: Any, meeting_id: Any, text: str) -> Message:
        """Post a chat message; only a user inside the running instance may."""
        uid = validate.ident(user_id, "user_id")
        mid = validate.ident(meeting_id, "meeting_id")
        body = validate.message_text(text)
        reply = self._run("post_message", mid, [uid, body], user_id=uid)
        return decode_message(mid, reply[0], reply[1], body)

    @_reachable
    def meeting_messages(self, meeting_id: Any) -> list[Message]:
        """Every message of the meeting, all instances, oldest first."""
        mid = validate.ident(meeting_id, "meeting_id")
        return self._messages(mid, None)

    @_reachable
    def user_messages(self, user_id: Any, meeting_id: Any) -> list[Message]:
        """One user's messages in one meeting, all instances, oldest first."""
        uid = validate.ident(user_id, "user_id")
        mid = validate.ident(meeting_id, "meeting_id")
        messages = self._messages(mid, uid)
        if not messages and not self._user_exists(uid):
            raise UserNotFoundError(uid)
        return messages

    def _messages(self, meeting_id: int, user_id: int | None) -> list[Message]:
        """Two round trips and no script: the ids from the time index, then their
        records and texts (HMGET, MESSAGE_CHUNK ids per command, so no command holds
        the server long). A message is written whole by one script and never changes,
        so every id read first has its record and text when they are read."""
        keys, activity = self.keys, self.stores.activity
        index = keys.messages_by_time(meeting_id) if user_id is None else keys.user_messages(meeting_id, user_id)
        ids = activity.zrange(index, 0, -1)
        if not ids:
            return self._no_messages(meeting_id)
        pipe = activity.pipeline(transaction=False)
        for start in range(0, len(ids), MESSAGE_CHUNK):
            pipe.hmget(keys.messages(meeting_id), ids[start:start + MESSAGE_CHUNK])
            pipe.hmget(keys.message_texts(meeting_id), ids[start:start + MESSAGE_CHUNK])
        replies = pipe.execute()
        records = [record for chunk in replies[0::2] for record in chunk]
        texts = [text for chunk in replies[1::2] for text in chunk]
        # An id without a record, or another user's, is an import's index entry whose
        # commit has not happened (docs/schema.md, "Imports"): not a message yet.
        found = [(mid, record, text) for mid, record, text in zip(ids, records, texts) if record is not None]
        rows = sorted((ts, int(mid), order, user, text)  # oldest first; same ms: posting order
                      for (mid, _, text), (user, order, ts) in zip(found, message_fields_many([r for _, r, _ in found]))
                      if user_id is None or user == user_id)
        if not rows:
            return self._no_messages(meeting_id)
        return [Message(mid, meeting_id, order, user, text, from_ms(ts)) for ts, mid, order, user, text in rows]


    def _no_messages(self, meeting_id: int) -> list[Message]:
        if not self.stores.catalog.exists(self.keys.meeting(meeting_id)):
            raise MeetingNotFoundError(meeting_id)
        return []


def _raise_error(reply: Any) -> Any:
    """A pipelined reply, or raise it if it is an error."""
    if isinstance(reply, Exception):
        raise reply
    return reply


def _unlink(client: redis.Redis, keys: list[str]) -> int:
    if isinstance(client, redis.RedisCluster):
        # One UNLINK per key in a pipeline: a cluster cannot unlink keys of many slots at once.
        pipe = client.pipeline(transaction=False)
        for key in keys:
            pipe.unlink(key)
        return sum(pipe.execute())
    return int(client.unlink(*keys))


_user = decode_user


def _meeting(data: dict[str, Any], audience: Iterable[str]) -> Meeting:
    return Meeting(
        meeting_id=int(data["meeting_id"]),
        title=data["title"],
        description=data["description"],
        is_public=data["is_public"] == "1",
        audience=tuple(sorted(audience)),
    )


def _instance(data: dict[str, str]) -> MeetingInstance:
    return MeetingInstance(int(data["meeting_id"]), int(data["order_id"]),
                           from_ms(int(data["from_ms"])), from_ms(int(data["to_ms"])))
