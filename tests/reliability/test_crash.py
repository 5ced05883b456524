"""Crashes: the Redis server is SIGKILLed in the middle of a write load from several
processes and restarted on the same data directory; and power cuts are simulated by
cutting the append-only file at random points.

After a SIGKILL every acknowledged write is there (appendfsync always, and in practice
everysec too: the kill loses no data the server has handed to the operating system),
anything present but unacknowledged is the one call each worker had in flight, and
the invariants hold. After a power cut the store is exactly as it was after some
acknowledged operation: scripts are atomic in the file too (MULTI/EXEC blocks), so a
torn tail loses whole operations, never half of one.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import storecheck
import workload
from runsize import scale

from confkit import ConferenceApp, ManualClock
from confkit.errors import ServerError
from confkit.server import EmbeddedServer

WORKERS = 3
T0 = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)


def catalog(app, clock, workers: int) -> None:
    for uid in range(1, 10 * workers + 10):
        app.add_user(uid, f"User {uid}", 30, "f", f"u{uid}@example.com")
    for mid in (1, 2):
        app.add_meeting(mid, f"Meeting {mid}", "", is_public=True)
        app.add_instance(mid, 1, clock() - timedelta(minutes=5), clock() + timedelta(days=1))


@pytest.mark.parametrize("appendfsync", ["always", "everysec"])
def test_sigkill_during_writes(own_server, clock, appendfsync, figures):
    kill_after = scale(300, 3000)
    server = own_server(appendfsync=appendfsync)
    app = ConferenceApp(server.url, clock=clock)
    catalog(app, clock, WORKERS)
    pid = server.status().pid
    # Each worker has users of its own, so its acknowledged writes never conflict.
    specs = [workload.Spec(server.url, w, tuple(range(10 * w + 1, 10 * w + 4)), (1, 2),
                           operations=10 * kill_after, seed=100 + w, now=clock()) for w in range(WORKERS)]
    fleet = workload.Fleet(specs, signal_at=kill_after)
    assert fleet.reached.wait(timeout=300), "the workers never reached the kill point"
    os.kill(pid, signal.SIGKILL)
    reports = fleet.reports()
    server.start()  # same data directory

    acked = [op for r in reports for op in r.done]
    in_flight = {r.interrupted[1:4]: r.interrupted for r in reports if r.interrupted}
    assert len(in_flight) == WORKERS  # every worker was cut off mid-load
    found = 0
    lost, applied_unacked = [], []
    for mid in (1, 2):
        stored = {e.event_id: (e.user_id, e.event_type) for e in storecheck.events(app, mid)}
        posts = {m.message_id: (m.user_id, m.text) for m in storecheck.messages(app, mid)}
        found += len(stored) + len(posts)
        told = {op[3]: (op[1], {"join": 1, "leave": 2}[op[0]]) for op in acked if op[2] == mid and op[0] != "post"}
        told_posts = {op[3]: (op[1], op[4]) for op in acked if op[2] == mid and op[0] == "post"}
        lost += [i for i, v in told.items() if stored.get(i) != v]
        lost += [i for i, v in told_posts.items() if posts.get(i) != v]
        for i, (uid, kind) in stored.items():
            if i not in told:
                applied_unacked.append(("join" if kind == 1 else "leave", uid, mid))
        for i, (uid, text) in posts.items():
            if i not in told_posts:
                applied_unacked.append(("post", uid, mid))
                assert in_flight[("post", uid, mid)][4] == text
    # Whatever is there but was not acknowledged is a call that was in flight and that
    # the worker was told may or may not have happened (never one it was told failed).
    for op in applied_unacked:
        assert op in in_flight and in_flight[op][0] == "OutcomeUnknownError", op
    assert storecheck.violations(app) == []
    if appendfsync == "always":
        assert lost == []
    # Ids continue after the restart: nothing is reused.
    fresh = app.join_meeting(10 * WORKERS + 5, 1)
    assert fresh.event_id == len(storecheck.events(app, 1))

    figures[f"crash test, SIGKILL, appendfsync {appendfsync} (tests/reliability/test_crash.py)"] = {
        "processes, kill after": f"{WORKERS} writers, after {kill_after} acknowledged writes",
        "acknowledged when killed": len(acked),
        "found after restart (acknowledged + in flight)": found,
        "acknowledged but lost": len(lost),
        "in flight and applied": len(applied_unacked),
    }


def _aof_parts(data_dir: Path) -> tuple[Path, list[Path]]:
    """The append-only file the writes go to, and the files it needs beside it: one
    appendonly.aof (Redis 6.2), or the appendonlydir of Redis 7+ and Valkey (a base
    file, a manifest, one incr file)."""
    single = data_dir / "appendonly.aof"
    if single.exists():
        return single, []
    folder = data_dir / "appendonlydir"
    incr = sorted(folder.glob("*.incr.aof"))
    assert len(incr) == 1, incr
    return incr[0], [path for path in folder.iterdir() if path != incr[0]]


def test_power_cut_leaves_the_state_of_some_acknowledged_operation(own_server, tmp_path, figures):
    """Cut the AOF at random byte offsets (as a power cut loses the unsynced tail):
    every cut loads, and the store equals its state after one of the operations."""
    operations, cuts = scale((120, 6), (1500, 60))
    server = own_server(appendfsync="always")
    clock = ManualClock(T0)
    app = ConferenceApp(server.url, clock=clock)
    catalog(app, clock, 1)
    aof, beside = _aof_parts(server.data_dir)
    states = [storecheck.dump(app)]
    setup_size = aof.stat().st_size
    rng = random.Random(7)
    for i in range(operations):
        uid, mid = rng.randint(1, 5), rng.choice((1, 2))
        name = rng.choice(["join_meeting", "leave_meeting", "post_message"])
        args = (uid, mid, f"m{i}\x00\n") if name == "post_message" else (uid, mid)
        try:
            getattr(app, name)(*args)
        except Exception as exc:  # refusals (not joined, already joined) change nothing
            assert type(exc).__name__ in ("NotJoinedError", "AlreadyJoinedError"), exc
            continue
        states.append(storecheck.dump(app))
    server.stop()
    data = aof.read_bytes()
    offsets = sorted(rng.sample(range(setup_size, len(data)), cuts - 1)) + [len(data)]
    recovered = []
    for n, offset in enumerate(offsets):
        home = tmp_path / f"cut{n}"
        cut = home / "data" / aof.relative_to(server.data_dir)
        cut.parent.mkdir(parents=True)
        for path in beside:
            shutil.copyfile(path, cut.parent / path.name)
        cut.write_bytes(data[:offset])
        copy = EmbeddedServer(home, appendfsync="always")
        copy.start()
        try:
            with ConferenceApp(copy.url, clock=clock) as restored:
                state = storecheck.dump(restored)
                assert state in states, f"cut at byte {offset}: not the state after any operation"
                assert storecheck.violations(restored) == []
                recovered.append(states.index(state))
        finally:
            copy.stop()
    assert recovered == sorted(recovered) and recovered[-1] == len(states) - 1
    figures["power-cut test, AOF cut at random offsets (tests/reliability/test_crash.py)"] = {
        "operations written": len(states) - 1,
        "cuts tried": len(offsets),
        "cuts that loaded a consistent state": len(recovered),
        "operations kept at each cut": ", ".join(map(str, recovered[:12])) + (" ..." if len(recovered) > 12 else ""),
    }


def test_stricter_durability_setting_reaches_the_server(tmp_path, monkeypatch):
    monkeypatch.setenv("CONFKIT_APPENDFSYNC", "always")
    server = EmbeddedServer(tmp_path / "strict")
    server.start()
    try:
        admin = server.admin_client(decode_responses=True)
        assert admin.config_get("appendfsync") == {"appendfsync": "always"}
        assert admin.config_get("appendonly") == {"appendonly": "yes"}
        admin.close()
    finally:
        server.stop()
    monkeypatch.setenv("CONFKIT_APPENDFSYNC", "sometimes")
    with pytest.raises(ServerError):
        EmbeddedServer(tmp_path / "bad")
