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
from typing import Any
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
    cells = values.to_numpy(dtype=object)
    return pd.Series([cell.strip() if type(cell) is str else "" if pd.isna(cell) else str(cell).strip()
                      for cell in cells], index=values.index, dtype=object)


_DIRECTIVES: dict[str, str | tuple[str, str]] = {
    "a": ("%m", "%d"), "b": ("%d", "%m"), "md": "%d", "dm": "%d", "my": "%Y", "my2": "%Y",
    "M": "%M", "S": "%S", "frac": "%f"}


def _formats(sample: str) -> tuple[str, str, bool] | None:
    """strptime formats for values shaped like ``sample``: (month-first, day-first,
    whether the order matters), or None when the shape has no exact format (the
    values then go through the parts path)."""
    match = _STAMP.match(sample)
    if match is None or match["H"] is None:
        return None
    iso = match["a"] is not None and len(match["a"]) == 4
    spans = []
    for group in ("a", "b", "c", "mon", "md", "my", "dm", "mon2", "my2", "H", "M", "S", "frac", "ap"):
        if match[group] is None:
            continue
        value = match[group]
        if group == "ap":
            if value.upper() not in ("AM", "PM"):
                return None
            directive: str | tuple[str, str] = "%p"
        elif group == "H":
            directive = "%I" if match["ap"] else "%H"
        elif group in ("mon", "mon2"):
            if value.lower() not in _MONTHS:
                return None
            directive = "%b" if len(value) == 3 else "%B"
        elif group == "c":
            directive = "%d" if iso else ("%y" if len(value) == 2 else "%Y")
        elif iso and group in ("a", "b"):
            directive = "%Y" if group == "a" else "%m"
        else:
            directive = _DIRECTIVES[group]
        spans.append((match.start(group), match.end(group), directive))
    text = sample.strip()
    offset = len(sample) - len(sample.lstrip())
    pieces: list[tuple[str, str]] = []
    cursor = offset
    for begin, finish, directive in spans:
        literal = sample[cursor:begin].replace("%", "%%")
        first, second = directive if isinstance(directive, tuple) else (directive, directive)
        pieces.append((literal + first, literal + second))
        cursor = finish
    tail = sample[cursor:offset + len(text)].replace("%", "%%")
    month_first = "".join(piece[0] for piece in pieces) + tail
    day_first = "".join(piece[1] for piece in pieces) + tail
    return month_first, day_first, month_first != day_first


@dataclass
class _Column:
    name: str
    values: pd.Series  # stripped text, index = row position
    lines: np.ndarray
    present: pd.Series  # bool: the cell holds a value
    formats: tuple[str, str, bool] | None  # exact formats found from the first value
    first: pd.Series  # month-first (or only) exact parse, NaT where it failed
    second: pd.Series  # day-first exact parse of the rows the first failed on
    parts: pd.DataFrame  # regex parts of the rows neither exact parse read
    dateless: pd.Series  # bool: a time of day without a date
    seconds: pd.Series  # bool: the value gave seconds


@dataclass
class LocalTimes:
    """The date-time columns of one file, read together so that the date order
    (day-first or month-first) is decided once from all of them.

    ``add`` each column (raises on a value that is not a date-time), then ``utc`` each
    one. With ``dayfirst=None`` the order comes from a value with a field above 12;
    a file with only ambiguous values is refused. ``warnings`` says when the order
    was guessed and when a DST rule was applied.

    Fast path: the first value's shape gives an exact format for ``pd.to_datetime``
    (both orders when they differ); only values of another shape are split into
    parts by the regular expression.
    """

    file: str
    zone: tzinfo
    dayfirst: bool | None = None
    time_only: bool = False  # the values are times of day (Google Meet); full date-times also accepted
    warnings: list[str] = field(default_factory=list)
    _columns: list[_Column] = field(default_factory=list)
    _decided: bool | None = None
    _resolved: bool = False

    def add(self, name: str, values: pd.Series, lines: np.ndarray) -> int:
        """Register a column of cells (missing markers allowed); returns its handle."""
        text = as_text(values).reset_index(drop=True)
        present = ~text.isin(MISSING)
        lines = np.asarray(lines)
        nat = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
        first, second = nat.copy(), nat.copy()
        formats = _formats(str(text[present].iloc[0])) if present.any() else None
        rest = present.copy()
        seconds = pd.Series(False, index=text.index)
        if formats is not None:
            month_first, day_first, ordered = formats
            first = _exact(text, rest, month_first)
            rest &= first.isna()
            if ordered and rest.any():
                second = _exact(text, rest, day_first)
                rest &= second.isna()
            seconds[present & ~rest] = "%S" in month_first
        # Longer text is no date-time; the cap keeps the regular expression linear.
        odd = text[rest]
        parts = odd.where(odd.str.len() <= 64, "?").str.extract(_STAMP) if rest.any() else _STAMP_EMPTY
        has_date = parts["a"].notna() | parts["mon"].notna() | parts["mon2"].notna()
        ok = parts["H"].notna() & (True if self.time_only else has_date)
        if not ok.all():
            at = int(parts.index[~ok.to_numpy()][0])
            expected = TIME_EXAMPLE if self.time_only else EXAMPLE
            raise ImportFormatError(f"expected {expected}", file=self.file, line=int(lines[at]),
                                    column=name, value=str(text.iloc[at]))
        seconds[parts.index] = parts["S"].notna().to_numpy()
        dateless = pd.Series(False, index=text.index)
        if formats is not None and "%d" not in formats[0]:
            dateless[present & ~rest] = True
        dateless[parts.index] = (~has_date).to_numpy()
        self._columns.append(_Column(name, text, lines, present, formats, first, second, parts, dateless, seconds))
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

    def _evidence(self, col: _Column) -> tuple[pd.Series, pd.Series, pd.Series]:
        """Per row: reads only day-first, reads only month-first, ambiguous."""
        false = pd.Series(False, index=col.values.index)
        day_only, month_only, unclear = false.copy(), false.copy(), false.copy()
        if col.formats is not None and col.formats[2]:
            month_only |= (col.first.dt.day > 12).fillna(False)
            day_only |= col.second.notna()
            unclear |= ((col.first.dt.day <= 12) & (col.first.dt.day != col.first.dt.month)).fillna(False)
        parts = col.parts
        numeric = parts["a"].notna() & (parts["a"].str.len() < 4)
        if numeric.any():
            a = pd.to_numeric(parts["a"].where(numeric), errors="coerce")
            b = pd.to_numeric(parts["b"].where(numeric), errors="coerce")
            day_only[parts.index] |= ((a > 12) & (a <= 31) & (b <= 12)).to_numpy()
            month_only[parts.index] |= ((b > 12) & (b <= 31) & (a <= 12)).to_numpy()
            unclear[parts.index] |= ((a != b) & (a <= 12) & (b <= 12)).to_numpy()
        return day_only, month_only, unclear

    def _decide(self) -> bool:
        if self._resolved:
            return bool(self._decided)
        evidence: dict[bool, tuple[int, str, str]] = {}
        ambiguous: tuple[int, str, str] | None = None

        def first_of(col: _Column, mask: pd.Series) -> tuple[int, str, str]:
            at = int(np.flatnonzero(mask.to_numpy())[0])
            return int(col.lines[at]), col.name, str(col.values.iloc[at])

        for col in self._columns:
            day_only, month_only, unclear = self._evidence(col)
            for flag, mask in ((True, day_only), (False, month_only)):
                if mask.any() and flag not in evidence:
                    evidence[flag] = first_of(col, mask)
            if ambiguous is None and unclear.any():
                ambiguous = first_of(col, unclear)
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
        stamps = col.first.copy()
        if col.formats is not None and col.formats[2]:
            if dayfirst:
                stamps = _exact(col.values, col.first.notna(), col.formats[1])
                stamps[col.second.notna()] = col.second[col.second.notna()]
            # rows only the other order could read stay NaT and are reported below
        if len(col.parts):
            stamps[col.parts.index] = _assemble(col.parts, dayfirst).to_numpy()
        if col.dateless.any():
            if on is None:
                at = int(np.flatnonzero(col.dateless.to_numpy())[0])
                raise ImportFormatError("the times have no date: pass date= (the meeting's date)",
                                        file=self.file, line=int(col.lines[at]), column=col.name,
                                        value=str(col.values.iloc[at]))
            day = pd.Timestamp(on)
            clock = stamps - stamps.dt.normalize()
            stamps = stamps.where(~col.dateless, day + clock)
        broken = col.present & stamps.isna()
        if broken.any():
            at = int(np.flatnonzero(broken.to_numpy())[0])
            order = "day/month" if dayfirst else "month/day"
            raise ImportFormatError(f"not a valid date and time (read as {order}): expected {EXAMPLE}",
                                    file=self.file, line=int(col.lines[at]), column=col.name,
                                    value=str(col.values.iloc[at]))
        return stamps

    def dateless(self, handle: int) -> pd.Series:
        """True where the value is a time of day without a date."""
        return self._columns[handle].dateless

    def has_seconds(self, handle: int) -> pd.Series:
        """True where the value gave seconds (minute-precision times need more slack)."""
        return self._columns[handle].seconds

    def utc(self, handle: int, on: date | None = None) -> pd.Series:
        """The column converted to UTC (``datetime64[ns, UTC]``, NaT where missing)."""
        col = self._columns[handle]
        stamps, notes = to_utc(self.naive(handle, on), self.zone, col.lines)
        self.warnings.extend(f"{col.name}: {note}" for note in notes)
        return stamps


_STAMP_EMPTY = pd.Series([], dtype=str).str.extract(_STAMP)


def _exact(text: pd.Series, rows: pd.Series, fmt: str) -> pd.Series:
    """Parse the selected rows with one exact format (NaT where it does not fit):
    fixed-width values by byte arithmetic, the rest with ``pd.to_datetime``."""
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if rows.any():
        fixed = _fixed_width(text[rows], fmt)
        if fixed is not None:
            out[rows] = fixed.to_numpy()
            rows = rows & out.isna()
    if rows.any():
        parsed = pd.to_datetime(text[rows], format=fmt, errors="coerce")
        parsed = parsed.where((parsed.dt.year > _MIN_YEAR) & (parsed.dt.year < _MAX_YEAR))
        out[rows] = parsed.astype("datetime64[ns]")
    return out


_MIN_YEAR, _MAX_YEAR = 1677, 2262  # datetime64[ns] covers the years between
_WIDTHS = {"Y": 4, "y": 2, "m": 2, "d": 2, "H": 2, "I": 2, "M": 2, "S": 2, "p": 2}


def _fixed_width(values: pd.Series, fmt: str) -> pd.Series | None:
    """Zero-padded values of one width (Zoom's ``11/19/2021 09:54:15 AM``) read as
    a byte matrix: digits by arithmetic, literals compared, ranges checked. None
    when the format has a field of varying width; NaT for rows that do not fit."""
    fields: list[tuple[str, int]] = []  # (directive or literal char, column)
    column, i = 0, 0
    while i < len(fmt):
        if fmt[i] == "%":
            if i + 1 >= len(fmt) or fmt[i + 1] not in _WIDTHS:
                return None
            fields.append(("%" + fmt[i + 1], column))
            column += _WIDTHS[fmt[i + 1]]
            i += 2
        else:
            fields.append((fmt[i], column))
            column += 1
            i += 1
    width = column
    fits = (values.str.len() == width).to_numpy()
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if not fits.any():
        return out
    try:
        raw = "".join(values[fits].tolist()).encode("ascii")
    except UnicodeEncodeError:
        return out
    matrix = np.frombuffer(raw, dtype=np.uint8).reshape(-1, width).astype(np.int64)
    ok = np.ones(len(matrix), dtype=bool)
    parts: dict[str, Any] = {}  # arrays of numbers, by strptime code
    pm = np.zeros(len(matrix), dtype=bool)
    for field_, at in fields:
        if not field_.startswith("%"):
            ok &= matrix[:, at] == ord(field_)
            continue
        code = field_[1]
        if code == "p":
            first, second = matrix[:, at], matrix[:, at + 1]
            ok &= np.isin(first, list(b"AaPp")) & np.isin(second, list(b"Mm"))
            pm = np.isin(first, list(b"Pp"))
            continue
        digits = matrix[:, at:at + _WIDTHS[code]] - 48
        ok &= ((digits >= 0) & (digits <= 9)).all(axis=1)
        number = np.zeros(len(matrix), dtype=np.int64)
        for k in range(digits.shape[1]):
            number = number * 10 + digits[:, k]
        parts[code] = number
    year = parts.get("Y", np.where(parts.get("y", 0) < 69, 2000, 1900) + parts.get("y", 0))
    hour = parts.get("H", np.zeros(len(matrix), dtype=np.int64))
    if "I" in parts:
        ok &= (parts["I"] >= 1) & (parts["I"] <= 12)
        hour = parts["I"] % 12 + np.where(pm, 12, 0)
    minute, second = parts.get("M", 0), parts.get("S", 0)
    month, day = parts.get("m", 1), parts.get("d", 1)
    if "Y" not in parts and "y" not in parts:
        year = 1900  # a time of day, as strptime dates it
    ok &= (hour <= 23) & (np.asarray(minute) <= 59) & (np.asarray(second) <= 59)
    ok &= (np.asarray(month) >= 1) & (np.asarray(month) <= 12) & (np.asarray(day) >= 1)
    frame = pd.DataFrame({"year": year, "month": month, "day": day, "hour": hour, "minute": minute,
                          "second": second}, index=np.arange(len(matrix)))
    ok &= (np.asarray(year) > _MIN_YEAR) & (np.asarray(year) < _MAX_YEAR)
    frame.loc[~ok] = (2000, 1, 1, 0, 0, 0)
    stamps = pd.to_datetime(frame.astype("int64"), errors="coerce").astype("datetime64[ns]")
    stamps[~ok] = pd.NaT
    out[fits] = stamps.to_numpy()
    return out


def _assemble(parts: pd.DataFrame, dayfirst: bool) -> pd.Series:
    """Naive datetimes from regex parts (NaT where they make no valid date-time);
    dateless times get 1900-01-01 like ``strptime``."""
    p = parts
    num = lambda s: pd.to_numeric(s, errors="coerce")  # noqa: E731
    a, b, c = num(p["a"]), num(p["b"]), num(p["c"])
    iso = p["a"].str.len() == 4
    year = pd.Series(np.where(iso, a, c), index=p.index, dtype="float64")
    short_year = (p["c"].str.len() == 2) & ~iso
    year = year.where(~short_year, np.where(year < 69, 2000 + year, 1900 + year))
    first, second = (b, a) if dayfirst else (a, b)
    month = pd.Series(np.where(iso, b, first), index=p.index, dtype="float64")
    day = pd.Series(np.where(iso, c, second), index=p.index, dtype="float64")
    for mon, md, my in (("mon", "md", "my"), ("mon2", "dm", "my2")):
        named = p[mon].notna()
        if named.any():
            month = month.where(~named, p[mon].str.lower().map(_month_number).astype("float64"))
            day = day.where(~named, num(p[md]))
            year = year.where(~named, num(p[my]))
    dateless = p["a"].isna() & p["mon"].isna() & p["mon2"].isna()
    year, month, day = year.where(~dateless, 1900), month.where(~dateless, 1), day.where(~dateless, 1)
    hour, minute = num(p["H"]), num(p["M"])
    second = num(p["S"]).fillna(0)
    ap = p["ap"].str.lower().str[0]
    bad_12h = ap.notna() & (hour > 12)
    hour = hour.where(~((ap == "p") & (hour < 12)), hour + 12)
    hour = hour.where(~((ap == "a") & (hour == 12)), 0)
    nanos = pd.to_numeric(p["frac"].fillna("0").str.ljust(9, "0").str[:9], errors="coerce").fillna(0)
    frame = pd.DataFrame({"year": year, "month": month, "day": day, "hour": hour, "minute": minute,
                          "second": second})
    valid = frame.notna().all(axis=1) & ~bad_12h & (hour <= 23) & (minute <= 59) & (second <= 59)
    valid &= (year > _MIN_YEAR) & (year < _MAX_YEAR)
    stamps = pd.Series(pd.NaT, index=p.index, dtype="datetime64[ns]")
    if valid.any():
        built = pd.to_datetime(frame[valid].astype("int64"), errors="coerce")
        stamps[valid] = built.astype("datetime64[ns]") + pd.to_timedelta(nanos[valid], unit="ns")
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
