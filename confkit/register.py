"""The attendance register of a meeting: who came to each instance, for how long,
and whether that counts as present, late, partial or absent.

Computed from what is stored, through ``confkit.analytics`` frames, so it works on
any meeting (written by the operations, the bulk loader or an import). Rules, the
same inputs always giving the same statuses:

* Instances: every instance that has started at ``now``. One not yet started is left
  out; a running one is measured from its start up to ``now``. An instance's window
  is [instance_start, instance_end): its start until it stopped (its end, the start of
  the meeting's next instance, whichever came first) or now while running. For an
  imported instance that is the meeting's start and end as the export gives them
  (often when the host opened it, a few minutes before the hour).
* Time attended: the union of the person's sessions in that instance, each clipped
  to the window, so a reconnect or a second device overlapping the first is never
  counted twice.
* Status, first rule that applies:
  ``absent``  no session in the instance;
  ``partial`` attended less than ``present_at`` of the window's length (exactly
  ``present_at`` is enough: the boundary is inclusive);
  ``late``    attended enough, but first joined more than ``late_after`` after the
  start;
  ``present`` otherwise.
* late_by: first join minus the start when that is more than ``late_after``, zero
  otherwise. left_early_by: the window's end minus the last leave when that is more
  than ``left_early_before``, zero otherwise (leaving early is reported, but is no
  status of its own). Both are NaT for an absent person.

Rows: with a roster, every roster person for every instance, also when absent, plus
anyone else who attended (``on_roster`` False); without one, everyone who attended
any instance. People are told apart by user id, never by name, so two people with
the same name stay two rows; the roster (the one ``import_meeting`` takes) gives each
the name and e-mail to show.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .analytics import (
    ID,
    MINUTE,
    TD,
    TS,
    _ms,
    events_frame,
    instance_status,
    instances_frame,
    sessions_frame,
    users_frame,
)
from .errors import InvalidInputError, MissingDependencyError
from .identity import RosterEntry, read_roster
from .importer import sessions_detail
from .storage import Storage

if TYPE_CHECKING:
    from .app import ConferenceApp

STATUSES = ["present", "late", "partial", "absent"]
STATUS_LETTERS = {"present": "P", "late": "L", "partial": "p", "absent": "a"}
EXCEL_HINT = 'pip install "confkit[excel]"'
KEY = ["user_id", "order_id"]


# -- roster ---------------------------------------------------------------------------
def roster_frame(source: pd.DataFrame | str | Path) -> pd.DataFrame:
    """A roster (``identity.read_roster``: a DataFrame or CSV with user_id, name,
    email and optional aliases, the other names a person appears under in exports) as
    user_id, name, email, aliases (``;``-separated) and line. A user id listed twice
    is refused with an InvalidInputError naming both lines; nothing else is read."""
    entries = read_roster(source)
    where = str(source) if isinstance(source, (str, Path)) else "the roster"
    seen: dict[int, RosterEntry] = {}
    for entry in entries:
        if entry.user_id in seen:
            def at(e: RosterEntry) -> str:
                return f"line {e.line}" if e.line is not None else f"row {entries.index(e)}"
            raise InvalidInputError(f"{where}, {at(entry)}: user_id {entry.user_id} is listed twice "
                                    f"(also on {at(seen[entry.user_id])})")
        seen[entry.user_id] = entry
    return pd.DataFrame({
        "user_id": pd.array([e.user_id for e in entries], dtype=ID),
        "name": pd.array([e.name for e in entries], dtype="string"),
        "email": pd.array([e.email for e in entries], dtype="string"),
        "aliases": pd.array(["; ".join(e.aliases) or None for e in entries], dtype="string"),
        "line": pd.array([e.line for e in entries], dtype=ID),
    })


def _people(roster: pd.DataFrame | None, users: pd.DataFrame, attendees: Sequence[int]) -> pd.DataFrame:
    """The register's people (user_id, name, email, on_roster): roster people first,
    in roster order, with the roster's name and e-mail (else the stored ones); then
    everyone else who attended, by name and id."""
    stored = users.drop_duplicates("user_id").set_index("user_id")
    listed = roster if roster is not None else pd.DataFrame({"user_id": pd.array([], dtype=ID)})
    others = sorted({int(u) for u in attendees} - {int(u) for u in listed["user_id"]},
                    key=lambda u: (str(stored["name"].get(u, "")), u))
    ids = [*(int(u) for u in listed["user_id"]), *others]
    names = stored["name"].reindex(ids).astype(object).where(lambda v: v.notna(), None).tolist()
    emails = stored["email"].reindex(ids).astype(object).where(lambda v: v.notna(), None).tolist()
    for i, r in enumerate(roster.itertuples() if roster is not None else ()):
        names[i] = r.name if pd.notna(r.name) else names[i]
        emails[i] = r.email if pd.notna(r.email) else emails[i]
    return pd.DataFrame({
        "user_id": pd.array(ids, dtype=ID),
        "name": pd.array(names, dtype="string"),
        "email": pd.array(emails, dtype="string"),
        "on_roster": pd.array([True] * len(listed) + [False] * len(others), dtype="boolean"),
    })


# -- the register ---------------------------------------------------------------------
def attendance_register(app: ConferenceApp, meeting_id: int, *, roster: pd.DataFrame | str | Path | None = None,
                        present_at: float = 0.75, late_after: timedelta = timedelta(minutes=5),
                        left_early_before: timedelta = timedelta(minutes=5),
                        now: datetime | None = None) -> pd.DataFrame:
    """The register of one meeting as stored now (default: the app's clock), one row
    per person and started instance; the rules are in this module's docstring.

    Columns: meeting_id, order_id, user_id, name, email, on_roster, instance_start,
    instance_end, running, first_join, last_leave, minutes_attended, share_attended,
    sessions, segments and multi_device (from an import's records: export rows merged
    into the sessions, two or more devices at once; <NA> where nothing was imported),
    late_by, left_early_by, status (category present/late/partial/absent).
    ``register.attrs`` keeps the meeting's title and the thresholds used."""
    meeting = app.get_meeting(meeting_id)  # MeetingNotFoundError names a missing meeting
    table = roster_frame(roster) if roster is not None else None
    now_ts = pd.Timestamp(now if now is not None else app.now()).tz_convert("UTC")
    instances = instances_frame(app, now_ts)
    instances = instances[instances["meeting_id"] == meeting.meeting_id].reset_index(drop=True)
    events = events_frame(app, [meeting.meeting_id])
    sessions = sessions_frame(events, instances, now_ts)
    out = register_from_frames(sessions, instances, users_frame(app), now_ts, roster=table, present_at=present_at,
                               late_after=late_after, left_early_before=left_early_before,
                               imported=sessions_detail(app, [meeting.meeting_id]))
    out.attrs["title"] = meeting.title
    return out


def _check(present_at: float, late_after: timedelta, left_early_before: timedelta) -> Fraction:
    if isinstance(present_at, bool) or not isinstance(present_at, (int, float)) or not 0 <= present_at <= 1:
        raise InvalidInputError(f"present_at must be a share between 0 and 1, got {present_at!r}")
    for name, value in (("late_after", late_after), ("left_early_before", left_early_before)):
        if not isinstance(value, timedelta) or value < timedelta(0):
            raise InvalidInputError(f"{name} must be a timedelta of zero or more, got {value!r}")
    return Fraction(str(present_at))  # 0.75 is exactly 3/4, so the boundary is exact


def register_from_frames(sessions: pd.DataFrame, instances: pd.DataFrame, users: pd.DataFrame, now: datetime, *,
                         roster: pd.DataFrame | None = None, present_at: float = 0.75,
                         late_after: timedelta = timedelta(minutes=5),
                         left_early_before: timedelta = timedelta(minutes=5),
                         imported: pd.DataFrame | None = None) -> pd.DataFrame:
    """The register from frames: ``sessions_frame``, ``instances_frame`` of one
    meeting, ``users_frame``, a roster from ``roster_frame`` and, for imported
    instances, ``importer.sessions_detail`` (order_id, user_id, segments, devices);
    see ``attendance_register``. Sessions of one person may overlap."""
    share = _check(present_at, late_after, left_early_before)
    now_ts = pd.Timestamp(now).tz_convert("UTC")
    spans = _windows(instances, now_ts)
    mid = int(spans["meeting_id"].iloc[0]) if len(spans) else None
    sessions = sessions[(sessions["meeting_id"] == mid) & sessions["order_id"].isin(spans["order_id"])]
    people = _people(roster, users, sorted(sessions["user_id"].astype("int64").unique()))
    grid = people.assign(user_id=people["user_id"].astype("int64")).merge(spans, how="cross")
    grid = grid.merge(_attended(sessions, spans), on=KEY, how="left").merge(_imported(imported), on=KEY, how="left")
    length = ((grid["instance_end"] - grid["instance_start"]) // pd.Timedelta(milliseconds=1)).to_numpy("int64")
    attended_ms = grid["attended_ms"].fillna(0).to_numpy("int64")
    count = grid["sessions"].fillna(0).astype("int64")
    came = count > 0
    late = (grid["first_join"] - grid["instance_start"]).astype(TD)
    early = (grid["instance_end"] - grid["last_leave"]).astype(TD)
    late_by = late.where(late > pd.Timedelta(late_after), pd.Timedelta(0)).where(came)
    early_by = early.where(early > pd.Timedelta(left_early_before), pd.Timedelta(0)).where(came)
    enough = attended_ms * share.denominator >= share.numerator * length
    status = np.select([~came.to_numpy(), ~enough, (late_by > pd.Timedelta(0)).to_numpy()],
                       ["absent", "partial", "late"], "present")
    out = pd.DataFrame({
        "meeting_id": pd.array([mid] * len(grid), dtype=ID),
        "order_id": grid["order_id"].astype(ID),
        "user_id": grid["user_id"].astype(ID),
        "name": grid["name"],
        "email": grid["email"],
        "on_roster": grid["on_roster"],
        "instance_start": grid["instance_start"].astype(TS),
        "instance_end": grid["instance_end"].astype(TS),
        "running": grid["running"].astype("boolean"),
        "first_join": grid["first_join"].astype(TS),
        "last_leave": grid["last_leave"].astype(TS),
        "minutes_attended": attended_ms / 60_000,
        "share_attended": np.divide(attended_ms, length, out=np.full(len(grid), np.nan), where=length > 0),
        "sessions": pd.array(count, dtype=ID),
        "segments": grid["segments"].astype(ID),
        "multi_device": (grid["devices"] > 1).astype("boolean"),
        "late_by": late_by.astype(TD),
        "left_early_by": early_by.astype(TD),
        "status": pd.Categorical(status, categories=STATUSES),
    })
    out.attrs.update({"meeting_id": mid, "present_at": float(present_at), "late_after": late_after,
                      "left_early_before": left_early_before, "now": now_ts})
    return out


def _windows(instances: pd.DataFrame, now: pd.Timestamp) -> pd.DataFrame:
    """Started instances as order_id, instance_start, instance_end (stopped, or now), running."""
    status = instance_status(instances, now)
    end = status["stopped_at"].where(status["status"] != "running", now)
    spans = pd.DataFrame({
        "meeting_id": instances["meeting_id"], "order_id": instances["order_id"].astype("int64"),
        "instance_start": instances["from_dt"], "instance_end": end.astype(TS),
        "running": status["status"] == "running",
    })[status["status"] != "scheduled"]
    return spans.sort_values("order_id", ignore_index=True)


def _attended(sessions: pd.DataFrame, spans: pd.DataFrame) -> pd.DataFrame:
    """Per user and instance: sessions, first_join, last_leave (clipped to the
    window) and attended_ms, the length of the union of the clipped sessions."""
    window = spans.set_index("order_id")
    order = sessions["order_id"].astype("int64")
    lo = _ms(window["instance_start"].reindex(order))
    hi = _ms(window["instance_end"].reindex(order))
    start = np.clip(_ms(sessions["joined_at"]), lo, hi)
    stop = np.clip(_ms(sessions["joined_at"] + sessions["duration"]), lo, hi)
    s = pd.DataFrame({"user_id": sessions["user_id"].to_numpy("int64"), "order_id": order.to_numpy(),
                      "start": start, "stop": np.maximum(start, stop)})
    s = s.sort_values([*KEY, "start", "stop"], ignore_index=True)
    # Sessions that overlap or touch the ones before them (in start order) form one block.
    reach = s.groupby(KEY)["stop"].cummax()
    before = reach.groupby([s["user_id"], s["order_id"]]).shift(1)
    block = (before.isna() | (s["start"] > before)).cumsum()
    blocks = s.groupby(block).agg(user_id=("user_id", "first"), order_id=("order_id", "first"),
                                  start=("start", "min"), stop=("stop", "max"))
    per = s.groupby(KEY).agg(sessions=("start", "size"), first=("start", "min"), last=("stop", "max"))
    per["attended_ms"] = (blocks["stop"] - blocks["start"]).groupby([blocks["user_id"], blocks["order_id"]]).sum()
    per = per.reset_index()
    per["first_join"] = pd.to_datetime(per.pop("first"), unit="ms", utc=True).astype(TS)
    per["last_leave"] = pd.to_datetime(per.pop("last"), unit="ms", utc=True).astype(TS)
    return per


def _imported(detail: pd.DataFrame | None) -> pd.DataFrame:
    """Per user and imported instance: export rows merged (segments) and the most
    devices at once."""
    if detail is None or len(detail) == 0:
        return pd.DataFrame({"user_id": pd.Series(dtype="int64"), "order_id": pd.Series(dtype="int64"),
                             "segments": pd.Series(dtype="Int64"), "devices": pd.Series(dtype="Int64")})
    keyed = detail.astype({"user_id": "int64", "order_id": "int64"})
    return keyed.groupby(KEY).agg(segments=("segments", "sum"), devices=("devices", "max")).reset_index()


# -- identities -------------------------------------------------------------------------
IDENTITY_KINDS = ["email", "name", "conflict"]


def identities_frame(app: ConferenceApp, meeting_id: int | None = None) -> pd.DataFrame:
    """How imports mapped the people of exports onto users, and what needs a roster.

    One row per identity and user: kind ``email`` (an address is that user), ``name``
    (a name, cleaned and case-folded, that later imports resolve to that user; shared
    by several users it resolves to none of them) or ``conflict`` (a person an import
    could not tell apart from ``candidates`` and gave a user of their own). Columns:
    kind (category), identity, user_id, name (the stored user's), why, needs_roster,
    candidates, meeting_id, order_id and lines (conflicts only). With ``meeting_id``:
    the identities of users who attended that meeting and its imports' conflicts."""
    storage = Storage.of(app)
    mids = [meeting_id] if meeting_id is not None else storage.meeting_ids()
    emails, names = storage.identity_maps()
    rows: list[dict[str, Any]] = []
    for address, uid in emails:
        rows.append({"kind": "email", "identity": address, "user_id": int(uid), "why": "e-mail address"})
    for name, value in names:
        ids = sorted({int(i) for i in value.split(",") if i})
        shared = len(ids) > 1
        rows.extend({"kind": "name", "identity": name, "user_id": uid, "needs_roster": shared,
                     "why": f"name shared by users {', '.join(map(str, ids))}" if shared else "name of one user",
                     "candidates": ", ".join(map(str, ids)) if shared else None} for uid in ids)
    for mid, order, text in storage.import_results(mids):
        for c in json.loads(text)["conflicts"] if text else []:
            rows.append({"kind": "conflict", "identity": c["name"], "user_id": c["user_id"], "needs_roster": True,
                         "why": f"could be any of {', '.join(c['candidates'])}; kept apart as a user of its own",
                         "candidates": ", ".join(c["candidates"]), "meeting_id": mid, "order_id": order,
                         "lines": ", ".join(map(str, c["lines"]))})
    frame = pd.DataFrame(rows, columns=["kind", "identity", "user_id", "why", "needs_roster", "candidates",
                                        "meeting_id", "order_id", "lines"])
    if meeting_id is not None and len(frame):
        came = set(events_frame(app, [meeting_id])["user_id"].astype(int))
        frame = frame[(frame["kind"] == "conflict") | frame["user_id"].isin(came)]
    names = users_frame(app).drop_duplicates("user_id").set_index("user_id")["name"]
    out = pd.DataFrame({
        "kind": pd.Categorical(frame["kind"], categories=IDENTITY_KINDS),
        "identity": frame["identity"].astype("string"),
        "user_id": frame["user_id"].astype(ID),
        "name": frame["user_id"].map(names).astype("string"),
        "why": frame["why"].astype("string"),
        "needs_roster": frame["needs_roster"].fillna(False).astype("boolean"),
        "candidates": frame["candidates"].astype("string"),
        "meeting_id": frame["meeting_id"].astype(ID),
        "order_id": frame["order_id"].astype(ID),
        "lines": frame["lines"].astype("string"),
    })
    return out.sort_values(["kind", "identity", "user_id"], ignore_index=True)


# -- summaries ------------------------------------------------------------------------
def person_summary(register: pd.DataFrame, *, min_rate: float = 0.8) -> pd.DataFrame:
    """Per person: instances, attended (any session), present, late, partial, absent,
    attendance_rate (instances attended enough, i.e. present or late, over all
    instances), total_minutes, times_late and below_threshold (rate under
    ``min_rate``). In the register's order of people."""
    by = register.groupby("user_id", sort=False)
    out = by[["name", "email", "on_roster"]].first().join(
        pd.crosstab(register["user_id"], register["status"]).reindex(columns=STATUSES, fill_value=0))
    out["instances"] = by.size()
    out["attended"] = out["instances"] - out["absent"]
    out["attendance_rate"] = ((out["present"] + out["late"]) / out["instances"]).astype("float64")
    out["total_minutes"] = by["minutes_attended"].sum()
    out["times_late"] = out["late"]
    out["below_threshold"] = out["attendance_rate"] < min_rate
    out = out.reset_index()
    columns = ["user_id", "name", "email", "on_roster", "instances", "attended", *STATUSES, "attendance_rate",
               "total_minutes", "times_late", "below_threshold"]
    return out[columns].astype({c: ID for c in ["user_id", "instances", "attended", *STATUSES, "times_late"]}).astype(
        {"below_threshold": "boolean"})


def instance_summary(register: pd.DataFrame) -> pd.DataFrame:
    """Per instance: order_id, instance_start, instance_end, running, expected (roster
    people), present, late, partial, absent (roster people only) and unknown
    (attendees not on the roster)."""
    on = register["on_roster"].fillna(False).astype(bool)
    key = ["order_id", "instance_start", "instance_end", "running"]
    spans = register[key].drop_duplicates("order_id").set_index("order_id")
    counts = pd.crosstab(register.loc[on, "order_id"], register.loc[on, "status"]).reindex(
        index=spans.index, columns=STATUSES, fill_value=0)
    out = spans.join(counts)
    out.insert(3, "expected", on.groupby(register["order_id"]).sum().reindex(spans.index, fill_value=0))
    unknown = (~on & (register["status"] != "absent")).groupby(register["order_id"]).sum()
    out["unknown"] = unknown.reindex(spans.index, fill_value=0)
    out = out.reset_index()
    return out.astype({c: ID for c in ["order_id", "expected", *STATUSES, "unknown"]})


# -- export ---------------------------------------------------------------------------
def export_tables(register: pd.DataFrame, *, min_rate: float = 0.8, naive_times: bool = True
                  ) -> dict[str, pd.DataFrame]:
    """The register, people and instances tables for export: durations as minutes
    (``late_by_min``...), and with ``naive_times`` times as UTC without an offset
    (Excel has no time zones)."""
    def plain(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        for column in out.columns:
            if naive_times and isinstance(out[column].dtype, pd.DatetimeTZDtype):
                out[column] = out[column].dt.tz_convert("UTC").dt.tz_localize(None)
            elif pd.api.types.is_timedelta64_dtype(out[column]):
                out[column] = out[column] / MINUTE
                out = out.rename(columns={column: f"{column}_min"})
        return out
    return {"register": plain(register), "people": plain(person_summary(register, min_rate=min_rate)),
            "instances": plain(instance_summary(register))}


def write_csv(register: pd.DataFrame, path: str | Path, *, min_rate: float = 0.8) -> list[Path]:
    """Write the register to ``path`` and its summaries beside it
    (``<stem>.people.csv``, ``<stem>.instances.csv``); times in UTC, durations in
    minutes. Returns the paths written."""
    target = Path(path)
    written = []
    for name, frame in export_tables(register, min_rate=min_rate).items():
        out = target if name == "register" else target.with_name(f"{target.stem}.{name}{target.suffix or '.csv'}")
        frame.to_csv(out, index=False)
        written.append(out)
    return written


def require_excel() -> None:
    """Raise MissingDependencyError, saying what to install, unless openpyxl is there."""
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise MissingDependencyError(f"writing Excel workbooks needs openpyxl: {EXCEL_HINT}") from None


def write_excel(register: pd.DataFrame, path: str | Path | io.BytesIO, *, min_rate: float = 0.8) -> None:
    """Write the register and its summaries to an Excel workbook, one sheet each
    (register, people, instances). Needs openpyxl: ``pip install "confkit[excel]"``."""
    require_excel()
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in export_tables(register, min_rate=min_rate).items():
            frame.to_excel(writer, sheet_name=name, index=False)


# -- as text --------------------------------------------------------------------------
def grid_text(register: pd.DataFrame, *, width: int = 100, min_rate: float = 0.8) -> str:
    """The register as a compact text grid: one row per person, one column per
    instance (numbered 1, 2... in order), one letter per status (P present, L late, p partial, a absent), then the
    person's rate, minutes and times late; fits ``width`` characters by narrowing the
    columns and then keeping the latest instances, saying so."""
    people = person_summary(register, min_rate=min_rate)
    orders = sorted(register["order_id"].dropna().astype(int).unique())
    letters = register.pivot_table(index="user_id", columns="order_id", values="status", aggfunc="first",
                                   observed=False, sort=False)
    marked = bool(register["on_roster"].any() and not register["on_roster"].all())  # those not on the roster
    tail = ["   rate   min late"]
    name_width = min(24, max([4, *(len(_label(r)) + 2 for r in people.itertuples())]))
    room = width - name_width - 1 - len(tail[0])
    cell = next((w for w in (3, 2, 1) if len(orders) * w <= room), 1)
    shown = orders[-max(1, room // cell):] if len(orders) * cell > room else orders
    lines = []
    if len(shown) < len(orders):
        lines.append(f"(showing the last {len(shown)} of {len(orders)} instances)")
    first = len(orders) - len(shown) + 1  # columns are numbered 1.. in time order, as instance_summary's "#"
    header = "".join(str(n)[-cell:].rjust(cell) for n in range(first, first + len(shown)))
    lines.append(f"{'name'.ljust(name_width)} {header}{tail[0]}")
    for person in people.itertuples():
        marks = "".join(STATUS_LETTERS.get(str(letters.loc[person.user_id].get(o)), "?").rjust(cell) for o in shown)
        flag = "!" if person.below_threshold else " "
        label = _label(person) + (" *" if marked and not person.on_roster else "")
        label = label if len(label) <= name_width else label[:name_width - 1] + "…"
        lines.append(f"{label.ljust(name_width)} {marks}"
                     f" {person.attendance_rate:6.0%}{flag}{person.total_minutes:5.0f} {int(person.times_late):4d}")
    lines.append(f"P present  L late  p partial  a absent   rate: (P+L)/instances, ! below {min_rate:.0%}"
                 + ("   * not on the roster" if marked else ""))
    return "\n".join(lines)


def _label(person: Any) -> str:
    name = person.name if pd.notna(person.name) else (person.email if pd.notna(person.email) else "?")
    return f"{name} ({person.user_id})" if pd.notna(person.user_id) else str(name)
