"""Zoom webinar attendee reports: several tables in one file (a summary, then Host,
Panelist and Attendee Details and Other Attended), each under a title row.

Registrants who did not come (``Attended = No``, ``--`` for the times) are not
segments: they are listed in ``report.extra["no_shows"]``. The 2020 layout mixes
two date formats in one file; both are read.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    title, ref, start = "", None, None
    extra: dict[str, object] = {}
    if summary_row is not None:
        values, line = record(rows, summary_row, stop=headers[0])
        title = values.get("topic", "")
        ref = " ".join((values.get("webinar id") or values.get("meeting id") or "").split()) or None
        start = local.add_one("Actual Start Time", values.get("actual start time") or None, line)
        extra["summary"] = {key: values[name].strip() for name, key in SUMMARY_FIELDS.items()
                            if values.get(name, "").strip()}
    warnings: list[str] = []
    sections = []
    for k, header in enumerate(headers):
        end = len(rows)
        if k + 1 < len(headers):
            following = headers[k + 1]
            above = _title_above(rows, following)
            end = following if above is None else above
        title_row = _title_above(rows, header)
        name = rows.cells[title_row][0].strip().rstrip(",:") if title_row is not None else ""
        role = next((r for word, r in ROLE_OF_SECTION if word in name.lower()), None)
        sections.append(_section(rows, header, end, name, role, local, warnings))
    segments = pd.concat([_segments(section, local, opts, warnings) for section in sections], ignore_index=True)
    extra["no_shows"] = pd.concat([section.no_shows() for section in sections], ignore_index=True)
    return make_report(opts, segments=segments, title=title, meeting_ref=ref, started_at=local.one(start),
                       warnings=local.warnings + warnings, extra=extra)


@dataclass
class _Section:
    """One table of the report (Host, Panelist, Attendee Details, Other Attended)."""

    name: str
    role: str | None
    lines: np.ndarray
    names: pd.DataFrame
    display: pd.Series
    email: pd.Series
    join: int
    leave: int
    leaves: pd.Series  # the leave cells as written
    no_show: pd.Series
    guest: pd.Series
    reported: pd.Series
    country: pd.Series

    def no_shows(self) -> pd.DataFrame:
        """Registrants who did not come: name, e-mail, line."""
        absent = self.no_show.to_numpy()
        return pd.DataFrame({
            "name": pd.Series(self.names["name"][absent].to_numpy(), dtype="string"),
            "email": pd.Series(self.email[absent].replace(list(MISSING), pd.NA).to_numpy(), dtype="string"),
            "line": pd.Series(self.lines[absent], dtype="int64"),
        })


def _segments(section: _Section, local: LocalTimes, opts: Options, warnings: list[str]) -> pd.DataFrame:
    """The section's attended rows as segments, durations checked."""
    shown = (~section.no_show).to_numpy()
    count = int(shown.sum())
    part = frame(
        name=section.names["name"][shown], email=section.email[shown], joined_at=local.utc(section.join)[shown],
        left_at=local.utc(section.leave)[shown], line=section.lines[shown], display_name=section.display[shown],
        original_name=section.names["original_name"][shown], role=pd.Series([section.role] * count, dtype=object),
        guest=section.guest[shown], duration_reported=section.reported[shown],
        section=pd.Series([section.name] * count, dtype=object), country=section.country[shown],
    )
    require_order(part, opts.where, "Leave Time", section.leaves[shown])
    slack = minute_slack(local, section.join, section.leave)[shown]
    warnings += check_durations(part, slack, "Time in Session (minutes)")
    return part


def _section(rows: Rows, header: int, end: int, name: str, role: str | None,
             local: LocalTimes, warnings: list[str]) -> _Section:
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
    # astype(bool): pandas before 3 keeps the object dtype of a filled comparison with NA,
    # and an object array cannot select rows.
    no_show = ((attended == False).fillna(False) & joins.isin(MISSING) & leaves.isin(MISSING)).astype(bool)  # noqa: E712
    for what, values in (("Join Time", joins), ("Leave Time", leaves)):
        gap = values.isin(MISSING) & ~no_show
        if gap.any():
            at = int(np.flatnonzero(gap.to_numpy())[0])
            raise ImportFormatError(f"the {what} is missing for an attendee (only Attended = No rows may lack it)",
                                    file=table.where, line=int(table.lines[at]), column=what,
                                    value=values.iloc[at])
    reported, _ = parse_durations(table.values(table.column("time in session (minutes)")), bare_unit="min",
                                  lines=table.lines, column="Time in Session (minutes)", warnings=warnings)
    guest = yes_no(table.values(table.column("is guest"))).mask(names["guest_suffix"], True)
    return _Section(name=name, role=role, lines=table.lines, names=names, display=display,
                    email=table.values(table.column("email")), join=local.add("Join Time", joins, table.lines),
                    leave=local.add("Leave Time", leaves, table.lines), leaves=leaves, no_show=no_show, guest=guest,
                    reported=reported, country=table.values(table.column("country/region name")))
