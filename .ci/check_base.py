"""`make check-base`: confkit installed with its base dependencies alone (none of the
notebook or test tools) imports, runs every operation against the embedded server it
starts itself, generates a history and computes the analytics and charts.

Run with the base environment's Python from outside the checkout, so that the
installed package (with its Lua scripts) is what gets imported."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

NOT_INSTALLED = ("jupyter_client", "ipykernel", "nbclient", "nbconvert", "nbformat", "ipywidgets", "pytest",
                 "hypothesis", "nbval", "ruff")


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"check-base: FAILED: {what}")
    print(f"ok  {what}")


def main() -> int:
    present = [name for name in NOT_INSTALLED if importlib.util.find_spec(name)]
    check(not present, f"no notebook or test tools installed (found: {present or 'none'})")
    with tempfile.TemporaryDirectory(prefix="confkit-base-") as scratch:
        os.environ["CONFKIT_HOME"] = str(Path(scratch) / "home")
        os.environ["CONFKIT_STATE_DIR"] = str(Path(scratch) / "state")
        os.environ.pop("CONFKIT_REDIS_URL", None)
        from confkit.server import EmbeddedServer

        try:
            operations(Path(scratch))
        finally:
            EmbeddedServer().stop()
    return 0


def operations(scratch: Path) -> None:
    import confkit
    from confkit import ConferenceApp, EventType, ManualClock, analytics, plots
    from confkit.synth import generate

    check("site-packages" in confkit.__file__, f"confkit imported from the installed package ({confkit.__file__})")
    now = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)
    clock = ManualClock(now)
    with ConferenceApp(clock=clock) as app:
        check(app.users() == [], "the embedded server starts, empty")
        sample = app.load_sample_data()
        check((sample.users, sample.meetings, sample.instances) == (8, 5, 9), "sample data loaded")
        check([m.meeting.meeting_id for m in app.active_meetings()] == [1, 2, 5], "active meetings 1, 2, 5")
        check(app.join_meeting(1, 1).event_type == EventType.JOIN, "Alice joins the stand-up")
        clock.advance(minutes=1)
        check(app.post_message(1, 1, "hello").text == "hello", "Alice posts")
        check([p.user_id for p in app.meeting_participants(1)] == [1], "participants: Alice")
        check([(j.meeting_id, j.user_id) for j in app.join_times()] == [(1, 1)], "join times")
        check([m.text for m in app.user_messages(1, 1)] == ["hello"], "Alice's messages")
        check([e.event_type for e in app.end_meeting(1)] == [EventType.TIMEOUT], "ending the stand-up times Alice out")
        report = generate(app, users=30, meetings=4, days=7, seed=1)
        check(report.events > 0 and report.messages > 0,
              f"generated {report.events} events and {report.messages} messages")
        data = analytics.load(app)
        check(len(data.events) == report.events + 2, "events frame holds every event")
        check(len(data.messages) == report.messages + 1, "messages frame holds every message")
        late = analytics.lateness(data.sessions)
        ax = plots.lateness_histogram(late)
        ax.figure.savefig(scratch / "lateness.png")
        check((scratch / "lateness.png").stat().st_size > 0, "a chart drawn and saved")
    from confkit.formats import read_attendance

    examples = Path(__file__).resolve().parent.parent / "examples" / "exports"
    reports = {path.parent.name: read_attendance(path, tz="America/New_York")
               for path in sorted(examples.rglob("*.csv"))}
    check(sorted(reports) == ["meet", "teams", "zoom"] and all(len(r.segments) for r in reports.values()),
          "the example exports of Meet, Teams and Zoom read")
    from confkit.testing import LocalCluster

    with LocalCluster(scratch / "cluster", masters=1) as cluster, \
            ConferenceApp(cluster.url, cluster=True, clock=ManualClock(now)) as app:
        app.load_sample_data()
        check([m.meeting.meeting_id for m in app.active_meetings()] == [1, 2, 5], "the local cluster works")
    command = Path(sys.executable).parent / "confkit"
    shown = subprocess.run([str(command), "--now", now.isoformat(), "active"], capture_output=True, text=True)
    check(shown.returncode == 0 and "Board review" in shown.stdout, "the confkit command lists active meetings")
    demo = subprocess.run([sys.executable, "-m", "confkit.demo"], capture_output=True, text=True)
    check(demo.returncode == 0 and "Bob times out" in demo.stdout, "the demo runs")


if __name__ == "__main__":
    sys.exit(main())
