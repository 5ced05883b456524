"""Local date-times in export files, read in bulk and converted to UTC.

Exports write times in the exporting account's zone with no offset, in the locale's
order (month-first or day-first), 12 or 24 h, with two- or four-digit years, or as
``Mar 28, 2020 08:07:27``. Every value is split into its parts by one regular
expression (vectorised), the date order is decided once per file from the parts, and
the parts are assembled with ``pd.to_datetime`` on a frame of year/month/day columns:
no per-row ``strptime``.

Shared by the attendance readers and the chat reader:
``resolve_tz`` (the zone a file is read in), ``LocalTimes`` (collect the date-time
columns of one file, decide day-first, convert to UTC), ``times_on`` (times of day
on a given date) and ``to_utc`` (localise naive times, DST rules below).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from ..errors import ImportFormatError

UTC_DTYPE = "datetime64[ns, UTC]"
MISSING = ("", "--", "NA", "N/A", "-")  # cells that mean "no value" in exports

_MONTHS = {name: number for number, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
    ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
    ("oct", "october"), ("nov", "november"), ("dec", "december")), start=1) for name in names}

_STAMP = re.compile(r"""
    ^\s*
    (?:
      (?:
        (?P<a>\d{1,4})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{2,4})\.?   # 11/19/2021, 14.11.22, 2021-11-19
       |(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<md>\d{1,2}),?\s+(?P<my>\d{4})       # Mar 28, 2020
       |(?P<dm>\d{1,2})\s+(?P<mon2>[A-Za-z]{3,9})\.?,?\s+(?P<my2>\d{4})     # 28 Mar 2020
      )
      (?:,?\s+|T|\s*$)
    )?
    (?:
      (?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<frac>\d{1,9}))?)?
      \s*(?P<ap>[AaPp]\.?\s?[Mm]\.?)?
      (?:\s*(?:Z|UTC|GMT))?
    )?
    \s*$
""", re.VERBOSE | re.ASCII)

EXAMPLE = "a date and time such as 11/19/2021 09:54:15 AM, 14/11/22, 09:30:46 or Mar 28, 2020 08:07:27"
TIME_EXAMPLE = "a time of day such as 10:02 AM or 14:05:33"


def resolve_tz(tz: str | tzinfo | None) -> tuple[tzinfo, str]:
    """The zone to read local times in, and its name for the report.

    An IANA name or a ``tzinfo``; ``None`` means this machine's zone, found without
    extra packages: ``$TZ`` if it names an IANA zone, else the ``/etc/localtime``
    link target, else ``/etc/timezone``, else the fixed offset Python reports now
    (named like ``UTC+01:00``).
    """
    if isinstance(tz, tzinfo):
        return tz, str(getattr(tz, "key", None) or tz)
    if tz is not None and not isinstance(tz, str):
        raise ImportFormatError(f"tz must be an IANA zone name or a tzinfo, got {type(tz).__name__}")
    if tz is not None:
        try:
            return ZoneInfo(tz), tz
        except (ZoneInfoNotFoundError, ValueError):
            raise ImportFormatError(f"unknown time zone {tz!r}: expected an IANA name such as Europe/Paris",
                                    value=tz) from None
    for name in _local_zone_names():
        try:
            return ZoneInfo(name), name
        except (ZoneInfoNotFoundError, ValueError):
            continue
    local = datetime.now().astimezone().tzinfo
    assert local is not None
    return local, str(local)


def _local_zone_names():
    env = os.environ.get("TZ", "").lstrip(":")
    if env:
        yield env
    try:
        target = str(Path("/etc/localtime").resolve())
        if "zoneinfo/" in target:
            yield target.split("zoneinfo/", 1)[1]
    except OSError:  # pragma: no cover - no /etc/localtime
        pass
    try:
        yield Path("/etc/timezone").read_text().strip()
    except OSError:
        pass


def is_missing(values: pd.Series) -> pd.Series:
    """True where a cell is empty or one of the exports' "no value" markers."""
    return as_text(values).isin(MISSING)


def as_text(values: pd.Series) -> pd.Series:
    """Cells as stripped ``str`` with "" for missing (NaN-based, so masks are plain bool)."""
    return values.fillna("").astype(str).str.strip()


@dataclass
class _Column:
    name: str
    values: pd.Series  # stripped text, index = row position
    lines: np.ndarray
    parts: pd.DataFrame
    present: pd.Series  # bool: the cell holds a value


@dataclass
class LocalTimes:
    """The date-time columns of one file, read together so that the date order
    (day-first or month-first) is decided once from all of them.

    ``add`` each column (raises on a value that is not a date-time), then ``utc`` each
    one. With ``dayfirst=None`` the order comes from a value with a field above 12;
    a file with only ambiguous values is refused. ``warnings`` says when the order
    was guessed and when a DST rule was applied.
    """

    file: str
    zone: tzinfo
    dayfirst: bool | None = None
    time_only: bool = False  # the values are times of day (Google Meet)
    warnings: list[str] = field(default_factory=list)
    _columns: list[_Column] = field(default_factory=list)
    _decided: bool | None = None
    _resolved: bool = False

    def add(self, name: str, values: pd.Series, lines: np.ndarray) -> int:
        """Register a column of cells (missing markers allowed); returns its handle."""
        text = as_text(values)
        present = ~text.isin(MISSING)
        parts = text.where(present, "").str.extract(_STAMP)
        has_date = parts["a"].notna() | parts["mon"].notna() | parts["mon2"].notna()
        has_time = parts["H"].notna()
        # Time-only columns (Google Meet) also accept full date-times.
        ok = has_time if self.time_only else has_time & has_date
        bad = present & ~ok
        if bad.any():
            at = int(np.flatnonzero(bad.to_numpy())[0])
            expected = TIME_EXAMPLE if self.time_only else EXAMPLE
            raise ImportFormatError(f"expected {expected}", file=self.file, line=int(lines[at]),
                                    column=name, value=str(text.iloc[at]))
        self._columns.append(_Column(name, text, np.asarray(lines), parts, present))
        self._resolved = False
        return len(self._columns) - 1

    def add_one(self, name: str, value: str | None, line: int) -> int | None:
        """Register a single value (a meeting's start time); None when absent."""
        if value is None:
            return None
        return self.add(name, pd.Series([value], dtype=str), np.asarray([line]))

    def one(self, handle: int | None) -> pd.Timestamp | None:
        """The single UTC value registered with ``add_one`` (None when absent)."""
        if handle is None:
            return None
        value = self.utc(handle).iloc[0]
        return None if pd.isna(value) else value

    def _decide(self) -> bool:
        if self._resolved:
            return bool(self._decided)
        evidence: dict[bool, tuple[int, str, str]] = {}
        ambiguous: tuple[int, str, str] | None = None
        for col in self._columns:
            parts = col.parts
            numeric = parts["a"].notna() & (parts["a"].str.len() < 4)
            if not numeric.any():
                continue
            a = pd.to_numeric(parts["a"].where(numeric), errors="coerce")
            b = pd.to_numeric(parts["b"].where(numeric), errors="coerce")
            for flag, mask in ((True, a > 12), (False, b > 12)):
                if mask.any() and flag not in evidence:
                    at = int(np.flatnonzero(mask.to_numpy())[0])
                    evidence[flag] = (int(col.lines[at]), col.name, str(col.values.iloc[at]))
            unclear = (a != b) & (a <= 12) & (b <= 12)
            if ambiguous is None and unclear.any():
                at = int(np.flatnonzero(unclear.to_numpy())[0])
                ambiguous = (int(col.lines[at]), col.name, str(col.values.iloc[at]))
        if self.dayfirst is not None:
            decided = self.dayfirst
        elif len(evidence) == 2:
            (l1, _, v1), (l2, c2, v2) = evidence[True], evidence[False]
            raise ImportFormatError(
                f"the dates disagree on their order: line {l1} reads day-first ({v1!r}), line {l2} month-first"
                f" ({v2!r}); pass dayfirst=True or dayfirst=False", file=self.file, line=l2, column=c2, value=v2)
        elif evidence:
            decided = next(iter(evidence))
            line, col_name, value = evidence[decided]
            if ambiguous is not None:
                order = "day-first" if decided else "month-first"
                self.warnings.append(f"dates read {order}, guessed from line {line} ({col_name} {value!r}); "
                                     f"pass dayfirst= to choose")
        elif ambiguous is not None:
            line, col_name, value = ambiguous
            raise ImportFormatError("cannot tell whether the dates are day-first or month-first (no day above 12"
                                    " anywhere in the file); pass dayfirst=True or dayfirst=False",
                                    file=self.file, line=line, column=col_name, value=value)
        else:
            decided = False
        self._decided, self._resolved = decided, True
        return decided

    def naive(self, handle: int, on: date | None = None) -> pd.Series:
        """The column as naive local datetimes (NaT where missing). Times of day
        without a date take ``on``; raises when they need one and there is none."""
        col = self._columns[handle]
        dayfirst = self._decide()
        p = col.parts
        num = lambda s: pd.to_numeric(s, errors="coerce")  # noqa: E731
        a, b, c = num(p["a"]), num(p["b"]), num(p["c"])
        iso = p["a"].str.len() == 4
        year = pd.Series(np.where(iso, a, c), index=p.index, dtype="float64")
        short_year = p["c"].str.len() == 2
        year = year.where(~(short_year & ~iso), np.where(year < 69, 2000 + year, 1900 + year))
        first, second = (b, a) if dayfirst else (a, b)
        month = pd.Series(np.where(iso, b, first), index=p.index, dtype="float64")
        day = pd.Series(np.where(iso, c, second), index=p.index, dtype="float64")
        for mon, md, my in (("mon", "md", "my"), ("mon2", "dm", "my2")):
            named = p[mon].notna()
            if named.any():
                month = month.where(~named, p[mon].str.lower().str[:9].map(_month_number).astype("float64"))
                day = day.where(~named, num(p[md]))
                year = year.where(~named, num(p[my]))
        no_date = col.present & p["a"].isna() & p["mon"].isna() & p["mon2"].isna()
        if no_date.any():
            if on is None:
                at = int(np.flatnonzero(no_date.to_numpy())[0])
                raise ImportFormatError("the times have no date: pass date= (the meeting's date)",
                                        file=self.file, line=int(col.lines[at]), column=col.name,
                                        value=str(col.values.iloc[at]))
            year = year.where(~no_date, on.year)
            month = month.where(~no_date, on.month)
            day = day.where(~no_date, on.day)
        hour, minute = num(p["H"]), num(p["M"])
        second = num(p["S"]).fillna(0)
        ap = p["ap"].str.lower().str[0]
        bad_12h = ap.notna() & ((hour > 12) | (hour < 0))
        hour = hour.where(~((ap == "p") & (hour < 12)), hour + 12)
        hour = hour.where(~((ap == "a") & (hour == 12)), 0)
        frac = p["frac"].fillna("0").str.ljust(9, "0").str[:9]
        nanos = pd.to_numeric(frac, errors="coerce").fillna(0)
        frame = pd.DataFrame({"year": year, "month": month, "day": day, "hour": hour, "minute": minute,
                              "second": second})
        valid = frame.notna().all(axis=1) & ~bad_12h & col.present
        stamps = pd.Series(pd.NaT, index=p.index, dtype="datetime64[ns]")
        if valid.any():
            built = pd.to_datetime(frame[valid].astype("int64"), errors="coerce")
            stamps[valid] = built.astype("datetime64[ns]") + pd.to_timedelta(nanos[valid], unit="ns")
        broken = col.present & stamps.isna()
        if broken.any():
            at = int(np.flatnonzero(broken.to_numpy())[0])
            order = "day/month" if dayfirst else "month/day"
            raise ImportFormatError(f"not a valid date and time (read as {order}): expected {EXAMPLE}",
                                    file=self.file, line=int(col.lines[at]), column=col.name,
                                    value=str(col.values.iloc[at]))
        return stamps

    def has_seconds(self, handle: int) -> pd.Series:
        """True where the value gave seconds (minute-precision times need more slack)."""
        return self._columns[handle].parts["S"].notna()

    def utc(self, handle: int, on: date | None = None) -> pd.Series:
        """The column converted to UTC (``datetime64[ns, UTC]``, NaT where missing)."""
        col = self._columns[handle]
        stamps, notes = to_utc(self.naive(handle, on), self.zone, col.lines)
        self.warnings.extend(f"{col.name}: {note}" for note in notes)
        return stamps


def _month_number(name: object) -> float:
    if not isinstance(name, str):
        return np.nan
    return float(_MONTHS.get(name, _MONTHS.get(name[:3], np.nan)))


def to_utc(naive: pd.Series, zone: tzinfo, lines: np.ndarray | None = None) -> tuple[pd.Series, list[str]]:
    """Localise naive local times in ``zone`` and convert them to UTC.

    DST, deterministically: a time that happens twice (clocks going back) is read as
    the first occurrence (summer time); a time that does not exist (clocks going
    forward) is moved forward to the first instant after the gap. Each case gives a
    note naming the line.
    """
    naive = naive.astype("datetime64[ns]")
    strict = naive.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    odd = strict.isna() & naive.notna()
    notes: list[str] = []
    if odd.any():
        dst = np.ones(len(naive), dtype=bool)
        lenient = naive.dt.tz_localize(zone, ambiguous=dst, nonexistent="shift_forward")
        strict = strict.where(~odd, lenient)
        for at in np.flatnonzero(odd.to_numpy())[:5]:
            where = f"line {int(lines[at])}" if lines is not None else f"row {at + 1}"
            notes.append(f"{where}: {naive.iloc[at]} is skipped or repeated by a DST change in {zone}; read as "
                         f"{lenient.iloc[at]}")
        if int(odd.sum()) > 5:
            notes.append(f"{int(odd.sum()) - 5} more times fall in a DST change")
    return strict.dt.tz_convert("UTC").astype(UTC_DTYPE), notes


def times_on(day: date, times: pd.Series, zone: tzinfo) -> pd.Series:
    """``HH:MM[:SS]`` times of day on ``day`` in ``zone``, as UTC (for files whose
    date comes from elsewhere, such as a file or folder name)."""
    local = LocalTimes(file="<times>", zone=zone, time_only=True)
    handle = local.add("time", times, np.arange(1, len(times) + 1))
    return local.utc(handle, on=day)


def parse_day(value: date | str | None, *, file: str | None = None) -> date | None:
    """A ``date``/``datetime`` or ``YYYY-MM-DD`` text as a date (for ``date=``)."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ImportFormatError("date= must be a date or YYYY-MM-DD text", file=file, value=str(value)) from None
