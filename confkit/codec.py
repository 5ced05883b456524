"""How times and records are written into Redis and read back.

Times are integer epoch milliseconds (UTC). Event and message metadata are compact
JSON objects with a fixed field order, written identically by the Lua scripts and by
the bulk loader; message text is stored raw in its own hash, byte for byte.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from .models import Event, EventType, Message

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def to_ms(when: datetime) -> int:
    """Epoch milliseconds of an aware datetime (sub-millisecond part dropped)."""
    delta = when - _EPOCH
    return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).replace(
        microsecond=(ms % 1000) * 1000
    )


def event_record(user_id: int, order_id: int, event_type: int, ts_ms: int) -> str:
    """The JSON stored for an event; must match ``event_json`` in scripts/common.lua."""
    return (
        f'{{"user_id":{user_id},"order_id":{order_id},'
        f'"event_type":{event_type},"timestamp":{ts_ms}}}'
    )


def message_record(user_id: int, order_id: int, ts_ms: int) -> str:
    """The JSON stored for a message's metadata; must match scripts/post_message.lua."""
    return f'{{"user_id":{user_id},"order_id":{order_id},"timestamp":{ts_ms}}}'


def decode_event(meeting_id: int, event_id: int | str, record: str) -> Event:
    data = json.loads(record)
    return Event(
        event_id=int(event_id),
        user_id=data["user_id"],
        meeting_id=meeting_id,
        order_id=data["order_id"],
        event_type=EventType(data["event_type"]),
        timestamp=from_ms(data["timestamp"]),
    )


def decode_message(meeting_id: int, message_id: int | str, record: str, text: str) -> Message:
    data = json.loads(record)
    return Message(
        message_id=int(message_id),
        meeting_id=meeting_id,
        order_id=data["order_id"],
        user_id=data["user_id"],
        text=text,
        timestamp=from_ms(data["timestamp"]),
    )
