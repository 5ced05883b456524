"""confkit: video-conference bookkeeping (users, meetings, instances, join/leave/
timeout events, chat messages) on Redis."""

from .app import ConferenceApp
from .clock import ManualClock, system_clock
from .errors import (
    AlreadyExistsError,
    AlreadyJoinedError,
    ConfkitConnectionError,
    ConfkitError,
    InvalidInputError,
    MeetingNotFoundError,
    NoActiveInstanceError,
    NotFoundError,
    NotInvitedError,
    NotJoinedError,
    OutcomeUnknownError,
    ServerError,
    UserNotFoundError,
)
from .formats import ChatLog, read_chat
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

__version__ = "0.1.0"

__all__ = [
    "ActiveMeeting",
    "AlreadyExistsError",
    "AlreadyJoinedError",
    "ConferenceApp",
    "ConfkitConnectionError",
    "ChatLog",
    "ConfkitError",
    "Event",
    "EventType",
    "InvalidInputError",
    "JoinTime",
    "ManualClock",
    "Meeting",
    "MeetingInstance",
    "MeetingNotFoundError",
    "Message",
    "NoActiveInstanceError",
    "NotFoundError",
    "NotInvitedError",
    "NotJoinedError",
    "OutcomeUnknownError",
    "Participant",
    "ServerError",
    "User",
    "UserNotFoundError",
    "read_chat",
    "system_clock",
]
