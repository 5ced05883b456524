"""One test per defect of the original implementation: each would fail on its design."""

from __future__ import annotations

import multiprocessing as mp
from datetime import timedelta

import pytest
from clockwork import T0

from confkit import (
    AlreadyJoinedError,
    ConferenceApp,
    EventType,
    ManualClock,
    NoActiveInstanceError,
    NotJoinedError,
)
from confkit.codec import decode_event


def _events(app, meeting_id):
    raw = app.stores.activity.hgetall(app.keys.events(meeting_id))
    return sorted((decode_event(meeting_id, k, v) for k, v in raw.items()), key=lambda e: e.event_id)


def test_defect_rejoin_after_leave_is_allowed_and_shows_as_participant(meeting_setup, clock):
    meeting_setup.join_meeting(1, 10)
    clock.advance(minutes=1)
    meeting_setup.leave_meeting(1, 10)
    clock.advance(minutes=1)
    again = meeting_setup.join_meeting(1, 10)
    assert again.event_type is EventType.JOIN
    assert [(p.user_id, p.joined_at) for p in meeting_setup.meeting_participants(10)] == [
        (1, T0 + timedelta(minutes=2))]


def test_defect_event_ids_order_numerically_not_as_strings(meeting_setup, clock):
    for _ in range(6):  # events 1..12: "10" sorts before "9" as strings
        meeting_setup.join_meeting(1, 10)
        clock.advance(seconds=1)
        meeting_setup.leave_meeting(1, 10)
        clock.advance(seconds=1)
    meeting_setup.join_meeting(1, 10)  # event 13 leaves user 1 inside
    assert [p.user_id for p in meeting_setup.meeting_participants(10)] == [1]
    ids = [e.event_id for e in _events(meeting_setup, 10)]
    assert ids == list(range(1, 14))
    meeting_setup.leave_meeting(1, 10)
    with pytest.raises(NotJoinedError):  # the original let a user "leave" three times in a row
        meeting_setup.leave_meeting(1, 10)


def test_defect_order_id_10_is_newer_than_order_id_9(app, clock):
    app.add_user(1, "Ann", 30, "female", "ann@example.com")
    app.add_meeting(5, "Weekly", "", is_public=True)
    for order in range(1, 11):  # instance k starts k hours before T0 + 10 h
        start = T0 + timedelta(hours=order)
        app.add_instance(5, order, start, start + timedelta(minutes=30))
    clock.advance(hours=10, minutes=5)
    assert app.join_meeting(1, 5).order_id == 10
    assert [a.instance.order_id for a in app.active_meetings()] == [10]


def _join_race(url: str, user_id: int, meeting_id: int, barrier, results) -> None:
    app = ConferenceApp(url, clock=ManualClock(T0))
    barrier.wait()
    try:
        app.join_meeting(user_id, meeting_id)
        results.put("joined")
    except AlreadyJoinedError:
        results.put("already")


def _post_race(url: str, user_id: int, meeting_id: int, count: int, barrier, results) -> None:
    app = ConferenceApp(url, clock=ManualClock(T0))
    barrier.wait()
    ids = [app.post_message(user_id, meeting_id, f"u{user_id} #{i}").message_id for i in range(count)]
    results.put(ids)


def _run_processes(target, argsets):
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(len(argsets))
    results = ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, barrier, results)) for args in argsets]
    for proc in procs:
        proc.start()
    out = [results.get(timeout=60) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    return out


def test_defect_concurrent_joins_by_one_user_log_exactly_one_join(meeting_setup, redis_server):
    outcomes = _run_processes(_join_race, [(redis_server.url, 1, 10)] * 8)
    assert sorted(outcomes) == ["already"] * 7 + ["joined"]
    joins = [e for e in _events(meeting_setup, 10) if e.event_type is EventType.JOIN]
    assert len(joins) == 1


def test_defect_concurrent_writers_never_share_an_id(meeting_setup, redis_server):
    for uid in (1, 2, 3, 4):
        meeting_setup.join_meeting(uid, 10)
    per_process = 50
    batches = _run_processes(_post_race, [(redis_server.url, uid, 10, per_process) for uid in (1, 2, 3, 4)])
    acknowledged = sorted(i for batch in batches for i in batch)
    assert acknowledged == list(range(1, 4 * per_process + 1))
    assert len(meeting_setup.meeting_messages(10)) == 4 * per_process


def test_defect_ending_the_active_instance_really_ends_it(meeting_setup, clock):
    meeting_setup.join_meeting(1, 10)
    clock.advance(minutes=10)
    (timeout,) = meeting_setup.end_meeting(10)
    assert timeout.timestamp == T0 + timedelta(minutes=10)  # now, not the scheduled end
    assert 10 not in [a.meeting.meeting_id for a in meeting_setup.active_meetings()]
    with pytest.raises(NoActiveInstanceError):
        meeting_setup.meeting_participants(10)
    meeting_setup.add_instance(10, 2, T0 + timedelta(minutes=20), T0 + timedelta(hours=1))
    clock.advance(minutes=10)
    assert meeting_setup.join_meeting(1, 10).order_id == 2  # the user can rejoin later


def test_defect_int_and_str_ids_name_the_same_user(meeting_setup):
    meeting_setup.join_meeting("1", "10")
    with pytest.raises(AlreadyJoinedError):
        meeting_setup.join_meeting(1, 10)
    assert meeting_setup.get_user("0001").name == "Ann"
    assert meeting_setup.leave_meeting(1, "10").user_id == 1


@pytest.mark.parametrize("crafted", ["?", "*", "[1]", "1*", "{1}"])
def test_defect_ids_are_never_patterns(meeting_setup, crafted):
    from confkit import InvalidInputError

    meeting_setup.join_meeting(1, 10)
    with pytest.raises(InvalidInputError):
        meeting_setup.leave_meeting(crafted, 10)
    assert [p.user_id for p in meeting_setup.meeting_participants(10)] == [1]


def test_defect_sample_data_is_active_whatever_the_date(app, clock):
    clock.set(T0 + timedelta(days=3650, hours=7, minutes=13))
    app.load_sample_data()
    active = app.active_meetings()
    assert {a.meeting.meeting_id for a in active} == {1, 2, 5}
    app.join_meeting(1, 1)
    times = app.join_times()
    assert isinstance(times, list) and [(j.meeting_id, j.user_id) for j in times] == [(1, 1)]


def test_defect_operations_never_scan_the_keyspace(meeting_setup, clock):
    """The original ran KEYS on every join; confkit's operations use no KEYS or SCAN."""
    catalog, activity = meeting_setup.stores.catalog, meeting_setup.stores.activity
    before = {name: _calls(client) for name, client in (("catalog", catalog), ("activity", activity))}
    meeting_setup.join_meeting(1, 10)
    meeting_setup.post_message(1, 10, "hi")
    meeting_setup.meeting_participants(10)
    meeting_setup.active_meetings()
    meeting_setup.join_times()
    meeting_setup.meeting_messages(10)
    meeting_setup.user_messages(1, 10)
    meeting_setup.leave_meeting(1, 10)
    meeting_setup.end_meeting(10)
    meeting_setup.sweep()
    after = {name: _calls(client) for name, client in (("catalog", catalog), ("activity", activity))}
    assert after["activity"].get("evalsha", 0) > before["activity"].get("evalsha", 0)
    for name in ("catalog", "activity"):
        for command in ("keys", "scan"):
            assert after[name].get(command, 0) == before[name].get(command, 0), (name, command)


def _calls(client) -> dict[str, int]:
    """Commands served so far, summed over every node on a cluster."""
    from collections import Counter

    if hasattr(client, "get_nodes"):
        per_node = client.info("commandstats", target_nodes=client.ALL_NODES).values()
    else:
        per_node = [client.info("commandstats")]
    total: Counter[str] = Counter()
    for stats in per_node:
        total.update({key.removeprefix("cmdstat_"): value["calls"] for key, value in stats.items()})
    return dict(total)
