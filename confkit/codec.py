"""How times and records are written into Redis and read back.

Times are integer epoch milliseconds (UTC). Event and message metadata are compact
JSON objects with a fixed field order, written identically by the Lua scripts and by
the bulk loader; message text is stored raw in its own hash, byte for byte.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from itertools import repeat
from operator import itemgetter, truediv
from typing import Any, TypeVar

from .models import ActiveMeeting, Event, EventType, Meeting, MeetingInstance, Message, User

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_T = TypeVar("_T")
_new = object.__new__
_set_attribute = object.__setattr__


def to_ms(when: datetime) -> int:
    """Epoch milliseconds of an aware datetime (sub-millisecond part dropped)."""
    delta = when - _EPOCH
    return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000


_MS = timedelta(milliseconds=1)


def from_ms(ms: int) -> datetime:
    """The aware UTC datetime of epoch milliseconds (exact: timedelta arithmetic is integer)."""
    return _EPOCH + _MS * ms


# Below 2**32 seconds (1970 to 2106) a float number of seconds lies within a quarter
# of a microsecond of its millisecond, so fromtimestamp, which rounds to the
# microsecond, is exact there.
_FLOAT_EXACT_MS = 2**32 * 1000


def from_ms_many(stamps: Sequence[int]) -> Iterator[datetime]:
    """from_ms of many epoch milliseconds (through fromtimestamp where a float is
    exact, which is faster than timedelta arithmetic)."""
    if stamps and 0 <= min(stamps) and max(stamps) < _FLOAT_EXACT_MS:
        return map(datetime.fromtimestamp, map(truediv, stamps, repeat(1000)), repeat(timezone.utc))
    return map(_EPOCH.__add__, map(_MS.__mul__, stamps))


def event_record(user_id: int, order_id: int, event_type: int, ts_ms: int) -> str:
    """The JSON stored for an event; must match ``write_event`` in scripts/common_timeouts.lua."""
    return (
        f'{{"user_id":{user_id},"order_id":{order_id},'
        f'"event_type":{event_type},"timestamp":{ts_ms}}}'
    )


def message_record(user_id: int, order_id: int, ts_ms: int) -> str:
    """The JSON stored for a message's metadata; must match scripts/post_message.lua."""
    return f'{{"user_id":{user_id},"order_id":{order_id},"timestamp":{ts_ms}}}'


def user_fields(user: User) -> dict[str, str | int]:
    """The fields of a user's hash; an unknown age, gender or e-mail is left out."""
    fields: dict[str, str | int] = {"user_id": user.user_id, "name": user.name}
    for name in ("age", "gender", "email"):
        value = getattr(user, name)
        if value is not None:
            fields[name] = value
    return fields


def decode_user(data: dict[str, str]) -> User:
    """A user from its hash (missing fields: unknown)."""
    age = data.get("age")
    return User(int(data["user_id"]), data["name"], int(age) if age is not None else None,
                data.get("gender"), data.get("email"))


# The exact shapes event_record / message_record write: read with one regex match
# (listings decode thousands of records); anything else goes through json.
_EVENT = re.compile(r'\{"user_id":(\d+),"order_id":(\d+),"event_type":(\d+),"timestamp":(-?\d+)\}\Z')
_MESSAGE = re.compile(r'\{"user_id":(\d+),"order_id":(\d+),"timestamp":(-?\d+)\}\Z')
_EVENT_TYPES = {int(t): t for t in EventType}


def event_fields(record: str) -> tuple[int, int, int, int]:
    """(user_id, order_id, event_type, timestamp ms) of a stored event record."""
    match = _EVENT.match(record)
    if match:
        user_id, order_id, event_type, ts = match.groups()
        return int(user_id), int(order_id), int(event_type), int(ts)
    data = json.loads(record)
    return data["user_id"], data["order_id"], data["event_type"], data["timestamp"]


def message_fields(record: str) -> tuple[int, int, int]:
    """(user_id, order_id, timestamp ms) of a stored message record."""
    match = _MESSAGE.match(record)
    if match:
        user_id, order_id, ts = match.groups()
        return int(user_id), int(order_id), int(ts)
    data = json.loads(record)
    return data["user_id"], data["order_id"], data["timestamp"]


def json_rows(records: list[str]) -> list[dict[str, Any]]:
    """Many stored JSON records parsed at once, as one array (much cheaper than one
    parse each)."""
    return json.loads("[" + ",".join(records) + "]") if records else []


_USER_IDS, _ORDER_IDS, _STAMPS = itemgetter("user_id"), itemgetter("order_id"), itemgetter("timestamp")


def message_columns(records: list[str]) -> tuple[list[int], list[int], list[int]]:
    """The user ids, order ids and timestamps (ms) of many message records, as three
    lists: parsed all at once (``json_rows``), or record by record if that fails."""
    try:
        rows = json_rows(records)
        return list(map(_USER_IDS, rows)), list(map(_ORDER_IDS, rows)), list(map(_STAMPS, rows))
    except (ValueError, TypeError, KeyError):
        fields = [message_fields(record) for record in records]
        return [f[0] for f in fields], [f[1] for f in fields], [f[2] for f in fields]


def decode_event(meeting_id: int, event_id: int | str, record: str) -> Event:
    user_id, order_id, event_type, ts = event_fields(record)
    kind = _EVENT_TYPES.get(event_type)
    return Event(
        event_id=int(event_id),
        user_id=user_id,
        meeting_id=meeting_id,
        order_id=order_id,
        event_type=kind if kind is not None else EventType(event_type),
        timestamp=from_ms(ts),
    )


def _pick(values: Sequence[_T], order: Iterable[int]) -> list[_T]:
    return list(map(values.__getitem__, order))


def decode_messages(meeting_id: int, ids: Sequence[int | str], records: list[str],
                    texts: Sequence[str]) -> list[Message]:
    """Messages from parallel lists of ids, stored records and texts, oldest first
    (the same millisecond: in posting order, i.e. by id).

    Listings decode thousands at once, so the work is done a list at a time (the
    loops run in C) and each Message gets its fields directly rather than through
    the frozen dataclass's __init__ (which would check nothing more, only slower).
    Ids already in order (the usual case) are not sorted again; ``ids`` may be a
    range (ids in order, not to be parsed)."""
    mids: Sequence[int] = ids if isinstance(ids, range) else list(map(int, ids))
    users, orders, stamps = message_columns(records)
    if isinstance(mids, range) and mids.step > 0:
        in_order = stamps == sorted(stamps)
    else:
        keys = list(zip(stamps, mids))
        in_order = keys == sorted(keys)
    if not in_order:
        order = sorted(range(len(stamps)), key=list(zip(stamps, mids)).__getitem__)
        mids, users, orders = _pick(mids, order), _pick(users, order), _pick(orders, order)
        stamps, texts = _pick(stamps, order), _pick(texts, order)
    rows = [{"message_id": mid, "meeting_id": meeting_id, "order_id": order_id, "user_id": user_id,
             "text": text, "timestamp": when}
            for mid, user_id, order_id, text, when in zip(mids, users, orders, texts, from_ms_many(stamps))]
    messages = list(map(_new, repeat(Message, len(rows))))
    deque(map(_set_attribute, messages, repeat("__dict__"), rows), maxlen=0)
    return messages


# -- catalog hashes ----------------------------------------------------------------------
def meeting_from_hash(data: dict[str, Any], audience: Iterable[str]) -> Meeting:
    return Meeting(
        meeting_id=int(data["meeting_id"]),
        title=data["title"],
        description=data["description"],
        is_public=data["is_public"] == "1",
        audience=tuple(sorted(audience)),
    )


def active_meetings(rows: Sequence[Any]) -> list[ActiveMeeting]:
    """The running meetings from a flat state reply: per meeting its id, title,
    description, is_public, audience, order_id, from_ms and to_ms (as the state scripts
    return them). Listings build many: fields are set directly, as in decode_messages."""
    it = iter(rows)
    groups = list(zip(it, it, it, it, it, it, it, it))
    times = list(from_ms_many([int(stamp) for group in groups for stamp in group[6:]]))
    out = []
    for k, (mid, title, description, public, audience, order, _, _) in enumerate(groups):
        meeting_id = int(mid)
        meeting, instance, active = _new(Meeting), _new(MeetingInstance), _new(ActiveMeeting)
        meeting.__dict__.update(meeting_id=meeting_id, title=title, description=description, is_public=public == "1",
                                audience=tuple(sorted(audience)) if audience else ())
        instance.__dict__.update(meeting_id=meeting_id, order_id=int(order), from_dt=times[2 * k],
                                 to_dt=times[2 * k + 1])
        active.__dict__.update(meeting=meeting, instance=instance)
        out.append(active)
    return out


def instance_from_hash(data: dict[str, str]) -> MeetingInstance:
    return MeetingInstance(int(data["meeting_id"]), int(data["order_id"]),
                           from_ms(int(data["from_ms"])), from_ms(int(data["to_ms"])))
