"""Zoom meeting "Participants" reports: plain, with the meeting-data block, "show
unique users" per-person totals, the 2025 header wording, and the admin export that
repeats the meeting columns on every row.

Join and leave times are local times of the exporting account, without offset.
``Duration (Minutes)`` is Zoom's rounded-up figure: it is only checked against the
times, never used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ImportFormatError
from ..formats.sniff import Text
from .model import AttendanceReport
from .names import clean_names
from .segments import Options, check_durations, frame, make_report, parse_durations, require_order, yes_no
from .table import Rows, Table, record, split_rows
from .timeparse import LocalTimes

NAME = ("name (original name)", "user name (original name)")
EMAIL = ("user email", "email")
# Meeting-block fields kept in report.extra (the block's e-mail and name are the host's).
MEETING_EXTRA = {"user email": "host_email", "user name": "host_name", "duration (minutes)": "duration_minutes",
                 "participants": "participants"}
TOTALS_HINT = ("this is the per-person total export (\"Show unique users\" ticked): it has no join or leave "
               "times. Export the participants report again without \"Show unique users\" for join segments")


def minute_slack(local: LocalTimes, join: int, leave: int) -> np.ndarray:
    """Seconds of disagreement to accept between a duration in whole minutes and
    the times: a minute for the rounding, plus a minute more where the times
    themselves have no seconds."""
    coarse = ~(local.has_seconds(join) & local.has_seconds(leave))
    return np.where(coarse.to_numpy(), 121.0, 61.0)


def _meeting_block(rows: Rows, header: int) -> tuple[dict[str, str], int] | None:
    block = rows.find("meeting id", "topic", stop=header)
    return record(rows, block, stop=header) if block is not None else None


def _admin_meeting(table: Table, anchor: int) -> tuple[dict[str, str], int] | None:
    """The meeting columns of the admin export (before the participant columns);
    refuses a file that holds more than one meeting."""
    id_col = table.column("meeting id", before=anchor)
    if id_col is None or not table.rows:
        return None
    ids = table.values(id_col)
    other = ids != ids.iloc[0]
    if other.any():
        at = int(np.flatnonzero(other.to_numpy())[0])
        raise ImportFormatError(f"the export holds more than one meeting ({ids.iloc[0]!r} and {ids.iloc[at]!r}):"
                                " read one meeting per file (filter the export by Meeting ID)",
                                file=table.where, line=int(table.lines[at]), column="Meeting ID",
                                value=ids.iloc[at])
    names = table.names[:anchor]
    first = table.rows[0]
    values: dict[str, str] = {}
    for position, name in enumerate(names):
        values.setdefault(name, first[position].strip() if position < len(first) else "")
    return values, int(table.lines[0])


def read(text: Text, opts: Options) -> AttendanceReport:
    rows = split_rows(text)
    header = rows.find(NAME)
    if header is None:
        raise ImportFormatError("no Zoom participant table: expected a header row with 'Name (Original Name)'",
                                file=opts.where, line=1)
    table = rows.table(header)
    anchor = table.require("Name (Original Name)", *NAME)
    meeting = _meeting_block(rows, header) or _admin_meeting(table, anchor)
    warnings: list[str] = []
    local = LocalTimes(opts.where, opts.zone, opts.dayfirst)
    start = end = None
    extra: dict[str, object] = {}
    title, ref = "", None
    if meeting is not None:
        values, line = meeting
        title, ref = values.get("topic", ""), values.get("meeting id") or None
        start = local.add_one("Start Time", values.get("start time") or None, line)
        end = local.add_one("End Time", values.get("end time") or None, line)
        extra = {key: values[name] for name, key in MEETING_EXTRA.items() if values.get(name)}
        if ref is not None:
            ref = " ".join(ref.split())

    email_col = table.column(*EMAIL, after=anchor)
    join_col = table.column("join time", after=anchor)
    leave_col = table.column("leave time", after=anchor)
    total_col = table.column("total duration (minutes)", after=anchor)
    duration_col = table.column("duration (minutes)", "duration (min)", after=anchor)
    kind = "segments"
    if join_col is None and leave_col is None and total_col is not None:
        kind = "totals"
        warnings.append(TOTALS_HINT)
        duration_col = total_col
    elif join_col is None or leave_col is None:
        table.require("Join Time", "join time", after=anchor)
        table.require("Leave Time", "leave time", after=anchor)
    raw_names = table.require_values("Name (Original Name)", anchor)
    names = clean_names(raw_names, zoom_original=True)
    reported_raw = table.values(duration_col)
    reported, _ = parse_durations(reported_raw, bare_unit="min", lines=table.lines, column="Duration (Minutes)",
                                  warnings=warnings)
    guest = yes_no(table.values(table.column("guest", after=anchor))).mask(names["guest_suffix"], True)
    waiting = yes_no(table.values(table.column("in waiting room", after=anchor))).fillna(False)

    if kind == "segments":
        assert join_col is not None and leave_col is not None  # required above
        joins = local.add("Join Time", table.require_values("Join Time", join_col), table.lines)
        leaves = local.add("Leave Time", table.require_values("Leave Time", leave_col), table.lines)
        joined, left = local.utc(joins), local.utc(leaves)
        slack = minute_slack(local, joins, leaves)
    else:
        joined = left = pd.Series(pd.NaT, index=names.index, dtype="datetime64[ns, UTC]")
        slack = None
    started, ended = local.one(start), local.one(end)
    warnings[:0] = local.warnings
    segments = frame(
        name=names["name"], email=table.values(email_col), joined_at=joined, left_at=left, line=table.lines,
        display_name=raw_names, original_name=names["original_name"], guest=guest, in_waiting_room=waiting,
        duration_reported=reported,
    )
    if kind == "segments":
        require_order(segments, opts.where, "Leave Time", table.values(leave_col))
        warnings += check_durations(segments, slack, "Duration (Minutes)")
    return make_report(opts, segments=segments, title=title, meeting_ref=ref, started_at=started,
                       ended_at=ended, warnings=warnings, kind=kind, extra=extra)
