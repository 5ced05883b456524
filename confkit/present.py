"""Results as text for people: aligned tables that fit a terminal, or JSON.

Shared by the ``confkit`` command and the demo. It returns strings and never
prints. Tables show times in UTC to the second (milliseconds when there are any),
event types by name, and only the columns that say something; JSON has every field.
"""

from __future__ import annotations

import dataclasses
import json
import re
import textwrap
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from .models import ActiveMeeting, EventType
from .plain import to_plain

TABLE_WIDTH = 100
GAP = "  "


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
    Results too wide for a table even with their cells wrapped at spaces are shown a
    field per line, one block per result."""
    if as_json:
        return json.dumps(to_plain(result), indent=2, ensure_ascii=False)
    rows = [_row(r) for r in result] if isinstance(result, list) else [_row(result)]
    if not rows:
        return "(none)"
    cells = [[_cell(row.get(c)) for c in rows[0]] for row in rows]
    widths = _widths(list(rows[0]), cells, width)
    if widths is None:
        return "\n\n".join(_record(dict(zip(rows[0], values)), width) for values in cells)
    return _table(list(rows[0]), cells, widths)


def format_table(rows: Sequence[dict[str, Any]], *, width: int = TABLE_WIDTH) -> str:
    """Rows of equal keys as an aligned text table, cells wrapped at spaces so that it
    is at most ``width`` columns wide where the longest words allow."""
    if not rows:
        return "(none)"
    columns = list(rows[0])
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    natural = [max(len(c), *(display_width(v[i]) for v in cells)) for i, c in enumerate(columns)]
    return _table(columns, cells, _widths(columns, cells, width) or natural)


def _widths(columns: list[str], cells: list[list[str]], width: int) -> list[int] | None:
    """Column widths that fit ``width``: the widest columns narrowed first, none below
    its header or its longest word; None if that is still too wide."""
    natural = [max(len(c), *(display_width(v[i]) for v in cells)) for i, c in enumerate(columns)]
    floor = [max(len(c), *(_unbreakable(v[i]) for v in cells)) for i, c in enumerate(columns)]
    room = width - len(GAP) * (len(columns) - 1)
    if sum(floor) > room:
        return None
    widths = list(natural)
    while sum(widths) > room:
        widest = max((i for i in range(len(widths)) if widths[i] > floor[i]), key=lambda i: (widths[i], i))
        widths[widest] -= 1
    return widths


def _table(columns: list[str], cells: list[list[str]], widths: list[int]) -> str:
    lines = [GAP.join(_pad(c, w) for c, w in zip(columns, widths)).rstrip(), GAP.join("-" * w for w in widths)]
    for values in cells:
        wrapped = [_wrap(v, w) for v, w in zip(values, widths)]
        for n in range(max(map(len, wrapped))):
            lines.append(GAP.join(_pad(part[n] if n < len(part) else "", w)
                                  for part, w in zip(wrapped, widths)).rstrip())
    return "\n".join(lines)


def _record(cells: dict[str, str], width: int) -> str:
    """One result as a field per line, long values wrapped."""
    name_width = max(map(len, cells))
    room = max(20, width - name_width - len(GAP))
    lines = []
    for name, value in cells.items():
        wrapped = _wrap(value, room)
        lines.append(f"{name.ljust(name_width)}{GAP}{wrapped[0]}".rstrip())
        lines += [" " * (name_width + len(GAP)) + more for more in wrapped[1:]]
    return "\n".join(lines)


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: wide East Asian characters two, combining marks none."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)


def _unbreakable(text: str) -> int:
    """The widest part of ``text`` that wrapping keeps on one line: a word, or a run of
    narrow characters inside one (a wide character may start a new line anywhere)."""
    runs = re.split(r"\s+|[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60]", text)
    return max(2 if any(display_width(ch) == 2 for ch in text) else 0, *(display_width(r) for r in runs))


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def _wrap(text: str, width: int) -> list[str]:
    """``text`` as lines of at most ``width`` columns, broken at spaces where it can."""
    lines = []
    for line in textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]:
        while display_width(line) > width:  # wide characters: textwrap counts them as one
            cut = 0
            while cut < len(line) and display_width(line[:cut + 1]) <= width:
                cut += 1
            lines.append(line[:max(cut, 1)])
            line = line[max(cut, 1):]
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
