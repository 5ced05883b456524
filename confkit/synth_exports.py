"""Synthetic meeting exports of any size, as the readers return them, for testing and
measuring the importer: a two-hour meeting where people reconnect, join from a
second device, rename themselves, come as guests without e-mail, and chat."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from .formats.model import AttendanceReport, ChatLog


def synthetic_export(segments: int, messages: int = 0, *, start: datetime, people: int | None = None,
                     seed: int = 0, title: str = "Synthetic webinar", ref: str = "999 0000 0001"
                     ) -> tuple[AttendanceReport, ChatLog]:
    """About ``segments`` join segments of ``people`` people (default segments / 10)
    in a two-hour meeting from ``start``, and ``messages`` chat messages (one in ten a
    reaction, one in twenty direct)."""
    rng = np.random.default_rng(seed)
    people = people or max(1, segments // 10)
    duration_ms = 2 * 3600 * 1000
    who = np.sort(rng.integers(0, people, size=segments))
    joined = rng.integers(0, duration_ms - 60_000, size=segments)
    length = rng.integers(1_000, 30 * 60_000, size=segments)
    left = np.minimum(joined + length, duration_ms)
    base = pd.Timestamp(start).tz_convert("UTC")
    names = np.array([f"Person {i}" for i in range(people)], dtype=object)
    guests = np.arange(people) % 4 == 3  # every fourth person has no e-mail
    emails = pd.array([None if guests[i] else f"person{i}@example.com" for i in who], dtype="string")
    segments_frame = pd.DataFrame({
        "name": names[who] + np.where(guests[who], " (Guest)", ""),
        "email": emails,
        "joined_at": base + pd.to_timedelta(joined, unit="ms"),
        "left_at": base + pd.to_timedelta(left, unit="ms"),
        "line": np.arange(2, segments + 2),
    }).astype({"joined_at": "datetime64[ns, UTC]", "left_at": "datetime64[ns, UTC]"})
    report = AttendanceReport(platform="zoom", title=title, meeting_ref=ref, started_at=start,
                              ended_at=start + timedelta(hours=2), tz="UTC", segments=segments_frame,
                              source=f"synthetic-{segments}.csv")
    senders = rng.integers(0, people, size=messages)
    sent = np.sort(rng.integers(0, duration_ms, size=messages))
    kinds = np.where(np.arange(messages) % 10 == 9, "reaction", "message")
    recipients = pd.array([names[(s + 1) % people] if i % 20 == 19 else None for i, s in enumerate(senders)],
                          dtype="string")
    chat_frame = pd.DataFrame({
        "sent_at": (base + pd.to_timedelta(sent, unit="ms")).astype("datetime64[ns, UTC]"),
        "sender": names[senders],
        "recipient": recipients,
        "text": [f"message {i} from {names[s]}" for i, s in enumerate(senders)],
        "kind": pd.Categorical(kinds, categories=["message", "reply", "reaction", "reaction_removed"]),
        "line": np.arange(1, messages + 1),
    })
    return report, ChatLog(platform="zoom", tz="UTC", messages=chat_frame, source=f"synthetic-{messages}.txt")
