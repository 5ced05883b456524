"""Importing a meeting export: one attendance report (and its chat) becomes one
instance of a meeting, written exactly as the operations would have written it.

How it stays all or nothing (docs/schema.md, "Imports"): everything the instance adds
to its meeting's keys is first written under staging keys of the same hash slot
(chunked pipelines, each staging key expiring after a day), copying any live key it
extends; then one small script checks that the meeting did not change meanwhile and
RENAMEs the staged keys into place. Until that script runs, no reader sees anything
of the import; the catalog's global indexes (users, meetings, instances by end) and
the learned identities are written after it and repeated by any re-import.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import redis

from . import scripts, validate
from .bulk import _flat, _progress, _Writer, message_commands
from .codec import event_record, from_ms, message_record, to_ms, user_fields
from .errors import (
    AlreadyExistsError,
    ConfkitError,
    ImportConflictError,
    ImportFormatError,
    InvalidInputError,
    MeetingNotFoundError,
)
from .formats.model import AttendanceReport, ChatLog
from .identity import (
    IdentityConflict,
    Person,
    RosterEntry,
    clean_name,
    decode_ids,
    email_key,
    encode_ids,
    group_people,
    name_key,
    read_roster,
    resolve,
)
from .models import EventType, User
from .retry import idempotent, reachable
from .runner import refusal_code
from .storage import Storage

if TYPE_CHECKING:
    from .app import ConferenceApp

STAGING_TTL_S = 24 * 3600       # a killed import's staging keys vanish after this
NEW_USER_TTL_S = 7 * 24 * 3600  # users reserved by an import that never committed
RECONNECT_OVERLAP_MS = 60_000   # overlapping rows shorter than this are a reconnect
CHUNK = 500                     # fields per staging command (each well under 1 ms)
COMMIT_KEYS = 50                # keys per commit script or transaction: each holds the server < 1 ms
TRANSACTIONS_PER_PIPELINE = 20
COPY_COUNT = 1000               # fields per HSCAN / ZSCAN when copying a live key

J, L, T = int(EventType.JOIN), int(EventType.LEAVE), int(EventType.TIMEOUT)


@dataclass(frozen=True)
class ImportResult:
    """What ``import_meeting`` did (or, with ``dry_run``, would do).

    ``created`` is False when the same content had been imported before (nothing was
    written) and for a dry run. ``skipped`` counts rows left out, by reason:
    waiting_room, unreadable, reactions, direct_messages, outside_instance.
    ``warnings`` name the line of the file they are about."""

    meeting_id: int | None
    order_id: int | None
    created: bool
    meeting_created: bool
    platform: str
    title: str
    source: str | None
    from_dt: datetime
    to_dt: datetime
    rows_read: int
    people: int
    users_matched: int
    users_created: int
    sessions: int
    segments_merged: int
    messages: int
    skipped: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    conflicts: tuple[IdentityConflict, ...] = ()
    dry_run: bool = False

    def to_json(self) -> str:
        data = dataclasses.asdict(self)
        data["from_dt"], data["to_dt"] = self.from_dt.isoformat(), self.to_dt.isoformat()
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, **changes: Any) -> ImportResult:
        data = json.loads(text)
        data["from_dt"] = datetime.fromisoformat(data["from_dt"])
        data["to_dt"] = datetime.fromisoformat(data["to_dt"])
        data["warnings"] = tuple(data["warnings"])
        data["conflicts"] = tuple(IdentityConflict(c["name"], tuple(c["lines"]), tuple(c["candidates"]),
                                                   c["user_id"]) for c in data["conflicts"])
        data.update(changes)
        return cls(**data)


@dataclass
class _Session:
    user: int          # index into the plan's users
    joined: int        # ms
    left: int          # ms; == the instance's to_ms means it ended with the instance
    segments: int
    devices: int
    line: int


@dataclass
class _Plan:
    """Everything an import will write, worked out before Redis is written to."""

    from_ms: int
    to_ms: int
    people: list[Person]
    user_ids: list[int | None]           # per person: existing user, or None (new)
    learn: list[bool]
    conflicts: list[tuple[int, tuple[str, ...]]]  # (person index, candidates)
    sessions: list[_Session]
    messages: list[tuple[int, int, str, int]]  # (ms, person index, text, line)
    skipped: dict[str, int]
    warnings: list[str]
    rows_read: int
    segments_used: int


# -- entry point ------------------------------------------------------------------------
@idempotent  # the connection guard of the operations (once, also when called by the app)
def import_meeting(app: ConferenceApp, report: AttendanceReport, chat: ChatLog | None = None, *,
                   meeting_id: Any = None, roster: Any = None, include_direct: bool = False,
                   dry_run: bool = False, progress: bool | None = None) -> ImportResult:
    """Write ``report`` (and ``chat``) as one instance of a meeting; see the module doc.

    ``meeting_id``: the meeting to add the instance to (created if missing); None finds
    the meeting this platform meeting was imported into before (by platform and
    meeting_ref, else by title) or creates one. ``roster``: DataFrame or CSV path
    (user_id, name, email, aliases) mapping people onto users. ``include_direct``:
    also store direct chat messages. ``dry_run``: read and plan, write nothing."""
    if not isinstance(report, AttendanceReport):
        raise InvalidInputError(f"report must be an AttendanceReport, got {type(report).__name__}")
    if chat is not None and not isinstance(chat, ChatLog):
        raise InvalidInputError(f"chat must be a ChatLog or None, got {type(chat).__name__}")
    validate.flag(include_direct, "include_direct")
    validate.flag(dry_run, "dry_run")
    wanted = None if meeting_id is None else validate.ident(meeting_id, "meeting_id")
    entries = read_roster(roster)
    if report.kind != "segments":
        raise ImportFormatError("this report holds per-person totals without join and leave times;"
                                " export it with one row per join segment", file=report.source)
    fingerprint = _fingerprint(report, chat, include_direct)
    keys, storage = app.keys, Storage.of(app)

    mid, meeting_exists = _find_meeting(app, report, wanted, fingerprint)
    if mid is not None and meeting_exists:
        order = storage.import_order(mid, fingerprint)
        if order is not None:
            return _repeat(app, mid, order, dry_run)

    plan = _plan(app, report, chat, entries, include_direct)
    now_ms = to_ms(app.now())
    if plan.to_ms > now_ms:
        raise InvalidInputError(f"{_where(report)}: the meeting ends at {from_ms(plan.to_ms).isoformat()},"
                                f" after now ({from_ms(now_ms).isoformat()}); import it once it has ended")
    spans = storage.instance_spans([mid])[mid] if mid is not None and meeting_exists else {}
    order = _order_id(spans, plan.from_ms, plan.to_ms, mid, report)
    title = _title(report)
    new_people = [i for i, uid in enumerate(plan.user_ids) if uid is None]
    if dry_run:
        return _result(plan, report, mid if meeting_exists else None, order, title, created=False,
                       meeting_created=not meeting_exists, user_ids=None, dry_run=True)

    _finish_pending(app)
    if meeting_exists:
        _settle(app, mid)  # type: ignore[arg-type]
    else:
        mid = _reserve_meeting(app, report, mid, fingerprint)
    first_user = _reserve(app, keys.users, keys.import_user_seq, len(new_people)) if new_people else 0
    user_ids = list(plan.user_ids)
    for offset, person in enumerate(new_people):
        user_ids[person] = first_user + offset
    new_users = [_new_user(plan.people[p], user_ids[p]) for p in new_people]  # type: ignore[arg-type]
    _create_users(app, new_users)

    result = _result(plan, report, mid, order, title, created=True, meeting_created=not meeting_exists,
                     user_ids=user_ids, dry_run=False)
    follow_up = _follow_up(plan, user_ids, [u.user_id for u in new_users], _ref_fields(report, fingerprint))
    committed, stored_order, pending = _stage_and_commit(
        app, mid, order, plan, user_ids, fingerprint, result, follow_up,  # type: ignore[arg-type]
        create=(not meeting_exists, title, _description(report)), progress=progress)
    if not committed:  # the same content was committed meanwhile
        return _repeat(app, mid, stored_order, False)  # type: ignore[arg-type]
    _finish(app, mid, order)  # type: ignore[arg-type]
    storage.set_import_pending(pending, False)
    return result


def _where(report: AttendanceReport) -> str:
    return report.source or f"the {report.platform} report"


def _title(report: AttendanceReport) -> str:
    """The report's title; else its file name without the extension."""
    title = (report.title or "").strip() or (Path(report.source).stem if report.source else "") \
        or "Imported meeting"
    return title[:validate.MAX_NAME_CHARS]


def _description(report: AttendanceReport) -> str:
    ref = f" {report.meeting_ref}" if report.meeting_ref else ""
    return f"imported from {report.platform}{ref}"


# -- reading the report into a plan -----------------------------------------------------
def _plan(app: ConferenceApp, report: AttendanceReport, chat: ChatLog | None,
          roster: Sequence[RosterEntry], include_direct: bool) -> _Plan:
    segs = report.segments
    skipped: dict[str, int] = defaultdict(int)
    warnings = list(report.warnings)
    rows_read = len(segs)
    lines = segs["line"] if "line" in segs.columns else pd.Series(np.arange(len(segs)) + 1)
    keep = np.ones(len(segs), dtype=bool)
    if "in_waiting_room" in segs.columns:
        waiting = segs["in_waiting_room"].fillna(False).astype(bool).to_numpy()
        skipped["waiting_room"] += int(waiting.sum())
        keep &= ~waiting
    joined, left = segs["joined_at"], segs["left_at"]
    unreadable = keep & (joined.isna() | (left.notna() & (left < joined))).to_numpy()
    for line in lines[unreadable]:
        warnings.append(f"line {line}: no join time, or a leave before the join; row left out")
    keep &= ~unreadable
    names_missing = keep & segs["name"].map(lambda n: not clean_name(n)).to_numpy()
    if "email" in segs.columns:
        names_missing &= segs["email"].map(lambda e: email_key(e) is None).to_numpy()
    for line in lines[names_missing]:
        warnings.append(f"line {line}: no name and no e-mail; row left out")
    keep &= ~names_missing
    skipped["unreadable"] += int(unreadable.sum() + names_missing.sum())
    used = segs[keep].reset_index(drop=True)
    if used.empty:
        raise ImportFormatError("no attendance rows to import", file=report.source)

    join_ms = _ms(used["joined_at"])
    leave_ms = _ms(used["left_at"], missing=-1)
    start = to_ms(report.started_at) if report.started_at is not None else int(join_ms.min())
    end = to_ms(report.ended_at) if report.ended_at is not None else int(max(leave_ms.max(), join_ms.max()))
    from_ms_ = min(start, int(join_ms.min()))
    to_ms_ = max(end, int(leave_ms.max()), int(join_ms.max()) + 1)
    if from_ms_ < start or to_ms_ > end:
        warnings.append("the instance was widened to hold every row: "
                        f"{from_ms(from_ms_).isoformat()} to {from_ms(to_ms_).isoformat()}")
    leave_ms = np.where(leave_ms < 0, to_ms_, leave_ms)

    people = group_people(used)
    messages, senders = _chat_plan(chat, people, from_ms_, to_ms_, include_direct, skipped, warnings)
    people.extend(senders)
    known_emails, known_names = _known(app, people)
    resolution = resolve(people, known_emails, known_names, roster)
    user_ids = list(resolution.user_ids)
    existing = Storage.of(app).existing_users({u for u in user_ids if u is not None})
    for i, uid in enumerate(user_ids):
        if uid is not None and uid not in existing:
            user_ids[i] = None  # a learned identity whose user is gone: a new user
    conflicts = [(i, c) for i, c in enumerate(resolution.ambiguous) if c]

    sessions = _sessions(people, user_ids, used, join_ms, leave_ms, to_ms_)
    return _Plan(from_ms_, to_ms_, people, user_ids, list(resolution.learn), conflicts, sessions, messages,
                 dict(skipped), warnings, rows_read, len(used))


def _ms(series: pd.Series, missing: int | None = None) -> np.ndarray:
    """Epoch milliseconds of a datetime64[ns, UTC] column (NaT -> ``missing``)."""
    naive = series.astype("datetime64[ns, UTC]").dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    values = naive.view(np.int64) // 1_000_000
    if missing is not None:
        values = np.where(np.isnat(naive), missing, values)
    return values.astype(np.int64)


def _chat_plan(chat: ChatLog | None, people: list[Person], start: int, end: int, include_direct: bool,
               skipped: dict[str, int], warnings: list[str]) -> tuple[list[tuple[int, int, str, int]], list[Person]]:
    """The chat messages to store as (ms, person index, text, line), and people who
    only appear in the chat. Reactions and removals are counted, never stored; direct
    messages are left out unless ``include_direct``."""
    if chat is None or chat.messages.empty:
        return [], []
    frame = chat.messages
    owners: dict[str, set[int]] = defaultdict(set)
    for index, person in enumerate(people):
        for key in person.names:
            owners[key].add(index)
    senders: list[Person] = []
    by_sender: dict[str, int] = {}
    out = []
    sent = _ms(frame["sent_at"], missing=-1)
    kinds = frame["kind"].astype(str).to_numpy()
    recipients = frame["recipient"] if "recipient" in frame.columns else pd.Series([pd.NA] * len(frame))
    if "direct" in frame.columns:  # the reader's own verdict, where it gives one
        direct = frame["direct"].fillna(False).astype(bool).to_numpy()
    else:
        direct = ~recipients.map(_to_everyone).astype(bool).to_numpy()
    lines = frame["line"].to_numpy() if "line" in frame.columns else np.arange(len(frame)) + 1
    for ms, kind, sender, is_direct, text, line in zip(sent, kinds, frame["sender"], direct, frame["text"], lines):
        line = int(line)
        if kind in ("reaction", "reaction_removed"):
            skipped["reactions"] += 1
            continue
        if is_direct and not include_direct:
            skipped["direct_messages"] += 1
            continue
        if ms < 0 or not isinstance(text, str) or not text.strip() or not clean_name(sender):
            skipped["unreadable"] += 1
            warnings.append(f"chat line {line}: no time, sender or text; message left out")
            continue
        if not start <= ms < end:
            skipped["outside_instance"] += 1
            warnings.append(f"chat line {line}: sent at {from_ms(int(ms)).isoformat()}, outside the meeting;"
                            " message left out")
            continue
        if len(text) > validate.MAX_MESSAGE_CHARS:
            warnings.append(f"chat line {line}: message cut to {validate.MAX_MESSAGE_CHARS} characters")
            text = text[:validate.MAX_MESSAGE_CHARS]
        key = name_key(sender)
        matches = owners.get(key, set())
        if len(matches) > 1:  # two people of that name in the report: the first one, said
            who = min(matches)
            warnings.append(f"chat line {line}: {clean_name(sender)!r} could be any of {len(matches)} people"
                            f" of that name; counted as the first in the report")
        elif len(matches) == 1:
            who = next(iter(matches))
        elif key in by_sender:
            who = by_sender[key]
        else:
            who = len(people) + len(senders)
            person = Person(clean_name(sender), None, [key], lines=[line])
            warnings.append(f"chat line {line}: {clean_name(sender)!r} is not in the attendance report")
            senders.append(person)
            by_sender[key] = who
        out.append((int(ms), who, text, line))
    return out, senders


def _to_everyone(recipient: Any) -> bool:
    if recipient is None or (not isinstance(recipient, str) and pd.isna(recipient)):
        return True
    return recipient.strip().casefold() in ("", "everyone", "all")


def _known(app: ConferenceApp, people: Sequence[Person]) -> tuple[dict[str, int], dict[str, list[int]]]:
    """The stored identities of these people's e-mails and names."""
    emails = sorted({p.email_key for p in people if p.email_key})
    names = sorted({k for p in people for k in p.names})
    by_email, by_name = Storage.of(app).identities(emails, names, CHUNK)
    known_emails = {e: int(v) for e, v in zip(emails, by_email) if v}
    known_names = {n: decode_ids(v) for n, v in zip(names, by_name) if v}
    return known_emails, known_names


def _sessions(people: Sequence[Person], user_ids: Sequence[int | None], used: pd.DataFrame,
              join_ms: np.ndarray, leave_ms: np.ndarray, to_ms_: int) -> list[_Session]:
    """Each user's segments merged where they overlap or touch, in join order."""
    owner: dict[int, int] = {}  # user id (or -1 - person for a new user) -> first person index
    rows_of: dict[int, list[int]] = defaultdict(list)
    for index, person in enumerate(people):
        uid = user_ids[index]
        who = owner.setdefault(uid if uid is not None else -1 - index, index)
        rows_of[who].extend(person.rows)
    lines = used["line"].to_numpy() if "line" in used.columns else np.arange(len(used)) + 1
    sessions: list[_Session] = []
    for who, rows in rows_of.items():
        spans = sorted((int(join_ms[r]), int(leave_ms[r]), int(lines[r])) for r in rows)
        group: list[tuple[int, int, int]] = []
        for span in spans:
            if group and span[0] > max(s[1] for s in group):
                sessions.append(_merge(who, group))
                group = []
            group.append(span)
        if group:
            sessions.append(_merge(who, group))
    sessions.sort(key=lambda s: (s.joined, s.line))
    return sessions


def _merge(who: int, group: list[tuple[int, int, int]]) -> _Session:
    """One session from segments that overlap or touch; ``devices`` is the most
    segments open at once. Segments that touch, or overlap by less than
    RECONNECT_OVERLAP_MS (the platform logged the old connection's end late), are a
    reconnect, not a second device."""
    ends = [max(j, lv - RECONNECT_OVERLAP_MS) for j, lv, _ in group]
    points = sorted([(j, 1) for j, _, _ in group] + [(end, -1) for end in ends], key=lambda p: (p[0], p[1]))
    open_now = most = 0
    for _, step in points:
        open_now += step
        most = max(most, open_now)
    return _Session(who, group[0][0], max(s[1] for s in group), len(group), max(most, 1), min(s[2] for s in group))


def _fingerprint(report: AttendanceReport, chat: ChatLog | None, include_direct: bool) -> str:
    """A digest of the content imported (not of the file's bytes or of its name)."""
    digest = hashlib.sha256()
    head = [report.platform, report.meeting_ref, report.title,
            report.started_at.isoformat() if report.started_at else None,
            report.ended_at.isoformat() if report.ended_at else None, include_direct]
    digest.update(json.dumps(head).encode())
    for frame in (report.segments, chat.messages if chat is not None else None):
        if frame is None:
            digest.update(b"-")
            continue
        columns = sorted(c for c in frame.columns if c != "line")
        digest.update(json.dumps(columns).encode())
        hashed = pd.util.hash_pandas_object(frame[columns], index=False)
        digest.update(hashed.to_numpy().tobytes())
    return digest.hexdigest()


# -- the meeting and the instance ---------------------------------------------------------
def _ref_fields(report: AttendanceReport, fingerprint: str) -> list[str]:
    """The ``import_meetings`` fields naming the meeting of this import, most specific
    first: its content, its platform reference, its title."""
    fields = [f"content\t{fingerprint}"]
    if report.meeting_ref:
        fields.append(f"ref\t{report.platform}\t{report.meeting_ref.strip()}")
    if (report.title or "").strip():
        fields.append(f"title\t{report.title.strip().casefold()}")
    return fields


def _find_meeting(app: ConferenceApp, report: AttendanceReport, wanted: int | None,
                  fingerprint: str) -> tuple[int | None, bool]:
    """(meeting id or None, whether it exists): the one asked for, else the one this
    content or platform meeting was imported into (by reference, else by title)."""
    storage = Storage.of(app)
    mid = wanted if wanted is not None else storage.imported_meeting(_ref_fields(report, fingerprint))
    if mid is None:
        return None, False
    return mid, storage.meeting_exists(mid)


def _reserve_meeting(app: ConferenceApp, report: AttendanceReport, mid: int | None, fingerprint: str) -> int:
    """The id of the meeting this import creates: the one asked for or reserved by an
    earlier, unfinished import of the same meeting, else a new one. Recorded at once
    under its reference and title, so a repeat after a crash finds the same id."""
    keys = app.keys
    if mid is None:
        mid = _reserve(app, keys.meetings, keys.import_meeting_seq, 1)
    Storage.of(app).name_import_meeting(_ref_fields(report, fingerprint), mid)
    return mid


def _reserve(app: ConferenceApp, index: str, counter: str, count: int) -> int:
    script = app.stores.activity.register_script(scripts.source("import_reserve"))
    db = "" if app.stores.cluster else str(app.stores.catalog_db)
    client = app.stores.catalog if app.stores.cluster else app.stores.activity
    return int(script(keys=[index, counter], args=[db, count], client=client))


def _order_id(spans: dict[int, tuple[int, int]], start: int, end: int, mid: int | None,
              report: AttendanceReport) -> int:
    """The order id of the new instance: its start in epoch seconds, or the next free
    id after the instance before it, so that order ids follow start times. Refuses a
    report that overlaps a stored instance."""
    before = [o for o, (f, _) in spans.items() if f < start]
    after = [o for o, (f, _) in spans.items() if f >= start]
    for order, (f, t) in sorted(spans.items()):
        if f < end and start < t:
            raise InvalidInputError(
                f"{_where(report)}: the meeting ({from_ms(start).isoformat()} to {from_ms(end).isoformat()})"
                f" overlaps instance {order} of meeting {mid} ({from_ms(f).isoformat()} to"
                f" {from_ms(t).isoformat()}); pass meeting_id= to import it into another meeting")
    low = max(before, default=0)
    high = min(after, default=validate.MAX_ID + 1)
    if any(o > high for o in before) or any(o < low for o in after):
        raise InvalidInputError(f"meeting {mid}'s order ids do not follow its start times; cannot place"
                                f" an instance starting {from_ms(start).isoformat()}")
    candidate = start // 1000
    if low < candidate < high:
        return candidate
    if low + 1 < high:
        return low + 1
    raise InvalidInputError(f"no free order id between instances {low} and {high} of meeting {mid}"
                            f" for an instance starting {from_ms(start).isoformat()}")


def _settle(app: ConferenceApp, mid: int) -> None:
    """Close sessions left in instances of the meeting that have ended (the lazy sweep
    any write would do first); refuse if people are inside a running instance."""
    storage = Storage.of(app)
    if not storage.open_instance_count(mid):
        return
    storage.run("sweep", mid, to_ms(app.now()))  # this meeting only: others are not the import's
    if storage.open_instance_count(mid):
        raise InvalidInputError(f"meeting {mid} has people inside its running instance; import once it has ended")


def _create_users(app: ConferenceApp, users: Sequence[User]) -> None:
    """Write new users, each with an expiry in the same transaction (made permanent
    after the commit): not listed until then, and gone if the import never commits."""
    keys = app.keys

    def queue(pipe: Any, user: User) -> None:
        pipe.hset(keys.user(user.user_id), mapping=user_fields(user))
        pipe.expire(keys.user(user.user_id), NEW_USER_TTL_S)

    _transactions(app, app.stores.catalog, users, queue, same_slot=False)


def _transactions(app: ConferenceApp, client: Any, items: Sequence[Any], queue: Any, *, same_slot: bool) -> None:
    """``queue(pipe, item)`` for every item, COMMIT_KEYS items per MULTI/EXEC (EXEC
    runs a whole transaction at once, so they stay small). On one server the
    transactions travel in one pipeline; on a cluster a transaction holds one slot:
    one per item unless they share one."""
    size = COMMIT_KEYS if same_slot or not app.stores.cluster else 1
    groups = [items[start:start + size] for start in range(0, len(items), size)]
    if app.stores.cluster:
        for group in groups:
            pipe = client.pipeline(transaction=True)
            for item in group:
                queue(pipe, item)
            pipe.execute()
        return
    for first in range(0, len(groups), TRANSACTIONS_PER_PIPELINE):
        pipe = client.pipeline(transaction=False)
        for group in groups[first:first + TRANSACTIONS_PER_PIPELINE]:
            pipe.execute_command("MULTI")  # a transaction cut short by a dying client is discarded
            for item in group:
                queue(pipe, item)
            pipe.execute_command("EXEC")
        pipe.execute()


def _new_user(person: Person, user_id: int) -> User:
    name = person.name or person.email or f"user {user_id}"
    email = validate.email(person.email) if email_key(person.email) else None
    return User(user_id, name[:validate.MAX_NAME_CHARS], None, None, email)


# -- writing ---------------------------------------------------------------------------------
def _records(plan: _Plan, user_ids: Sequence[int | None], order: int, first_event: int
             ) -> tuple[list[str], list[tuple[int, int, str]], dict[int, str]]:
    """Event records (ids first_event...), messages (user, ms, text) in id order, and
    the sessions detail by join event id, in the order the operations write them:
    by time; at one time joins, then messages, then leaves; timeouts at the end (as
    the sweep after the instance writes them, in join order)."""
    steps = []
    for index, s in enumerate(plan.sessions):
        steps.append((s.joined, 0, index, J))
        if s.left < plan.to_ms:
            steps.append((s.left, 2, index, L))
    for index, (ms, _, _, _) in enumerate(plan.messages):
        steps.append((ms, 1, index, 0))
    steps.sort()
    events: list[str] = []
    messages: list[tuple[int, int, str]] = []
    join_ids: dict[int, int] = {}
    for ms, phase, index, kind in steps:
        if phase == 1:
            _, person, text, _ = plan.messages[index]
            messages.append((user_ids[person], ms, text))  # type: ignore[arg-type]
            continue
        uid = user_ids[plan.sessions[index].user]
        if kind == J:
            join_ids[index] = first_event + len(events)
        events.append(event_record(uid, order, kind, ms))  # type: ignore[arg-type]
    for index in sorted((i for i, s in enumerate(plan.sessions) if s.left >= plan.to_ms), key=join_ids.__getitem__):
        events.append(event_record(user_ids[plan.sessions[index].user], order, T, plan.to_ms))  # type: ignore[arg-type]
    detail = {join_ids[i]: json.dumps({"user_id": user_ids[s.user], "segments": s.segments,
                                       "devices": s.devices, "line": s.line}, separators=(",", ":"))
              for i, s in enumerate(plan.sessions)}
    return events, messages, detail


def _stage_and_commit(app: ConferenceApp, mid: int, order: int, plan: _Plan, user_ids: Sequence[int | None],
                      fingerprint: str, result: ImportResult, follow_up: dict[str, str],
                      create: tuple[bool, str, str], progress: bool | None) -> tuple[bool, int, str]:
    """Stage, then commit; returns (committed, order id, pending member). Until its
    follow-up is done, the import is listed in ``import_pending``."""
    keys, activity, storage = app.keys, app.stores.activity, Storage.of(app)
    token = secrets.token_hex(8)
    event_top, message_top, instances_seen = storage.import_tops(mid)
    events, messages, detail = _records(plan, user_ids, order, event_top + 1)

    live = [keys.events(mid), keys.import_sessions(mid, order), keys.import_instance(mid, order)]
    posters = sorted({uid for uid, _, _ in messages})
    if messages:
        live += [keys.messages(mid), keys.message_texts(mid), keys.messages_by_time(mid)]
        live += [keys.user_messages(mid, uid) for uid in posters]
    staged = {key: keys.staging(mid, token, key) for key in live}
    existing = storage.existing_keys(live)

    total = len(events) + len(messages) + len(detail)
    bar = _progress(total, "importing", progress)
    try:
        with bar:
            for key in existing:
                storage.copy_key(key, staged[key], COPY_COUNT)
            _create_staged(app, staged, live)
            with _Writer(Storage.of(app), "activity") as writer:
                def run(*command: Any) -> None:
                    writer.add(command, records=0)
                run("HSET", staged[keys.import_instance(mid, order)],
                    *[item for pair in {"result": result.to_json(), **follow_up}.items() for item in pair])
                for start in range(0, len(events), CHUNK):
                    part = events[start:start + CHUNK]
                    first = event_top + 1 + start
                    run("HSET", staged[keys.events(mid)], *_flat(range(first, first + len(part)), part))
                    writer.added(len(part))
                    bar.update(len(part))
                ids = list(detail)
                for start in range(0, len(ids), CHUNK):
                    joins = ids[start:start + CHUNK]
                    run("HSET", staged[keys.import_sessions(mid, order)], *_flat(joins, [detail[i] for i in joins]))
                    writer.added(len(joins))
                    bar.update(len(joins))
                for start in range(0, len(messages), CHUNK):
                    posts = messages[start:start + CHUNK]
                    first = message_top + 1 + start
                    msg_ids = range(first, first + len(posts))
                    writer.add(*message_commands(keys, mid, msg_ids, posts,
                                                 [message_record(uid, order, ms) for uid, ms, _ in posts],
                                                 staged.__getitem__), records=0)
                    writer.added(len(posts))
                    bar.update(len(posts))
        creating, title, description = create
        pending = f"{mid}:{order}:{token}"
        storage.set_import_pending(pending, True)  # before anything can become visible
        head = [*keys.meeting_script_keys(mid), keys.import_fingerprints(mid)]
        now = to_ms(app.now())
        indexes = [key for key in live if ":messages:user:" in key]
        # First the per-user message indexes, COMMIT_KEYS at a time: their new ids have
        # no record until the commit below, and readers skip such ids.
        script = activity.register_script(scripts.source("import_commit"))
        seen = [*_dbs(app), now, fingerprint, event_top, message_top]
        try:
            for start in range(0, len(indexes), COMMIT_KEYS):
                pairs = [k for key in indexes[start:start + COMMIT_KEYS] for k in (staged[key], key)]
                reply = script(keys=[*head, *pairs], args=[*seen, "index"], client=app.stores.script_client)
                if not int(reply[0]):
                    return False, int(reply[1]), pending
            rest = set(live) - set(indexes)
            pairs = [k for key in live if key in rest for k in (staged[key], key)]
            reply = script(keys=[*head, *pairs], client=app.stores.script_client, args=[
                *seen, "commit", order, plan.from_ms, plan.to_ms, mid, len(events), len(messages),
                instances_seen, "1" if creating else "0", title, description])
        except redis.ResponseError as exc:
            raise _commit_error(exc, mid) from None
        return int(reply[0]) == 1, int(reply[1]), pending
    finally:
        storage.unlink_quietly(list(staged.values()))  # none left after a commit; else they expire
        if not storage.key_exists(keys.import_instance(mid, order)):  # not committed: nothing to follow up
            storage.set_import_pending(f"{mid}:{order}:{token}", False)


def _dbs(app: ConferenceApp) -> tuple[str, str]:
    return ("", "") if app.stores.cluster else (str(app.stores.catalog_db), str(app.stores.activity_db))


def _commit_error(exc: redis.ResponseError, mid: int) -> ConfkitError:
    code = refusal_code(exc)
    if code == "MEETING_EXISTS":
        return AlreadyExistsError(f"meeting {mid} was created by someone else during the import; nothing was written")
    if code == "MEETING_NOT_FOUND":
        return MeetingNotFoundError(mid)
    if code == "IMPORT_CONFLICT":
        return ImportConflictError(f"meeting {mid} changed while the import was staged; nothing was written;"
                                   " import again")
    if code == "IMPORT_EXPIRED":
        return ImportConflictError(f"the staged import of meeting {mid} expired before it was committed;"
                                   " nothing was written; import again")
    return ConfkitError(f"the import commit of meeting {mid} was refused: {exc}")


PLACEHOLDER = ""  # the hash field / sorted-set member that creates a staged key


def _create_staged(app: ConferenceApp, staged: dict[str, str], live: Sequence[str]) -> None:
    """Create every staged key, each with a placeholder and its expiry in one
    transaction (same slot), so no staged key ever exists without an expiry, even if
    the process dies; the commit removes the placeholders."""
    zsets = {k for k in live if ":messages:by_time" in k or ":messages:user:" in k}

    def queue(pipe: Any, key: str) -> None:
        if key in zsets:
            pipe.zadd(staged[key], {PLACEHOLDER: 0})
        else:
            pipe.hset(staged[key], PLACEHOLDER, PLACEHOLDER)
        pipe.expire(staged[key], STAGING_TTL_S)

    _transactions(app, app.stores.activity, live, queue, same_slot=True)


# -- after the commit ----------------------------------------------------------------------
def _follow_up(plan: _Plan, user_ids: Sequence[int | None], new_users: Sequence[int],
               refs: Sequence[str]) -> dict[str, str]:
    """What is written outside the meeting's slot after the commit, kept with the
    import so that a repeat can complete it: users, identities, global indexes."""
    emails: dict[str, int] = {}
    names: list[tuple[str, int]] = []
    for index, person in enumerate(plan.people):
        if not plan.learn[index] or user_ids[index] is None:
            continue
        if person.email_key:
            emails[person.email_key] = user_ids[index]  # type: ignore[assignment]
        names.extend((key, user_ids[index]) for key in person.names)  # type: ignore[misc]
    return {
        "new_users": json.dumps(list(new_users)),
        "identities_email": json.dumps(emails, ensure_ascii=False),
        "identities_name": json.dumps(names, ensure_ascii=False),
        "refs": json.dumps(list(refs), ensure_ascii=False),
        "from_ms": str(plan.from_ms),
        "to_ms": str(plan.to_ms),
    }


def _finish(app: ConferenceApp, mid: int, order: int) -> None:
    """Write what lives outside the meeting's slot, from the committed import's record.
    Every step is idempotent, so running it again (a repeat import) is harmless."""
    keys, catalog = app.keys, app.stores.catalog
    record = app.stores.activity.hgetall(keys.import_instance(mid, order))
    if not record:
        return
    new_users = json.loads(record["new_users"])
    emails = json.loads(record["identities_email"])
    names = json.loads(record["identities_name"])
    refs = json.loads(record["refs"])
    pipe = catalog.pipeline(transaction=False)
    for uid in new_users:
        pipe.persist(keys.user(uid))
    for start in range(0, len(new_users), CHUNK):
        pipe.zadd(keys.users, {uid: uid for uid in new_users[start:start + CHUNK]})
    email_items = sorted(emails.items())
    for start in range(0, len(email_items), CHUNK):
        pipe.hset(keys.identities_email, mapping=dict(email_items[start:start + CHUNK]))
    for name in refs:
        pipe.hsetnx(keys.import_meetings, name, mid)
    pipe.zadd(keys.meetings, {mid: mid})
    end = int(record["to_ms"])
    Storage.of(app).index_instance(mid, order, int(record.get("from_ms", end)), end, to_ms(app.now()), pipe)
    pipe.execute()
    by_name: dict[str, set[int]] = defaultdict(set)
    for name, uid in names:
        by_name[name].add(uid)
    ordered = sorted(by_name)
    for start in range(0, len(ordered), CHUNK):
        part = ordered[start:start + CHUNK]
        stored = catalog.hmget(keys.identities_name, part)
        merged = {n: encode_ids(set(decode_ids(v)) | by_name[n]) for n, v in zip(part, stored)}
        changed = {n: v for (n, v), old in zip(merged.items(), stored) if v != old}
        if changed:
            catalog.hset(keys.identities_name, mapping=changed)


def _finish_pending(app: ConferenceApp) -> None:
    """Complete the follow-up of imports that committed but whose process stopped
    before finishing it; forget those that never committed and whose staging is gone.
    Imports still staging (their staged record exists) are left alone."""
    keys, storage = app.keys, Storage.of(app)
    for member in storage.pending_imports():
        mid_text, order_text, token = member.split(":")
        mid, order = int(mid_text), int(order_text)
        if storage.key_exists(keys.import_instance(mid, order)):
            _finish(app, mid, order)
        elif storage.key_exists(keys.staging(mid, token, keys.import_instance(mid, order))):
            continue
        storage.set_import_pending(member, False)


def _repeat(app: ConferenceApp, mid: int, order: int, dry_run: bool) -> ImportResult:
    """The result of an import done before, completing its follow-up writes."""
    if not dry_run:
        _finish(app, mid, order)
    text = Storage.of(app).import_result(mid, order)
    if text is None:
        raise ConfkitError(f"instance {order} of meeting {mid} was imported but its record is missing")
    return ImportResult.from_json(text, created=False, meeting_created=False, dry_run=dry_run)


def _result(plan: _Plan, report: AttendanceReport, mid: int | None, order: int, title: str, *, created: bool,
            meeting_created: bool, user_ids: Sequence[int | None] | None, dry_run: bool) -> ImportResult:
    ids = user_ids if user_ids is not None else plan.user_ids
    conflicts = tuple(
        IdentityConflict(plan.people[i].name, tuple(sorted(set(plan.people[i].lines))), candidates,
                         ids[i] if ids[i] is not None else 0)  # type: ignore[arg-type]
        for i, candidates in plan.conflicts)
    users = {uid if uid is not None else -1 - i for i, uid in enumerate(ids)}
    matched = {uid for uid in plan.user_ids if uid is not None}
    return ImportResult(
        meeting_id=mid, order_id=order, created=created, meeting_created=meeting_created,
        platform=report.platform, title=title, source=report.source,
        from_dt=from_ms(plan.from_ms), to_dt=from_ms(plan.to_ms), rows_read=plan.rows_read,
        people=len(users), users_matched=len(matched), users_created=len(users) - len(matched),
        sessions=len(plan.sessions), segments_merged=plan.segments_used - len(plan.sessions),
        messages=len(plan.messages), skipped={k: v for k, v in sorted(plan.skipped.items()) if v},
        warnings=tuple(plan.warnings), conflicts=conflicts, dry_run=dry_run)


# -- reading import details back ---------------------------------------------------------------
@reachable
def sessions_detail(app: ConferenceApp, meeting_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """One row per imported session: meeting_id, order_id, user_id, join_event_id,
    segments (raw rows merged into it), devices (most rows open at once), multi_device,
    line (first row in the file). Merge with ``analytics.sessions_frame`` on
    (meeting_id, join_event_id) for times and durations."""
    rows = []
    ids = None if meeting_ids is None else list(meeting_ids)
    for mid, order, event_id, value in Storage.of(app).import_sessions(ids, COPY_COUNT):
        data = json.loads(value)
        rows.append((mid, order, data["user_id"], int(event_id), data["segments"], data["devices"], data["line"]))
    frame = pd.DataFrame(rows, columns=["meeting_id", "order_id", "user_id", "join_event_id", "segments",
                                        "devices", "line"])
    frame = frame.astype({c: "Int64" for c in frame.columns})
    frame["multi_device"] = (frame["devices"] > 1).astype("boolean")
    return frame.sort_values(["meeting_id", "join_event_id"], ignore_index=True)
