"""Typed errors: every failure confkit reports is a subclass of ``ConfkitError``.

A call that raises one of these has changed nothing in Redis, except
``OutcomeUnknownError``, which says that it cannot tell.
"""

from __future__ import annotations


class ConfkitError(Exception):
    """Base class of every error confkit raises on purpose."""


class InvalidInputError(ConfkitError, ValueError):
    """An argument is malformed (bad id, naive datetime, empty text...)."""


class NotFoundError(ConfkitError, LookupError):
    """Something named by id does not exist."""


class UserNotFoundError(NotFoundError):
    def __init__(self, user_id: int):
        self.user_id = user_id
        super().__init__(f"user {user_id} does not exist")


class MeetingNotFoundError(NotFoundError):
    def __init__(self, meeting_id: int):
        self.meeting_id = meeting_id
        super().__init__(f"meeting {meeting_id} does not exist")


class AlreadyExistsError(ConfkitError):
    """A user, meeting or instance with that id exists with different data."""


class NoActiveInstanceError(ConfkitError):
    """The meeting has no instance running now (none started, or the latest ended)."""


class NotInvitedError(ConfkitError, PermissionError):
    """The meeting is private and the user's e-mail is not in its audience."""


class AlreadyJoinedError(ConfkitError):
    """The user is already in the meeting's active instance."""


class NotJoinedError(ConfkitError):
    """The user is not in the meeting's active instance."""


class ConfkitConnectionError(ConfkitError, ConnectionError):
    """Redis could not be reached (after retrying transient failures); the call
    changed nothing."""


class OutcomeUnknownError(ConfkitConnectionError):
    """The connection broke after a write had been sent, so it may or may not have
    been applied. A write that is not safe to repeat (join, leave, post, end, sweep)
    is never resent, so it happened once or not at all: read the state back to find
    out. A write that is safe to repeat (add_*, audience changes, reset) was retried
    first; repeating it completes it."""


class ImportConflictError(ConfkitError):
    """A meeting changed while an import into it was being staged (another write to
    it, or an instance added), or the staging expired; nothing was written. Importing
    again is safe."""


class ServerError(ConfkitError, RuntimeError):
    """The embedded Redis server could not be found, started or stopped."""


class ImportFormatError(ConfkitError, ValueError):
    """A meeting export could not be read: not a known format, truncated, or a row
    that cannot be read. Names the file, the line and, where it applies, the column
    and the value, and says what was expected. Nothing was imported."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 column: str | None = None, value: str | None = None):
        self.file, self.line, self.column, self.value = file, line, column, value
        where = ", ".join(part for part in (
            file or "",
            f"line {line}" if line is not None else "",
            f"column {column!r}" if column is not None else "",
            f"value {value if len(value) <= 80 else value[:77] + '...'!r}" if value is not None else "",
        ) if part)
        super().__init__(f"{where}: {message}" if where else message)


class MissingDependencyError(ConfkitError, ImportError):
    """A feature needs an optional extra that is not installed (Excel export, the
    report builder); the message says what to install."""
