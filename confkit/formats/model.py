"""What the readers return: one attendance report or one chat log, times in UTC."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

PLATFORMS = ("zoom", "zoom-webinar", "teams", "teams-live", "meet", "webex")
ChatKind = ("message", "reply", "reaction", "reaction_removed")

# The columns every reader returns, in this order (readers may add more after them).
SEGMENT_COLUMNS = ("name", "email", "joined_at", "left_at", "line")
MESSAGE_COLUMNS = ("sent_at", "sender", "recipient", "text", "kind", "line")


@dataclass(frozen=True, eq=False)
class AttendanceReport:
    """One meeting's attendance as exported by ``platform``.

    ``segments``: one row per join segment, with at least ``name`` (display name
    without platform suffixes), ``email`` (string dtype, ``<NA>`` when absent),
    ``joined_at`` / ``left_at`` (``datetime64[ns, UTC]``; ``left_at`` may be NaT for
    a report downloaded during the meeting) and ``line`` (1-based line in the file).
    Then ``display_name`` (as written), ``original_name`` (Zoom's "Name (Original
    Name)"), ``role`` (host, panelist, attendee, organizer, presenter), ``guest``
    (nullable bool), ``in_waiting_room`` (bool; such rows are waiting, not attending),
    ``duration`` (``left_at - joined_at``), ``duration_reported`` (the platform's own
    figure, only checked), ``device`` and
    ``participant_id`` (UPN, Live Events participant id); platforms may add more
    (``section``, ``country``, ``session_id``).
    ``started_at`` / ``ended_at``: the meeting's own times where the file gives them.
    ``tz``: the IANA zone the file's local times were read in.
    ``kind``: "segments", or "totals" for Zoom's "Show unique users" export (one row
    per person, times NaT, ``duration_reported`` set).
    ``extra``: what else the file says (meeting-block fields, a webinar's summary and
    ``no_shows``, a Teams summary).
    """

    platform: str
    title: str
    meeting_ref: str | None
    started_at: datetime | None
    ended_at: datetime | None
    tz: str
    segments: pd.DataFrame
    warnings: tuple[str, ...] = ()
    source: str | None = None  # file name, when read from a path
    kind: str = "segments"  # or "totals" for Zoom's "unique users" export
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class ChatLog:
    """One meeting's saved chat.

    ``messages``: ``sent_at`` (``datetime64[ns, UTC]``), ``sender``, ``recipient``
    (``<NA>`` = everyone), ``text``, ``kind`` (categorical: message, reply, reaction,
    reaction_removed) and ``line`` (1-based line in the file where it starts).
    """

    platform: str
    tz: str
    messages: pd.DataFrame
    warnings: tuple[str, ...] = ()
    source: str | None = None
