"""``confkit import FILE...``: read meeting exports and import them, oldest first.

Each file's platform and kind (attendance report or chat) is found from its content.
A chat goes with the report whose meeting it overlaps in time (most messages inside
it, then most senders among its people). Every file is read, and every import
planned, before anything is written, so a file that cannot be read or a report that
cannot be placed stops the command with nothing imported.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from .errors import ImportFormatError, InvalidInputError
from .formats import AttendanceReport, ChatLog, read_attendance, read_chat
from .formats.sniff import load
from .formats.timeparse import resolve_tz
from .identity import name_key
from .importer import ImportResult

PAIRING_MARGIN = timedelta(minutes=15)  # chat a little before or after the meeting still pairs


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``import`` subcommand."""
    cmd = sub.add_parser("import", help="import meeting exports (attendance reports and chats)",
                         description="Read meeting exports and import them, oldest first. Each file's platform"
                                     " and kind (attendance report or chat) is found from its content; every"
                                     " file is read and every import planned before anything is written.")
    cmd.add_argument("files", nargs="+", metavar="FILE", help="attendance reports and chat files")
    cmd.add_argument("--chat", action="append", default=[], metavar="FILE", help="a chat file (repeatable)")
    cmd.add_argument("--tz", metavar="ZONE", help="zone of the files' local times (default: this machine's)")
    cmd.add_argument("--date", metavar="YYYY-MM-DD", help="the meeting's date, for files that do not give it")
    order = cmd.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", dest="dayfirst", action="store_const", const=True, default=None,
                       help="dates are day/month/year when the file cannot show it")
    order.add_argument("--monthfirst", dest="dayfirst", action="store_const", const=False,
                       help="dates are month/day/year when the file cannot show it")
    cmd.add_argument("--meeting", metavar="ID", help="import into this meeting (default: found or created)")
    cmd.add_argument("--roster", metavar="FILE", help="CSV of user_id,name,email[,aliases] mapping people to users")
    cmd.add_argument("--include-direct", action="store_true", help="also store direct chat messages")
    cmd.add_argument("--dry-run", action="store_true", help="read and report, write nothing")
    return cmd


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(f"--date must be YYYY-MM-DD, got {text!r}") from None


def read_files(files: Sequence[str], chats: Sequence[str], *, tz: str | None, day: date | None,
               dayfirst: bool | None) -> tuple[list[AttendanceReport], list[tuple[str, list[ChatLog]]]]:
    """The reports (oldest first), and for each chat file its readings (one per date
    it may be on, when the file holds times of day only and --date is not given)."""
    reports: list[AttendanceReport] = []
    chat_files = list(chats)
    for file in files:
        if _is_chat(file):
            chat_files.append(file)
        else:
            reports.append(read_attendance(file, tz=tz, date=day, dayfirst=dayfirst))
    reports.sort(key=lambda r: _span(r)[0])
    days = sorted({_span(r)[0].astimezone(_zone(r)).date() for r in reports})
    readings = []
    for file in chat_files:
        try:  # --date, or the date in the folder Zoom saved it into, or a recording start
            readings.append((file, [read_chat(file, tz=tz, date=day)]))
            continue
        except ImportFormatError as exc:
            if day is not None or not days:
                raise
            first_error = exc
        logs = []  # times of day only: try the day of each report
        for candidate in days:
            try:
                logs.append(read_chat(file, tz=tz, date=candidate))
            except ImportFormatError:
                pass
        if not logs:
            raise first_error
        readings.append((file, logs))
    return reports, readings


_CHAT_LINE = re.compile(r"^\s*\d{1,2}:\d{2}:\d{2}\s")


def _is_chat(file: str) -> bool:
    """A saved chat starts with a time of day (``10:01:00 From ...`` or ``00:21:14<TAB>...``)."""
    first = next((line for line in load(file).lines if line.strip()), "")
    return bool(_CHAT_LINE.match(first))


def _zone(report: AttendanceReport) -> Any:
    """The zone the report was read in (None, UTC, where its name is not one)."""
    try:
        return resolve_tz(report.tz)[0]
    except ImportFormatError:
        return None


def _span(report: AttendanceReport) -> tuple[datetime, datetime]:
    segs = report.segments
    start = report.started_at or segs["joined_at"].min()
    end = report.ended_at or segs["left_at"].max()
    if end is None or end != end:  # NaT
        end = segs["joined_at"].max()
    return start, end


def pair_chats(reports: Sequence[AttendanceReport], readings: Sequence[tuple[str, list[ChatLog]]]
               ) -> dict[int, ChatLog]:
    """Report index -> its chat: the reading and report with the most messages inside
    the meeting, then the most senders among its people. Refuses a chat that fits no
    report, or two chats for one report."""
    paired: dict[int, ChatLog] = {}
    for file, logs in readings:
        best: tuple[int, int, int, ChatLog] | None = None
        for log in logs:
            senders = {name_key(s) for s in log.messages["sender"].dropna()}
            for index, report in enumerate(reports):
                start, end = _span(report)
                sent = log.messages["sent_at"]
                inside = int(((sent >= start - PAIRING_MARGIN) & (sent <= end + PAIRING_MARGIN)).sum())
                names = {name_key(n) for column in ("name", "original_name") if column in report.segments
                         for n in report.segments[column].dropna()}
                score = (inside, len(senders & names))
                if inside and (best is None or score > best[:2]):
                    best = (*score, index, log)
        if best is None:
            raise InvalidInputError(f"{file}: its messages fall in none of the reports' meetings;"
                                    " give --date, or import it with the report of its meeting")
        if best[2] in paired:
            raise InvalidInputError(f"{file}: a second chat for {reports[best[2]].source}")
        paired[best[2]] = best[3]
    return paired


def run(app: Any, args: argparse.Namespace) -> list[ImportResult]:
    """Read everything, plan every import (a dry run), then import unless --dry-run."""
    reports, readings = read_files(args.files, args.chat, tz=args.tz, day=_date(args.date),
                                   dayfirst=args.dayfirst)
    if not reports:
        raise InvalidInputError("no attendance report among the files: a chat is imported with its report")
    chats = pair_chats(reports, readings)
    _refuse_overlaps(reports, same_meeting=args.meeting is not None)
    options = dict(meeting_id=args.meeting, roster=args.roster, include_direct=args.include_direct)
    planned = [app.import_meeting(r, chats.get(i), dry_run=True, **options) for i, r in enumerate(reports)]
    if args.dry_run:
        return planned
    return [app.import_meeting(r, chats.get(i), **options) for i, r in enumerate(reports)]


def _refuse_overlaps(reports: Sequence[AttendanceReport], *, same_meeting: bool) -> None:
    """Two different reports of one meeting (by reference or title, or all of them
    with --meeting) whose times overlap cannot both be imported: say so before
    anything is written."""
    groups: dict[str, list[AttendanceReport]] = {}
    for report in reports:
        key = "" if same_meeting else (f"ref {report.platform} {report.meeting_ref}" if report.meeting_ref
                                       else f"title {(report.title or '').strip().casefold()}")
        if key != "title ":  # a report without reference or title gets a meeting of its own
            groups.setdefault(key, []).append(report)
    for group in groups.values():
        for earlier, later in zip(group, group[1:]):  # oldest first already
            if _span(later)[0] < _span(earlier)[1] and not _same(earlier, later):
                raise InvalidInputError(f"{later.source} overlaps {earlier.source} in time and would go into the"
                                        " same meeting; import them into different meetings (--meeting)")


def _same(a: AttendanceReport, b: AttendanceReport) -> bool:
    return (a.started_at, a.ended_at, a.meeting_ref) == (b.started_at, b.ended_at, b.meeting_ref) \
        and a.segments.equals(b.segments)


def summary(results: Sequence[ImportResult]) -> list[dict[str, Any]]:
    """One row per import for the table."""
    rows = []
    for r in results:
        skipped = ", ".join(f"{k} {v}" for k, v in r.skipped.items()) or "-"
        notes = list(r.warnings) + [f"{c.name!r} (lines {', '.join(map(str, c.lines))}) could be users or people"
                                    f" {', '.join(c.candidates)}" for c in r.conflicts]
        rows.append({
            "file": Path(r.source).name if r.source else "-",
            "platform": r.platform,
            "meeting": r.meeting_id if r.meeting_id is not None else "(new)",
            "instance": r.order_id,
            "status": "dry run" if r.dry_run else ("imported" if r.created else "already imported"),
            "people": r.people,
            "sessions": r.sessions,
            "messages": r.messages,
            "skipped": skipped,
            "warnings": "; ".join(notes) or "-",
        })
    return rows
