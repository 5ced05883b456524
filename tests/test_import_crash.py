"""An import whose process is SIGKILLed halfway leaves nothing any reader can see, and
importing the same report again then works."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone

import pytest
from clockwork import T0

from confkit import ConferenceApp, MeetingNotFoundError
from confkit.analytics import events_frame, messages_frame
from confkit.synth_exports import synthetic_export

pytestmark = pytest.mark.backends

START = datetime(2029, 12, 3, 10, tzinfo=timezone.utc)
SEGMENTS, MESSAGES, STOP_AFTER = 10_000, 5_000, 9_000

CHILD = r"""
import sys
from datetime import datetime
from confkit import ConferenceApp, ManualClock
from confkit.synth_exports import synthetic_export
import confkit.importer as importer

url, cluster, segments, messages, stop_after, start, now = sys.argv[1:]
report, chat = synthetic_export(int(segments), int(messages), start=datetime.fromisoformat(start))
added, done = importer._Writer.added, [0]

def pause(self, records):
    added(self, records)
    done[0] += records
    if done[0] >= int(stop_after):
        print("staging", done[0], flush=True)
        sys.stdin.readline()  # parked here until the test kills the process

importer._Writer.added = pause
app = ConferenceApp(url, cluster=cluster == "1", clock=ManualClock(datetime.fromisoformat(now)))
app.import_meeting(report, chat, progress=False)
print("finished", flush=True)
"""


def _url(app, request):
    fixture = "redis_cluster" if app.stores.cluster else "redis_server"
    return request.getfixturevalue(fixture).url


def _history(app):
    """(name, event type, time) of every event: comparable across user ids."""
    events = events_frame(app)
    names = {u.user_id: u.name for u in app.users()}
    return sorted(zip(events["user_id"].map(names), events["event_type"].astype(str), events["timestamp"]))


def test_a_killed_import_leaves_nothing_visible_and_a_repeat_works(app, request):
    url = _url(app, request)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url, "1" if app.stores.cluster else "0", str(SEGMENTS), str(MESSAGES),
         str(STOP_AFTER), START.isoformat(), T0.isoformat()],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()
        assert line.startswith("staging"), line
    finally:
        child.kill()
        child.wait()

    assert app.users() == [] and app.meetings() == []
    assert len(events_frame(app, [1])) == 0 and len(messages_frame(app, [1])) == 0
    with pytest.raises(MeetingNotFoundError):
        app.instances(1)
    with pytest.raises(MeetingNotFoundError):
        app.meeting_messages(1)
    leftovers = []
    for client in {id(c): c for c in (app.stores.catalog, app.stores.activity)}.values():
        for key in client.scan_iter(match=app.keys.all_pattern, count=1000):
            if client.ttl(key) < 0:
                leftovers.append(key)
    # Only the import's own bookkeeping outlives it: reserved ids and the meeting's reference.
    assert sorted(leftovers) == sorted([app.keys.import_user_seq, app.keys.import_meeting_seq,
                                        app.keys.import_meetings])

    report, chat = synthetic_export(SEGMENTS, MESSAGES, start=START)
    result = app.import_meeting(report, chat, progress=False)
    assert result.created and result.meeting_id == 1
    fresh = ConferenceApp(url, cluster=app.stores.cluster, clock=app.clock, namespace="fresh")
    try:
        fresh.reset()
        expected = fresh.import_meeting(report, chat, progress=False)
        assert (result.sessions, result.messages, result.people) == (expected.sessions, expected.messages,
                                                                     expected.people)
        assert _history(app) == _history(fresh)
        assert len(messages_frame(app)) == len(messages_frame(fresh)) == result.messages
    finally:
        fresh.reset()
        fresh.close()
