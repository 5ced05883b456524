"""Who is who in a meeting export: the people of a report, and the users they are.

Identity, in order of trust: the e-mail address (trimmed, case-insensitive), a
roster (user_id, name, email, aliases) that the caller supplies, Zoom's original
name (``Name (Original Name)``), and the display name with platform suffixes
(``(Guest)``, ``(External)``, pronouns) removed. What an import learned (e-mail ->
user, name -> users) is kept in two hashes (``Keys.identities_email`` /
``Keys.identities_name``), so the same person gets the same user id in every later
import. People who cannot be told apart are reported as conflicts, never merged.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import validate
from .errors import InvalidInputError

# A trailing "(Guest)", "(External)", "(EXT)", "(Host)", "(me)" or pronouns "(she/her)".
_SUFFIX = re.compile(
    r"\s*\((?:guest|external|ext|host|co-host|me|[a-z]+/[a-z]+(?:/[a-z]+)?)\)\s*$", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def clean_name(name: Any) -> str:
    """A display name without platform suffixes and with single spaces ("" if none)."""
    if not isinstance(name, str):
        return ""
    return _clean(name)


@functools.lru_cache(maxsize=1 << 16)  # a report repeats each name on every segment
def _clean(name: str) -> str:
    text = _SPACE.sub(" ", name).strip()
    while True:
        shorter = _SUFFIX.sub("", text).strip()
        if shorter == text or not shorter:
            return text
        text = shorter


def name_key(name: Any) -> str:
    """How names are compared: cleaned and case-folded."""
    return clean_name(name).casefold()


def email_key(address: Any) -> str | None:
    """How e-mail addresses are compared: trimmed and case-folded; None if it is not one."""
    if not isinstance(address, str):
        return None
    return _email_key(address)


@functools.lru_cache(maxsize=1 << 16)
def _email_key(address: str) -> str | None:
    try:
        return validate.email(address).casefold()
    except InvalidInputError:
        return None


@dataclass(frozen=True)
class RosterEntry:
    """One line of a roster: these names and this e-mail are user ``user_id``."""

    user_id: int
    name: str
    email: str | None = None
    aliases: tuple[str, ...] = ()
    line: int | None = None

    @property
    def name_keys(self) -> tuple[str, ...]:
        return tuple(k for k in dict.fromkeys(name_key(n) for n in (self.name, *self.aliases)) if k)


def read_roster(roster: pd.DataFrame | str | os.PathLike | None) -> list[RosterEntry]:
    """A roster from a DataFrame or a CSV file with columns user_id, name, email and,
    optionally, aliases (several separated by ``;`` or ``|``)."""
    if roster is None:
        return []
    where = "the roster"
    if isinstance(roster, (str, os.PathLike)):
        where = str(roster)
        try:
            frame = pd.read_csv(Path(roster), dtype=str, keep_default_na=False)
        except (OSError, ValueError) as exc:
            raise InvalidInputError(f"{where}: cannot read the roster: {exc}") from None
        first_line = 2  # line 1 is the header
    elif isinstance(roster, pd.DataFrame):
        frame, first_line = roster, None
    else:
        raise InvalidInputError(f"roster must be a DataFrame or a CSV path, got {type(roster).__name__}")
    columns = {str(c).strip().casefold(): c for c in frame.columns}
    missing = [c for c in ("user_id", "name") if c not in columns]
    if missing:
        raise InvalidInputError(f"{where}: no column {missing[0]!r} (a roster has user_id, name, email, aliases)")
    entries = []
    for position, row in enumerate(frame.itertuples(index=False)):
        values = dict(zip(frame.columns, row))
        line = first_line + position if first_line is not None else None
        at = f"{where}, line {line}" if line is not None else f"{where}, row {position}"
        try:
            user_id = validate.ident(str(values[columns["user_id"]]).strip(), "user_id")
        except InvalidInputError as exc:
            raise InvalidInputError(f"{at}: {exc}") from None
        name = str(values[columns["name"]]).strip()
        if not name:
            raise InvalidInputError(f"{at}: the name is empty")
        email = _cell(values.get(columns.get("email")))
        if email is not None and email_key(email) is None:
            raise InvalidInputError(f"{at}: {email!r} is not an e-mail address")
        aliases = _cell(values.get(columns.get("aliases")))
        alias_list = tuple(a.strip() for a in re.split(r"[;|]", aliases) if a.strip()) if aliases else ()
        entries.append(RosterEntry(user_id, name, email, alias_list, line))
    return entries


def _cell(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


@dataclass
class Person:
    """One person of a report: the segments (row positions) that are theirs."""

    name: str                      # the name a new user gets
    email: str | None              # as written in the report (trimmed)
    names: list[str]               # name keys, most trusted first
    rows: list[int] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    ambiguous_with: tuple[str, ...] = ()  # e-mails of report people this one cannot be told from

    @property
    def email_key(self) -> str | None:
        return email_key(self.email)


def group_people(segments: pd.DataFrame) -> list[Person]:
    """The people of a report, by e-mail, else by original name, else by display name.

    Segments without an e-mail whose name belongs to exactly one person with an e-mail
    in the same report are theirs (a second device or a reconnect as a guest), unless
    they overlap that person's own segments in time: then, as when the name belongs to
    several people with an e-mail, two people cannot be told apart, and the segments
    stay a person of their own, marked ``ambiguous_with`` those e-mails."""
    def column(name: str) -> list[Any]:
        return list(segments[name]) if name in segments.columns else [None] * len(segments)

    emails, lines = column("email"), column("line")
    originals, names, displays = column("original_name"), column("name"), column("display_name")
    by_email: dict[str, Person] = {}
    by_name: dict[str, Person] = {}
    order: list[Person] = []
    seen: dict[tuple[Any, ...], tuple[list[str], str, str | None, str | None]] = {}
    for row, identity in enumerate(zip(originals, names, displays, emails)):
        try:
            keys, shown, address, ekey = seen[identity]
        except KeyError:  # a person's rows repeat the same cells: work them out once
            keys, shown, address, ekey = seen.setdefault(identity, _identity(*identity))
        except TypeError:  # an unhashable cell
            keys, shown, address, ekey = _identity(*identity)
        if ekey is not None:
            person = by_email.get(ekey)
            if person is None:
                person = by_email[ekey] = Person(shown or address or "", address, [])
                order.append(person)
        else:
            if not keys:
                continue  # nameless and without e-mail: the caller counts it unreadable
            person = by_name.get(keys[0])
            if person is None:
                person = by_name[keys[0]] = Person(shown, None, [])
                order.append(person)
        person.names.extend(k for k in keys if k not in person.names)
        person.rows.append(row)
        line = lines[row]
        if not _missing(line):
            person.lines.append(int(line))
    # Name-only people who are one of the e-mail people.
    owners: dict[str, list[Person]] = {}
    for person in by_email.values():
        for key in person.names:
            owners.setdefault(key, []).append(person)
    result = []
    spans = _spans(segments)
    for person in order:
        if person.email is None:
            candidates = owners.get(person.names[0], [])
            if len(candidates) == 1 and not _overlap(spans, person.rows, candidates[0].rows):
                candidates[0].rows.extend(person.rows)
                candidates[0].lines.extend(person.lines)
                continue
            if candidates:
                person.ambiguous_with = tuple(sorted(c.email or "" for c in candidates))
        result.append(person)
    return result


def _identity(original: Any, name: Any, display: Any, email: Any) -> tuple[list[str], str, str | None, str | None]:
    """A row's name keys (most trusted first), the name to show, its e-mail and e-mail key."""
    keys = [k for k in dict.fromkeys(name_key(n) for n in (original, name, display)) if k]
    shown = next((clean_name(n) for n in (original, name, display) if clean_name(n)), "")
    address = _cell(email) if not _missing(email) else None
    return keys, shown, address, email_key(address)


def _spans(segments: pd.DataFrame) -> tuple[np.ndarray, np.ndarray] | None:
    """Each row's join and leave in ns (no leave: open to the end of time); None
    without join times."""
    if "joined_at" not in segments.columns or "left_at" not in segments.columns:
        return None
    def ns(column: str, missing: int) -> np.ndarray:
        naive = segments[column].astype("datetime64[ns, UTC]").dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
        return np.where(np.isnat(naive), missing, naive.view(np.int64))
    return ns("joined_at", np.iinfo(np.int64).max), ns("left_at", np.iinfo(np.int64).max)


def _overlap(spans: tuple[np.ndarray, np.ndarray] | None, rows: list[int], others: list[int]) -> bool:
    """Whether any of ``rows`` is open at the same time as any of ``others``."""
    if spans is None:
        return False
    joined, left = spans
    a, b = np.array(rows), np.array(others)
    return bool(((joined[a][:, None] < left[b][None, :]) & (joined[b][None, :] < left[a][:, None])).any())


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


@dataclass(frozen=True)
class IdentityConflict:
    """People who could not be told apart: ``name`` at ``lines`` could be any of
    ``candidates`` (user ids, or e-mails of people in the same report). They were
    given user ``user_id`` of their own and nothing was learned from them; a roster
    entry for the name resolves it."""

    name: str
    lines: tuple[int, ...]
    candidates: tuple[str, ...]
    user_id: int


@dataclass(frozen=True)
class Resolution:
    """For each person (same order): an existing user id, or None (a new user), and
    whether the mapping may be learned; plus the conflicts."""

    user_ids: tuple[int | None, ...]
    learn: tuple[bool, ...]
    ambiguous: tuple[tuple[str, ...], ...]  # per person: candidates when in conflict


def resolve(people: Sequence[Person], known_emails: Mapping[str, int], known_names: Mapping[str, Sequence[int]],
            roster: Iterable[RosterEntry] = ()) -> Resolution:
    """Match people to users: roster e-mail, stored e-mail, roster name or alias,
    stored name (original, then display). A name that stands for several users, or a
    report person who could be several e-mail people, is a conflict (None, not learned)."""
    roster_emails: dict[str, int] = {}
    roster_names: dict[str, set[int]] = {}
    for entry in roster:
        if entry.email:
            roster_emails[email_key(entry.email) or ""] = entry.user_id
        for key in entry.name_keys:
            roster_names.setdefault(key, set()).add(entry.user_id)
    user_ids: list[int | None] = []
    learn: list[bool] = []
    ambiguous: list[tuple[str, ...]] = []
    for person in people:
        found: int | None = None
        candidates: tuple[str, ...] = ()
        ekey = person.email_key
        if ekey is not None:
            found = roster_emails.get(ekey, known_emails.get(ekey))
        if found is None:
            for key in person.names:
                ids = roster_names.get(key)
                if ids:
                    if len(ids) == 1:
                        found = next(iter(ids))
                    else:
                        candidates = tuple(str(i) for i in sorted(ids))
                    break
        if found is None and not candidates and ekey is None:
            if person.ambiguous_with:
                candidates = person.ambiguous_with
            else:
                for key in person.names:
                    known = sorted(set(known_names.get(key, ())))
                    if len(known) == 1:
                        found = known[0]
                        break
                    if len(known) > 1:
                        candidates = tuple(str(i) for i in known)
                        break
        user_ids.append(found)
        learn.append(not candidates)
        ambiguous.append(candidates)
    return Resolution(tuple(user_ids), tuple(learn), tuple(ambiguous))


def encode_ids(ids: Iterable[int]) -> str:
    """The value stored for a name: the user ids known by it, sorted, comma-separated."""
    return ",".join(str(i) for i in sorted(set(ids)))


def decode_ids(value: str | None) -> list[int]:
    return [int(part) for part in value.split(",") if part] if value else []
