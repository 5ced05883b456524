"""``read_attendance``: one meeting's attendance report from any supported platform,
the platform found from the file's content (marker lines), never from its name."""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, tzinfo

from ..errors import ImportFormatError
from . import meet, teams, webex, zoom, zoom_webinar
from .model import PLATFORMS, AttendanceReport
from .segments import Options
from .sniff import Source, Text, load
from .table import normalize
from .timeparse import parse_day, resolve_tz

READERS: dict[str, Callable[[Text, Options], AttendanceReport]] = {
    "zoom": zoom.read,
    "zoom-webinar": zoom_webinar.read,
    "teams": teams.read,
    "teams-live": teams.read_live,
    "meet": meet.read,
    "webex": webex.read,
}

_CELL_SPLIT = re.compile(r'[\t,;"]+')
_CHAT = re.compile(r"^\s*\d{1,2}:\d{2}:\d{2}(?:\s+From\s.+\sto\s.+:|\t[^\t]+:\t)")
_TEAMS_SECTION = re.compile(r"^\s*(?:1\.\s*summary|meeting summary)\s*$")


def detect_platform(text: Text, sample: int = 80) -> str:
    """The platform whose marker lines the file holds: ``Name (Original Name)`` for
    Zoom, ``Attendee Report``/``Host Details`` for a Zoom webinar, ``1. Summary``,
    ``Meeting Summary``, ``Full Name``+``User Action`` or ``First Join`` for Teams,
    ``Session Id``+``UTC Event Timestamp`` for Teams Live Events, ``Time joined`` for
    Google Meet, ``Attendee Email``/``Attendance Duration`` for Webex."""
    lines = [line for line in text.lines[:400] if line.strip()][:sample]
    cells = [{normalize(cell) for cell in _CELL_SPLIT.split(line) if cell.strip()} for line in lines]
    everything = set().union(*cells) if cells else set()
    firsts = [normalize(_CELL_SPLIT.split(line.strip())[0]) if line.strip() else "" for line in lines]

    def row_has(*names: str) -> bool:
        return any(all(name in row for name in names) for row in cells)

    if {"attendee report", "host details", "panelist details", "attendee details"} & set(firsts) or \
            row_has("topic", "webinar id"):
        return "zoom-webinar"
    if "name (original name)" in everything:
        return "zoom"
    if (row_has("session id", "utc event timestamp") or row_has("sessionid", "utceventtimestamp")):
        return "teams-live"
    if any(_TEAMS_SECTION.match(normalize(line)) for line in lines[:3]) or row_has("full name", "user action") \
            or row_has("nome completo", "atividade") or row_has("first join", "last leave"):
        return "teams"
    if row_has("time joined"):
        return "meet"
    if "attendee email" in everything or "attendance duration" in everything:
        return "webex"
    if row_has("join time", "leave time") and (row_has("full name") or row_has("name")):
        return "teams"  # the 2021 table without its summary block (re-saved files)
    if any(_CHAT.match(line[:300]) for line in lines):
        raise ImportFormatError("this is a Zoom chat file, not an attendance report: read it with read_chat",
                                file=text.where, line=1)
    raise ImportFormatError(
        "not a known attendance report: expected a Zoom participants or webinar report, a Teams attendance "
        "report or Live Events attendee report, a Google Meet or a Webex attendance report", file=text.where,
        line=1)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Reading builds one list per row (no reference cycles); pausing the cyclic
    collector meanwhile spares it repeated scans of them (a fifth of the time on a
    100,000-row report). Restored on exit, also on error."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_attendance(source: Source, *, tz: str | tzinfo | None = None, platform: str | None = None,
                    date: date | str | None = None, dayfirst: bool | None = None) -> AttendanceReport:
    """Read one meeting's attendance report into segments with UTC times.

    ``source``: a path, bytes or a binary file object. ``tz``: the zone the file's
    local times are in (IANA name or tzinfo; None = this machine's zone, named in
    ``report.tz``). ``platform``: one of ``PLATFORMS`` to skip detection. ``date``:
    the meeting's date for Google Meet files whose name does not give it.
    ``dayfirst``: the date order when the file cannot show it.
    Raises ``ImportFormatError`` naming the file, line, column and value when the
    file cannot be read; warnings are for what was read safely but deserves a look.
    """
    if platform is not None and platform not in PLATFORMS:
        raise ImportFormatError(f"unknown platform {platform!r}: expected one of {', '.join(PLATFORMS)}",
                                value=str(platform))
    if dayfirst is not None and not isinstance(dayfirst, bool):
        raise ImportFormatError("dayfirst must be True, False or None", value=repr(dayfirst))
    text = load(source)
    zone, zone_name = resolve_tz(tz)
    day = parse_day(date, file=text.where)
    if not text.text.strip():
        raise ImportFormatError("the file is empty", file=text.where)
    chosen = platform or detect_platform(text)
    options = Options(where=text.where, name=text.name, zone=zone, zone_name=zone_name, dayfirst=dayfirst,
                      day=day, platform=chosen)
    with _cyclic_gc_paused():
        return READERS[chosen](text, options)
