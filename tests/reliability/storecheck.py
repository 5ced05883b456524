"""Read a confkit store directly, without confkit's read paths, and check the
invariants every store must satisfy whatever happened to it.

``dump`` takes a full copy of both stores (to prove a refused call changed nothing);
``violations`` lists every broken invariant (empty when the store is sound). Records
are parsed here with ``json``, not with confkit's codec, so a codec bug cannot hide.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass

from confkit.keys import Keys

JOIN, LEAVE, TIMEOUT = 1, 2, 3


@dataclass(frozen=True)
class RawEvent:
    event_id: int
    user_id: int
    order_id: int
    event_type: int
    ts: int


@dataclass(frozen=True)
class RawMessage:
    message_id: int
    user_id: int
    order_id: int
    ts: int
    text: str


_READ = {"string": ("get",), "hash": ("hgetall",), "set": ("smembers",), "zset": ("zrange", 0, -1, True)}


def _clients(app):
    return [("catalog", app.stores.catalog), ("activity", app.stores.activity)]


def dump(app) -> dict[tuple[str, str], tuple[str, object]]:
    """Every key of the namespace in both stores, with its type and full value."""
    out: dict[tuple[str, str], tuple[str, object]] = {}
    for store, client in _clients(app):
        keys = sorted(client.scan_iter(match=f"{app.keys.namespace}:*", count=1000))
        pipe = client.pipeline(transaction=False)
        for key in keys:
            pipe.type(key)
        types = pipe.execute()
        pipe = client.pipeline(transaction=False)
        for key, kind in zip(keys, types):
            command, *args = _READ[kind]
            getattr(pipe, command)(key, *args)
        for key, kind, value in zip(keys, types, pipe.execute()):
            out[(store, key)] = (kind, value)
    return out


# Every key name the schema allows (docs/schema.md); ids are canonical decimal integers.
_ID = r"[1-9][0-9]*"
_PATTERNS = [re.compile(p) for p in (
    r"catalog:users", r"catalog:meetings", r"catalog:instances:by_(end|start)",
    rf"catalog:user:\{{u:{_ID}\}}",
    rf"catalog:meeting:\{{m:{_ID}\}}(:audience|:instances|:instance:{_ID})?",
    rf"activity:meeting:\{{m:{_ID}\}}:(event_seq|events|open|present:{_ID}|message_seq|messages"
    rf"|messages:text|messages:by_time|messages:user:{_ID})",
)]


def foreign_keys(app) -> list[str]:
    """Key names in the namespace that the schema does not describe."""
    prefix = f"{app.keys.namespace}:"
    names = [key for _, client in _clients(app) for key in client.scan_iter(match=prefix + "*")]
    return sorted(k for k in names if not any(p.fullmatch(k[len(prefix):]) for p in _PATTERNS))


def meeting_ids(app) -> list[int]:
    """Every meeting with a catalog entry or any activity (read from key names)."""
    ids = {int(m) for m in app.stores.catalog.zrange(app.keys.meetings, 0, -1)}
    for key in app.stores.activity.scan_iter(match=f"{app.keys.activity_prefix}meeting:*", count=1000):
        ids.add(int(re.search(r"\{m:(\d+)\}", key).group(1)))
    return sorted(ids)


def events(app, meeting_id: int) -> list[RawEvent]:
    raw = app.stores.activity.hgetall(app.keys.events(meeting_id))
    out = []
    for eid, record in raw.items():
        data = json.loads(record)
        out.append(RawEvent(int(eid), data["user_id"], data["order_id"], data["event_type"], data["timestamp"]))
    return sorted(out, key=lambda e: e.event_id)


def messages(app, meeting_id: int) -> list[RawMessage]:
    keys: Keys = app.keys
    records = app.stores.activity.hgetall(keys.messages(meeting_id))
    texts = app.stores.activity.hgetall(keys.message_texts(meeting_id))
    out = []
    for mid, record in records.items():
        data = json.loads(record)
        out.append(RawMessage(int(mid), data["user_id"], data["order_id"], data["timestamp"], texts.get(mid)))
    return sorted(out, key=lambda m: m.message_id)


def presence(app, meeting_id: int) -> dict[int, dict[int, int]]:
    """order_id -> {user_id: event id of the join that opened the session}, non-empty only."""
    out: dict[int, dict[int, int]] = {}
    prefix = app.keys.presence_prefix(meeting_id)
    for key in app.stores.activity.scan_iter(match=prefix.replace("{", "\\{").replace("}", "\\}") + "*"):
        members = app.stores.activity.zrange(key, 0, -1, withscores=True)
        if members:
            out[int(key[len(prefix):])] = {int(u): int(s) for u, s in members}
    return out


def replay(log: list[RawEvent]) -> dict[int, dict[int, int]]:
    """Open sessions after the log: order_id -> {user_id: join event id}."""
    open_: dict[int, dict[int, int]] = defaultdict(dict)
    for e in log:
        if e.event_type == JOIN:
            open_[e.order_id][e.user_id] = e.event_id
        else:
            open_[e.order_id].pop(e.user_id, None)
    return {o: users for o, users in open_.items() if users}


def sessions(log: list[RawEvent]) -> list[tuple[int, int, int, int | None]]:
    """(user_id, order_id, start ts, end ts or None) for every session in the log."""
    out, start = [], {}
    for e in log:
        key = (e.user_id, e.order_id)
        if e.event_type == JOIN:
            start[key] = e.ts
        elif key in start:
            out.append((e.user_id, e.order_id, start.pop(key), e.ts))
    out.extend((u, o, ts, None) for (u, o), ts in start.items())
    return out


def _numbered(where: str, what: str, ids: list[int], counter: str | None) -> list[str]:
    """Ids must be 1..n with no gap or repeat, and the counter must equal n."""
    problems = []
    if ids != list(range(1, len(ids) + 1)):
        problems.append(f"{where}: {what} ids are not 1..{len(ids)}: {ids}")
    if int(counter or 0) != len(ids):
        problems.append(f"{where}: the {what} counter is {counter} but {len(ids)} {what}s are stored")
    return problems


def _event_problems(app, mid: int, log: list[RawEvent]) -> list[str]:
    where, activity, keys = f"meeting {mid}", app.stores.activity, app.keys
    problems = _numbered(where, "event", [e.event_id for e in log], activity.get(keys.event_seq(mid)))
    last: dict[tuple[int, int], RawEvent] = {}
    for e in log:
        key = (e.user_id, e.order_id)
        before = last.get(key)
        opening = before is None or before.event_type != JOIN
        if e.event_type not in (JOIN, LEAVE, TIMEOUT):
            problems.append(f"{where}: event {e.event_id} has type {e.event_type}")
        elif (e.event_type == JOIN) != opening:
            problems.append(f"{where}: event {e.event_id} ({e.event_type}) of user {e.user_id} in "
                            f"instance {e.order_id} does not alternate join / leave-or-timeout")
        elif e.event_type != JOIN and e.ts < before.ts:
            problems.append(f"{where}: event {e.event_id} closes user {e.user_id}'s session in instance "
                            f"{e.order_id} at {e.ts}, before it opened ({before.ts})")
        last[key] = e
    expected = replay(log)
    stored = presence(app, mid)
    if stored != expected:
        problems.append(f"{where}: presence {stored} differs from the replay of its log {expected}")
    open_set = {int(o) for o in activity.smembers(keys.open_instances(mid))}
    if open_set != set(expected):
        problems.append(f"{where}: open set {sorted(open_set)} but sessions open in {sorted(expected)}")
    return problems


def _message_problems(app, mid: int, log: list[RawEvent]) -> list[str]:
    where, activity, keys = f"meeting {mid}", app.stores.activity, app.keys
    msgs = messages(app, mid)
    problems = _numbered(where, "message", [m.message_id for m in msgs], activity.get(keys.message_seq(mid)))
    by_time = {int(m): int(s) for m, s in activity.zrange(keys.messages_by_time(mid), 0, -1, withscores=True)}
    if by_time != {m.message_id: m.ts for m in msgs}:
        problems.append(f"{where}: messages:by_time does not index exactly the stored messages")
    per_user: dict[int, dict[int, int]] = defaultdict(dict)
    for m in msgs:
        per_user[m.user_id][m.message_id] = m.ts
        if m.text is None:
            problems.append(f"{where}: message {m.message_id} has no text")
    for user_id, wanted in per_user.items():
        got = {int(k): int(s) for k, s in activity.zrange(keys.user_messages(mid, user_id), 0, -1, withscores=True)}
        if got != wanted:
            problems.append(f"{where}: user {user_id}'s message index differs from their messages")
    spans = sessions(log)
    for m in msgs:
        inside = any(u == m.user_id and o == m.order_id and start <= m.ts and (end is None or m.ts <= end)
                     for u, o, start, end in spans)
        if not inside:
            problems.append(f"{where}: message {m.message_id} by user {m.user_id} at {m.ts} lies "
                            f"outside every session of theirs in instance {m.order_id}")
    return problems


def _latest_problems(app, mid: int) -> list[str]:
    """The meeting hash's copy of its latest instance (last_order, last_from, last_to)
    matches the instance with the highest order id, when there is one."""
    catalog, keys = app.stores.catalog, app.keys
    orders = sorted(int(o) for o in catalog.zrange(keys.instances(mid), 0, -1))
    copy = catalog.hmget(keys.meeting(mid), "last_order", "last_from", "last_to")
    if not orders or not catalog.exists(keys.meeting(mid)):
        return [] if copy == [None, None, None] else [f"meeting {mid}: a latest-instance copy without instances"]
    span = catalog.hmget(keys.instance(mid, orders[-1]), "from_ms", "to_ms")
    if copy != [str(orders[-1]), *span]:
        return [f"meeting {mid}: latest-instance copy {copy} differs from instance {orders[-1]} {span}"]
    return []


def violations(app) -> list[str]:
    """Every broken invariant in the store, as readable sentences (empty = sound)."""
    problems = [f"key {key!r} is not in the schema" for key in foreign_keys(app)]
    for mid in meeting_ids(app):
        log = events(app, mid)
        problems += _event_problems(app, mid, log) + _message_problems(app, mid, log) + _latest_problems(app, mid)
    return problems
