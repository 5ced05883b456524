"""``confkit attendance MEETING``: a meeting's attendance register on the terminal.

One row per person, one column per instance with one letter per status, each
person's attendance rate, minutes and times late, then the per-instance summary;
``--json`` gives every field, ``--csv`` / ``--xlsx`` write the tables too.
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import timedelta
from typing import Any

from . import register as reg
from .present import TABLE_WIDTH, format_table, printable

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(s|sec|m|min|h)?", re.IGNORECASE)
_UNITS = {"s": "seconds", "sec": "seconds", "m": "minutes", "min": "minutes", "h": "hours"}


def duration(text: str) -> timedelta:
    """"5m", "90s", "1.5h" or a bare number of minutes."""
    match = _DURATION.fullmatch(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (e.g. 5m, 90s, 1h)")
    return timedelta(**{_UNITS[(match.group(2) or "m").lower()]: float(match.group(1))})


def share(text: str) -> float:
    """"0.75" or "75%"."""
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"not a share between 0 and 1: {text!r} (e.g. 0.75 or 75%)")
    return value


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``attendance`` subcommand."""
    cmd = sub.add_parser("attendance", help="a meeting's attendance register, as a grid with summaries",
                         description="A meeting's attendance register: one row per person, one letter per instance"
                                     " (P present, L late, p partial, a absent), then the per-instance summary.")
    cmd.add_argument("meeting_id")
    cmd.add_argument("--roster", metavar="FILE", help="CSV with user_id, name, email (and aliases)")
    cmd.add_argument("--present-at", type=share, default=0.75, metavar="SHARE",
                     help="share of an instance attended to count as present (default 0.75)")
    cmd.add_argument("--late-after", type=duration, default=timedelta(minutes=5), metavar="DURATION",
                     help="a first join later than this after the start is late (default 5m)")
    cmd.add_argument("--left-early-before", type=duration, default=timedelta(minutes=5), metavar="DURATION",
                     help="leaving more than this before the end is reported (default 5m)")
    cmd.add_argument("--min-rate", type=share, default=0.8, metavar="SHARE",
                     help="flag people whose attendance rate is below this (default 0.8)")
    cmd.add_argument("--csv", metavar="FILE", help="also write the register (and FILE's .people/.instances)")
    cmd.add_argument("--xlsx", metavar="FILE", help="also write an Excel workbook (needs confkit[excel])")
    return cmd


def run(app: Any, args: argparse.Namespace) -> tuple[str, list[str]]:
    """The text to print and the notes for stderr (files written). Nothing is
    printed or written when the register cannot be made."""
    if args.xlsx:
        reg.require_excel()
    table = reg.attendance_register(app, args.meeting_id, roster=args.roster, present_at=args.present_at,
                                    late_after=args.late_after, left_early_before=args.left_early_before)
    minutes = args.late_after / timedelta(minutes=1)
    if args.json:
        tables = reg.export_tables(table, min_rate=args.min_rate, naive_times=False)
        text = json.dumps({"meeting_id": table.attrs["meeting_id"], "title": table.attrs["title"],
                           "present_at": args.present_at, "late_after_min": minutes, "min_rate": args.min_rate,
                           **{name: json.loads(frame.to_json(orient="records", date_format="iso"))
                              for name, frame in tables.items()}}, indent=2, ensure_ascii=False)
    else:
        instances = reg.instance_summary(table)
        grid = reg.grid_text(table, width=TABLE_WIDTH, min_rate=args.min_rate) if len(table) else "(nobody)"
        rows = [{"#": n, "order_id": r.order_id, "start (UTC)": f"{r.instance_start:%Y-%m-%d %H:%M}",
                 "until": f"{r.instance_end:%H:%M}" + (" (now)" if r.running else ""), "expected": r.expected,
                 "present": r.present, "late": r.late, "partial": r.partial, "absent": r.absent,
                 "unknown": r.unknown} for n, r in enumerate(instances.itertuples(), start=1)]
        text = "\n".join([
            f"{table.attrs['title']} (meeting {args.meeting_id}): {len(instances)} instances; present at "
            f"{args.present_at:.0%} of an instance, late after {minutes:g} min",
            *grid.splitlines(), "", format_table(rows)])
        text = "\n".join(printable(line) for line in text.splitlines())
    notes = [f"wrote {path}" for path in (reg.write_csv(table, args.csv, min_rate=args.min_rate) if args.csv else [])]
    if args.xlsx:
        reg.write_excel(table, args.xlsx, min_rate=args.min_rate)
        notes.append(f"wrote {args.xlsx}")
    return text, notes
