"""Analytics: what confkit keeps in Redis, as pandas DataFrames.

Readers take a ConferenceApp and fetch in pipelined batches (ids come from the
per-meeting counters, records by HMGET in chunks), never one round trip per row.
Derived views take frames and are pure functions, so they can be checked on small
hand-made data. Dtypes: ids ``Int64``, times ``datetime64[ns, UTC]``, durations
``timedelta64[ns]``, labels ``category``, text ``string``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .codec import json_rows
from .plain import flatten
from .storage import Storage

if TYPE_CHECKING:
    from .app import ConferenceApp

TS = "datetime64[ns, UTC]"
TD = "timedelta64[ns]"
ID = "Int64"
BATCH = 200  # meetings per pipeline
CHUNK = 5000  # records per HMGET
EVENT_TYPES = ["join", "leave", "timeout"]
END_TYPES = ["leave", "timeout", "present"]
STATUSES = ["scheduled", "running", "ended"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
LATENESS_BUCKETS = ["on time (< 1 min)", "1-5 min late", "5-15 min late", "15+ min late"]
MINUTE = pd.Timedelta(minutes=1)


# -- helpers ----------------------------------------------------------------------
def _ms_to_ts(values: Iterable[int]) -> pd.Series:
    array = np.fromiter(values, dtype="int64")
    return pd.Series(pd.to_datetime(array, unit="ms", utc=True)).astype(TS)


def _categorical(values: Any, categories: Sequence[str], ordered: bool = False) -> pd.Categorical:
    return pd.Categorical(values, categories=list(categories), ordered=ordered)


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _records(app: ConferenceApp, seq_key: Any, hash_keys: Sequence[Any],
             meeting_ids: Sequence[int]) -> Iterable[tuple[int, list[int], list[list[str | None]]]]:
    """For each meeting: its ids 1..counter and the values of those ids in each hash,
    BATCH meetings at a time (two round trips each, see Storage.records)."""
    storage = Storage.of(app)
    for batch in _chunks(list(meeting_ids), BATCH):
        yield from storage.records(seq_key, hash_keys, batch, CHUNK)


# -- generic conversion -------------------------------------------------------------
def to_frame(result: Any) -> pd.DataFrame:
    """Any confkit result (a result dataclass or a list of them) as a DataFrame.

    Nested results are flattened (``meeting.title``); ints become Int64, datetimes
    UTC timestamps, event types a category, tuples (audiences) comma-separated text.
    """
    items = result if isinstance(result, list) else [result]
    rows = [flatten(item) for item in items]
    frame = pd.DataFrame(rows)
    for column in frame.columns:
        sample = next((row[column] for row in rows if row.get(column) is not None), None)
        if isinstance(sample, bool):
            frame[column] = frame[column].astype("boolean")
        elif isinstance(sample, Enum):
            names = [m.name.lower() for m in type(sample)]
            frame[column] = _categorical([type(sample)(v).name.lower() for v in frame[column]], names)
        elif isinstance(sample, int):
            frame[column] = frame[column].astype(ID)
        elif isinstance(sample, datetime):
            frame[column] = pd.to_datetime(frame[column], utc=True).astype(TS)
        elif isinstance(sample, tuple):
            frame[column] = frame[column].map(", ".join).astype("string")
        elif isinstance(sample, str):
            frame[column] = frame[column].astype("string")
    return frame


def add_names(frame: pd.DataFrame, users: pd.DataFrame | None = None,
              meetings: pd.DataFrame | None = None) -> pd.DataFrame:
    """A copy of ``frame`` with the user's ``name`` after ``user_id`` and the
    meeting's ``title`` after ``meeting_id`` (for reading, not for computing)."""
    out = frame.copy()
    for table, key, label in ((meetings, "meeting_id", "title"), (users, "user_id", "name")):
        if table is None or key not in out.columns or label in out.columns:
            continue
        names = out[key].map(table.set_index(key)[label]).astype("string")
        out.insert(out.columns.get_loc(key) + 1, label, names)
    return out


# -- readers: catalog -----------------------------------------------------------------
def users_frame(app: ConferenceApp) -> pd.DataFrame:
    """Every user: user_id, name, age, gender (category), email."""
    users = app.users()
    return pd.DataFrame({
        "user_id": pd.array([u.user_id for u in users], dtype=ID),
        "name": pd.array([u.name for u in users], dtype="string"),
        "age": pd.array([u.age for u in users], dtype=ID),
        "gender": pd.Categorical([u.gender for u in users]),
        "email": pd.array([u.email for u in users], dtype="string"),
    })


def meetings_frame(app: ConferenceApp) -> pd.DataFrame:
    """Every meeting: meeting_id, title, description, is_public, audience_size, audience."""
    meetings = app.meetings()
    return pd.DataFrame({
        "meeting_id": pd.array([m.meeting_id for m in meetings], dtype=ID),
        "title": pd.array([m.title for m in meetings], dtype="string"),
        "description": pd.array([m.description for m in meetings], dtype="string"),
        "is_public": pd.array([m.is_public for m in meetings], dtype="boolean"),
        "audience_size": pd.array([len(m.audience) for m in meetings], dtype=ID),
        "audience": pd.array([", ".join(m.audience) for m in meetings], dtype="string"),
    })


def instances_frame(app: ConferenceApp, now: datetime | None = None) -> pd.DataFrame:
    """Every instance of every meeting, with its status at ``now`` (default: the
    app's now): meeting_id, order_id, from_dt, to_dt, duration, status."""
    rows = Storage.of(app).all_instance_rows()
    frame = pd.DataFrame({
        "meeting_id": pd.array([r[0] for r in rows], dtype=ID),
        "order_id": pd.array([r[1] for r in rows], dtype=ID),
        "from_dt": _ms_to_ts(r[2] for r in rows),
        "to_dt": _ms_to_ts(r[3] for r in rows),
    })
    frame["duration"] = (frame["to_dt"] - frame["from_dt"]).astype(TD)
    status = instance_status(frame, now if now is not None else app.now())
    frame["status"] = status["status"]
    return frame.sort_values(["meeting_id", "order_id"], ignore_index=True)


def instance_status(instances: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """For each instance (meeting_id, order_id, from_dt, to_dt): its ``status`` at
    ``now`` and, once it is no longer running, ``stopped_at``, the time the server
    stamps on timeouts of anyone left inside: its end, when the next instance by
    order_id started, or now, whichever is first. The running instance is the latest
    started one (highest order_id with from_dt <= now) while now < to_dt."""
    now_ts = pd.Timestamp(now).tz_convert("UTC")
    ordered = instances.sort_values(["meeting_id", "order_id"])
    started = ordered["from_dt"] <= now_ts
    latest = ordered["order_id"].where(started).groupby(ordered["meeting_id"]).transform("max")
    running = started & (ordered["order_id"] == latest).fillna(False) & (now_ts < ordered["to_dt"])
    next_from = ordered.groupby("meeting_id")["from_dt"].shift(-1)
    stop = ordered["to_dt"].where(next_from.isna() | (ordered["to_dt"] <= next_from), next_from)
    stop = stop.where(stop <= now_ts, now_ts)
    status = np.where(running, "running", np.where(started, "ended", "scheduled"))
    out = pd.DataFrame({
        "status": _categorical(status, STATUSES),
        "stopped_at": stop.where(started & ~running).astype(TS),
    }, index=ordered.index)
    return out.reindex(instances.index)


# -- readers: activity ----------------------------------------------------------------
def _read(app: ConferenceApp, seq_key: Any, hash_keys: Sequence[Any], meeting_ids: Iterable[int] | None,
          id_column: str) -> tuple[pd.DataFrame, list[dict[str, int]], list[list[str]]]:
    """Records of a per-meeting hash (events or messages) as meeting_id, the record's
    id, order_id, user_id and timestamp; also the parsed records and the values of
    the further ``hash_keys`` for the same ids."""
    mids = list(meeting_ids) if meeting_ids is not None else Storage.of(app).meeting_ids()
    meeting, ident, values = [], [], []
    extras: list[list[str]] = [[] for _ in hash_keys[1:]]
    for mid, ids, (records, *others) in _records(app, seq_key, hash_keys, mids):
        for i, (rid, record) in enumerate(zip(ids, records)):
            if record is not None:
                meeting.append(mid)
                ident.append(rid)
                values.append(record)
                for column, other in zip(extras, others):
                    column.append(other[i] or "")
    rows = json_rows(values)
    frame = pd.DataFrame({
        "meeting_id": pd.array(meeting, dtype=ID),
        id_column: pd.array(ident, dtype=ID),
        "order_id": pd.array([r["order_id"] for r in rows], dtype=ID),
        "user_id": pd.array([r["user_id"] for r in rows], dtype=ID),
        "timestamp": _ms_to_ts(r["timestamp"] for r in rows),
    })
    return frame, rows, extras


def events_frame(app: ConferenceApp, meeting_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Every join, leave and timeout: meeting_id, event_id, order_id, user_id,
    event_type (category join/leave/timeout), timestamp; in (meeting_id, event_id) order."""
    frame, rows, _ = _read(app, app.keys.event_seq, [app.keys.events], meeting_ids, "event_id")
    kinds = pd.Categorical.from_codes([r["event_type"] - 1 for r in rows], categories=EVENT_TYPES)
    frame.insert(4, "event_type", kinds)
    return frame


def messages_frame(app: ConferenceApp, meeting_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Every chat message: meeting_id, message_id, order_id, user_id, timestamp, text;
    in (meeting_id, message_id) order, which is time order within a meeting."""
    keys = app.keys
    frame, _, (texts,) = _read(app, keys.message_seq, [keys.messages, keys.message_texts], meeting_ids,
                               "message_id")
    frame["text"] = pd.array(texts, dtype="string")
    return frame


def participants_frame(app: ConferenceApp, meeting_id: int) -> pd.DataFrame:
    """Who is in the meeting's running instance now (the participants feature):
    meeting_id, user_id, name, joined_at, present_for."""
    now = pd.Timestamp(app.now())
    frame = _frame_of(app.meeting_participants(meeting_id), ["user_id", "name", "joined_at"])
    frame.insert(0, "meeting_id", pd.array([meeting_id] * len(frame), dtype=ID))
    frame["present_for"] = (now - frame["joined_at"]).astype(TD)
    return frame


def join_times_frame(app: ConferenceApp) -> pd.DataFrame:
    """Everyone in a running meeting and when they joined (the join-times feature):
    meeting_id, title, user_id, name, joined_at, present_for."""
    now = pd.Timestamp(app.now())
    frame = _frame_of(app.join_times(), ["meeting_id", "title", "user_id", "name", "joined_at"])
    frame["present_for"] = (now - frame["joined_at"]).astype(TD)
    return frame


def _frame_of(results: list[Any], columns: list[str]) -> pd.DataFrame:
    if results:
        return to_frame(results)
    empty = {c: pd.Series(dtype=TS if c.endswith("_at") else "string" if c in ("name", "title") else ID)
             for c in columns}
    return pd.DataFrame(empty)


def keyspace_summary(app: ConferenceApp) -> pd.DataFrame:
    """What each store holds, by key pattern (ids shown as ``#``): store, pattern,
    type, keys, elements (hash fields, set or sorted-set members, string length).

    Walks the namespace with SCAN, like reset(); meant for looking, not for operations."""
    rows: dict[tuple[str, str, str], list[int]] = {}
    for store, key, kind, size in Storage.of(app).keyspace():
        pattern = re.sub(r"(?<=[:])\d+", "#", key)
        entry = rows.setdefault((store, pattern, kind), [0, 0])
        entry[0] += 1
        entry[1] += size
    frame = pd.DataFrame(
        [(s, p, t, n, e) for (s, p, t), (n, e) in sorted(rows.items())],
        columns=["store", "pattern", "type", "keys", "elements"])
    return frame.astype({"store": "category", "pattern": "string", "type": "category",
                         "keys": ID, "elements": ID})


# -- sessions -------------------------------------------------------------------------
def sessions_frame(events: pd.DataFrame, instances: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """One row per join with the leave or timeout that ended it.

    Columns: meeting_id, order_id, user_id, session_no (1 = first in that instance,
    2+ = a rejoin), join_event_id, joined_at, left_at, end_type (leave / timeout /
    present), duration (to ``now`` while present), lateness (join time minus the
    instance's start). A session left inside an instance that has stopped but has not
    been swept yet ends as the sweep will end it: a timeout at the stop time, or at
    the join if the instance "stopped" before it (a later instance added after the fact).
    """
    now_ts = pd.Timestamp(now).tz_convert("UTC")
    group = ["meeting_id", "order_id", "user_id"]
    ev = events.sort_values([*group, "event_id"], ignore_index=True)
    following = ev.groupby(group, sort=False)[["event_type", "timestamp"]].shift(-1)
    joins = ev["event_type"] == "join"
    status = instance_status(instances, now_ts)
    span = pd.concat([instances[["meeting_id", "order_id", "from_dt"]], status], axis=1)
    s = pd.DataFrame({
        "meeting_id": ev.loc[joins, "meeting_id"],
        "order_id": ev.loc[joins, "order_id"],
        "user_id": ev.loc[joins, "user_id"],
        "join_event_id": ev.loc[joins, "event_id"],
        "joined_at": ev.loc[joins, "timestamp"],
        "next_type": following.loc[joins, "event_type"].astype("object"),
        "next_at": following.loc[joins, "timestamp"],
    }).merge(span, on=["meeting_id", "order_id"], how="left")
    ended = s["next_type"].isin(["leave", "timeout"])
    running = s["status"] == "running"
    # The sweep stamps a timeout at the stop time, but never before the join: an
    # instance added later may have "started" before someone joined this one.
    swept = s["stopped_at"].where(~running)
    left_at = s["next_at"].where(ended, swept.where(swept.isna() | (swept >= s["joined_at"]), s["joined_at"]))
    end_type = np.where(ended, s["next_type"], np.where(running, "present", "timeout"))
    out = pd.DataFrame({
        "meeting_id": s["meeting_id"],
        "order_id": s["order_id"],
        "user_id": s["user_id"],
        "session_no": (s.groupby(group).cumcount() + 1).astype(ID),
        "join_event_id": s["join_event_id"],
        "joined_at": s["joined_at"].astype(TS),
        "left_at": left_at.astype(TS),
        "end_type": _categorical(end_type, END_TYPES),
        "duration": (left_at.fillna(now_ts) - s["joined_at"]).astype(TD),
        "lateness": (s["joined_at"] - s["from_dt"]).astype(TD),
    })
    return out.sort_values(["meeting_id", "join_event_id"], ignore_index=True)


def _session_ends(sessions: pd.DataFrame) -> pd.Series:
    return sessions["joined_at"] + sessions["duration"]


def _started(instances: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """Started instances with ``until``: when they stopped, or now while running."""
    now_ts = pd.Timestamp(now).tz_convert("UTC")
    status = instance_status(instances, now_ts)
    out = instances.copy()
    out["until"] = status["stopped_at"].where(status["status"] != "running", now_ts)
    return out[status["status"] != "scheduled"].sort_values(["meeting_id", "order_id"], ignore_index=True)


# -- derived views: attendance and presence -------------------------------------------
def _ms(series: pd.Series) -> np.ndarray:
    return (series.astype(TS).astype("int64") // 1_000_000).to_numpy()


def _presence(sessions: pd.DataFrame, spans: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How many are present in each instance over time, for all instances at once.

    Returns the instance (row of ``spans``), time (ms) and number present after every
    instant at which someone joined or left, sorted by instance and time. A session
    is [joined_at, joined_at + duration); at one instant, leaves count before joins."""
    key = ["meeting_id", "order_id"]
    code = pd.MultiIndex.from_frame(spans[key].astype("int64")).get_indexer(
        pd.MultiIndex.from_frame(sessions[key].astype("int64")))
    keep = code >= 0
    starts = _ms(sessions.loc[keep, "joined_at"])
    stops = _ms(_session_ends(sessions).loc[keep])
    which = np.concatenate([code[keep], code[keep]]).astype("int64")
    times = np.concatenate([starts, stops])
    deltas = np.concatenate([np.ones(len(starts), "int64"), -np.ones(len(stops), "int64")])
    order = np.lexsort((deltas, times, which))
    which, times = which[order], times[order]
    level = np.cumsum(deltas[order])  # every instance adds up to 0, so this restarts at 0 in each
    last = np.ones(len(times), dtype=bool)  # the state once everything at that instant happened
    last[:-1] = (which[1:] != which[:-1]) | (times[1:] != times[:-1])
    return which[last], times[last], level[last]


def attendance(sessions: pd.DataFrame, instances: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """Per started instance: unique_users, sessions, rejoins (sessions beyond each
    user's first), timeouts, peak_concurrency (most present at one instant), and the
    mean and median minutes each attending user spent in it (all sessions summed)."""
    spans = _started(instances, now)
    key = ["meeting_id", "order_id"]
    per_user = sessions.groupby([*key, "user_id"])["duration"].sum() / MINUTE
    by_instance = sessions.groupby(key)
    stats = pd.DataFrame({
        "unique_users": by_instance["user_id"].nunique(),
        "sessions": by_instance.size(),
        "timeouts": (sessions["end_type"] == "timeout").groupby([sessions[k] for k in key]).sum(),
        "mean_minutes": per_user.groupby(level=key).mean(),
        "median_minutes": per_user.groupby(level=key).median(),
    })
    which, _, level = _presence(sessions, spans)
    peak = np.zeros(len(spans), dtype="int64")
    np.maximum.at(peak, which, level)
    out = spans[[*key, "from_dt", "until"]].merge(stats.reset_index(), on=key, how="left")
    out["peak_concurrency"] = peak
    for column in ("unique_users", "sessions", "timeouts", "peak_concurrency"):
        out[column] = out[column].fillna(0).astype(ID)
    out["rejoins"] = out["sessions"] - out["unique_users"]
    return out[[*key, "from_dt", "until", "unique_users", "sessions", "rejoins", "timeouts",
                "peak_concurrency", "mean_minutes", "median_minutes"]]


def concurrency(sessions: pd.DataFrame, instances: pd.DataFrame, now: datetime,
                freq: str = "1min") -> pd.DataFrame:
    """Participants present over time: per started instance and per ``freq`` bin from
    its start (floored) until it stopped (or now), the most present at any instant in
    the bin. Columns: meeting_id, order_id, minute (bin start), minute_of_session, present."""
    step = int(pd.Timedelta(freq) / pd.Timedelta(milliseconds=1))
    spans = _started(instances, now)
    first = _ms(spans["from_dt"]) // step * step
    bins = np.maximum(1, -(-(_ms(spans["until"]) - first) // step))
    offset = np.concatenate([[0], np.cumsum(bins)[:-1]]).astype("int64")
    owner = np.repeat(np.arange(len(spans)), bins)
    minute_of_session = np.arange(int(bins.sum())) - np.repeat(offset, bins)
    edges = np.repeat(first, bins) + step * minute_of_session
    which, times, level = _presence(sessions, spans)
    # Present at each bin's start: the last state of that instance at or before it.
    origin = int(min(times.min(initial=edges.min(initial=0)), edges.min(initial=0)))
    span = int(max(times.max(initial=0), edges.max(initial=0)) - origin + 1)
    state_keys, edge_keys = which * span + (times - origin), owner * span + (edges - origin)
    before = np.searchsorted(state_keys, edge_keys, side="right") - 1
    same = (before >= 0) & (which[np.maximum(before, 0)] == owner)
    present = np.where(same, level[np.maximum(before, 0)], 0)
    # ...or more, at any instant inside the bin.
    inside = (times - first[which]) // step
    fits = (inside >= 0) & (inside < bins[which])
    np.maximum.at(present, offset[which[fits]] + inside[fits], level[fits])
    return pd.DataFrame({
        "meeting_id": pd.array(spans["meeting_id"].to_numpy()[owner], dtype=ID),
        "order_id": pd.array(spans["order_id"].to_numpy()[owner], dtype=ID),
        "minute": _ms_to_ts(edges),
        "minute_of_session": pd.array(minute_of_session, dtype=ID),
        "present": pd.array(present, dtype=ID),
    })


def session_summary(sessions: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per value of ``by`` (e.g. a meeting kind): sessions, rejoins (sessions beyond a
    user's first in an instance), timeouts, still_present, median_minutes (session
    length) and timeout_share (timeouts / sessions)."""
    grouped = sessions.groupby(by, observed=True)
    out = pd.DataFrame({
        "sessions": grouped.size(),
        "rejoins": (sessions["session_no"] > 1).groupby(sessions[by], observed=True).sum(),
        "timeouts": (sessions["end_type"] == "timeout").groupby(sessions[by], observed=True).sum(),
        "still_present": (sessions["end_type"] == "present").groupby(sessions[by], observed=True).sum(),
        "median_minutes": grouped["duration"].median() / MINUTE,
    })
    out = out.astype({"sessions": "int64", "rejoins": "int64", "timeouts": "int64", "still_present": "int64"})
    out["timeout_share"] = out["timeouts"] / out["sessions"]
    return out


def attendance_by_meeting(att: pd.DataFrame) -> pd.DataFrame:
    """Per meeting, over its instances that had anyone in them (``attendance``):
    instances, mean_attendees, mean_peak, mean_rejoins and median_minutes (the median
    of the instances' median minutes per attendee). Index: meeting_id."""
    held = att[att["sessions"] > 0]
    return held.groupby("meeting_id").agg(
        instances=("order_id", "size"),
        mean_attendees=("unique_users", lambda s: float(s.astype("float64").mean())),
        mean_peak=("peak_concurrency", lambda s: float(s.astype("float64").mean())),
        mean_rejoins=("rejoins", lambda s: float(s.astype("float64").mean())),
        median_minutes=("median_minutes", "median"))


def lateness(sessions: pd.DataFrame) -> pd.DataFrame:
    """Each user's first join of each instance and how late it was: meeting_id,
    order_id, user_id, joined_at, lateness_min (float minutes), bucket (ordered category)."""
    first = sessions[sessions["session_no"] == 1]
    minutes = first["lateness"] / MINUTE
    bucket = pd.cut(minutes, [-np.inf, 1, 5, 15, np.inf], right=False, labels=LATENESS_BUCKETS)
    return pd.DataFrame({
        "meeting_id": first["meeting_id"], "order_id": first["order_id"], "user_id": first["user_id"],
        "joined_at": first["joined_at"], "lateness_min": minutes.astype("float64"), "bucket": bucket,
    }).reset_index(drop=True)


# -- derived views: messages ----------------------------------------------------------
def message_counts(messages: pd.DataFrame, *, by: str | None = None,
                   freq: str = "1min") -> pd.Series | pd.DataFrame:
    """Messages per ``freq`` bin, zero-filled from the first to the last bin: a Series,
    or with ``by`` (e.g. "meeting_id") a DataFrame with one column per value."""
    stamps = messages["timestamp"].dt.floor(freq)
    if len(stamps) == 0:
        empty = pd.DatetimeIndex([], tz="UTC", name="period").astype(TS)
        return pd.Series([], index=empty, dtype="int64", name="messages") if by is None else pd.DataFrame(index=empty)
    full = pd.date_range(stamps.min(), stamps.max(), freq=freq, name="period").astype(TS)
    if by is None:
        return stamps.value_counts().reindex(full, fill_value=0).rename("messages").astype("int64")
    table = pd.crosstab(stamps.rename("period"), messages[by])
    return table.reindex(full, fill_value=0).astype("int64")


def messages_by_session_minute(messages: pd.DataFrame, instances: pd.DataFrame, now: datetime,
                               *, by: str = "meeting_id") -> pd.DataFrame:
    """How the chat rate varies over a session: for each minute since an instance
    started, the mean messages per minute over the started instances that lasted that
    long, grouped by a column of ``instances`` (``by``). Index: minute_of_session."""
    spans = _started(instances, now)
    lengths = np.ceil((spans["until"] - spans["from_dt"]) / MINUTE).astype("int64").clip(lower=1)
    grid = pd.DataFrame({
        "meeting_id": np.repeat(spans["meeting_id"].to_numpy(), lengths),
        "order_id": np.repeat(spans["order_id"].to_numpy(), lengths),
        by: np.repeat(spans[by].to_numpy(), lengths),
        "minute_of_session": np.concatenate([np.arange(n) for n in lengths]) if len(lengths) else [],
    })
    placed = messages.merge(spans[["meeting_id", "order_id", "from_dt"]], on=["meeting_id", "order_id"])
    placed["minute_of_session"] = ((placed["timestamp"] - placed["from_dt"]) // MINUTE).astype("int64")
    counts = placed.groupby(["meeting_id", "order_id", "minute_of_session"]).size().rename("messages")
    grid = grid.astype({"meeting_id": ID, "order_id": ID, "minute_of_session": "int64"})
    grid = grid.merge(counts.reset_index().astype({"meeting_id": ID, "order_id": ID}),
                      on=["meeting_id", "order_id", "minute_of_session"], how="left")
    grid["messages"] = grid["messages"].fillna(0).astype("float64")
    table = grid.groupby(["minute_of_session", by])["messages"].mean().unstack(by)
    table.columns.name = by
    return table


def messages_by_meeting(messages: pd.DataFrame) -> pd.DataFrame:
    """Per meeting with messages: messages, posters (distinct users), instances (with
    a message) and per_instance (messages / instances), busiest first. Index: meeting_id."""
    grouped = messages.groupby("meeting_id")
    out = pd.DataFrame({"messages": grouped.size(), "posters": grouped["user_id"].nunique(),
                        "instances": grouped["order_id"].nunique()})
    out["per_instance"] = out["messages"] / out["instances"]
    return out.sort_values(["messages"], ascending=False, kind="stable")


def top_posters(messages: pd.DataFrame, users: pd.DataFrame | None = None, n: int = 10) -> pd.DataFrame:
    """The ``n`` users who posted most: user_id (name), messages, meetings (distinct),
    share (of all messages); ties broken by user_id."""
    grouped = messages.groupby("user_id")
    out = pd.DataFrame({"messages": grouped.size(), "meetings": grouped["meeting_id"].nunique()})
    out["share"] = out["messages"] / max(len(messages), 1)
    out = out.reset_index().sort_values(["messages", "user_id"], ascending=[False, True]).head(n)
    out = out.astype({"user_id": ID, "messages": ID, "meetings": ID}).reset_index(drop=True)
    return add_names(out, users=users) if users is not None else out


def messages_per_participant_minute(messages: pd.DataFrame, sessions: pd.DataFrame,
                                    by: str | Sequence[str] = "user_id") -> pd.DataFrame:
    """Who talks while present: per ``by`` group, messages, minutes_present (all
    sessions, to now for those still inside) and messages_per_minute. Participants who
    never posted count with 0; sorted by messages_per_minute, highest first."""
    keys = [by] if isinstance(by, str) else list(by)
    minutes = (sessions.groupby(keys)["duration"].sum() / MINUTE).rename("minutes_present")
    counts = messages.groupby(keys).size().rename("messages")
    out = pd.concat([counts, minutes], axis=1).fillna({"messages": 0, "minutes_present": 0.0})
    out["messages"] = out["messages"].astype(ID)
    out["messages_per_minute"] = (out["messages"].astype("float64") / out["minutes_present"]).where(
        out["minutes_present"] > 0)
    out = out.reset_index().sort_values(["messages_per_minute", *keys], ascending=[False] + [True] * len(keys),
                                        na_position="last")
    return out.astype({k: ID for k in keys}).reset_index(drop=True)


def activity_heatmap(timestamps: pd.Series) -> pd.DataFrame:
    """Counts by weekday (rows, Monday first) and hour of day (columns 0-23), in UTC."""
    stamps = pd.Series(timestamps).dt.tz_convert("UTC")
    days = pd.Categorical(stamps.dt.day_name(), categories=WEEKDAYS, ordered=True)
    table = pd.crosstab(days, stamps.dt.hour.to_numpy(), dropna=False)
    table = table.reindex(index=pd.CategoricalIndex(WEEKDAYS, categories=WEEKDAYS, ordered=True),
                          columns=range(24), fill_value=0)
    table.index.name, table.columns.name = "weekday", "hour"
    return table.astype("int64")


def time_to_first_message(sessions: pd.DataFrame, messages: pd.DataFrame) -> pd.DataFrame:
    """Per user and instance attended: first_join, first_message (NaT if none),
    delay (timedelta), delay_min (float minutes) and posted (bool)."""
    key = ["meeting_id", "order_id", "user_id"]
    joins = sessions.groupby(key)["joined_at"].min().rename("first_join")
    first = messages.groupby(key)["timestamp"].min().rename("first_message")
    out = pd.concat([joins, first], axis=1, join="outer").reset_index()
    out = out[out["first_join"].notna()]
    out["delay"] = (out["first_message"] - out["first_join"]).astype(TD)
    out["delay_min"] = (out["delay"] / MINUTE).astype("float64")
    out["posted"] = out["first_message"].notna()
    out = out.astype({k: ID for k in key}).astype({"first_join": TS, "first_message": TS})
    return out.sort_values(key, ignore_index=True)


# -- everything at once ---------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Dataset:
    """The frames most analyses start from, read at one moment ``now``; ``kinds``
    maps meeting ids to a kind of meeting (e.g. ``synth.generate``'s), where known."""

    now: pd.Timestamp
    users: pd.DataFrame
    meetings: pd.DataFrame
    instances: pd.DataFrame
    events: pd.DataFrame
    messages: pd.DataFrame
    sessions: pd.DataFrame
    kinds: Mapping[int, str] = dataclasses.field(default_factory=dict)

    def with_meetings(self, frame: pd.DataFrame, *, index: bool = False) -> pd.DataFrame:
        """A copy of ``frame`` with the meeting's ``title`` and ``kind`` (a category;
        "other" where unknown) after its ``meeting_id`` column (or, with ``index=True``,
        its meeting_id index, which becomes a column)."""
        out = frame.reset_index() if index else frame
        out = add_names(out, meetings=self.meetings)
        names = sorted(set(self.kinds.values())) + ["other"]
        kind = out["meeting_id"].astype("int64").map(self.kinds).fillna("other")
        at = out.columns.get_loc("title") + 1 if "title" in out.columns else len(out.columns)
        out.insert(at, "kind", _categorical(kind, names))
        return out


def load(app: ConferenceApp, kinds: Mapping[int, str] | None = None) -> Dataset:
    """Read users, meetings, instances, events and messages, and derive sessions;
    ``kinds``: meeting id to kind of meeting, for ``Dataset.with_meetings``."""
    now = pd.Timestamp(app.now()).tz_convert("UTC")
    instances = instances_frame(app, now)
    events = events_frame(app)
    return Dataset(now, users_frame(app), meetings_frame(app), instances, events, messages_frame(app),
                   sessions_frame(events, instances, now), dict(kinds or {}))


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` for reading: durations as text like ``6 min 54 s`` or
    ``2 h 05 min`` instead of ``0 days 00:06:54`` (not for computing)."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_timedelta64_dtype(out[column]):
            out[column] = out[column].map(_duration_text).astype("string")
    return out


def _duration_text(value: pd.Timedelta) -> str:
    if pd.isna(value):
        return ""
    sign, seconds = ("-" if value < pd.Timedelta(0) else ""), int(abs(value).total_seconds())
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days} d {hours} h"
    if hours:
        return f"{sign}{hours} h {minutes:02d} min"
    if minutes:
        return f"{sign}{minutes} min {secs:02d} s"
    return f"{sign}{secs} s"



# -- the attendance register (confkit.register), here for one place to look ----------
REGISTER_NAMES = ("attendance_register", "register_from_frames", "roster_frame", "person_summary",
                  "instance_summary", "identities_frame", "write_csv", "write_excel", "grid_text")


def __getattr__(name: str) -> Any:
    # Imported on first use: confkit.register itself builds on this module.
    if name in REGISTER_NAMES:
        from . import register

        return getattr(register, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *REGISTER_NAMES])
