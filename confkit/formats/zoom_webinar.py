"""Zoom webinar attendee reports: several tables in one file (a summary, then Host,
Panelist and Attendee Details and Other Attended), each under a title row.

Registrants who did not come (``Attended = No``, ``--`` for the times) are not
segments: they are listed in ``report.extra["no_shows"]``. The 2020 layout mixes
two date formats in one file; both are read.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ImportFormatError
from .model import AttendanceReport
from .names import clean_names
from .segments import Options, check_durations, frame, make_report, parse_durations, require_order, yes_no
from .sniff import Text
from .table import Rows, normalize, record, split_rows
from .timeparse import MISSING, LocalTimes
from .zoom import minute_slack

ROLE_OF_SECTION = (("host", "host"), ("panelist", "panelist"), ("attendee", "attendee"), ("other", "attendee"))
SUMMARY_FIELDS = {"# registered": "registered", "# registrants": "registered", "# cancelled": "cancelled",
                  "unique viewers": "unique_viewers", "total users": "total_users",
                  "max concurrent views": "max_concurrent_views",
                  "actual duration (minutes)": "duration_minutes"}


def _title_above(rows: Rows, header: int) -> int | None:
    """The section title row just above a header: one non-empty cell, first."""
    index = header - 1
    while index >= 0 and rows.is_blank(index):
        index -= 1
    if index < 0:
        return None
    filled = [cell.strip() for cell in rows.cells[index] if cell.strip()]
    return index if len(filled) == 1 and rows.cells[index][0].strip() else None


def read(text: Text, opts: Options) -> AttendanceReport:
    rows = split_rows(text)
    local = LocalTimes(opts.where, opts.zone, opts.dayfirst)
    headers = [i for i in range(len(rows)) if rows.find("join time", start=i, stop=i + 1) is not None]
    if not headers:
        raise ImportFormatError("no attendee table in the webinar report: expected a header row with 'Join Time'",
                                file=opts.where, line=1)
    summary_row = rows.find("topic", ("webinar id", "meeting id"), stop=headers[0])
    title, ref, start, extra = "", None, None, {}
    if summary_row is not None:
        values, line = record(rows, summary_row, stop=headers[0])
        title = values.get("topic", "")
        ref = " ".join((values.get("webinar id") or values.get("meeting id") or "").split()) or None
        start = local.add_one("Actual Start Time", values.get("actual start time") or None, line)
        extra["summary"] = {key: values[name].strip() for name, key in SUMMARY_FIELDS.items()
                            if values.get(name, "").strip()}
    pieces: list[dict[str, object]] = []
    for k, header in enumerate(headers):
        end = len(rows)
        if k + 1 < len(headers):
            following = headers[k + 1]
            end = _title_above(rows, following)
            end = following if end is None else end
        title_row = _title_above(rows, header)
        section = rows.cells[title_row][0].strip().rstrip(",:") if title_row is not None else ""
        role = next((r for word, r in ROLE_OF_SECTION if word in section.lower()), None)
        pieces.append(_section(rows, header, end, section, role, local))

    warnings: list[str] = []
    segments = []
    no_shows = []
    for piece in pieces:
        joined = local.utc(piece["join"])
        left = local.utc(piece["leave"])
        shown = ~piece["no_show"]
        part = frame(
            name=piece["names"]["name"][shown], email=piece["email"][shown], joined_at=joined[shown],
            left_at=left[shown], line=piece["lines"][shown.to_numpy()],
            display_name=piece["display"][shown], original_name=piece["names"]["original_name"][shown],
            role=pd.Series([piece["role"]] * int(shown.sum()), dtype=object),
            guest=piece["guest"][shown], duration_reported=piece["reported"][shown],
            section=pd.Series([piece["section"]] * int(shown.sum()), dtype=object),
            country=piece["country"][shown],
        )
        require_order(part, opts.where, "Leave Time")
        slack = minute_slack(local, piece["join"], piece["leave"])[shown.to_numpy()]
        warnings += check_durations(part, slack, "Time in Session (minutes)")
        segments.append(part)
        if (~shown).any():
            no_shows.append(pd.DataFrame({
                "name": piece["names"]["name"][~shown].to_numpy(),
                "email": piece["email"][~shown].replace(list(MISSING), pd.NA).to_numpy(),
                "line": piece["lines"][(~shown).to_numpy()],
            }))
    table = pd.concat(segments, ignore_index=True)
    extra["no_shows"] = (pd.concat(no_shows, ignore_index=True) if no_shows else
                         pd.DataFrame({"name": [], "email": [], "line": []})).astype(
        {"name": "string", "email": "string", "line": "int64"})
    started = local.one(start)
    return make_report(opts, segments=table, title=title, meeting_ref=ref, started_at=started,
                       warnings=local.warnings + warnings, extra=extra)


def _section(rows: Rows, header: int, end: int, section: str, role: str | None,
             local: LocalTimes) -> dict[str, object]:
    table = rows.table(header, end)
    name_col = table.column("user name (original name)", "user name", "name")
    if name_col is not None:
        display = table.values(name_col)
        names = clean_names(display, zoom_original=normalize(table.header[name_col]) == "user name (original name)")
    else:
        first = table.require("First Name", "first name")
        last = table.column("last name")
        display = (table.values(first) + " " + table.values(last)).str.strip()
        names = clean_names(display)
    empty = display.isin(MISSING)
    if empty.any():
        at = int(np.flatnonzero(empty.to_numpy())[0])
        raise ImportFormatError("the attendee's name is missing", file=table.where, line=int(table.lines[at]),
                                column="User Name")
    join_col = table.require("Join Time", "join time")
    leave_col = table.require("Leave Time", "leave time")
    joins, leaves = table.values(join_col), table.values(leave_col)
    attended = yes_no(table.values(table.column("attended")))
    no_show = (attended == False).fillna(False) & joins.isin(MISSING) & leaves.isin(MISSING)  # noqa: E712
    for what, values in (("Join Time", joins), ("Leave Time", leaves)):
        gap = values.isin(MISSING) & ~no_show
        if gap.any():
            at = int(np.flatnonzero(gap.to_numpy())[0])
            raise ImportFormatError(f"the {what} is missing for an attendee (only Attended = No rows may lack it)",
                                    file=table.where, line=int(table.lines[at]), column=what,
                                    value=values.iloc[at])
    reported, _ = parse_durations(table.values(table.column("time in session (minutes)")), bare_unit="min")
    guest = yes_no(table.values(table.column("is guest"))).mask(names["guest_suffix"], True)
    return {
        "names": names, "display": display, "email": table.values(table.column("email")),
        "join": local.add("Join Time", joins, table.lines), "leave": local.add("Leave Time", leaves, table.lines),
        "no_show": no_show, "lines": table.lines, "role": role, "section": section, "guest": guest,
        "reported": reported, "country": table.values(table.column("country/region name")),
    }
