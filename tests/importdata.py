"""Meeting exports built by hand, as the readers return them (confkit.formats.model)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pandas as pd

from confkit.formats.model import AttendanceReport, ChatLog

DAY = datetime(2029, 12, 3, tzinfo=timezone.utc)  # a Monday, weeks before the tests' clock


def at(hhmm: str, day: datetime = DAY) -> datetime:
    """``"10:05"`` or ``"10:05:30"`` on ``day`` (UTC)."""
    parts = [int(p) for p in hhmm.split(":")] + [0]
    return day + timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2])


def _times(values: list[Any], day: datetime) -> pd.Series:
    return pd.Series([at(v, day) if v else None for v in values], dtype="datetime64[ns, UTC]")


def report(rows: list[tuple], *, title: str = "Weekly sync", ref: str | None = "123",
           start: str | None = "10:00", end: str | None = "11:00", day: datetime = DAY,
           platform: str = "zoom", extra: dict[str, list[Any]] | None = None,
           source: str | None = "participants.csv") -> AttendanceReport:
    """Rows ``(name, email or None, "HH:MM" joined, "HH:MM" left or None)``; file lines 2...."""
    frame = pd.DataFrame({
        "name": pd.Series([r[0] for r in rows], dtype="object"),
        "email": pd.array([r[1] for r in rows], dtype="string"),
        "joined_at": _times([r[2] for r in rows], day),
        "left_at": _times([r[3] for r in rows], day),
        "line": list(range(2, 2 + len(rows))),
    })
    for column, values in (extra or {}).items():
        frame[column] = values
    return AttendanceReport(platform=platform, title=title, meeting_ref=ref,
                            started_at=at(start, day) if start else None,
                            ended_at=at(end, day) if end else None, tz="UTC", segments=frame,
                            source=source)


def chat(rows: list[tuple], *, day: datetime = DAY, platform: str = "zoom") -> ChatLog:
    """Rows ``("HH:MM[:SS]", sender, recipient or None, text, kind)``; file lines 1...."""
    frame = pd.DataFrame({
        "sent_at": _times([r[0] for r in rows], day),
        "sender": [r[1] for r in rows],
        "recipient": pd.array([r[2] for r in rows], dtype="string"),
        "text": [r[3] for r in rows],
        "kind": pd.Categorical([r[4] for r in rows],
                               categories=["message", "reply", "reaction", "reaction_removed"]),
        "line": list(range(1, 1 + len(rows))),
    })
    return ChatLog(platform=platform, tz="UTC", messages=frame, source="chat.txt")
