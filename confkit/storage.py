"""The Redis I/O layer: every read and write of confkit's keys, in one place.

``Storage`` owns the commands (key names from ``Keys``, scripts through the
``ScriptRunner``) that the operations, the analytics readers, the bulk loader and the
generator send. Reads and the bulk writes run under the connection guard of
``confkit.retry``, so whatever fails reaches the caller as a ConfkitError; the steps
of an operation (its script call, its index write) run under the guard the operation
chose (a join is sent once, an add_user repeated). Guards do not nest: called from
inside a guarded operation, a method is part of that operation's attempt.

Methods take checked ids and epoch milliseconds; validation and choosing what to
raise for a missing user or meeting stay with the caller.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

import redis

from .codec import (
    active_meetings,
    decode_messages,
    decode_user,
    from_ms,
    instance_from_hash,
    meeting_from_hash,
    user_fields,
)
from .connection import Stores
from .errors import ConfkitError
from .keys import Keys
from .models import ActiveMeeting, Meeting, MeetingInstance, Message, User
from .retry import idempotent, reachable, sent_once
from .runner import ScriptRunner, refusal

BATCH = 500  # keys per pipeline in listings
KEY_CACHE = 4096  # meetings whose script keys are kept built
MESSAGE_CHUNK = 500  # message ids per HMGET when listing messages by id
WHOLE_MESSAGES = 2_000  # a meeting with at most this many messages is read whole in one round trip
STATE_CHUNK = 100  # meetings one meeting_state call checks (single server)
SCAN_COUNT = 1000

Command = Sequence[Any]  # a command and its arguments, as execute_command takes them


@functools.cache
def _id_names() -> list[str]:
    """The hash fields of message ids 0..WHOLE_MESSAGES, made once: the fields of a
    meeting read whole are looked up by them."""
    return [str(i) for i in range(WHOLE_MESSAGES + 1)]


def _by_id(records: dict[str, str], texts: dict[str, str], top: int) -> tuple[Sequence[Any], list[str], list[str]]:
    """The ids, records and texts of messages read whole, in id order. Usually the
    ids are exactly 1..top (the message counter), which spares parsing and sorting them."""
    if len(records) == top <= WHOLE_MESSAGES:
        names = _id_names()[1:top + 1]
        try:
            return range(1, top + 1), list(map(records.__getitem__, names)), list(map(texts.__getitem__, names))
        except KeyError:  # a gap in 1..top (an import's reserved ids), and a message posted meanwhile
            pass
    names = sorted(records, key=int)
    return names, list(map(records.__getitem__, names)), list(map(texts.__getitem__, names))


class Storage:
    """Guarded reads and writes of one namespace's keys in both stores."""

    def __init__(self, stores: Stores, keys: Keys):
        self.stores = stores
        self.keys = keys
        self.catalog = stores.catalog
        self.activity = stores.activity
        self._dbs = ("", "") if stores.cluster else (str(stores.catalog_db), str(stores.activity_db))
        # The keys a meeting script is handed depend on the meeting id only.
        self._script_keys = functools.lru_cache(maxsize=KEY_CACHE)(
            lambda meeting_id: tuple(keys.meeting_script_keys(meeting_id)))

    @classmethod
    def of(cls, app: Any) -> Storage:
        """The storage of an app (anything with ``stores`` and ``keys``), for the
        modules built on ConferenceApp: analytics, bulk, synth."""
        return cls(app.stores, app.keys)

    @functools.cached_property
    def scripts(self) -> ScriptRunner:
        return ScriptRunner(self.stores.script_client, cluster=self.stores.cluster)

    def _pipeline(self, client: Any) -> Any:
        return client.pipeline(transaction=False)

    # -- scripts ---------------------------------------------------------------------
    def run(self, name: str, meeting_id: int, now_ms: int, args: Sequence[Any] = (), *,
            user_id: int | None = None, user_key: bool = False) -> Any:
        """Run a meeting script (unguarded: the operation calling it chose its guard).
        ``user_id`` names the user in errors; ``user_key`` also hands the script the
        user's hash (single server only: another slot)."""
        keys = self._script_keys(meeting_id)
        if user_key:
            keys = (*keys, self.keys.user(user_id))  # type: ignore[arg-type]
        try:
            return self.scripts.call(name, keys, (*self._dbs, now_ms, *args))
        except redis.ResponseError as exc:
            raise self.refusal(exc, name, now_ms, meeting_id=meeting_id, user_id=user_id) from None

    def run_many(self, name: str, meeting_ids: Sequence[int], now_ms: int, args: Sequence[Any] = ()) -> list[Any]:
        """Run a meeting script for many meetings, pipelined BATCH at a time, all at the
        same ``now_ms`` and ``args``. Replies in order; a meeting's error reply is left
        in its place."""
        replies: list[Any] = []
        argv = (*self._dbs, now_ms, *args)
        for start in range(0, len(meeting_ids), BATCH):
            calls = [(self._script_keys(mid), argv) for mid in meeting_ids[start:start + BATCH]]
            replies.extend(self.scripts.pipelined(name, calls))
        return replies

    def refusal(self, exc: redis.ResponseError, script: str, now_ms: int | None, *,
                meeting_id: int | None = None, user_id: int | None = None) -> ConfkitError:
        """The typed error for a script's error reply."""
        return refusal(exc, self, now=None if now_ms is None else from_ms(now_ms), script=script,
                       meeting_id=meeting_id, user_id=user_id)

    def add_user(self, user: User) -> None:
        """The add_user script (refuses a different user under the id), then the
        users index; unguarded: add_user's guard repeats both."""
        fields = [item for pair in user_fields(user).items() for item in pair]
        try:
            self.scripts.call("add_user", [self.keys.user(user.user_id)], [self._dbs[0], *fields], self.catalog)
        except redis.ResponseError as exc:
            raise self.refusal(exc, "add_user", None, user_id=user.user_id) from None
        self.catalog.zadd(self.keys.users, {user.user_id: user.user_id})

    # -- catalog: small reads ---------------------------------------------------------
    def describe_user(self, user_id: int) -> str:
        name = self.catalog.hget(self.keys.user(user_id), "name")
        return f"user {user_id} ({name})" if name is not None else f"user {user_id}"

    def describe_meeting(self, meeting_id: int) -> str:
        title = self.catalog.hget(self.keys.meeting(meeting_id), "title")
        return f"meeting {meeting_id} ({title})" if title is not None else f"meeting {meeting_id}"

    @reachable
    def user_exists(self, user_id: int) -> bool:
        return bool(self.catalog.exists(self.keys.user(user_id)))

    @reachable
    def meeting_exists(self, meeting_id: int) -> bool:
        return bool(self.catalog.exists(self.keys.meeting(meeting_id)))

    @reachable
    def user_email(self, user_id: int) -> tuple[bool, str | None]:
        """Whether the user exists, and their e-mail (None: unknown)."""
        found, email = self.catalog.hmget(self.keys.user(user_id), "user_id", "email")
        return found is not None, email

    @reachable
    def user(self, user_id: int) -> User | None:
        data = self.catalog.hgetall(self.keys.user(user_id))
        return decode_user(data) if data else None

    @reachable
    def meeting(self, meeting_id: int) -> Meeting | None:
        pipe = self._pipeline(self.catalog)
        pipe.hgetall(self.keys.meeting(meeting_id))
        pipe.smembers(self.keys.audience(meeting_id))
        data, audience = pipe.execute()
        return meeting_from_hash(data, audience) if data else None

    @reachable
    def participant_args(self) -> tuple[str, ...]:
        """The participants script's own arguments: on a single server the user key's
        parts, so it reads the names itself; on a cluster none (``labels`` does)."""
        return () if self.stores.cluster else self.keys.user_key_parts()

    def labels(self, user_ids: Iterable[int], meeting_ids: Iterable[int]) -> tuple[dict[int, str], dict[int, str]]:
        """Users' names and meetings' titles, in one pipelined round trip."""
        users, meetings = sorted(set(user_ids)), sorted(set(meeting_ids))
        if not users and not meetings:
            return {}, {}
        pipe = self._pipeline(self.catalog)
        for uid in users:
            pipe.hget(self.keys.user(uid), "name")
        for mid in meetings:
            pipe.hget(self.keys.meeting(mid), "title")
        replies = [value or "" for value in pipe.execute()]
        return dict(zip(users, replies[:len(users)])), dict(zip(meetings, replies[len(users):]))

    # -- catalog: listings -------------------------------------------------------------
    @reachable
    def user_ids(self) -> list[int]:
        return [int(i) for i in self.catalog.zrange(self.keys.users, 0, -1)]

    @reachable
    def meeting_ids(self) -> list[int]:
        return [int(i) for i in self.catalog.zrange(self.keys.meetings, 0, -1)]

    @reachable
    def top_ids(self) -> tuple[int, int]:
        """The highest user id and meeting id stored (0 when there are none)."""
        pipe = self._pipeline(self.catalog)
        pipe.zrange(self.keys.users, -1, -1, withscores=True)
        pipe.zrange(self.keys.meetings, -1, -1, withscores=True)
        top_user, top_meeting = pipe.execute()
        return (int(top_user[0][1]) if top_user else 0, int(top_meeting[0][1]) if top_meeting else 0)

    def _hgetall_many(self, keys: list[str]) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        for start in range(0, len(keys), BATCH):
            pipe = self._pipeline(self.catalog)
            for key in keys[start:start + BATCH]:
                pipe.hgetall(key)
            out.extend(pipe.execute())
        return out

    @reachable
    def users(self) -> list[User]:
        """Every user, in id order (pipelined, BATCH at a time)."""
        ids = self.catalog.zrange(self.keys.users, 0, -1)
        return [decode_user(d) for d in self._hgetall_many([self.keys.user(int(i)) for i in ids]) if d]

    @reachable
    def meetings(self) -> list[Meeting]:
        """Every meeting, in id order."""
        ids = self.meeting_ids()
        result: list[Meeting] = []
        for start in range(0, len(ids), BATCH):
            pipe = self._pipeline(self.catalog)
            for mid in ids[start:start + BATCH]:
                pipe.hgetall(self.keys.meeting(mid))
                pipe.smembers(self.keys.audience(mid))
            replies = pipe.execute()
            result.extend(meeting_from_hash(replies[i], replies[i + 1])
                          for i in range(0, len(replies), 2) if replies[i])
        return result

    @reachable
    def instances(self, meeting_id: int) -> list[MeetingInstance]:
        """A meeting's instances in order_id order."""
        orders = self.catalog.zrange(self.keys.instances(meeting_id), 0, -1)
        rows = self._hgetall_many([self.keys.instance(meeting_id, int(o)) for o in orders])
        return [instance_from_hash(r) for r in rows if r]

    @reachable
    def instance_spans(self, meeting_ids: Sequence[int]) -> dict[int, dict[int, tuple[int, int]]]:
        """For each meeting: order_id -> (from_ms, to_ms) of each of its instances."""
        spans: dict[int, dict[int, tuple[int, int]]] = {mid: {} for mid in meeting_ids}
        for row in self._instance_rows(meeting_ids):
            spans[row[0]][row[1]] = (row[2], row[3])
        return spans

    @reachable
    def all_instance_rows(self) -> list[tuple[int, int, int, int]]:
        """(meeting_id, order_id, from_ms, to_ms) of every instance of every meeting."""
        ids = self.meeting_ids()
        rows: list[tuple[int, int, int, int]] = []
        for start in range(0, len(ids), BATCH):
            rows.extend(self._instance_rows(ids[start:start + BATCH]))
        return rows

    def _instance_rows(self, meeting_ids: Sequence[int]) -> list[tuple[int, int, int, int]]:
        """Two round trips: the meetings' order ids, then each instance's times."""
        pipe = self._pipeline(self.catalog)
        for mid in meeting_ids:
            pipe.zrange(self.keys.instances(mid), 0, -1)
        orders = pipe.execute()
        pipe = self._pipeline(self.catalog)
        wanted = [(mid, int(order)) for mid, order_list in zip(meeting_ids, orders) for order in order_list]
        for mid, order in wanted:
            pipe.hmget(self.keys.instance(mid, order), "from_ms", "to_ms")
        return [(mid, order, int(start), int(end))
                for (mid, order), (start, end) in zip(wanted, pipe.execute()) if start is not None]

    @reachable
    def candidate_meetings(self, now_ms: int) -> list[int]:
        """Meetings that may be running at ``now_ms``: those with a started instance not
        yet at its end (by_end), and those with a scheduled one that has started since
        it was last looked at (by_start; moved into by_end here). Instances scheduled
        for later are not read at all. One round trip, two more when something started."""
        pipe = self._pipeline(self.catalog)
        pipe.zrangebyscore(self.keys.instances_by_end, f"({now_ms}", "+inf")
        pipe.zrangebyscore(self.keys.instances_by_start, "-inf", now_ms)
        running, started = pipe.execute()
        if started:
            self._promote(started)
        return sorted({int(m.split(":")[0]) for m in (*running, *started)})

    def _promote(self, members: list[str]) -> None:
        """Move started instances ("M:O") from by_start into by_end, scored by their
        to_ms. Each step only adds candidates or drops ones kept elsewhere, so an
        interrupted move leaves an entry that is checked and ignored, never a miss;
        ``lt`` keeps the earlier end when end_meeting wrote one meanwhile."""
        pipe = self._pipeline(self.catalog)
        for member in members:
            mid, order = member.split(":")
            pipe.hget(self.keys.instance(int(mid), int(order)), "to_ms")
        ends = {m: int(end) for m, end in zip(members, pipe.execute()) if end is not None}
        if ends:
            self.catalog.zadd(self.keys.instances_by_end, ends, lt=True)
        self.catalog.zrem(self.keys.instances_by_start, *members)

    @reachable
    def active_meetings(self, now_ms: int) -> list[ActiveMeeting]:
        """Single server: the running meetings and their instances, in meeting id
        order, from one call of the active_meetings script (which does what
        candidate_meetings and meeting_states do, for up to STATE_CHUNK meetings;
        more are checked with meeting_states)."""
        reply = self.scripts.call("active_meetings", (self.keys.instances_by_end, self.keys.instances_by_start),
                                  (*self._dbs, now_ms, *self.keys.meeting_key_parts(), STATE_CHUNK))
        unchecked = [int(mid) for mid in reply[0]]
        more = [item for mid, state in zip(unchecked, self.meeting_states(unchecked, now_ms)) if len(state) == 7
                for item in (mid, *state)]
        return active_meetings(reply[1:] + more)

    @reachable
    def meeting_states(self, meeting_ids: Sequence[int], now_ms: int) -> list[Any]:
        """The meeting_state reply of each meeting: on a single server one script call
        checks STATE_CHUNK meetings; on a cluster one call per meeting (their slots
        differ), pipelined per primary. A meeting's error reply is left in its place."""
        if self.stores.cluster:
            replies = self.run_many("meeting_state", meeting_ids, now_ms)
            return [r if isinstance(r, Exception) else r[0] for r in replies]
        states: list[Any] = []
        for start in range(0, len(meeting_ids), STATE_CHUNK):
            keys = [key for mid in meeting_ids[start:start + STATE_CHUNK] for key in self._script_keys(mid)[:4]]
            states.extend(self.scripts.call("meeting_state", keys, (*self._dbs, now_ms, 4)))
        return states

    # -- catalog: index writes ----------------------------------------------------------
    def index_meeting(self, meeting_id: int) -> None:
        self.catalog.zadd(self.keys.meetings, {meeting_id: meeting_id})

    def instance_index_command(self, meeting_id: int, order_id: int, start_ms: int, end_ms: int,
                               now_ms: int) -> Command:
        """How a new instance is indexed: in by_end if it has started (a listing's
        candidate until its end), else in by_start (a listing moves it into by_end
        once it has started). The bulk loader sends the same command."""
        member = f"{meeting_id}:{order_id}"
        if start_ms <= now_ms:
            return ("ZADD", self.keys.instances_by_end, "LT", end_ms, member)
        return ("ZADD", self.keys.instances_by_start, start_ms, member)

    def index_instance(self, meeting_id: int, order_id: int, start_ms: int, end_ms: int, now_ms: int,
                       pipe: Any = None) -> None:
        """Index a new instance (``instance_index_command``); queued on ``pipe`` when
        given (a catalog pipeline), else sent now."""
        command = self.instance_index_command(meeting_id, order_id, start_ms, end_ms, now_ms)
        (self.catalog if pipe is None else pipe).execute_command(*command)

    def index_instance_end(self, meeting_id: int, order_id: int, end_ms: int) -> None:
        """An ended instance: its end in by_end, and out of by_start if no listing had moved it yet."""
        member = f"{meeting_id}:{order_id}"
        pipe = self._pipeline(self.catalog)
        pipe.zadd(self.keys.instances_by_end, {member: end_ms})
        pipe.zrem(self.keys.instances_by_start, member)
        pipe.execute()

    # -- activity reads ---------------------------------------------------------------------
    @reachable
    def messages(self, meeting_id: int, user_id: int | None) -> list[Message]:
        """A meeting's (or one user's) messages, oldest first; [] when there are none.

        A meeting's: one round trip for up to WHOLE_MESSAGES messages (the records and
        texts read whole, no ids sent), more in chunks (``_many_messages``). One user's:
        the ids from the user's index, then their records and texts (HMGET,
        MESSAGE_CHUNK ids per command). A message is written whole by one script and
        never changes or goes, so every record read first has its text when the texts
        are read; a text without a record (posted in between) is left out."""
        keys, activity = self.keys, self.activity
        pipe = self._pipeline(activity)
        if user_id is None:
            # HSCAN from cursor 0 with a COUNT above the hash's size returns the whole
            # hash and cursor 0; a larger hash gives about COUNT fields and another
            # cursor: bounded work either way. Its reply is flat (no pair per field).
            pipe.get(keys.message_seq(meeting_id))
            pipe.hscan(keys.messages(meeting_id), 0, count=WHOLE_MESSAGES + 1)
            pipe.hscan(keys.message_texts(meeting_id), 0, count=WHOLE_MESSAGES + 1)
            seq, (more_records, by_id), (more_texts, text_of) = pipe.execute()
            if more_records or more_texts:
                return self._many_messages(meeting_id, int(seq or 0))
            return decode_messages(meeting_id, *_by_id(by_id, text_of, int(seq or 0)))
        ids = activity.zrange(keys.user_messages(meeting_id, user_id), 0, -1)
        if not ids:
            return []
        for start in range(0, len(ids), MESSAGE_CHUNK):
            pipe.hmget(keys.messages(meeting_id), ids[start:start + MESSAGE_CHUNK])
            pipe.hmget(keys.message_texts(meeting_id), ids[start:start + MESSAGE_CHUNK])
        replies = pipe.execute()
        records = [record for chunk in replies[0::2] for record in chunk]
        texts = [text for chunk in replies[1::2] for text in chunk]
        # An id without a record, or another user's, is an import's index entry whose
        # commit has not happened (docs/schema.md, "Imports"): not a message yet.
        found = [i for i, record in enumerate(records) if record is not None]
        messages = decode_messages(meeting_id, [ids[i] for i in found], [records[i] for i in found],
                                   [texts[i] for i in found])
        return [m for m in messages if m.user_id == user_id]

    def _many_messages(self, meeting_id: int, message_seq: int) -> list[Message]:
        """A meeting's messages when it has many: every id up to its message counter
        (ids are 1..message_seq), records and texts by HMGET, MESSAGE_CHUNK ids per
        command, in one pipelined round trip; an id without a record is left out."""
        keys, pipe = self.keys, self._pipeline(self.activity)
        for start in range(1, message_seq + 1, MESSAGE_CHUNK):
            chunk = range(start, min(start + MESSAGE_CHUNK, message_seq + 1))
            pipe.hmget(keys.messages(meeting_id), chunk)
            pipe.hmget(keys.message_texts(meeting_id), chunk)
        replies = pipe.execute()
        records = [record for part in replies[0::2] for record in part]
        texts = [text for part in replies[1::2] for text in part]
        found = [i for i, record in enumerate(records) if record is not None]
        return decode_messages(meeting_id, [i + 1 for i in found], [records[i] for i in found],
                               [texts[i] for i in found])

    @reachable
    def presence_count(self, meeting_id: int, order_id: int) -> int:
        """How many users are inside an instance."""
        return int(self.activity.zcard(self.keys.presence(meeting_id, order_id)))

    @reachable
    def records(self, seq_key: Any, hash_keys: Sequence[Any], meeting_ids: Sequence[int],
                chunk: int) -> list[tuple[int, list[int], list[list[str | None]]]]:
        """For each meeting: its ids 1..counter (``seq_key(mid)``) and the values of
        those ids in each hash (``key(mid)`` for each of ``hash_keys``). One pipeline
        reads the counters; a second reads the records in HMGET chunks of ``chunk`` ids."""
        pipe = self._pipeline(self.activity)
        for mid in meeting_ids:
            pipe.get(seq_key(mid))
        tops = [int(t or 0) for t in pipe.execute()]
        pipe = self._pipeline(self.activity)
        plan = []
        for mid, top in zip(meeting_ids, tops):
            for first in range(1, top + 1, chunk):
                ids = list(range(first, min(top, first + chunk - 1) + 1))
                for key in hash_keys:
                    pipe.hmget(key(mid), ids)
                plan.append((mid, ids))
        replies = iter(pipe.execute())
        return [(mid, ids, [next(replies) for _ in hash_keys]) for mid, ids in plan]

    @reachable
    def keyspace(self) -> list[tuple[str, str, str, int]]:
        """(store, key, type, elements) of every key in the namespace: hash fields,
        set or sorted-set members, string length. Walks the keyspace with SCAN."""
        stores = [("catalog", self.catalog)]
        if not self.stores.cluster:
            stores.append(("activity", self.activity))
        sizes = {"hash": "hlen", "set": "scard", "zset": "zcard", "string": "strlen", "list": "llen"}
        out: list[tuple[str, str, str, int]] = []
        for store, client in stores:
            keys = list(client.scan_iter(match=self.keys.all_pattern, count=SCAN_COUNT))
            for start in range(0, len(keys), SCAN_COUNT):
                batch = keys[start:start + SCAN_COUNT]
                pipe = self._pipeline(client)
                for key in batch:
                    pipe.type(key)
                types = pipe.execute()
                pipe = self._pipeline(client)
                for key, kind in zip(batch, types):
                    getattr(pipe, sizes.get(kind, "exists"))(key)
                out.extend((store, key, kind, int(size)) for key, kind, size in zip(batch, types, pipe.execute()))
        return out

    # -- imports: what an import reads before it writes ------------------------------------
    @reachable
    def import_order(self, meeting_id: int, fingerprint: str) -> int | None:
        """The instance an import of this content went into, if any."""
        order = self.activity.hget(self.keys.import_fingerprints(meeting_id), fingerprint)
        return None if order is None else int(order)

    @reachable
    def imported_meeting(self, fields: Sequence[str]) -> int | None:
        """The meeting the first of these import references (platform id, title...) names."""
        found = self.catalog.hmget(self.keys.import_meetings, list(fields))
        return next((int(v) for v in found if v), None)

    @reachable
    def identities(self, emails: Sequence[str], names: Sequence[str],
                   chunk: int) -> tuple[list[str | None], list[str | None]]:
        """The stored identities of these e-mail and name keys (HMGET, ``chunk`` at a time)."""
        if not emails and not names:
            return [], []
        pipe = self._pipeline(self.catalog)
        for start in range(0, len(emails), chunk):
            pipe.hmget(self.keys.identities_email, emails[start:start + chunk])
        for start in range(0, len(names), chunk):
            pipe.hmget(self.keys.identities_name, names[start:start + chunk])
        replies = [v for part in pipe.execute() for v in part]
        return replies[:len(emails)], replies[len(emails):]

    @reachable
    def existing_users(self, user_ids: Iterable[int]) -> set[int]:
        """Which of these users exist."""
        ids = sorted(user_ids)
        if not ids:
            return set()
        pipe = self._pipeline(self.catalog)
        for uid in ids:
            pipe.exists(self.keys.user(uid))
        return {uid for uid, there in zip(ids, pipe.execute()) if there}

    @reachable
    def open_instance_count(self, meeting_id: int) -> int:
        """How many of the meeting's instances still have someone inside."""
        return int(self.activity.scard(self.keys.open_instances(meeting_id)))

    @reachable
    def import_tops(self, meeting_id: int) -> tuple[int, int, int]:
        """The meeting's last event id, last message id and number of instances."""
        pipe = self._pipeline(self.activity)
        pipe.get(self.keys.event_seq(meeting_id))
        pipe.get(self.keys.message_seq(meeting_id))
        event_top, message_top = (int(v or 0) for v in pipe.execute())
        return event_top, message_top, int(self.catalog.zcard(self.keys.instances(meeting_id)))

    @reachable
    def pending_imports(self) -> list[str]:
        """The imports listed as pending ("meeting:order:token"), in order."""
        return sorted(self.catalog.smembers(self.keys.import_pending))

    @idempotent
    def set_import_pending(self, member: str, pending: bool) -> None:
        """List an import as pending, or forget it."""
        if pending:
            self.catalog.sadd(self.keys.import_pending, member)
        else:
            self.catalog.srem(self.keys.import_pending, member)

    @reachable
    def key_exists(self, key: str) -> bool:
        """Whether an activity-store key exists."""
        return bool(self.activity.exists(key))

    @idempotent
    def name_import_meeting(self, fields: Sequence[str], meeting_id: int) -> None:
        """Record these import references (platform id, title...) for the meeting,
        where they name none yet."""
        pipe = self._pipeline(self.catalog)
        for name in fields:
            pipe.hsetnx(self.keys.import_meetings, name, meeting_id)
        pipe.execute()

    @reachable
    def import_result(self, meeting_id: int, order_id: int) -> str | None:
        """The stored result (JSON) of the import that wrote an instance."""
        return self.activity.hget(self.keys.import_instance(meeting_id, order_id), "result")

    @reachable
    def import_results(self, meeting_ids: Sequence[int]) -> list[tuple[int, int, str | None]]:
        """(meeting_id, order_id, stored result JSON) of every import into these
        meetings, in the order of ``meeting_ids``."""
        if not meeting_ids:
            return []
        pipe = self._pipeline(self.activity)
        for mid in meeting_ids:
            pipe.hvals(self.keys.import_fingerprints(mid))
        imports = [(mid, int(order)) for mid, orders in zip(meeting_ids, pipe.execute()) for order in orders]
        pipe = self._pipeline(self.activity)
        for mid, order in imports:
            pipe.hget(self.keys.import_instance(mid, order), "result")
        return [(mid, order, text) for (mid, order), text in zip(imports, pipe.execute() if imports else [])]

    @reachable
    def identity_maps(self, count: int = 1000) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """The imports' identity maps, read with HSCAN: (address, user id) pairs and
        (cleaned name, comma-separated user ids) pairs."""
        return (list(self.catalog.hscan_iter(self.keys.identities_email, count=count)),
                list(self.catalog.hscan_iter(self.keys.identities_name, count=count)))

    @reachable
    def import_sessions(self, meeting_ids: Sequence[int] | None,
                        count: int) -> list[tuple[int, int, str, str]]:
        """(meeting_id, order_id, join event id, session JSON) of every imported session
        of these meetings (default: all), in meeting and order id order; each hash is
        read with HSCAN, ``count`` fields a step."""
        mids = list(meeting_ids) if meeting_ids is not None else self.meeting_ids()
        if not mids:
            return []
        pipe = self._pipeline(self.activity)
        for mid in mids:
            pipe.hvals(self.keys.import_fingerprints(mid))
        rows: list[tuple[int, int, str, str]] = []
        for mid, orders in zip(mids, pipe.execute()):
            for order in sorted({int(o) for o in orders}):
                rows.extend((mid, order, event_id, value) for event_id, value in
                            self.activity.hscan_iter(self.keys.import_sessions(mid, order), count=count))
        return rows

    # -- activity keys, one by one (the importer's staging) ---------------------------------
    @reachable
    def existing_keys(self, keys: Sequence[str]) -> list[str]:
        """Which of these activity-store keys exist."""
        pipe = self._pipeline(self.activity)
        for key in keys:
            pipe.exists(key)
        return [key for key, there in zip(keys, pipe.execute()) if there]

    @idempotent
    def copy_key(self, source: str, target: str, count: int) -> None:
        """Copy a hash or sorted set of the activity store ``count`` fields at a time
        (COPY or DUMP of a big key would hold the server for its whole size)."""
        client = self.activity
        kind = client.type(source)
        cursor = 0
        while True:
            pipe = self._pipeline(client)
            if kind == "hash":
                cursor, data = client.hscan(source, cursor, count=count)
                if data:
                    pipe.hset(target, mapping=data)
            elif kind == "zset":
                cursor, pairs = client.zscan(source, cursor, count=count)
                if pairs:
                    pipe.zadd(target, dict(pairs))
            else:
                raise ConfkitError(f"cannot copy {source} ({kind}): only hashes and sorted sets")
            pipe.execute()
            if cursor == 0:
                return

    def unlink_quietly(self, keys: Sequence[str]) -> None:
        """Unlink activity-store keys that also expire on their own: a failure is ignored."""
        try:
            pipe = self._pipeline(self.activity)
            for key in keys:
                pipe.unlink(key)
            pipe.execute()
        except redis.RedisError:
            pass

    # -- bulk writes ------------------------------------------------------------------------
    @idempotent
    def execute(self, store: str, commands: Sequence[Command]) -> list[Any]:
        """Send commands whose repeat changes nothing in one pipeline to the
        ``"catalog"`` or ``"activity"`` store; retried as a whole."""
        pipe = self._pipeline(self.catalog if store == "catalog" else self.activity)
        for command in commands:
            pipe.execute_command(*command)
        return pipe.execute()

    @sent_once
    def reserve(self, counters: Sequence[tuple[str, int]]) -> list[int]:
        """Add each count to its counter (INCRBY; a zero count only reads it, so a
        counter the operations would not have created stays absent); the new tops."""
        pipe = self._pipeline(self.activity)
        for key, count in counters:
            if count:
                pipe.incrby(key, count)
            else:
                pipe.get(key)
        return [int(v or 0) for v in pipe.execute()]

    # -- the whole namespace ---------------------------------------------------------------
    @idempotent
    def reset(self) -> int:
        """Delete every key of the namespace in both stores (SCAN by its prefix)."""
        deleted = 0
        clients = [self.catalog] if self.stores.cluster else [self.catalog, self.activity]
        for client in clients:
            batch: list[str] = []
            for key in client.scan_iter(match=self.keys.all_pattern, count=SCAN_COUNT):
                batch.append(key)
                if len(batch) >= BATCH:
                    deleted += _unlink(client, batch)
                    batch = []
            if batch:
                deleted += _unlink(client, batch)
        return deleted


def _unlink(client: Any, keys: list[str]) -> int:
    if isinstance(client, redis.RedisCluster):
        # One UNLINK per key in a pipeline: a cluster cannot unlink keys of many slots at once.
        pipe = client.pipeline(transaction=False)
        for key in keys:
            pipe.unlink(key)
        return sum(pipe.execute())
    return int(client.unlink(*keys))
