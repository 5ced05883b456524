"""Instructions the server executes per call of confkit's hot operations, counted by
callgrind inside EVALSHA: a figure that does not move with what else the machine is
doing, unlike the times of ``bench.run`` (which it complements, never replaces).

``python -m bench.instructions [--calls N] [--out FILE]`` (needs valgrind). It starts
the server binary confkit uses under callgrind on TCP loopback, in a temporary
directory, loads a small live set (one public meeting with N users, 25 running
meetings of which 5 private, 20 scheduled for tomorrow), and counts each operation
over N calls: a bare EVALSHA of ``return 1`` (the floor), join_meeting, post_message,
leave_meeting and active_meetings.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from confkit import ConferenceApp, ManualClock

from .loopback import LoopbackServer

T0 = datetime(2030, 1, 7, 9, tzinfo=timezone.utc)
RUNNING, PRIVATE_EVERY, TOMORROW = 25, 5, 20
MESSAGE = "a 30-character chat message.."


def _populate(app: ConferenceApp, calls: int) -> None:
    app.add_meeting(1, "Hot", "the meeting joined, posted to and left", is_public=True)
    app.add_instance(1, 1, T0 - timedelta(minutes=5), T0 + timedelta(hours=2))
    for uid in range(1, calls + 1):
        app.add_user(uid, f"User {uid}", 30, "x", f"user{uid}@example.com")
    for mid in range(100, 100 + RUNNING - 1):  # with meeting 1: 25 running
        private = mid % PRIVATE_EVERY == 0
        app.add_meeting(mid, f"Meeting {mid}", "running now", is_public=not private,
                        audience=["a@example.com", "b@example.com"] if private else ())
        app.add_instance(mid, 1, T0 - timedelta(minutes=5), T0 + timedelta(hours=2))
    for mid in range(200, 200 + TOMORROW):
        app.add_meeting(mid, f"Tomorrow {mid}", "", is_public=True)
        app.add_instance(mid, 1, T0 + timedelta(days=1), T0 + timedelta(days=1, hours=1))


class Counter:
    """callgrind_control on the server process: zero, run, dump, read the total."""

    def __init__(self, pid: int, out_dir: Path):
        self.pid, self.out_dir = pid, out_dir

    def _control(self, *args: str) -> None:
        subprocess.run(["callgrind_control", *args, str(self.pid)], check=True, capture_output=True)

    def per_call(self, run: Callable[[int], Any], calls: int) -> float:
        before = set(self.out_dir.glob("callgrind.*"))
        self._control("-z")
        for i in range(calls):
            run(i)
        self._control("-d")
        deadline = time.monotonic() + 30
        while not (new := set(self.out_dir.glob("callgrind.*")) - before):
            if time.monotonic() > deadline:
                raise TimeoutError("callgrind wrote no dump")
            time.sleep(0.05)
        text = max(new, key=lambda p: p.stat().st_mtime).read_text()
        total = next(int(line.split()[1]) for line in text.splitlines() if line.startswith("totals:"))
        return total / calls


def measure(calls: int) -> dict[str, float]:
    home = Path(tempfile.mkdtemp(prefix="confkit-instructions-"))
    wrapper = ["valgrind", "--tool=callgrind", "--toggle-collect=evalShaCommand",
               f"--callgrind-out-file={home}/callgrind.%p"]
    server = LoopbackServer(home / "server", wrapper=wrapper, timeout=120).start()
    try:
        clock = ManualClock(T0)
        app = ConferenceApp(server.url, clock=clock)
        _populate(app, calls)
        floor = app.stores.script_client.register_script("return 1")
        floor()
        assert server.node is not None and server.node.process is not None
        counter = Counter(server.node.process.pid, home)

        def tick(op: Callable[[int], Any]) -> Callable[[int], Any]:
            def run(i: int) -> Any:
                clock.advance(timedelta(milliseconds=1))
                return op(i)
            return run

        results = {
            "floor (EVALSHA return 1)": counter.per_call(lambda _: floor(), calls),
            "join_meeting": counter.per_call(tick(lambda i: app.join_meeting(i + 1, 1)), calls),
            "post_message": counter.per_call(tick(lambda i: app.post_message(i + 1, 1, MESSAGE)), calls),
            "leave_meeting": counter.per_call(tick(lambda i: app.leave_meeting(i + 1, 1)), calls),
            f"active_meetings ({RUNNING} running)": counter.per_call(tick(lambda _: app.active_meetings()), calls),
        }
        app.close()
        return results
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="calls per operation (default 200)")
    parser.add_argument("--out", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        print("bench.instructions: skipped, it needs valgrind (Debian: apt-get install valgrind)",
              file=sys.stderr)
        return 0
    results = measure(args.calls)
    width = max(map(len, results))
    for name, count in results.items():
        print(f"{name:<{width}}  {count:>12,.0f} instructions per call")
    if args.out:
        args.out.write_text(json.dumps({"calls": args.calls, "instructions_per_call": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
