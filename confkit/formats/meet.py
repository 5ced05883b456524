"""Google Meet attendance reports (Workspace): one row per person with the first
join and last exit as times of day. The date comes from ``date=`` or from the file
name Google gives the report (``2021-10-14 10:00 Title - Attendance Report.csv``,
or ``2020-10-14 10-00 Title.csv`` in 2020)."""

from __future__ import annotations

import os
import re
from datetime import date

import numpy as np
import pandas as pd

from ..errors import ImportFormatError
from .model import AttendanceReport
from .names import clean_names
from .segments import Options, check_durations, frame, make_report, parse_durations, require_order
from .sniff import Text
from .table import split_rows
from .timeparse import MISSING, LocalTimes

FILE_NAME = re.compile(r"^(?P<day>\d{4}-\d{2}-\d{2})[ _](?P<h>\d{2})[:\-.](?P<m>\d{2})\s+(?P<title>.*?)"
                       r"(?:\s+-\s+Attendance Report)?\.(?:csv|tsv|txt)$", re.IGNORECASE)


def name_parts(name: str | None) -> tuple[date | None, str | None, str]:
    """The meeting's date, its ``HH:MM`` start and its title from a Meet report's file name."""
    if not name:
        return None, None, ""
    match = FILE_NAME.match(os.path.basename(name))
    if not match:
        return None, None, ""
    try:
        day = date.fromisoformat(match["day"])
    except ValueError:
        return None, None, ""
    return day, f"{match['h']}:{match['m']}", match["title"].strip()


def read(text: Text, opts: Options) -> AttendanceReport:
    rows = split_rows(text)
    header = rows.find("time joined")
    if header is None:
        raise ImportFormatError("no Google Meet attendance table: expected a header row with 'Time joined'",
                                file=opts.where, line=1)
    table = rows.table(header)
    file_day, file_start, title = name_parts(opts.name)
    day = opts.day or file_day
    name_col = table.column("name", "full name", "participant name")
    if name_col is not None:
        raw = table.require_values("Name", name_col)
    else:
        first = table.require("First name", "first name")
        raw = (table.values(first) + " " + table.values(table.column("last name"))).str.strip()
        empty = raw.isin(MISSING)
        if empty.any():
            at = int(np.flatnonzero(empty.to_numpy())[0])
            raise ImportFormatError("the name is missing", file=opts.where, line=int(table.lines[at]),
                                    column="First name")
    names = clean_names(raw)
    local = LocalTimes(opts.where, opts.zone, opts.dayfirst, time_only=True)
    join_col = table.require("Time joined", "time joined")
    leave_col = table.require("Time exited", "time exited", "time left")
    joins = local.add("Time joined", table.require_values("Time joined", join_col), table.lines)
    leaves = local.add("Time exited", table.require_values("Time exited", leave_col), table.lines)
    start = local.add_one("file name", file_start, 0) if file_start and day else None
    dateless = (local.dateless(joins) & local.dateless(leaves)).to_numpy()
    for handle, column in ((joins, "Time joined"), (leaves, "Time exited")):
        if day is None and local.dateless(handle).any():
            at = int(np.flatnonzero(local.dateless(handle).to_numpy())[0])
            raise ImportFormatError(
                "Google Meet reports give times of day only and the file name does not hold the date "
                "('YYYY-MM-DD HH:MM <title> - Attendance Report.csv'): pass date= (the meeting's date)",
                file=opts.where, line=int(table.lines[at]), column=column,
                value=table.values(join_col if handle == joins else leave_col).iloc[at])
    joined, left = local.utc(joins, on=day), local.utc(leaves, on=day)
    warnings: list[str] = []
    overnight = (left < joined).fillna(False).to_numpy() & dateless
    if overnight.any():
        left = left.where(~overnight, left + pd.Timedelta(days=1))
        for i in np.flatnonzero(overnight)[:5]:
            warnings.append(f"line {int(table.lines[i])}: exited before joining on the same day; read as the "
                            "next day (the meeting passed midnight)")
    reported, precision = parse_durations(table.values(table.column("duration")), bare_unit="min",
                                          lines=table.lines, column="Duration", warnings=warnings)
    segments = frame(name=names["name"], email=table.values(table.column("email")), joined_at=joined,
                     left_at=left, line=table.lines, display_name=raw,
                     guest=names["guest_suffix"].where(names["guest_suffix"]), duration_reported=reported)
    require_order(segments, opts.where, "Time exited", table.values(leave_col))
    slack = precision.to_numpy() + np.where(local.has_seconds(joins) & local.has_seconds(leaves), 1, 60) + 1
    warnings += check_durations(segments, slack, "Duration")
    started = local.utc(start, on=day).iloc[0] if start is not None else None
    return make_report(opts, segments=segments, title=title, started_at=started, warnings=local.warnings + warnings)
