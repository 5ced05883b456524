"""``make demo``: start the embedded server, load the sample data and run every
operation once, narrating each step (the notebooks then go further).

The demo writes in a key namespace of its own (NAMESPACE), so its reset clears only
what an earlier demo wrote, never the user's data on the same server."""

from __future__ import annotations

import os
import sys

from .app import ConferenceApp
from .errors import ConfkitError
from .present import render
from .server import EmbeddedServer

NAMESPACE = "confkit-demo"


def walkthrough(app: ConferenceApp) -> None:
    def step(title: str, call, *args) -> None:
        print(f"\n## {title}")
        try:
            print(render(call(*args)))
        except ConfkitError as exc:
            print(f"refused ({type(exc).__name__}): {exc}")

    step("Load the sample data", app.load_sample_data)
    step("Active meetings", app.active_meetings)
    step("Alice joins the public stand-up (meeting 1)", app.join_meeting, 1, 1)
    step("Bob joins the stand-up", app.join_meeting, 2, 1)
    step("Carla tries the private board review (meeting 2)", app.join_meeting, 3, 2)
    step("Bob joins the board review (he is invited)", app.join_meeting, 2, 2)
    step("Participants of the stand-up", app.meeting_participants, 1)
    step("Join times across active meetings", app.join_times)
    step("Alice posts a message", app.post_message, 1, 1, "Morning! Yesterday: shipped the parser.")
    step("Bob posts a message", app.post_message, 2, 1, "Reviewing Alice's PR today.")
    step("Eve posts without joining", app.post_message, 5, 1, "hello?")
    step("Messages in the stand-up", app.meeting_messages, 1)
    step("Bob's messages in the stand-up", app.user_messages, 2, 1)
    step("Alice leaves the stand-up", app.leave_meeting, 1, 1)
    step("Alice leaves again", app.leave_meeting, 1, 1)
    step("Joining the Python class, whose last lesson is over", app.join_meeting, 1, 3)
    step("End the stand-up: Bob times out", app.end_meeting, 1)
    step("Active meetings now", app.active_meetings)


def main() -> int:
    url = os.environ.get("CONFKIT_REDIS_URL") or None
    if url is None:
        status = EmbeddedServer().start()
        url = status.url
        print(f"Embedded Redis {status.version} running at {status.url} (data in {status.home})")
    with ConferenceApp(url, namespace=NAMESPACE) as app:
        print(f"Cleared {app.reset()} keys of earlier demos (namespace {NAMESPACE!r}).")
        walkthrough(app)
    return 0


if __name__ == "__main__":
    sys.exit(main())
