"""The pieces every attendance reader shares: the read options, the segments frame
with its fixed columns and dtypes, reported durations (parsed and checked against
the timestamps), and pairing Joined/Left events into segments."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, tzinfo

import numpy as np
import pandas as pd

from ..errors import ImportFormatError
from .model import AttendanceReport
from .timeparse import MISSING, UTC_DTYPE, as_text

# Columns after model.SEGMENT_COLUMNS, in this order; every reader fills all of them.
EXTRA_COLUMNS = ("display_name", "original_name", "role", "guest", "in_waiting_room", "duration",
                 "duration_reported", "device", "participant_id")

ROLES = {"host": "host", "co-host": "host", "cohost": "host", "panelist": "panelist", "attendee": "attendee",
         "organizer": "organizer", "organiser": "organizer", "presenter": "presenter",
         "event team member": "presenter", "participant": "attendee", "guest": "attendee"}


@dataclass(frozen=True)
class Options:
    """How to read one file: where it came from, the zone of its local times, the
    date order hint and, for time-of-day-only files, the date."""

    where: str
    name: str | None  # the file's name, when it has one
    zone: tzinfo
    zone_name: str
    dayfirst: bool | None
    day: date | None
    platform: str


def make_report(opts: Options, *, segments: pd.DataFrame, title: str = "", meeting_ref: str | None = None,
                started_at: pd.Timestamp | None = None, ended_at: pd.Timestamp | None = None,
                warnings: list[str] | tuple[str, ...] = (), kind: str = "segments", tz: str | None = None,
                extra: dict[str, object] | None = None) -> AttendanceReport:
    """The report, with started/ended as UTC datetimes (None when absent or NaT)."""
    def stamp(value: pd.Timestamp | None):
        return None if value is None or pd.isna(value) else value.to_pydatetime()

    if segments.empty:
        warnings = (*warnings, "the report has no attendance rows")
    return AttendanceReport(
        platform=opts.platform, title=title or "", meeting_ref=meeting_ref or None,
        started_at=stamp(started_at), ended_at=stamp(ended_at), tz=tz or opts.zone_name,
        segments=segments.reset_index(drop=True), warnings=tuple(warnings), source=opts.name, kind=kind,
        extra=extra or {})


def frame(*, name: pd.Series, joined_at: pd.Series, left_at: pd.Series, line: np.ndarray | pd.Series,
          email: pd.Series | None = None, **extra: object) -> pd.DataFrame:
    """The segments frame: the model's columns, then ``EXTRA_COLUMNS`` (absent ones
    filled with <NA>/NaT/False), then any further platform columns given."""
    n = len(name)
    index = pd.RangeIndex(n)

    missing = set(MISSING)

    def text(values: object) -> pd.Series:
        """Text as the ``string`` dtype, the exports' "no value" markers as <NA>."""
        if values is None:
            return pd.Series(pd.array([pd.NA] * n, dtype="string"), index=index)
        if isinstance(values, pd.Series) and getattr(values.dtype, "na_value", None) is pd.NA:
            return values.set_axis(index)  # already clean
        cells = np.asarray(values, dtype=object)
        return pd.Series(pd.array([None if v is None or v in missing else v for v in cells], dtype="string"),
                         index=index)

    columns: dict[str, object] = {
        "name": text(name).fillna(""),
        "email": text(email),
        "joined_at": _stamps(joined_at, index),
        "left_at": _stamps(left_at, index),
        "line": pd.Series(np.asarray(line, dtype="int64"), index=index),
    }
    for column in EXTRA_COLUMNS:
        values = extra.pop(column, None)
        if column == "guest":
            series = pd.Series([pd.NA] * n if values is None else np.asarray(values, dtype=object), index=index)
            columns[column] = series.astype("boolean")
        elif column == "in_waiting_room":
            columns[column] = pd.Series(False if values is None else np.asarray(values, dtype=bool), index=index,
                                        dtype=bool)
        elif column == "duration":
            columns[column] = columns["left_at"] - columns["joined_at"]  # type: ignore[operator]
        elif column == "duration_reported":
            columns[column] = pd.Series(pd.NaT if values is None else np.asarray(values), index=index,
                                        dtype="timedelta64[ns]")
        elif column == "role":
            roles = text(values).str.lower()
            columns[column] = roles.map(lambda r: ROLES.get(r, r) if isinstance(r, str) else r).astype("string")
        else:
            columns[column] = text(values)
    for column, values in extra.items():
        columns[column] = pd.Series(np.asarray(values, dtype=object), index=index).convert_dtypes()
    return pd.DataFrame(columns, index=index)


def _stamps(values: pd.Series, index: pd.RangeIndex) -> pd.Series:
    series = values.reset_index(drop=True) if isinstance(values, pd.Series) else pd.Series(values)
    if not isinstance(series.dtype, pd.DatetimeTZDtype):
        series = pd.to_datetime(series, utc=True)
    series.index = index
    return series.astype(UTC_DTYPE)


_TRUTH = {**dict.fromkeys(("yes", "y", "true", "1", "ja", "sim", "oui", "sí", "si"), True),
          **dict.fromkeys(("no", "n", "false", "0", "nein", "não", "nao", "non"), False)}


def yes_no(values: pd.Series) -> pd.Series:
    """``Yes``/``No`` (``Y``/``N``, true/false) cells as nullable booleans."""
    truth = [_TRUTH.get(cell.lower()) for cell in as_text(values).to_numpy(dtype=object)]
    return pd.Series(pd.array(truth, dtype="boolean"), index=values.index)


_DURATION = re.compile(r"""
    ^\s*(?:
      (?P<clock_h>\d+):(?P<clock_m>\d{1,2})(?::(?P<clock_s>\d{1,2}))?
     |(?:(?P<h>\d+)\s*(?:h|hr|hrs|hour|hours|godz\.?)\s*)?
      (?:(?P<m>\d+)\s*(?:m|min|mins|minute|minutes)\s*)?
      (?:(?P<s>\d+)\s*(?:s|sec|secs|second|seconds|sek\.?)\s*)?
     |(?P<bare>\d+(?:\.\d+)?)
    )\s*$""", re.VERBOSE | re.IGNORECASE | re.ASCII)


def parse_durations(values: pd.Series, *, bare_unit: str = "min", lines: np.ndarray | None = None,
                    column: str = "Duration", warnings: list[str] | None = None) -> tuple[pd.Series, pd.Series]:
    """Reported durations (``1h 2m 10s``, ``1 hr 5 min``, ``45 mins``, ``1:00:00`` or a
    bare number in ``bare_unit``) as timedeltas, and each one's precision in seconds
    (60 when it gives no seconds). Missing values are NaT; so are unreadable ones,
    which add a warning naming the line to ``warnings`` (they are only a cross-check,
    so the rows stay)."""
    text = as_text(values)
    unit = {"min": 60, "s": 1}[bare_unit]
    seconds = pd.to_numeric(text, errors="coerce") * unit  # bare numbers, the common case
    precision = pd.Series(unit, index=values.index)
    absent = text.isin(MISSING)
    wordy = (seconds.isna() & ~absent).to_numpy()
    if wordy.any():
        wordy_text = text[wordy]
        parts = wordy_text.where(wordy_text.str.len() <= 40, "?").str.extract(_DURATION)
        num = {key: pd.to_numeric(parts[key], errors="coerce") for key in parts.columns}
        clock = num["clock_h"].notna()
        words = (num["h"].fillna(0) * 3600 + num["m"].fillna(0) * 60 + num["s"].fillna(0))
        words = words.where(~clock, num["clock_h"] * 3600 + num["clock_m"] * 60 + num["clock_s"].fillna(0))
        given = num["h"].notna() | num["m"].notna() | num["s"].notna() | num["bare"].notna() | clock
        seconds[wordy] = words.where(given).to_numpy()
        precision[wordy] = np.where(num["s"].notna() | num["clock_s"].notna(), 1, 60)
    given = seconds.notna()
    parsed = pd.to_timedelta(seconds.where(given), unit="s")
    if warnings is not None and lines is not None:
        bad = (~absent & parsed.isna()).to_numpy()
        warnings += [f"line {int(lines[i])}: {column} {text.iloc[i]!r} is not a duration; not checked"
                     for i in np.flatnonzero(bad)[:5]]
    return parsed, precision


def check_durations(segments: pd.DataFrame, slack: pd.Series | np.ndarray | float, what: str) -> list[str]:
    """Warnings for rows whose reported duration differs from ``left_at - joined_at``
    by more than ``slack`` seconds (the rounding of the report and of its times)."""
    reported = segments["duration_reported"]
    actual = segments["left_at"] - segments["joined_at"]
    diff = (reported - actual).dt.total_seconds().abs()
    off = diff > np.asarray(slack, dtype="float64")
    notes = []
    for i in np.flatnonzero(off.fillna(False).to_numpy(dtype=bool))[:10]:
        notes.append(f"line {int(segments['line'].iloc[i])}: {what} says {reported.iloc[i]}, the times give "
                     f"{actual.iloc[i]}")
    if int(off.sum()) > 10:
        notes.append(f"{int(off.sum()) - 10} more rows whose {what} disagrees with the times")
    return notes


def require_order(segments: pd.DataFrame, where: str, column: str, written: pd.Series | None = None) -> None:
    """A segment that ends before it starts cannot be read. ``written``: the leave
    cells as the file has them, row for row, to name the value."""
    backwards = (segments["left_at"] < segments["joined_at"]).fillna(False).to_numpy(dtype=bool)
    if backwards.any():
        i = int(np.flatnonzero(backwards)[0])
        value = str(written.iloc[i]) if written is not None else str(segments["left_at"].iloc[i])
        raise ImportFormatError(
            f"the leave time is before the join time ({segments['left_at'].iloc[i]} < "
            f"{segments['joined_at'].iloc[i]} UTC): expected a leave at or after the join",
            file=where, line=int(segments["line"].iloc[i]), column=column, value=value)


def pair_events(events: pd.DataFrame, key: str, where: str) -> tuple[pd.DataFrame, list[str]]:
    """Joined/Left events (columns ``key``, ``at``, ``action`` in {"join", "leave"},
    ``line``) paired into segments per key: each Left closes the earliest open Joined
    of the same key (a second device keeps its own segment). A Left with nothing open
    is an error; a Joined never closed gets ``left_at`` NaT and a warning.

    Returns ``event`` (the index label of the Joined row), ``joined_at``, ``left_at``
    and ``line`` (of the Joined row), in file order, and the warnings."""
    ordered = events.sort_values([key, "at", "line"], kind="stable")
    joins: list[object] = []
    join_at: list[object] = []
    leave_at: list[object] = []
    notes: list[str] = []
    open_by_key: dict[object, list[int]] = {}
    for label, k, at, action, line in zip(ordered.index, ordered[key], ordered["at"], ordered["action"],
                                          ordered["line"]):
        pending = open_by_key.setdefault(k, [])
        if action == "join":
            pending.append(len(joins))
            joins.append(label)
            join_at.append(at)
            leave_at.append(pd.NaT)
        elif pending:
            leave_at[pending.pop(0)] = at
        else:
            raise ImportFormatError(f"{k!r} leaves without having joined (expected a Joined row before it)",
                                    file=where, line=int(line), value=str(at))
    paired = pd.DataFrame({"event": joins, "joined_at": pd.Series(join_at, dtype=UTC_DTYPE),
                           "left_at": pd.Series(leave_at, dtype=UTC_DTYPE)})
    paired["line"] = events.loc[joins, "line"].to_numpy() if joins else np.zeros(0, dtype="int64")
    paired = paired.sort_values("line", kind="stable").reset_index(drop=True)
    for k, pending in open_by_key.items():
        for position in pending:
            line = int(events.loc[joins[position], "line"])
            notes.append(f"line {line}: {k!r} joined and has no Left row after it; left_at is empty")
    return paired, sorted(notes, key=lambda note: int(note.split(":")[0].split()[1]))
