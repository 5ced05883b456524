"""Reading the files meeting platforms export (attendance reports and saved chats).

Pure functions, no Redis: ``read_attendance`` and ``read_chat`` turn a path, bytes
or binary file object into an ``AttendanceReport`` or a ``ChatLog`` whose times are
UTC. ``confkit.importer`` writes them into the stores.
"""

from .attendance import detect_platform, read_attendance
from .chat import read_chat
from .model import PLATFORMS, AttendanceReport, ChatKind, ChatLog

__all__ = ["PLATFORMS", "AttendanceReport", "ChatKind", "ChatLog", "detect_platform", "read_attendance", "read_chat"]
