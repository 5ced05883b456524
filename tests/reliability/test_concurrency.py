"""Concurrency: several OS processes hammer the same meetings with joins, leaves,
posts and reads (a bounded number of operations each). Afterwards the store holds
exactly what the clients were told succeeded, and its invariants hold: no duplicate
join from racing processes, no lost or invented event, no outsider in the private
meeting."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import storecheck
import workload
from runsize import scale

USERS = (1, 2, 3, 4, 5, 6)
INVITED = (1, 2, 3, 4)  # users 5 and 6 are outsiders of the private meeting 2


def test_processes_hammering_the_same_meetings(app, clock, redis_server, figures):
    processes, operations = scale((4, 250), (4, 4000))
    for uid in USERS:
        app.add_user(uid, f"User {uid}", 30, "f", f"u{uid}@example.com")
    app.add_meeting(1, "Open", "", is_public=True)
    app.add_meeting(2, "Board", "", is_public=False, audience=[f"U{u}@Example.com" for u in INVITED])
    for mid in (1, 2):
        app.add_instance(mid, 1, clock() - timedelta(minutes=5), clock() + timedelta(days=1))

    specs = [workload.Spec(redis_server.url, w, USERS, (1, 2), operations, seed=w, now=clock())
             for w in range(processes)]
    reports = workload.Fleet(specs).reports()

    assert [r.interrupted for r in reports] == [None] * processes
    told = [op for r in reports for op in r.done]
    refused = sum((Counter(r.refused) for r in reports), Counter())
    for mid in (1, 2):
        told_events = {op[3]: (op[1], {"join": 1, "leave": 2}[op[0]]) for op in told
                       if op[2] == mid and op[0] != "post"}
        stored = {e.event_id: (e.user_id, e.event_type) for e in storecheck.events(app, mid)}
        assert stored == told_events  # nothing acknowledged missing, nothing unacknowledged present
        told_posts = {op[3]: (op[1], op[4]) for op in told if op[2] == mid and op[0] == "post"}
        assert {m.message_id: (m.user_id, m.text) for m in storecheck.messages(app, mid)} == told_posts
        assert {(m.message_id, m.text) for m in app.meeting_messages(mid)} == {
            (i, text) for i, (_, text) in told_posts.items()}
    outsiders = [e for e in storecheck.events(app, 2) if e.user_id not in INVITED]
    assert outsiders == []
    assert storecheck.violations(app) == []
    # The processes did race: the same users were refused for joining twice or leaving
    # when out, and outsiders were turned away.
    assert refused["AlreadyJoinedError"] > 0 and refused["NotJoinedError"] > 0
    assert refused["NotInvitedError"] > 0

    figures["concurrency test (tests/reliability/test_concurrency.py)"] = {
        "processes x operations": f"{processes} x {operations}",
        "writes acknowledged": len(told),
        "reads": sum(r.reads for r in reports),
        "refused (already joined / not joined / not invited)":
            f"{refused['AlreadyJoinedError']} / {refused['NotJoinedError']} / {refused['NotInvitedError']}",
        "acknowledged but missing / present but unacknowledged": "0 / 0",
    }


def test_end_meeting_racing_joins_leaves_and_posts(app, clock, redis_server, figures):
    """end_meeting lands in the middle of the load: whoever is inside times out exactly
    once, no one gets in afterwards, and nothing acknowledged is missing."""
    processes, operations = scale((3, 300), (4, 3000))
    for uid in USERS:
        app.add_user(uid, f"User {uid}", 30, "f", f"u{uid}@example.com")
    app.add_meeting(3, "Town hall", "", is_public=True)
    app.add_instance(3, 1, clock() - timedelta(minutes=5), clock() + timedelta(days=1))
    specs = [workload.Spec(redis_server.url, w, USERS, (3,), operations, seed=50 + w, now=clock())
             for w in range(processes)]
    fleet = workload.Fleet(specs, signal_at=operations // 3)
    assert fleet.reached.wait(timeout=300), "the workers never got going"
    timeouts = app.end_meeting(3)
    reports = fleet.reports()

    log = storecheck.events(app, 3)
    told = {op[3]: (op[1], {"join": 1, "leave": 2}[op[0]]) for r in reports for op in r.done if op[0] != "post"}
    assert {e.event_id: (e.user_id, e.event_type) for e in log if e.event_type != 3} == told
    assert [(e.event_id, e.user_id) for e in log if e.event_type == 3] == [(t.event_id, t.user_id) for t in timeouts]
    if timeouts:  # everything acknowledged happened before the end
        assert max(told) < min(t.event_id for t in timeouts) == len(log) - len(timeouts) + 1
    posts = {op[3]: op[4] for r in reports for op in r.done if op[0] == "post"}
    assert {m.message_id: m.text for m in storecheck.messages(app, 3)} == posts
    assert storecheck.presence(app, 3) == {}
    assert storecheck.violations(app) == []
    late = sum(r.refused.get("NoActiveInstanceError", 0) for r in reports)
    assert late > 0  # the workers kept going after the end, and were refused
    figures["end_meeting racing the load (tests/reliability/test_concurrency.py)"] = {
        "processes x operations": f"{processes} x {operations}",
        "writes acknowledged before the end": len(told) + len(posts),
        "timed out by end_meeting": len(timeouts),
        "calls refused after the end (no running instance)": late,
    }
