"""Results as text for people: aligned tables that fit a terminal, or JSON.

Shared by the ``confkit`` command and the demo. It returns strings and never
prints. Tables show times in UTC to the second (milliseconds when there are any),
event types by name, and only the columns that say something; JSON has every field.
"""

from __future__ import annotations

import dataclasses
import json
import textwrap
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from .models import ActiveMeeting, EventType

TABLE_WIDTH = 100
GAP = "  "


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data: dataclasses become dicts, datetimes ISO text,
    event types their names (``join``, ``leave``, ``timeout``)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, EventType):
        return value.name.lower()
    if isinstance(value, Enum):
        return value.value
    return value


def _when(value: datetime) -> str:
    utc = value.astimezone(UTC)
    text = utc.strftime("%Y-%m-%d %H:%M:%S")
    return text + f".{utc.microsecond // 1000:03d}" if utc.microsecond else text


def _row(value: Any) -> dict[str, Any]:
    """One table row: a running meeting is its meeting and its instance side by side
    (the meeting id once; the description and audience are in ``confkit meetings``)."""
    if isinstance(value, ActiveMeeting):
        meeting, instance = value.meeting, value.instance
        return {"meeting_id": meeting.meeting_id, "title": meeting.title, "is_public": meeting.is_public,
                "order_id": instance.order_id, "from_dt": instance.from_dt, "to_dt": instance.to_dt}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        row = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        # Free text last, where it may wrap.
        return dict(sorted(row.items(), key=lambda item: item[0] in ("description", "text")))
    if isinstance(value, dict):
        return dict(value)
    return {"result": value}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _when(value)
    if isinstance(value, EventType):
        return value.name.lower()
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_cell(v)}" for k, v in value.items())
    return printable(str(value))


def render(result: Any, *, as_json: bool = False, width: int = TABLE_WIDTH) -> str:
    """A result (a dataclass, a list of them, a dict or a scalar) as a table, or as JSON.
    A single result too wide for one table row is shown a field per line."""
    if as_json:
        return json.dumps(plain(result), indent=2, ensure_ascii=False)
    if isinstance(result, list):
        return format_table([_row(r) for r in result], width=width)
    row = _row(result)
    cells = {name: _cell(value) for name, value in row.items()}
    if sum(max(len(k), display_width(v)) for k, v in cells.items()) + len(GAP) * (len(cells) - 1) <= width:
        return format_table([row], width=width)
    return _record(cells, width)


def _record(cells: dict[str, str], width: int) -> str:
    """One result too wide for a table row: a field per line, long values wrapped."""
    name_width = max(map(len, cells))
    room = max(20, width - name_width - len(GAP))
    lines = []
    for name, value in cells.items():
        wrapped = _wrap(value, room)
        lines.append(f"{name.ljust(name_width)}{GAP}{wrapped[0]}".rstrip())
        lines += [" " * (name_width + len(GAP)) + more for more in wrapped[1:]]
    return "\n".join(lines)


def format_table(rows: Sequence[dict[str, Any]], *, width: int = TABLE_WIDTH) -> str:
    """Rows of equal keys as an aligned text table at most ``width`` columns wide:
    the last column wraps onto further lines, others are cut short with "…"."""
    if not rows:
        return "(none)"
    columns = list(rows[0])
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(display_width(row[i]) for row in cells)) for i, c in enumerate(columns)]
    _fit(widths, [len(c) for c in columns], width - len(GAP) * (len(columns) - 1))
    lines = [GAP.join(c[:w].ljust(w) for c, w in zip(columns, widths)).rstrip(),
             GAP.join("-" * w for w in widths)]
    indent = sum(widths[:-1]) + len(GAP) * (len(columns) - 1)
    for row in cells:
        first = [_pad(_cut(v, w), w) for v, w in zip(row[:-1], widths[:-1])]
        wrapped = _wrap(row[-1], widths[-1])
        lines.append(GAP.join([*first, wrapped[0]]).rstrip())
        lines += [(" " * indent + more).rstrip() for more in wrapped[1:]]
    return "\n".join(lines)


def _fit(widths: list[int], headers: list[int], room: int) -> None:
    """Narrow columns in place until they fit in ``room``: the last (wrapping) one
    down to 20, then the widest of the others, each no narrower than its header."""
    while sum(widths) > room:
        last = len(widths) - 1
        if widths[last] > max(20, headers[last]):
            widths[last] = max(20, headers[last], widths[last] - (sum(widths) - room))
            continue
        widest = max(range(last), key=lambda i: widths[i] - headers[i], default=None)
        if widest is None or widths[widest] <= max(headers[widest], 4):
            return  # as narrow as it sensibly gets
        widths[widest] -= 1


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: wide East Asian characters two, combining marks none."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def _cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` columns, ending in "…" when shortened."""
    if display_width(text) <= width:
        return text
    kept = ""
    for ch in text:
        if display_width(kept + ch) > width - 1:
            break
        kept += ch
    return kept + "…"


def _wrap(text: str, width: int) -> list[str]:
    """``text`` as lines of at most ``width`` columns, broken at spaces where it can."""
    lines = []
    for line in textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]:
        while display_width(line) > width:  # wide characters: textwrap counts them as one
            head = _cut(line, width + 1)[:-1] or line[0]
            lines.append(head)
            line = line[len(head):]
        lines.append(line)
    return lines


# Bidirectional formatting characters: shown escaped, so stored text cannot reorder
# what a terminal displays around it.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: str) -> str:
    """Stored text made safe for a terminal: control characters (C0, DEL, C1), line
    and paragraph separators and bidi controls become escapes like ``\\x1b``, so a
    message or name cannot move the cursor, clear the screen or spoof a table."""
    return "".join(ch.encode("unicode_escape").decode("ascii")
                   if ch in _BIDI or unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
                   for ch in text)
