"""Result types: small immutable dataclasses with the seed's field names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum


class EventType(IntEnum):
    JOIN = 1
    LEAVE = 2
    TIMEOUT = 3


@dataclass(frozen=True)
class User:
    """A person. Age, gender and e-mail may be unknown (None): people imported from a
    meeting export (guests, people known only by name) often lack them."""

    user_id: int
    name: str
    age: int | None
    gender: str | None
    email: str | None


@dataclass(frozen=True)
class Meeting:
    meeting_id: int
    title: str
    description: str
    is_public: bool
    audience: tuple[str, ...] = ()


@dataclass(frozen=True)
class MeetingInstance:
    meeting_id: int
    order_id: int
    from_dt: datetime
    to_dt: datetime


@dataclass(frozen=True)
class Event:
    """One join (1), leave (2) or timeout (3). Ids are unique and increasing per meeting."""

    event_id: int
    user_id: int
    meeting_id: int
    order_id: int
    event_type: EventType
    timestamp: datetime


@dataclass(frozen=True)
class Message:
    """A chat message. Ids are unique and increasing per meeting."""

    message_id: int
    meeting_id: int
    order_id: int
    user_id: int
    text: str
    timestamp: datetime


@dataclass(frozen=True)
class Participant:
    user_id: int
    name: str
    joined_at: datetime


@dataclass(frozen=True)
class ActiveMeeting:
    meeting: Meeting
    instance: MeetingInstance


@dataclass(frozen=True)
class JoinTime:
    meeting_id: int
    title: str
    user_id: int
    name: str
    joined_at: datetime
