"""The ``confkit`` command: control the embedded server and run each operation.

Readable tables by default, JSON with ``--json``; errors go to stderr with exit
status 1 (2 for usage errors) and no traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime
from enum import Enum
from typing import Any

from . import attendance_cli, import_cli
from .app import ConferenceApp
from .clock import ManualClock
from .errors import ConfkitError
from .server import EmbeddedServer


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _flatten(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{key}."))
        elif isinstance(value, list):
            flat[prefix + key] = ", ".join(map(str, value))
        else:
            flat[prefix + key] = value
    return flat


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    """Rows of equal keys as an aligned text table."""
    if not rows:
        return "(none)"
    flat = [_flatten(r) for r in rows]
    columns = list(flat[0])
    cells = [[_cell(r.get(c)) for c in columns] for r in flat]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    return printable("" if value is None else str(value))


# Bidirectional formatting characters: shown escaped, so stored text cannot reorder
# what a terminal displays around it.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: str) -> str:
    """Stored text made safe for a terminal: control characters (C0, DEL, C1), line
    and paragraph separators and bidi controls become escapes like ``\\x1b``, so a
    message or name cannot move the cursor, clear the screen or spoof a table."""
    return "".join(ch.encode("unicode_escape").decode("ascii")
                   if ch in _BIDI or unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
                   for ch in text)


def _show(result: Any, as_json: bool) -> None:
    plain = _plain(result)
    if as_json:
        print(json.dumps(plain, indent=2, ensure_ascii=False))
        return
    rows = plain if isinstance(plain, list) else [plain]
    print(format_table([r if isinstance(r, dict) else {"result": r} for r in rows]))


def _aware(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO time: {text!r}") from None
    if when.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give a time zone, e.g. {text}+00:00")
    return when


def _server(args: argparse.Namespace) -> Any:
    server = EmbeddedServer()
    return {"start": server.start, "stop": server.stop, "status": server.status}[args.action]()


OPERATIONS: dict[str, tuple[str, Sequence[str], Callable[..., Any]]] = {
    "seed": ("load the sample users, meetings and instances", (), lambda a: a.load_sample_data()),
    "users": ("list users", (), lambda a: a.users()),
    "meetings": ("list meetings", (), lambda a: a.meetings()),
    "instances": ("list a meeting's instances", ("meeting_id",), lambda a, m: a.instances(m)),
    "join": ("join a meeting", ("user_id", "meeting_id"), lambda a, u, m: a.join_meeting(u, m)),
    "leave": ("leave a meeting", ("user_id", "meeting_id"), lambda a, u, m: a.leave_meeting(u, m)),
    "participants": ("who is in a meeting now", ("meeting_id",), lambda a, m: a.meeting_participants(m)),
    "active": ("meetings running now", (), lambda a: a.active_meetings()),
    "end": ("end a meeting's latest instance", ("meeting_id",), lambda a, m: a.end_meeting(m)),
    "join-times": ("participants of every running meeting and when they joined", (),
                   lambda a: a.join_times()),
    "post": ("post a message", ("user_id", "meeting_id", "text"),
             lambda a, u, m, t: a.post_message(u, m, t)),
    "messages": ("a meeting's messages", ("meeting_id",), lambda a, m: a.meeting_messages(m)),
    "user-messages": ("one user's messages in a meeting", ("user_id", "meeting_id"),
                      lambda a, u, m: a.user_messages(u, m)),
    "sweep": ("write timeouts for instances that ended on their own", (), lambda a: a.sweep()),
}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="confkit", description=__doc__.splitlines()[0])
    top.add_argument("--url", help="Redis URL (default: $CONFKIT_REDIS_URL, else the embedded server)")
    top.add_argument("--cluster", action="store_true",
                     help="the URL names a node of a Redis Cluster (give --url or $CONFKIT_REDIS_URL)")
    top.add_argument("--json", action="store_true", help="print JSON instead of a table")
    top.add_argument("--now", type=_aware, metavar="ISO-TIME",
                     help="act as if it were this time (e.g. 2030-01-07T09:00:00+00:00); default: the system clock")
    sub = top.add_subparsers(dest="command", required=True)
    server = sub.add_parser("server", help="start, stop or inspect the embedded Redis server")
    server.add_argument("action", choices=["start", "stop", "status"])
    for name, (help_text, params, _) in OPERATIONS.items():
        cmd = sub.add_parser(name, help=help_text)
        for param in params:
            cmd.add_argument(param)
    import_cli.add_parser(sub)
    attendance_cli.add_parser(sub)
    reset = sub.add_parser("reset", help="delete all confkit data")
    reset.add_argument("--yes", action="store_true", help="confirm")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "server":
            _show(_server(args), args.json)
            return 0
        if args.command == "reset" and not args.yes:
            print("confkit: reset deletes every user, meeting, event and message; add --yes",
                  file=sys.stderr)
            return 2
        clock = ManualClock(args.now) if args.now else None
        with ConferenceApp(args.url, clock=clock, cluster=args.cluster) as app:
            if args.command == "reset":
                _show({"deleted_keys": app.reset()}, args.json)
                return 0
            if args.command == "import":
                results = import_cli.run(app, args)
                _show(results if args.json else import_cli.summary(results), args.json)
                return 0
            if args.command == "attendance":
                text, notes = attendance_cli.run(app, args)
                print(text)
                for note in notes:
                    print(note, file=sys.stderr)
                return 0
            _, params, call = OPERATIONS[args.command]
            _show(call(app, *(getattr(args, p) for p in params)), args.json)
        return 0
    except ConfkitError as exc:
        print(f"confkit: {printable(str(exc))}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
