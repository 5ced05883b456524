"""Running confkit's Lua scripts by name, and reading what they answer.

``ScriptRunner`` sends EVALSHA of a registered script and, when Redis has forgotten
it (NOSCRIPT: a restarted or flushed server), loads it and runs it again; it also
pipelines one call per meeting across a cluster's primaries. A script refuses with
an error reply ``CONFKIT_<CODE> ...``: ``refusal`` maps it to a typed ConfkitError
with readable names (an unknown code, or any other error reply, is a ConfkitError
that names it). The decoders turn replies into models.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

import redis

from . import scripts
from .codec import active_meetings, decode_event, event_fields, from_ms, from_ms_many
from .errors import (
    AlreadyExistsError,
    AlreadyJoinedError,
    ConfkitError,
    InvalidInputError,
    MeetingNotFoundError,
    NoActiveInstanceError,
    NotInvitedError,
    NotJoinedError,
    UserNotFoundError,
)
from .models import ActiveMeeting, Event, EventType
from .retry import held_connection

PREFIX = "CONFKIT_"

# A script's CONFKIT_<CODE> refusal -> the error raised and its message.
REFUSALS: dict[str, tuple[type[ConfkitError], str]] = {
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


def sha(name: str) -> str:
    """The SHA1 Redis knows script ``name`` by (as EVALSHA and SLOWLOG show it)."""
    return hashlib.sha1(scripts.source(name).encode("utf-8")).hexdigest()


def names_by_sha() -> dict[str, str]:
    """Script name of each confkit script SHA1, for reading server statistics."""
    return {sha(name): name for name in scripts.NAMES}


def refusal_code(reply: object) -> str | None:
    """The CODE of a ``CONFKIT_<CODE> ...`` error reply, else None."""
    if isinstance(reply, redis.ResponseError):
        text = str(reply)
        if text.startswith(PREFIX):
            return text.split()[0].removeprefix(PREFIX)
    return None


class Names(Protocol):
    """How a refusal names things (reading the catalog): a readable label of a user
    or meeting id, and whether a user exists (a missing user or one not inside)."""

    def describe_user(self, user_id: int) -> str: ...

    def describe_meeting(self, meeting_id: int) -> str: ...

    def user_exists(self, user_id: int) -> bool: ...


def refusal(exc: redis.ResponseError, names: Names, *, now: datetime | None, script: str,
            meeting_id: int | None = None, user_id: int | None = None) -> ConfkitError:
    """The typed error for a script's error reply, naming the user and meeting."""
    code = refusal_code(exc)
    if code is None:
        return ConfkitError(f"Redis refused script {script}: {exc}")
    if code == "USER_NOT_FOUND" or (code == "NOT_JOINED" and user_id is not None
                                    and not names.user_exists(user_id)):
        return UserNotFoundError(user_id)  # type: ignore[arg-type]
    if code == "MEETING_NOT_FOUND":
        return MeetingNotFoundError(meeting_id)  # type: ignore[arg-type]
    known = REFUSALS.get(code)
    if known is None:
        return ConfkitError(f"script {script} answered with an unknown refusal {PREFIX}{code}: {exc}")
    error, template = known
    meeting = names.describe_meeting(meeting_id) if meeting_id is not None else ""
    user = names.describe_user(user_id) if user_id is not None else ""
    return error(template.format(user=user, meeting=meeting, now=now.isoformat() if now else "now"))


class ScriptRunner:
    """EVALSHA of confkit's scripts on a client (a single server's, or a cluster's)."""

    def __init__(self, client: Any, *, cluster: bool):
        self.client = client
        self.cluster = cluster
        self.scripts = {name: client.register_script(scripts.source(name)) for name in scripts.NAMES}

    def call(self, name: str, keys: Sequence[str], argv: Sequence[Any], client: Any = None) -> Any:
        """EVALSHA of script ``name``; on NOSCRIPT load it and run it again. In a
        pipeline this only queues the call: ``pipelined`` deals with NOSCRIPT there,
        without the extra round trip redis-py's pipelines spend checking scripts
        before every execute."""
        script = self.scripts[name]
        # Not in a pipeline: on the connection a write guard holds, if it holds one.
        connection = held_connection(self.client) if client is None else None
        client = self.client if client is None else client
        try:
            return _evalsha(client, connection, script.sha, keys, argv)
        except redis.exceptions.NoScriptError:
            client.script_load(script.script)  # on a cluster: loaded on every primary
            return _evalsha(client, connection, script.sha, keys, argv)

    def pipelined(self, name: str, calls: Sequence[tuple[Sequence[str], Sequence[Any]]]) -> list[Any]:
        """One call of script ``name`` per (keys, argv), pipelined: one pipeline on a
        single server, one per primary on a cluster (routed by each call's first key).
        Calls answered NOSCRIPT run once more after the script is loaded; calls
        answered MOVED/ASK go through the cluster client. Replies in order; an error
        reply is left in its place."""
        groups: list[tuple[Any, list[int]]]
        if not self.cluster:
            groups = [(self.client, list(range(len(calls))))]
        else:
            # redis-py refuses scripts in a cluster pipeline, so send one ordinary
            # pipeline to each primary, holding the calls whose slot it serves.
            by_node: dict[str, list[int]] = {}
            for i, (keys, _) in enumerate(calls):
                by_node.setdefault(self.client.get_node_from_key(keys[0]).name, []).append(i)
            groups = [(self.client.get_node(node_name=node).redis_connection, positions)
                      for node, positions in by_node.items()]
        replies: list[Any] = [None] * len(calls)
        for client, positions in groups:
            for attempt in range(2):
                pipe = client.pipeline(transaction=False)
                for i in positions:
                    self.call(name, *calls[i], client=pipe)
                for i, reply in zip(positions, pipe.execute(raise_on_error=False)):
                    replies[i] = reply
                positions = [i for i in positions if isinstance(replies[i], redis.exceptions.NoScriptError)]
                if not positions or attempt:
                    break
                client.script_load(self.scripts[name].script)  # forgotten: load it, run those again
        for i, reply in enumerate(replies):
            if isinstance(reply, (redis.exceptions.AskError, redis.exceptions.TryAgainError)):
                # The slot moved meanwhile: the cluster client follows the redirection.
                try:
                    replies[i] = self.call(name, *calls[i])
                except redis.ResponseError as exc:
                    replies[i] = exc
        return replies


def _evalsha(client: Any, connection: Any, sha: str, keys: Sequence[str], argv: Sequence[Any]) -> Any:
    """EVALSHA through the client, or on ``connection`` (checked out of its pool)."""
    if connection is None:
        return client.evalsha(sha, len(keys), *keys, *argv)
    try:
        connection.send_command("EVALSHA", sha, len(keys), *keys, *argv)
        return client.parse_response(connection, "EVALSHA")
    except redis.ResponseError:
        raise  # a whole error reply: the connection is fine
    except BaseException:
        connection.disconnect()  # never hand a half-read reply to the next caller
        raise


# -- replies ---------------------------------------------------------------------------
def written(reply: str) -> tuple[int, int]:
    """(id, order_id) from a write script's reply "id:order_id"."""
    record_id, _, order_id = reply.partition(":")
    return int(record_id), int(order_id)


def written_event(reply: str, user_id: int, meeting_id: int, kind: EventType, now_ms: int) -> Event:
    """The event a join or leave script wrote, from its reply "event_id:order_id":
    the rest is what the call sent (the script stamps it with the call's now)."""
    event_id, order_id = written(reply)
    return Event(event_id, user_id, meeting_id, order_id, kind, from_ms(now_ms))


def events(reply: Sequence[Any], meeting_id: int) -> list[Event]:
    """Events from a flat reply of (event_id, record) pairs."""
    return [decode_event(meeting_id, reply[i], reply[i + 1]) for i in range(0, len(reply), 2)]


def participants(reply: Sequence[Any]) -> tuple[str, list[tuple[int, datetime, str]]]:
    """The meeting's title and (user_id, joined_at, name) in join order, from the
    participants script's reply: four header fields, then (user_id, join record,
    name) triples; a name is "" where the script did not read it."""
    rows = reply[4:]
    joined = from_ms_many([event_fields(record)[3] for record in rows[1::3]])
    return reply[3] or "", [(int(uid), at, name) for uid, at, name in zip(rows[0::3], joined, rows[2::3])]


def meeting_state(reply: Sequence[Any], meeting_id: int) -> ActiveMeeting | None:
    """The meeting and its running instance from the meeting_state script's reply
    (seven fields), or None when it has no running instance."""
    if len(reply) != 7:
        return None
    return active_meetings([meeting_id, *reply])[0]
