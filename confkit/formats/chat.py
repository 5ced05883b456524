"""Reading a saved Zoom chat: the local "Save chat" file (2020 one-line, 2021 two-line
and 2023 "new chat experience" forms) and the cloud-recording chat, whose times are
offsets from the start of the recording.

Reactions, reaction removals and replies are lines of the file like any message, so
they come back as rows with their own ``kind``; counting messages means counting
``kind == "message"`` (and deciding about replies), never all rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime, timezone, tzinfo
from pathlib import PurePath

import numpy as np
import pandas as pd

from ..errors import ImportFormatError
from ..validate import aware
from .model import ChatKind, ChatLog
from .names import clean_name
from .sniff import Source, Text, load
from .timeparse import UTC_DTYPE as TS
from .timeparse import parse_day, resolve_tz, to_utc

_TIME = r"(?P<time>\d{1,3}):(?P<minute>\d{2}):(?P<second>\d{2})"
# Local save: "09:00:39 From Linda X to Everyone : text" (2020) or a header ending in
# ":" whose text follows on indented lines (2021, 2023).
_LOCAL = re.compile(_TIME + r"[ \t]+From[ \t]+(?P<rest>.*)$")
# Cloud recording: "00:21:14<TAB>Andrew Knight:<TAB>text".
_CLOUD = re.compile(_TIME + r"\t(?P<sender>[^\t]*?):\t(?P<text>.*)$")
# A line that is not a header but starts like one (a time, then TAB or " From "): damaged.
_HEADER_LIKE = re.compile(r"\d{1,3}:\d{2}:\d{2}[ \t]|\d{1,3}:\d{1,3}(?::\d{1,3})?(?:\t|[ \t]+From[ \t])")
_TO_EVERYONE = re.compile(r"(?P<sender>.*\S)[ \t]+to[ \t]+Everyone")
_DIRECT = re.compile(r"[ \t]*\((?:Direct Message|Privately)\)$")
_REACTED = re.compile(r'Reacted to "(?P<target>.*)" with (?P<emoji>\S+)')
_REMOVED = re.compile(r'Removed a (?P<emoji>\S+) reaction from "(?P<target>.*)"')
_BARE = re.compile(r"(?P<verb>add|remove) (?P<emoji>\S+)")
_REPLY_BLOCK = re.compile(r'Replying to "(?P<target>[^\n]*)"[ \t]*\n(?P<text>.*)', re.DOTALL)
_REPLY_INLINE = re.compile(r'Replying to "(?P<target>[^\n]*?)"(?:[ \t]+(?P<text>.*))?', re.DOTALL)
# A cloud recording's file name holds its start in UTC: GMT20240124-202901_...
_GMT_NAME = re.compile(r"GMT(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})")
# Zoom saves the local chat into "<YYYY-MM-DD HH.MM.SS Topic>/meeting_saved_chat.txt".
_FOLDER_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2}) \d{2}\.\d{2}\.\d{2}\b")
ROLLOVER = 12 * 3600  # seconds: a time of day this much earlier than the one before is the next day


@dataclass
class _Draft:
    line: int
    offset: int  # seconds since midnight, or since the recording started
    sender: str
    recipient: str | None
    direct: bool
    body: list[str]


def read_chat(source: Source, *, tz: str | tzinfo | None = None, date: Date | str | None = None,
              start: datetime | None = None) -> ChatLog:
    """Read a saved Zoom chat into a ``ChatLog`` whose times are UTC.

    A local save holds times of day only: give ``date=`` (the meeting's date) unless
    the file sits in the folder Zoom made for it (``YYYY-MM-DD HH.MM.SS Topic``),
    whose name gives the date; ``tz=`` is the zone of the machine that saved it (as
    in ``read_attendance``: None = this machine's zone). Times that go back across
    midnight move to the next day. A cloud-recording chat holds offsets from the
    recording's start: give ``start=`` (an aware datetime), unless the file name
    carries it (``GMTYYYYMMDD-HHMMSS``, UTC).

    ``messages`` has, besides the common columns: ``direct`` (a direct message),
    ``reply_to`` (the quoted start of the message replied or reacted to) and
    ``display_name`` (the sender as written, with pronouns or a guest suffix that
    ``sender`` leaves out). A reaction's ``text`` is its emoji.
    """
    text = load(source)
    lines = text.lines
    if lines and lines[-1] == "":
        lines.pop()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise ImportFormatError("the file is empty: expected a saved Zoom chat", file=text.where, line=1)
    head = lines[first]
    if _CLOUD.match(head):
        drafts = _parse(text, lines, first, cloud=True)
        zone_name = resolve_tz(tz)[1] if tz is not None else "UTC"
        base = pd.Timestamp(_cloud_start(text, start))
        times = pd.Series(base + pd.to_timedelta(_offsets(drafts), unit="s"), dtype=TS)
        warnings: list[str] = []
    elif _LOCAL.match(head):
        drafts = _parse(text, lines, first, cloud=False)
        zone, zone_name = resolve_tz(tz)
        day = parse_day(date, file=text.where)
        if day is None and start is not None:
            day = aware(start, "start").astimezone(zone).date()
        times, warnings = _wall_clock(drafts, day if day is not None else _folder_date(text), zone)
    else:
        raise ImportFormatError(
            "not a saved Zoom chat: expected 'HH:MM:SS From <name> to <name>:' or "
            "'HH:MM:SS<TAB><name>:<TAB><text>'", file=text.where, line=first + 1, value=head[:60])
    return ChatLog(platform="zoom", tz=zone_name, messages=_frame(text, drafts, times), warnings=tuple(warnings),
                   source=text.name)


# -- lines to drafts -------------------------------------------------------------------
def _parse(text: Text, lines: list[str], first: int, *, cloud: bool) -> list[_Draft]:
    drafts: list[_Draft] = []
    for number, line in enumerate(lines[first:], start=first + 1):
        match = (_CLOUD if cloud else _LOCAL).match(line)
        if match is None:
            if _HEADER_LIKE.match(line):
                form = "'HH:MM:SS<TAB><name>:<TAB><text>'" if cloud else "'HH:MM:SS From <name> to <name>:'"
                raise ImportFormatError(f"a line that starts with a time must be a message header {form}",
                                        file=text.where, line=number, value=line[:60])
            drafts[-1].body.append(line)  # a further line of the message (soft line break)
            continue
        offset = _offset(text, number, match, wall_clock=not cloud)
        if cloud:
            sender, recipient, direct, body = match["sender"].strip(), None, False, [match["text"]]
        else:
            sender, recipient, direct, body = _local_header(text, number, match["rest"])
        if not sender:
            raise ImportFormatError("the message header has no sender name", file=text.where, line=number,
                                    value=line[:60])
        drafts.append(_Draft(number, offset, sender, recipient, direct, body))
    return drafts


def _offset(text: Text, number: int, match: re.Match[str], *, wall_clock: bool) -> int:
    hour, minute, second = int(match["time"]), int(match["minute"]), int(match["second"])
    if minute > 59 or second > 59 or (wall_clock and hour > 23):
        raise ImportFormatError("not a valid time (HH:MM:SS)", file=text.where, line=number, column="time",
                                value=f"{match['time']}:{match['minute']}:{match['second']}")
    return hour * 3600 + minute * 60 + second


def _local_header(text: Text, number: int, rest: str) -> tuple[str, str | None, bool, list[str]]:
    """Sender, recipient (None = everyone), direct flag and the text on the header line."""
    stripped = rest.rstrip()
    if " : " in rest:
        who, inline = rest.split(" : ", 1)
    elif stripped.endswith(":"):
        who, inline = stripped[:-1], None
    else:
        raise ImportFormatError("the message header does not end in ':' and has no ' : ' before the text",
                                file=text.where, line=number, value=rest[:60])
    sender, recipient = _split_names(who)
    recipient = _DIRECT.sub("", recipient or "").strip()
    if recipient.lower() in ("", "everyone"):
        return sender, None, False, [] if inline is None else [inline]
    return sender, recipient, True, [] if inline is None else [inline]


def _split_names(who: str) -> tuple[str, str | None]:
    """'Jacob  to  Everyone' (names padded with two spaces), 'Ann to Ben(Direct Message)'."""
    who = who.strip()
    if found := _TO_EVERYONE.fullmatch(who):
        return found["sender"], "Everyone"
    for separator in ("  to  ", " to "):
        if separator in who:
            sender, recipient = who.split(separator, 1)
            return sender.strip(), recipient.strip()
    return who, None  # the oldest saves name no recipient: a message to everyone


# -- times -------------------------------------------------------------------------------
def _cloud_start(text: Text, start: datetime | None) -> datetime:
    if start is not None:
        return aware(start, "start")
    found = _GMT_NAME.search(PurePath(text.name).name) if text.name else None
    if found:
        try:
            year, month, day, hour, minute, second = map(int, found.groups())
            return datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
        except ValueError:
            pass
    raise ImportFormatError("a cloud-recording chat holds times since the recording started: give start= "
                            "(an aware datetime) or keep the file name Zoom gave it (GMTYYYYMMDD-HHMMSS_...)",
                            file=text.where)


def _folder_date(text: Text) -> Date:
    folder = PurePath(text.name).parent.name if text.name else ""
    found = _FOLDER_DATE.match(folder)
    if found:
        try:
            return Date(*map(int, found.groups()))
        except ValueError:
            pass
    raise ImportFormatError("a saved Zoom chat holds times of day without a date: give date= (the meeting's "
                            "date) or keep it in the folder Zoom saved it to ('YYYY-MM-DD HH.MM.SS Topic')",
                            file=text.where)


def _offsets(drafts: list[_Draft]) -> np.ndarray:
    return np.fromiter((d.offset for d in drafts), dtype="int64", count=len(drafts))


def _wall_clock(drafts: list[_Draft], day: Date, zone: tzinfo) -> tuple[pd.Series, list[str]]:
    """Times of day on ``day`` in ``zone`` as UTC; a time far earlier than the one
    before it is on the next day."""
    seconds = _offsets(drafts)
    lines = np.fromiter((d.line for d in drafts), dtype="int64", count=len(drafts))
    rolls = np.zeros(len(seconds), dtype=bool)
    rolls[1:] = seconds[1:] < seconds[:-1] - ROLLOVER
    seconds = seconds + 86_400 * np.cumsum(rolls)
    warnings = [f"line {line}: the time went back past midnight; read as the next day" for line in lines[rolls]]
    naive = pd.Series(pd.Timestamp(day) + pd.to_timedelta(seconds, unit="s"), dtype="datetime64[ns]")
    utc, notes = to_utc(naive, zone, lines)
    return utc, warnings + notes


# -- drafts to the frame -------------------------------------------------------------------
def _classify(body: str) -> tuple[str, str, str | None]:
    """kind, text and the quoted target of a message body."""
    if match := _REACTED.fullmatch(body):
        return "reaction", match["emoji"], match["target"]
    if match := _REMOVED.fullmatch(body):
        return "reaction_removed", match["emoji"], match["target"]
    if (match := _BARE.fullmatch(body)) and not any(ch.isalnum() for ch in match["emoji"]):
        return ("reaction" if match["verb"] == "add" else "reaction_removed"), match["emoji"], None
    if (match := _REPLY_BLOCK.fullmatch(body)) and match["text"].strip():
        return "reply", match["text"].strip("\n"), match["target"]
    if match := _REPLY_INLINE.fullmatch(body):
        return "reply", match["text"] or "", match["target"]
    return "message", body, None


def _body(lines: list[str]) -> str:
    stripped = [line.strip(" \t") for line in lines]
    while stripped and not stripped[-1]:
        stripped.pop()
    while stripped and not stripped[0]:
        stripped.pop(0)
    return "\n".join(stripped)


def _frame(text: Text, drafts: list[_Draft], times: pd.Series) -> pd.DataFrame:
    cleaned: dict[str, str] = {}

    def names(raw: str) -> str:
        if raw not in cleaned:
            cleaned[raw] = clean_name(raw)[0] or raw.strip()
        return cleaned[raw]

    rows = []
    for draft in drafts:
        body = _body(draft.body)
        if not body:
            raise ImportFormatError("the message has no text", file=text.where, line=draft.line)
        kind, content, target = _classify(body)
        recipient = names(draft.recipient) if draft.recipient else None
        rows.append((names(draft.sender), recipient, content, kind, draft.line, draft.direct, target, draft.sender))
    columns: list[tuple[object, ...]] = list(zip(*rows)) if rows else [()] * 8
    return pd.DataFrame({
        "sent_at": times.reset_index(drop=True).astype(TS),
        "sender": pd.array(columns[0], dtype="string"),
        "recipient": pd.array(columns[1], dtype="string"),
        "text": pd.array(columns[2], dtype="string"),
        "kind": pd.Categorical(columns[3], categories=list(ChatKind)),
        "line": pd.array(columns[4], dtype="Int64"),
        "direct": pd.array(columns[5], dtype="boolean"),
        "reply_to": pd.array(columns[6], dtype="string"),
        "display_name": pd.array(columns[7], dtype="string"),
    })
