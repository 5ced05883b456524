"""Writing one meeting instance in the formats the platforms export, byte for byte.

The writers take plain data (``MeetingData``: title, reference, start and end,
join segments and chat messages, all times aware) and a time zone, so the same code
writes hand-made example meetings and meetings read back from the stores
(``instance_data``). Formats: the Zoom participants report with its meeting block,
the Teams 2022+ attendance report and the Zoom "Save chat" file in its 2023 form;
``confkit.read_attendance`` and ``confkit.read_chat`` read these bytes back.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from typing import TYPE_CHECKING

import pandas as pd

from .errors import ImportFormatError, InvalidInputError, NotFoundError
from .formats.model import ChatKind
from .formats.timeparse import resolve_tz
from .validate import aware

if TYPE_CHECKING:
    from .app import ConferenceApp

SEGMENT_COLUMNS = ("name", "email", "joined_at", "left_at")
MESSAGE_COLUMNS = ("sent_at", "sender", "recipient", "text", "kind")
SNIPPET_CHARS = 20  # Zoom quotes this many characters of a message replied or reacted to
TEAMS_WIDTH = 7  # columns of the Teams participants table; summary rows are padded to it


@dataclass(frozen=True, eq=False)
class MeetingData:
    """One meeting instance as plain data.

    ``segments``: one row per join segment with ``name``, ``email`` (missing for
    guests), ``joined_at``, ``left_at``; optional ``original_name`` (Zoom shows a
    renamed participant as ``Name (Original Name)``), ``guest`` (bool) and ``role``
    (Teams: Organizer, Presenter, Attendee). ``messages``: ``sent_at``, ``sender``,
    ``recipient`` (missing = everyone), ``text``, ``kind`` (message, reply,
    reaction, reaction_removed) and, for replies and reactions, ``reply_to`` (the
    text replied or reacted to; a reaction's ``text`` is its emoji).
    """

    title: str
    meeting_ref: str
    started_at: datetime
    ended_at: datetime
    segments: pd.DataFrame
    messages: pd.DataFrame
    host_email: str | None = None


# -- shared helpers ----------------------------------------------------------------------
def _zone(tz: str | tzinfo) -> tzinfo:
    """The zone to write local times in; the writers need one named, never the machine's."""
    if tz is None:
        raise InvalidInputError("tz is required: the zone the platform writes local times in")
    try:
        return resolve_tz(tz)[0]
    except ImportFormatError as exc:
        raise InvalidInputError(str(exc)) from None


def _need(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InvalidInputError(f"{what} lacks the column(s) {', '.join(missing)}")


def _local(value: datetime | pd.Timestamp, zone: tzinfo, what: str) -> datetime:
    """``value`` in ``zone``, to the whole second (the platforms write no fractions)."""
    moment = aware(pd.Timestamp(value).to_pydatetime(), what)
    return moment.replace(microsecond=0).astimezone(zone)


def _span(joined: object, left: object, zone: tzinfo) -> tuple[datetime, datetime]:
    """A segment's join and leave in ``zone``; leaving before joining is refused."""
    start, end = _local(joined, zone, "joined_at"), _local(left, zone, "left_at")
    if end < start:
        raise InvalidInputError(f"a segment leaves ({end.isoformat()}) before it joins ({start.isoformat()})")
    return start, end


def _seconds(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds())


def _present(value: object) -> bool:
    """A cell that holds something (not None, NaN, NA or empty)."""
    return value is not None and not pd.isna(value) and str(value) != ""


def _ordered_segments(meeting: MeetingData) -> pd.DataFrame:
    _need(meeting.segments, SEGMENT_COLUMNS, "segments")
    return meeting.segments.sort_values("joined_at", kind="stable")


def snippet(text: str) -> str:
    """How Zoom quotes a message that is replied or reacted to: its first 20 characters
    and '...', on one line."""
    text = " ".join(text.split("\n"))
    return text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS] + "..."


def _person(row: pd.Series) -> str:
    """Who a segment belongs to: the e-mail when there is one, else the display name."""
    return str(row["email"]).lower() if _present(row["email"]) else "name:" + str(row["name"])


# -- Zoom participants report ---------------------------------------------------------------
def _zoom_time(moment: datetime) -> str:
    return moment.strftime("%m/%d/%Y %I:%M:%S %p")


def _zoom_minutes(start: datetime, end: datetime) -> int:
    return math.ceil(_seconds(start, end) / 60)


def zoom_participants(meeting: MeetingData, tz: str | tzinfo) -> bytes:
    """The Zoom web portal's "Participants" report exported with meeting data:
    UTF-8 with BOM, CRLF, the meeting block, an empty line, one row per segment.
    Times are local to ``tz`` as ``MM/DD/YYYY hh:mm:ss AM``; durations are whole
    minutes rounded up, as Zoom writes them."""
    zone = _zone(tz)
    segments = _ordered_segments(meeting)
    start = _local(meeting.started_at, zone, "started_at")
    end = _local(meeting.ended_at, zone, "ended_at")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Meeting ID", "Topic", "Start Time", "End Time", "User Email", "Duration (Minutes)",
                     "Participants"])
    people = segments.apply(_person, axis=1).nunique() if len(segments) else 0
    writer.writerow([meeting.meeting_ref, meeting.title, _zoom_time(start), _zoom_time(end),
                     meeting.host_email or "", _zoom_minutes(start, end), people])
    out.write("\r\n")
    writer.writerow(["Name (Original Name)", "User Email", "Join Time", "Leave Time", "Duration (Minutes)",
                     "Guest"])
    for _, row in segments.iterrows():
        joined, left = _span(row["joined_at"], row["left_at"], zone)
        name = str(row["name"])
        original = row.get("original_name")
        if _present(original) and str(original) != name:
            name = f"{name} ({original})"
        guest = row.get("guest")
        is_guest = bool(guest) if _present(guest) else not _present(row["email"])
        writer.writerow([name, row["email"] if _present(row["email"]) else "", _zoom_time(joined),
                         _zoom_time(left), _zoom_minutes(joined, left), "Yes" if is_guest else "No"])
    return out.getvalue().encode("utf-8-sig")


# -- Teams 2022+ attendance report ----------------------------------------------------------
def _teams_time(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    return (f"{moment.month}/{moment.day}/{moment.year % 100:02d}, "
            f"{hour}:{moment.minute:02d}:{moment.second:02d} {'AM' if moment.hour < 12 else 'PM'}")


def teams_duration(seconds: int) -> str:
    """Teams' duration text: ``1h 2m 10s``, ``21m 7s``, ``59s`` (zero parts left out)."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{v}{unit}" for v, unit in ((hours, "h"), (minutes, "m"), (secs, "s")) if v]
    return " ".join(parts) or "0s"


def _teams_cell(value: object) -> str:
    text = str(value)
    if any(ch in text for ch in ',"\t\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _teams_row(cells: Sequence[object], width: int | None = None) -> str:
    texts = [_teams_cell(c) for c in cells]
    if width:
        texts += [""] * (width - len(texts))
    return "\t".join(texts) + "\r\n"


def teams_report(meeting: MeetingData, tz: str | tzinfo) -> bytes:
    """The Teams attendance report in its 2022+ layout: UTF-16 LE with BOM, TAB
    separated, CRLF, sections ``1. Summary``, ``2. Participants`` (one row per
    person; In-Meeting Duration is the sum of that person's segments) and ``3.
    In-Meeting activities`` (one row per segment). Times are local to ``tz`` in the
    en-US form ``4/17/23, 7:29:57 PM``, double-quoted as they hold a comma."""
    zone = _zone(tz)
    segments = _ordered_segments(meeting).copy()
    start = _local(meeting.started_at, zone, "started_at")
    end = _local(meeting.ended_at, zone, "ended_at")
    spans = [_span(a, b, zone) for a, b in zip(segments["joined_at"], segments["left_at"])]
    segments["_joined"] = [a for a, _ in spans]
    segments["_left"] = [b for _, b in spans]
    segments["_seconds"] = [_seconds(a, b) for a, b in zip(segments["_joined"], segments["_left"])]
    segments["_person"] = segments.apply(_person, axis=1) if len(segments) else []
    host = (meeting.host_email or "").lower()

    def role(row: pd.Series) -> str:
        if "role" in row and _present(row["role"]):
            return str(row["role"])
        return "Organizer" if host and _present(row["email"]) and str(row["email"]).lower() == host else "Attendee"

    people = []
    for _, group in segments.groupby("_person", sort=False):
        first = group.iloc[0]
        people.append((first, group["_joined"].min(), group["_left"].max(), int(group["_seconds"].sum())))
    average = sum(p[3] for p in people) // len(people) if people else 0
    lines = ["1. Summary\r\n"]
    for key, value in (("Meeting title", meeting.title), ("Attended participants", len(people)),
                       ("Start time", _teams_time(start)), ("End time", _teams_time(end)),
                       ("Meeting duration", teams_duration(_seconds(start, end))),
                       ("Average attendance time", teams_duration(average))):
        lines.append(_teams_row([key, value], TEAMS_WIDTH))
    lines += ["\r\n", "2. Participants\r\n"]
    lines.append(_teams_row(["Name", "First Join", "Last Leave", "In-Meeting Duration", "Email",
                             "Participant ID (UPN)", "Role"]))
    for first, joined, left, seconds in people:
        email = str(first["email"]) if _present(first["email"]) else ""
        lines.append(_teams_row([first["name"], _teams_time(joined), _teams_time(left), teams_duration(seconds),
                                 email, email, role(first)]))
    lines += ["\r\n", "3. In-Meeting activities\r\n"]
    lines.append(_teams_row(["Name", "Join Time", "Leave Time", "Duration", "Email", "Role"]))
    for _, row in segments.iterrows():
        email = str(row["email"]) if _present(row["email"]) else ""
        lines.append(_teams_row([row["name"], _teams_time(row["_joined"]), _teams_time(row["_left"]),
                                 teams_duration(row["_seconds"]), email, role(row)]))
    return ("\ufeff" + "".join(lines)).encode("utf-16-le")


# -- Zoom saved chat (2023 form) --------------------------------------------------------------
def _chat_body(row: pd.Series) -> str:
    kind, text = str(row["kind"]), str(row["text"])
    target = row.get("reply_to")
    quoted = snippet(str(target)) if _present(target) else ""
    if kind == "reply":
        return f'Replying to "{quoted}"\n\n{text}'
    if kind == "reaction":
        return f'Reacted to "{quoted}" with {text}'
    if kind == "reaction_removed":
        return f'Removed a {text} reaction from "{quoted}"'
    if kind != "message":
        raise InvalidInputError(f"unknown message kind {kind!r}: expected message, reply, reaction or "
                                "reaction_removed")
    return text


def zoom_chat(meeting: MeetingData, tz: str | tzinfo) -> bytes:
    """The chat as Zoom's "Save chat" writes it since 2023: UTF-8, one header
    ``HH:MM:SS From <sender> to <recipient>:`` (``Everyone``, or the person a direct
    message went to) and the text on TAB-indented lines. Times of day are local to ``tz``."""
    zone = _zone(tz)
    messages = meeting.messages
    _need(messages, ("sent_at", "sender", "text", "kind"), "messages")
    parts = []
    for _, row in messages.sort_values("sent_at", kind="stable").iterrows():
        sent = _local(row["sent_at"], zone, "sent_at")
        recipient = row.get("recipient")
        to = str(recipient) if _present(recipient) else "Everyone"
        body = "".join(f"\t{line}\n" for line in _chat_body(row).split("\n"))
        parts.append(f"{sent:%H:%M:%S} From {row['sender']} to {to}:\n{body}")
    return "".join(parts).encode("utf-8")


def zoom_cloud_chat(meeting: MeetingData, recording_start: datetime | None = None) -> bytes:
    """The chat of a Zoom cloud recording: UTF-8, CRLF, ``HH:MM:SS<TAB>Name:<TAB>text``
    with times counted from ``recording_start`` (default: the meeting's start) and
    further lines of a message as bare lines. Messages sent before the recording
    started and direct messages are left out. Reactions are written inline as in 2024
    files; how these files write replies is not documented, so replies are written as
    the saved chat writes them. Name the file with ``cloud_chat_name``."""
    start = aware(recording_start if recording_start is not None else meeting.started_at, "recording_start")
    messages = meeting.messages
    _need(messages, ("sent_at", "sender", "text", "kind"), "messages")
    lines = []
    for _, row in messages.sort_values("sent_at", kind="stable").iterrows():
        seconds = _seconds(start.replace(microsecond=0), _local(row["sent_at"], timezone.utc, "sent_at"))
        if seconds < 0 or _present(row.get("recipient")):
            continue
        hours, rest = divmod(seconds, 3600)
        body = _chat_body(row).replace("\n", "\r\n")
        lines.append(f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}\t{row['sender']}:\t{body}\r\n")
    return "".join(lines).encode("utf-8")


def cloud_chat_name(recording_start: datetime) -> str:
    """The file name Zoom gives a recording's chat; it holds the recording's start in UTC."""
    return f"GMT{aware(recording_start, 'recording_start'):%Y%m%d-%H%M%S}_RecordingnewChat.txt"


# -- a stored instance as plain data -------------------------------------------------------------
def instance_data(app: ConferenceApp, meeting_id: int, order_id: int) -> MeetingData:
    """Instance ``order_id`` of meeting ``meeting_id`` as it is stored: its joins as
    segments (a session still open ends now), its messages, the users' names and
    e-mails. Raises ``NotFoundError`` when the meeting or the instance does not exist."""
    from . import analytics  # analytics imports the app; keep this module light

    meeting = app.get_meeting(meeting_id)
    now = app.now()
    instances = analytics.instances_frame(app, now)
    instances = instances[instances["meeting_id"] == meeting.meeting_id].reset_index(drop=True)
    chosen = instances[instances["order_id"] == int(order_id)]
    if chosen.empty:
        raise NotFoundError(f"meeting {meeting.meeting_id} has no instance {order_id}")
    status = analytics.instance_status(instances, now).loc[chosen.index[0]]
    instance = chosen.iloc[0]
    users = analytics.users_frame(app).set_index("user_id")
    events = analytics.events_frame(app, [meeting.meeting_id])
    sessions = analytics.sessions_frame(events, instances, now)
    sessions = sessions[sessions["order_id"] == int(order_id)]
    segments = pd.DataFrame({
        "user_id": sessions["user_id"].to_numpy(),
        "name": sessions["user_id"].map(users["name"]).astype("string").to_numpy(),
        "email": sessions["user_id"].map(users["email"]).astype("string").to_numpy(),
        "joined_at": sessions["joined_at"].to_numpy(),
        "left_at": (sessions["joined_at"] + sessions["duration"]).to_numpy(),
    })
    for column in ("joined_at", "left_at"):
        segments[column] = pd.to_datetime(segments[column], utc=True)
    stored = analytics.messages_frame(app, [meeting.meeting_id])
    stored = stored[stored["order_id"] == int(order_id)]
    messages = pd.DataFrame({
        "user_id": stored["user_id"].to_numpy(),
        "sent_at": pd.to_datetime(stored["timestamp"].to_numpy(), utc=True),
        "sender": stored["user_id"].map(users["name"]).astype("string").to_numpy(),
        "recipient": pd.array([pd.NA] * len(stored), dtype="string"),
        "text": stored["text"].astype("string").to_numpy(),
        "kind": pd.Categorical(["message"] * len(stored), categories=list(ChatKind)),
    })
    if status["status"] == "running":
        ended = pd.Timestamp(now)
    else:
        ended = instance["to_dt"] if pd.isna(status["stopped_at"]) else status["stopped_at"]
    return MeetingData(title=meeting.title, meeting_ref=str(meeting.meeting_id),
                       started_at=instance["from_dt"].to_pydatetime(), ended_at=ended.to_pydatetime(),
                       segments=segments, messages=messages)


__all__ = ["MeetingData", "cloud_chat_name", "instance_data", "snippet", "teams_duration", "teams_report",
           "zoom_chat", "zoom_cloud_chat", "zoom_participants"]
