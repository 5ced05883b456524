"""The confkit command: control the embedded server and run each operation.

Readable tables by default, JSON with --json; errors go to stderr with exit
status 1 (2 for usage errors) and no traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from . import __version__, attendance_cli, import_cli
from .app import ConferenceApp
from .clock import ManualClock
from .errors import ConfkitError
from .present import printable, render
from .sample import placed_around
from .server import EmbeddedServer, stop_all

DESCRIPTION = "Video-conference bookkeeping on Redis: control the embedded server and run each operation."
EPILOG = ("Options such as --json, --url, --now and --cluster may come before or after the command. "
          "Tables show times in UTC; --json gives every field.")


def _aware(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO time: {text!r}") from None
    if when.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give a time zone, e.g. {text}+00:00")
    return when


def _seed(app: ConferenceApp) -> dict[str, Any]:
    """Load the sample, saying whether this call wrote it and the minute it sits around."""
    earlier = placed_around(app)
    summary = dataclasses.asdict(app.load_sample_data())
    return {**summary, "placed_around": earlier or placed_around(app), "written": earlier is None}


def _server(args: argparse.Namespace) -> Any:
    if args.all:
        return stop_all(binary_under=args.binary_under)
    server = EmbeddedServer()
    return {"start": server.start, "stop": server.stop, "status": server.status}[args.action]()


OPERATIONS: dict[str, tuple[str, Sequence[str], Callable[..., Any]]] = {
    "seed": ("load the sample users, meetings and instances, placed around now (once: see reset)", (), _seed),
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

# Options every command takes, before or after its name: (flags, argparse keywords, default).
GLOBAL_OPTIONS: list[tuple[tuple[str, ...], dict[str, Any], Any]] = [
    (("--url",), {"help": "Redis URL (default: $CONFKIT_REDIS_URL, else the embedded server)"}, None),
    (("--cluster",), {"action": "store_true",
                      "help": "the URL names a node of a Redis Cluster (give --url or $CONFKIT_REDIS_URL)"}, False),
    (("--json",), {"action": "store_true", "help": "print JSON instead of a table"}, False),
    (("--now",), {"type": _aware, "metavar": "ISO-TIME",
                  "help": "act as if it were this time, with its time zone (e.g. 2030-01-07T09:00:00+00:00);"
                          " default: the system clock"}, None),
]


def _add_global_options(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: a value given before the command is not overwritten by the subparser's default.
    for flags, options, _ in GLOBAL_OPTIONS:
        parser.add_argument(*flags, default=argparse.SUPPRESS, **options)


def _add_generate(sub: Any) -> None:
    generate = sub.add_parser(
        "generate", help="write a synthetic history of users, meetings, joins, leaves and chat",
        description="Write a reproducible synthetic history of --days days up to now (or --now), through the"
                    " real operations or, for large sizes, the bulk loader. Ids continue after the highest"
                    " stored ones, so it can sit beside the sample data.")
    generate.add_argument("--users", type=int, default=120, help="how many users (default: 120)")
    generate.add_argument("--meetings", type=int, default=16, help="how many meetings (default: 16)")
    generate.add_argument("--days", type=int, default=28, help="how many days of history (default: 28)")
    generate.add_argument("--seed", type=int, default=7, help="random seed (default: 7)")
    generate.add_argument("--method", choices=["auto", "operations", "bulk"], default="auto",
                          help="auto: the operations up to a few thousand records, else the bulk loader")
    generate.add_argument("--reset", action="store_true", help="delete all confkit data first")


def _generate(app: ConferenceApp, args: argparse.Namespace) -> Any:
    from .synth import generate

    if args.reset:
        app.reset()
    started = time.perf_counter()
    report = generate(app, users=args.users, meetings=args.meetings, days=args.days, seed=args.seed,
                      method=args.method)
    return report, time.perf_counter() - started


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="confkit", description=DESCRIPTION, epilog=EPILOG)
    top.add_argument("--version", action="version", version=f"confkit {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    server = sub.add_parser("server", help="start, stop or inspect the embedded server",
                            description="The embedded server runs in the background until stopped; its data"
                                        " stays in $CONFKIT_HOME (see status).")
    server.add_argument("action", choices=["start", "stop", "status"])
    server.add_argument("--all", action="store_true",
                        help="with stop: stop every server confkit started for this user")
    server.add_argument("--binary-under", metavar="FOLDER",
                        help="with stop --all: only servers started from a binary inside FOLDER (e.g. .venv)")
    for name, (help_text, params, _) in OPERATIONS.items():
        cmd = sub.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".")
        for param in params:
            cmd.add_argument(param)
    _add_generate(sub)
    import_cli.add_parser(sub)
    attendance_cli.add_parser(sub)
    reset = sub.add_parser("reset", help="delete all confkit data")
    reset.add_argument("--yes", action="store_true", help="confirm")
    _add_global_options(top)
    for command in sub.choices.values():
        _add_global_options(command)
    return top


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    top = parser()
    args = top.parse_args(argv)
    if args.command == "server" and (args.all and args.action != "stop" or args.binary_under and not args.all):
        top.error("--all goes with server stop, --binary-under with server stop --all")
    for flags, _, default in GLOBAL_OPTIONS:
        name = flags[0].lstrip("-").replace("-", "_")
        if not hasattr(args, name):
            setattr(args, name, default)
    return args


def _say(text: str, *, err: bool = False) -> None:
    print(text, file=sys.stderr if err else sys.stdout)


def _seeded(summary: dict[str, Any]) -> None:
    if not summary["written"]:
        when = summary["placed_around"].strftime("%Y-%m-%d %H:%M UTC")
        _say(f"confkit: the sample data is already loaded, placed around {when}; nothing changed."
             " To place it around another time: confkit reset --yes, then confkit seed"
             " (with --now ISO-TIME for a fixed time).", err=True)


def _run(args: argparse.Namespace) -> int:
    if args.command == "server":
        _say(render(_server(args), as_json=args.json))
        return 0
    if args.command == "reset" and not args.yes:
        _say("confkit: reset deletes every user, meeting, event and message; add --yes", err=True)
        return 2
    clock = ManualClock(args.now) if args.now else None
    with ConferenceApp(args.url, clock=clock, cluster=args.cluster) as app:
        if args.command == "reset":
            _say(render({"deleted_keys": app.reset()}, as_json=args.json))
        elif args.command == "generate":
            report, seconds = _generate(app, args)
            _say(render({**dataclasses.asdict(report), "seconds": round(seconds, 3)}, as_json=True) if args.json else
                 f"{report.events} events and {report.messages} messages ({report.users} users,"
                 f" {report.meetings} meetings, {report.instances} instances, {report.open_sessions} people"
                 f" inside now) written with {report.method} in {seconds:.2f} s")
        elif args.command == "import":
            results = import_cli.run(app, args)
            _say(render(results if args.json else import_cli.summary(results), as_json=args.json))
        elif args.command == "attendance":
            text, notes = attendance_cli.run(app, args)
            _say(text)
            for note in notes:
                _say(note, err=True)
        else:
            _, params, call = OPERATIONS[args.command]
            result = call(app, *(getattr(args, p) for p in params))
            _say(render(result, as_json=args.json))
            if args.command == "seed":
                _seeded(result)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    try:
        status = _run(args)
        sys.stdout.flush()  # here, where a closed pipe can still be handled
        return status
    except ConfkitError as exc:
        _say(f"confkit: {printable(str(exc))}", err=True)
        return 1
    except BrokenPipeError:
        # The reader went away (confkit users | head): stop quietly, and keep Python
        # from reporting the failed flush of stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return 130  # Ctrl-C: stop without a traceback, with the shell's status for SIGINT


if __name__ == "__main__":
    sys.exit(main())
