"""confkit: video-conference bookkeeping (users, meetings, instances, join/leave/
timeout events, chat messages) on Redis."""

from .app import ConferenceApp
from .clock import ManualClock, system_clock
from .errors import (
    AlreadyExistsError,
    AlreadyJoinedError,
    ConfkitConnectionError,
    ConfkitError,
    ImportConflictError,
    ImportFormatError,
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
from .formats import AttendanceReport, ChatLog, read_attendance, read_chat
from .identity import IdentityConflict
from .importer import ImportResult
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
    "AttendanceReport",
    "AlreadyExistsError",
    "AlreadyJoinedError",
    "ConferenceApp",
    "ConfkitConnectionError",
    "ChatLog",
    "ConfkitError",
    "Event",
    "EventType",
    "IdentityConflict",
    "ImportConflictError",
    "ImportFormatError",
    "ImportResult",
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
    "read_attendance",
    "read_chat",
    "system_clock",
]
