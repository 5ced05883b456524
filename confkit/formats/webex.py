"""Webex attendance reports (site → past meeting → attendance report): one row per
join session with ``Display Name``, ``Attendee Email``, ``Join Time``, ``Leave Time``
and ``Attendance Duration`` (``45 mins``). The evidence for this layout is thin;
columns are found by name and unknown ones ignored."""

from __future__ import annotations

from ..errors import ImportFormatError
from .model import AttendanceReport
from .names import clean_names
from .segments import Options, check_durations, frame, make_report, parse_durations, require_order
from .sniff import Text
from .table import split_rows
from .timeparse import LocalTimes
from .zoom import minute_slack

NAME = ("display name", "attendee name", "name", "participant name")
EMAIL = ("attendee email", "email", "email address")


def read(text: Text, opts: Options) -> AttendanceReport:
    rows = split_rows(text)
    header = rows.find(NAME, "join time", "leave time")
    if header is None:
        raise ImportFormatError("no Webex attendance table: expected a header row with Display Name, Join Time "
                                "and Leave Time", file=opts.where, line=1)
    table = rows.table(header)
    raw = table.require_values("Display Name", table.require("Display Name", *NAME))
    names = clean_names(raw)
    local = LocalTimes(opts.where, opts.zone, opts.dayfirst)
    joins = local.add("Join Time", table.require_values("Join Time", table.require("Join Time", "join time")),
                      table.lines)
    leave_cells = table.require_values("Leave Time", table.require("Leave Time", "leave time"))
    leaves = local.add("Leave Time", leave_cells, table.lines)
    title_col = table.column("meeting name", "meeting topic", "topic")
    start_col = table.column("meeting start date", "meeting start time", "start date", "start time")
    end_col = table.column("meeting end date", "meeting end time", "end date", "end time")
    ref_col = table.column("meeting number", "meeting id")
    first_line = int(table.lines[0]) if len(table.lines) else table.header_line

    def first(col: int | None) -> str | None:
        return table.values(col).iloc[0] if col is not None and len(table.rows) else None

    start = local.add_one("Meeting Start Date", first(start_col) or None, first_line)
    end = local.add_one("Meeting End Date", first(end_col) or None, first_line)
    warnings: list[str] = []
    reported, precision = parse_durations(table.values(table.column("attendance duration", "duration")),
                                          bare_unit="min", lines=table.lines, column="Attendance Duration",
                                          warnings=warnings)
    segments = frame(
        name=names["name"], email=table.values(table.column(*EMAIL)), joined_at=local.utc(joins),
        left_at=local.utc(leaves), line=table.lines, display_name=raw,
        role=table.values(table.column("role")), guest=names["guest_suffix"].where(names["guest_suffix"]),
        duration_reported=reported, device=table.values(table.column("connection type", "client")),
    )
    require_order(segments, opts.where, "Leave Time", leave_cells)
    warnings += check_durations(segments, minute_slack(local, joins, leaves), "Attendance Duration")
    return make_report(opts, segments=segments, title=first(title_col) or "", meeting_ref=first(ref_col) or None,
                       started_at=local.one(start), ended_at=local.one(end), warnings=local.warnings + warnings)
