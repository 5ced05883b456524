"""Delimited rows with their line numbers, header rows found by content, columns
looked up by name (case-insensitive, repeated and unknown names tolerated).

Exports put blocks of their own before the table (meeting data, summaries, section
titles), so a header is found by the names it holds, never by a fixed skip count.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ImportFormatError
from .sniff import Text

DELIMITERS = ("\t", ",", ";")
_QUOTED = re.compile(r'"[^"\n]*"')


def normalize(name: str) -> str:
    """A header cell compared case-insensitively, whitespace collapsed."""
    return " ".join(name.replace("\ufeff", "").strip().strip('"').split()).lower()


def sniff_delimiter(lines: Sequence[str], sample: int = 60) -> str:
    """TAB, comma or semicolon: whichever splits some early line (the header, as a
    rule the widest row) into the most cells, ignoring quoted text. Ties go to TAB,
    then comma."""
    best, best_count = ",", 0
    seen = 0
    for line in lines:
        if not line.strip():
            continue
        bare = _QUOTED.sub("", line)
        for delimiter in DELIMITERS:
            count = bare.count(delimiter)
            if count > best_count:
                best, best_count = delimiter, count
        seen += 1
        if seen >= sample:
            break
    return best


@dataclass(frozen=True)
class Rows:
    """The file split into cells: ``cells[i]`` starts on 1-based line ``lines[i]``.
    Blank rows are kept (as empty lists) since they separate blocks."""

    cells: list[list[str]]
    lines: list[int]
    where: str
    delimiter: str

    def __len__(self) -> int:
        return len(self.cells)

    def is_blank(self, index: int) -> bool:
        return not "".join(self.cells[index]).strip()

    def find(self, *required: Sequence[str] | str, start: int = 0, stop: int | None = None) -> int | None:
        """Index of the first row (from ``start``) holding a cell for every
        requirement; a requirement is a name or a tuple of alternative names."""
        wanted = [(req,) if isinstance(req, str) else tuple(req) for req in required]
        for index in range(start, len(self.cells) if stop is None else min(stop, len(self.cells))):
            names = {normalize(cell) for cell in self.cells[index]}
            if all(any(alt in names for alt in alts) for alts in wanted):
                return index
        return None

    def table(self, header: int, end: int | None = None) -> Table:
        """The header row at ``header`` and the non-blank rows under it up to ``end``."""
        stop = len(self.cells) if end is None else end
        cells = self.cells
        body = [i for i in range(header + 1, stop)
                if cells[i] and (cells[i][0].strip() or "".join(cells[i]).strip())]
        rows = [cells[i] for i in body]
        widths = {len(row) for row in rows} | {len(cells[header])}
        width = max(widths)
        if len(widths) > 1:
            rows = [row if len(row) == width else row + [""] * (width - len(row)) for row in rows]
        columns: list[tuple[str, ...]] = list(zip(*rows)) if rows else [()] * width
        lines = self.lines
        return Table(tuple(cells[header]), lines[header], rows, np.asarray([lines[i] for i in body], dtype="int64"),
                     self.where, columns)


def split_rows(text: Text, delimiter: str | None = None) -> Rows:
    """Split the text with the csv module (quoted cells may hold the delimiter,
    commas in dates, or line breaks). No-break spaces become spaces: newer locales
    write ``7:29:57\u202fPM``."""
    lines = text.lines
    if "\u202f" in text.text or "\xa0" in text.text:
        lines = [line.replace("\u202f", " ").replace("\xa0", " ") for line in lines]
    if lines and lines[-1] == "":
        lines = lines[:-1]
    delimiter = delimiter or sniff_delimiter(lines)
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"', skipinitialspace=False, strict=False)
    try:
        cells = list(reader)
    except csv.Error:
        cells = []
    if len(cells) == len(lines):  # no quoted line breaks: row i is line i + 1
        return Rows(cells, list(range(1, len(lines) + 1)), text.where, delimiter)
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"', skipinitialspace=False, strict=False)
    cells, starts = [], []
    previous = 0
    try:
        for row in reader:
            cells.append(row)
            starts.append(previous + 1)
            previous = reader.line_num
    except csv.Error as exc:
        raise ImportFormatError(f"cannot split the row into cells ({exc})", file=text.where,
                                line=previous + 1) from None
    return Rows(cells, starts, text.where, delimiter)


@dataclass(frozen=True)
class Table:
    """A header and its data rows; columns are looked up by (alternative) names."""

    header: tuple[str, ...]
    header_line: int
    rows: list[list[str]]
    lines: np.ndarray
    where: str
    columns: list[tuple[str, ...]]

    @property
    def names(self) -> list[str]:
        return [normalize(cell) for cell in self.header]

    def column(self, *aliases: str, after: int = -1, before: int | None = None) -> int | None:
        """Position of the first header cell named like one of ``aliases`` that lies
        after position ``after`` and before ``before`` (for repeated names)."""
        names = self.names
        limit = len(names) if before is None else before
        for alias in aliases:
            for position in range(after + 1, limit):
                if names[position] == alias:
                    return position
        return None

    def require(self, what: str, *aliases: str, after: int = -1, before: int | None = None) -> int:
        """Like ``column`` but a missing column is an ImportFormatError."""
        position = self.column(*aliases, after=after, before=before)
        if position is None:
            raise ImportFormatError(f"the table has no {what} column (expected a header cell named "
                                    + " or ".join(repr(a) for a in aliases) + ")",
                                    file=self.where, line=self.header_line, column=what)
        return position

    def values(self, position: int | None) -> pd.Series:
        """The cells of one column as stripped text ("" where the row is short or
        the column absent)."""
        if position is None:
            return pd.Series([""] * len(self.rows), dtype=object)
        return pd.Series([cell.strip() for cell in self.columns[position]], dtype=object)

    def value_frame(self, positions: Iterable[int]) -> dict[int, pd.Series]:
        return {position: self.values(position) for position in positions}

    def require_values(self, what: str, position: int, missing: Iterable[str] = ("",)) -> pd.Series:
        """The column's cells; an empty one is an ImportFormatError naming its line."""
        values = self.values(position)
        empty = values.isin(tuple(missing))
        if empty.any():
            at = int(np.flatnonzero(empty.to_numpy())[0])
            raise ImportFormatError(f"the {what} is missing", file=self.where, line=int(self.lines[at]),
                                    column=self.header[position].strip(), value=values.iloc[at])
        return values


def record(rows: Rows, header: int, stop: int | None = None) -> tuple[dict[str, str], int]:
    """A one-row block (Zoom's meeting data, a webinar summary): the header at
    ``header`` and the next non-blank row as ``{normalized name: value}`` (first
    occurrence of a repeated name wins), and that row's line."""
    end = len(rows) if stop is None else stop
    for index in range(header + 1, end):
        if not rows.is_blank(index):
            values: dict[str, str] = {}
            for name, value in zip(rows.cells[header], rows.cells[index]):
                values.setdefault(normalize(name), value.strip())
            return values, rows.lines[index]
    raise ImportFormatError("the block has a header but no value row under it (truncated file?)",
                            file=rows.where, line=rows.lines[header])


def key_values(rows: Rows, start: int, stop: int) -> dict[str, tuple[str, int]]:
    """``key<TAB>value`` summary lines between two rows: ``{normalized key: (value, line)}``."""
    found: dict[str, tuple[str, int]] = {}
    for index in range(start, stop):
        cells = [cell.strip() for cell in rows.cells[index]]
        if len(cells) >= 2 and cells[0]:
            found.setdefault(normalize(cells[0]).rstrip(":"), (cells[1], rows.lines[index]))
    return found
