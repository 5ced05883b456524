"""Microsoft Teams attendance: the 2020 event list (Joined/Left rows paired into
segments), the 2021 "Meeting Summary" report, the 2022+ sectioned report
(1. Summary / 2. Participants / 3. In-Meeting Activities), and the Live Events
attendee report (UTC events keyed by session).

Teams writes dates in the organiser's locale with two-digit years, so the date
order comes from the data or ``dayfirst=``. In the sectioned report, segments come
from section 3 when present (section 2's durations, which are sums of segments, are
then checked against them), else one segment per person from section 2's first join
to last leave.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ImportFormatError
from .model import AttendanceReport
from .names import clean_names
from .segments import (
    Options,
    check_durations,
    frame,
    make_report,
    pair_events,
    parse_durations,
    require_order,
)
from .sniff import Text
from .table import Rows, Table, key_values, split_rows
from .timeparse import MISSING, LocalTimes, resolve_tz

FULL_NAME = ("full name", "nome completo", "vollständiger name", "name")
ACTION = ("user action", "action", "atividade", "aktivität", "benutzeraktion")
TIMESTAMP = ("timestamp", "carimbo de data/hora", "zeitstempel", "utc event timestamp", "utceventtimestamp")
JOIN_WORDS = {"joined", "joined before", "ingressou", "entrou antes de", "beigetreten", "vorher beigetreten"}
LEAVE_WORDS = {"left", "saiu", "verlassen", "hat verlassen"}
_SECTION = re.compile(r"^\s*(\d+)\.\s*(.+?)\s*$")


def _action_kind(table: Table, position: int) -> pd.Series:
    values = table.values(position)
    lowered = values.str.lower()
    kind = pd.Series(np.where(lowered.isin(JOIN_WORDS), "join", np.where(lowered.isin(LEAVE_WORDS), "leave", "")),
                     index=values.index)
    unknown = kind == ""
    if unknown.any():
        at = int(np.flatnonzero(unknown.to_numpy())[0])
        raise ImportFormatError("unknown action: expected Joined, Joined before or Left", file=table.where,
                                line=int(table.lines[at]), column=table.header[position].strip(),
                                value=values.iloc[at])
    return kind


def _events(table: Table, key_col: int, local: LocalTimes, time_col: int, action_col: int) -> pd.DataFrame:
    """One row per Joined/Left event: the key it is paired by (display name or
    session), its UTC time, "join" or "leave", and its line."""
    return pd.DataFrame({
        "key": table.require_values(table.header[key_col].strip(), key_col),
        "at": local.utc(local.add(table.header[time_col].strip(),
                                  table.require_values(table.header[time_col].strip(), time_col), table.lines)),
        "action": _action_kind(table, action_col),
        "line": table.lines,
    })


def _read_event_list(rows: Rows, header: int, opts: Options) -> AttendanceReport:
    table = rows.table(header)
    name_col = table.require("Full Name", *FULL_NAME)
    local = LocalTimes(opts.where, opts.zone, opts.dayfirst)
    events = _events(table, name_col, local, table.require("Timestamp", *TIMESTAMP),
                     table.require("User Action", *ACTION))
    paired, notes = pair_events(events, "key", opts.where)
    raw = events.loc[paired["event"], "key"].reset_index(drop=True)
    names = clean_names(raw)
    segments = frame(name=names["name"], joined_at=paired["joined_at"], left_at=paired["left_at"],
                     line=paired["line"], display_name=raw, guest=names["guest_suffix"].where(names["guest_suffix"]))
    return make_report(opts, segments=segments, warnings=local.warnings + notes)


def _sections(rows: Rows) -> dict[str, int]:
    """Title rows like ``2. Participants``: ``{lowered title: row index}``."""
    found = {}
    for index, cells in enumerate(rows.cells):
        filled = [cell for cell in cells if cell.strip()]
        if len(filled) == 1 and cells[0].strip():
            match = _SECTION.match(cells[0])
            if match:
                found[match.group(2).lower()] = index
    return found


@dataclass
class _Part:
    """One Teams table (section 2 or 3, or the 2021 table) with its time columns
    registered; ``precision`` (seconds per row of the reported duration) is set
    once the segments are built."""

    table: Table
    raw: pd.Series
    names: pd.DataFrame
    joins: pd.Series
    leaves: pd.Series
    join: int
    leave: int
    duration: pd.Series
    duration_name: str
    email: pd.Series
    upn: pd.Series
    role: pd.Series
    precision: np.ndarray | None = None


def _segment_table(table: Table, local: LocalTimes, first_last: bool) -> _Part:
    name_col = table.require("Name", "name", "full name")
    join_col = table.require("First Join" if first_last else "Join Time",
                             *(("first join",) if first_last else ("join time",)))
    leave_col = table.require("Last Leave" if first_last else "Leave Time",
                              *(("last leave",) if first_last else ("leave time",)))
    duration_col = table.column("in-meeting duration", "duration", "attendance duration")
    raw = table.require_values("Name", name_col)
    joins, leaves = table.values(join_col), table.values(leave_col)
    return _Part(table=table, raw=raw, names=clean_names(raw), joins=joins, leaves=leaves,
                 join=local.add(table.header[join_col].strip(), joins, table.lines),
                 leave=local.add(table.header[leave_col].strip(), leaves, table.lines),
                 duration=table.values(duration_col),
                 duration_name=table.header[duration_col].strip() if duration_col is not None else "Duration",
                 email=table.values(table.column("email")),
                 upn=table.values(table.column("participant id (upn)", "upn")),
                 role=table.values(table.column("role")))


def _build(part: _Part, local: LocalTimes, opts: Options,
           warnings: list[str]) -> pd.DataFrame:
    """Segments from one table; rows with only a leave time (a known Teams quirk)
    are skipped with a warning, a missing leave time gives NaT and a warning."""
    table = part.table
    joins, leaves = part.joins, part.leaves
    no_join = joins.isin(MISSING)
    no_leave = leaves.isin(MISSING)
    neither = no_join & no_leave
    if neither.any():
        at = int(np.flatnonzero(neither.to_numpy())[0])
        raise ImportFormatError("the row has neither a join nor a leave time", file=opts.where,
                                line=int(table.lines[at]))
    for i in np.flatnonzero((no_join & ~no_leave).to_numpy()):
        warnings.append(f"line {int(table.lines[i])}: a row with a leave time but no join time; skipped")
    for i in np.flatnonzero((no_leave & ~no_join).to_numpy()):
        warnings.append(f"line {int(table.lines[i])}: no leave time (report taken during the meeting?); "
                        "left_at is empty")
    keep = (~no_join).to_numpy()
    names = part.names
    reported, precision = parse_durations(part.duration, bare_unit="s", lines=table.lines,
                                          column=part.duration_name, warnings=warnings)
    segments = frame(
        name=names["name"][keep], email=part.email[keep], joined_at=local.utc(part.join)[keep],
        left_at=local.utc(part.leave)[keep], line=table.lines[keep], display_name=part.raw[keep],
        role=part.role[keep], guest=names["guest_suffix"].where(names["guest_suffix"])[keep],
        duration_reported=reported[keep], participant_id=part.upn[keep],
    )
    require_order(segments, opts.where, "Leave Time", leaves[keep])
    part.precision = precision[keep].to_numpy()
    return segments


def read(text: Text, opts: Options) -> AttendanceReport:
    rows = split_rows(text)
    header = rows.find(FULL_NAME[:3] + ("name",), ACTION, TIMESTAMP)
    if header is not None:
        return _read_event_list(rows, header, opts)
    if rows.find(("session id", "sessionid"), ("utc event timestamp", "utceventtimestamp")) is not None:
        return read_live(text, opts)
    sections = _sections(rows)
    segment_header = rows.find(("name", "full name"), "join time", "leave time")
    person_header = rows.find(("name", "full name"), "first join", "last leave")
    if segment_header is None and person_header is None:
        raise ImportFormatError("no Teams attendance table: expected a header row with Name, Join Time and Leave "
                                "Time (or First Join and Last Leave)", file=opts.where, line=1)
    first_table = min(h for h in (segment_header, person_header) if h is not None)
    summary = key_values(rows, 0, first_table)
    local = LocalTimes(opts.where, opts.zone, opts.dayfirst)

    def summary_time(*keys: str) -> int | None:
        for key in keys:
            if key in summary and summary[key][0].strip():
                value, line = summary[key]
                return local.add_one(key, value, line)
        return None

    start = summary_time("start time", "meeting start time")
    end = summary_time("end time", "meeting end time")
    title = next((summary[k][0] for k in ("meeting title", "title") if k in summary), "")
    ref = next((summary[k][0] for k in ("meeting id",) if k in summary and summary[k][0].strip()), None)

    def end_of(header: int) -> int:
        later = [index for index in sections.values() if index > header]
        return min(later) if later else len(rows)

    warnings: list[str] = []
    people = _segment_table(rows.table(person_header, end_of(person_header)), local, True) \
        if person_header is not None else None
    activity = _segment_table(rows.table(segment_header, end_of(segment_header)), local, False) \
        if segment_header is not None else None
    if activity is not None:
        segments = _build(activity, local, opts, warnings)
        assert activity.precision is not None  # set by _build
        warnings += check_durations(segments, activity.precision + 1.0, activity.duration_name)
        if people is not None:
            warnings += _check_people(people, segments)
            segments["participant_id"] = segments["participant_id"].fillna(_upn_by_person(people, segments))
    else:
        assert people is not None
        segments = _build(people, local, opts, warnings)
        assert people.precision is not None  # set by _build
        actual = segments["left_at"] - segments["joined_at"]
        over = (segments["duration_reported"] - actual).dt.total_seconds() > people.precision + 1.0
        for i in np.flatnonzero(over.fillna(False).to_numpy(dtype=bool))[:10]:
            warnings.append(f"line {int(segments['line'].iloc[i])}: In-Meeting Duration is longer than first join "
                            "to last leave")
        warnings.append("the report has no In-Meeting Activities section: one segment per person, from first "
                        "join to last leave")
    extra = {key: value for key, (value, _) in summary.items() if value.strip()}
    return make_report(opts, segments=segments, title=title, meeting_ref=ref, started_at=local.one(start),
                       ended_at=local.one(end), warnings=local.warnings + warnings, extra={"summary": extra})


def _person_keys(names: pd.Series, emails: pd.Series) -> pd.MultiIndex:
    """(name, e-mail) per row: how section 2 and section 3 rows of one person match."""
    return pd.MultiIndex.from_arrays([names.fillna("").astype(str).to_numpy(),
                                      emails.fillna("").astype(str).to_numpy()])


def _upn_by_person(people: _Part, segments: pd.DataFrame) -> pd.Series:
    """Section 3 has no UPN column: take each person's from section 2 (same name and e-mail)."""
    upn = pd.Series(people.upn.to_numpy(), index=_person_keys(people.names["name"], people.email))
    upn = upn[~upn.index.duplicated()].replace("", pd.NA)
    found = upn.reindex(_person_keys(segments["name"], segments["email"]))
    return pd.Series(found.to_numpy(), index=segments.index, dtype="string")


def _check_people(people: _Part, segments: pd.DataFrame) -> list[str]:
    """Section 2's In-Meeting Duration is the sum of the person's section-3 segments."""
    table = people.table
    reported, precision = parse_durations(people.duration, bare_unit="s")
    per_segment = (segments["left_at"] - segments["joined_at"]).dt.total_seconds()
    grouped = per_segment.groupby(_person_keys(segments["name"], segments["email"]))
    sums, counts = grouped.sum(), grouped.size()
    notes = []
    for i, key in enumerate(_person_keys(people.names["name"], people.email)):
        if pd.isna(reported.iloc[i]) or key not in sums.index:
            continue
        slack = precision.iloc[i] + 1.0 * counts[key] + 1.0
        if abs(reported.iloc[i].total_seconds() - sums[key]) > slack:
            notes.append(f"line {int(table.lines[i])}: In-Meeting Duration says {reported.iloc[i]}, the person's "
                         f"activity rows add up to {pd.Timedelta(seconds=sums[key])}")
    return notes


def read_live(text: Text, opts: Options) -> AttendanceReport:
    """Live Events attendee report: UTC ``Joined``/``Left`` events per session."""
    rows = split_rows(text)
    header = rows.find(("session id", "sessionid"), ("utc event timestamp", "utceventtimestamp"))
    if header is None:
        raise ImportFormatError("no Teams Live Events table: expected a header row with Session Id and UTC Event "
                                "Timestamp", file=opts.where, line=1)
    table = rows.table(header)
    zone, zone_name = resolve_tz("UTC")
    local = LocalTimes(opts.where, zone, opts.dayfirst)
    session_col = table.require("Session Id", "session id", "sessionid")
    events = _events(table, session_col, local, table.require("UTC Event Timestamp", *TIMESTAMP[-2:]),
                     table.require("Action", "action"))
    paired, notes = pair_events(events, "key", opts.where)
    rows_of = paired["event"].to_numpy()
    raw = table.values(table.column("full name", "fullname"))
    picked = raw.loc[rows_of].reset_index(drop=True)
    names = clean_names(picked)
    anonymous = int((picked.str.strip() == "").sum())
    if anonymous:
        notes.append(f"{anonymous} segments of anonymous viewers (no name): participant_id is empty, "
                     "session_id tells them apart")
    segments = frame(
        name=names["name"], joined_at=paired["joined_at"], left_at=paired["left_at"], line=paired["line"],
        display_name=picked, role=table.values(table.column("role")).loc[rows_of],
        device=table.values(table.column("useragent", "user agent")).loc[rows_of],
        participant_id=table.values(table.column("participant id", "participantid")).loc[rows_of],
        session_id=events.loc[rows_of, "key"],
    )
    return make_report(opts, segments=segments, warnings=local.warnings + notes, tz=zone_name)
