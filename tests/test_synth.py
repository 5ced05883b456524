"""The synthetic generator: reproducible, the same through operations and bulk
loading, and shaped like real meetings."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime, timedelta, timezone

import pytest
from storedump import store_state

from confkit import ConferenceApp, EventType, InvalidInputError, ManualClock, synth
from confkit.bulk import MESSAGE, Activity, load_activity, load_catalog
from confkit.codec import to_ms

NOW = datetime(2030, 1, 14, 9, 7, tzinfo=timezone.utc)  # a Monday, stand-ups running
SIZE = dict(users=40, meetings=8, days=21)


snapshot = store_state


@pytest.fixture
def fresh(redis_server):
    """Apps in separate namespaces on the test server, all at NOW."""
    made = []

    def make(namespace: str) -> ConferenceApp:
        app = ConferenceApp(redis_server.url, clock=ManualClock(NOW), namespace=namespace)
        app.reset()
        made.append(app)
        return app

    yield make
    for app in made:
        app.reset()
        app.close()


def test_same_arguments_give_identical_data(fresh):
    first, second = fresh("synth-a"), fresh("synth-b")
    report = synth.generate(first, seed=5, method="operations", **SIZE)
    assert synth.generate(second, seed=5, method="operations", **SIZE) == report
    data = snapshot(first)
    assert len(data) > 100
    assert data == snapshot(second)


def test_operations_and_bulk_loader_write_the_same(fresh):
    replayed, loaded = fresh("synth-ops"), fresh("synth-bulk")
    by_ops = synth.generate(replayed, seed=9, method="operations", **SIZE)
    by_bulk = synth.generate(loaded, seed=9, method="bulk", **SIZE)
    assert (by_ops.method, by_bulk.method) == ("operations", "bulk")
    assert by_ops.open_sessions == by_bulk.open_sessions > 0
    assert snapshot(replayed) == snapshot(loaded)


def test_another_seed_gives_other_data(fresh):
    one, other = fresh("synth-s1"), fresh("synth-s2")
    synth.generate(one, seed=1, method="bulk", **SIZE)
    synth.generate(other, seed=2, method="bulk", **SIZE)
    assert snapshot(one) != snapshot(other)


def test_running_instances_keep_their_participants(fresh):
    app = fresh("synth-live")
    report = synth.generate(app, seed=5, **SIZE)
    assert report.method == "operations"  # small: replayed through the operations
    present = app.join_times()
    assert len(present) == report.open_sessions > 0
    assert all(p.joined_at <= NOW for p in present)


def test_ids_continue_after_existing_data(fresh):
    app = fresh("synth-ids")
    app.load_sample_data()  # users 1-8, meetings 1-5
    synth.generate(app, users=3, meetings=2, days=2, seed=1)
    assert [u.user_id for u in app.users()][-3:] == [9, 10, 11]
    assert [m.meeting_id for m in app.meetings()][-2:] == [6, 7]
    assert app.get_user(1).name == "Alice Martin"


def test_shifted_ids_give_the_same_history(fresh):
    """Meetings draw by position, not id: after the sample data (users 1-8, meetings
    1-5) the same parameters give the same history, ids shifted by 8 and 5."""
    alone = synth.plan(now=NOW, seed=4, **SIZE)
    after = synth.plan(now=NOW, seed=4, first_user_id=9, first_meeting_id=6, **SIZE)

    def shifted(a: Activity) -> Activity:
        return Activity(a.meeting_id + 5, a.order_id, a.user_id + 8, a.kind, a.ts_ms, a.text)

    assert after.activity == tuple(shifted(a) for a in alone.activity)
    assert [m.title for m in after.meetings] == [m.title for m in alone.meetings]
    assert [(i.from_dt, i.to_dt) for i in after.instances] == [(i.from_dt, i.to_dt) for i in alone.instances]
    app, other = fresh("synth-after-sample"), fresh("synth-alone")
    app.load_sample_data()
    assert synth.generate(app, seed=4, **SIZE).events == synth.generate(other, seed=4, **SIZE).events


@pytest.mark.parametrize("bad", [dict(users=0), dict(meetings=-1), dict(days=1.5), dict(method="fast")])
def test_bad_arguments_are_refused_and_write_nothing(fresh, bad):
    app = fresh("synth-bad")
    with pytest.raises(InvalidInputError):
        synth.generate(app, **{**dict(users=5, meetings=2, days=3, seed=1), **bad})
    assert snapshot(app) == {}


@pytest.fixture(scope="module")
def history() -> synth.Plan:
    return synth.plan(users=60, meetings=12, days=28, seed=3, now=NOW)


def test_history_replays_as_valid_sessions(history):
    """Independently of the loader: joins and ends alternate per user and instance,
    messages come only from someone inside, and nothing happens after now."""
    spans = {(i.meeting_id, i.order_id): (to_ms(i.from_dt), to_ms(i.to_dt)) for i in history.instances}
    inside: dict[tuple[int, int], set[int]] = defaultdict(set)
    last = 0
    for rec in history.activity:
        assert rec.ts_ms >= last and rec.ts_ms < to_ms(NOW)
        last = rec.ts_ms
        start, end = spans[(rec.meeting_id, rec.order_id)]
        here = inside[(rec.meeting_id, rec.order_id)]
        if rec.kind == EventType.TIMEOUT:
            assert rec.ts_ms == end and rec.user_id in here
            here.remove(rec.user_id)
            continue
        assert start <= rec.ts_ms < end
        if rec.kind == EventType.JOIN:
            assert rec.user_id not in here
            here.add(rec.user_id)
        elif rec.kind == EventType.LEAVE:
            here.remove(rec.user_id)
        else:
            assert rec.kind == MESSAGE and rec.user_id in here and rec.text
    for key, users in inside.items():  # only instances running at now keep people inside
        assert not users or spans[key][0] <= to_ms(NOW) < spans[key][1]


def test_history_has_the_shapes_of_real_meetings(history):
    kinds = history.kinds
    assert set(kinds.values()) == {"stand-up", "class", "sync", "event"}
    starts = defaultdict(list)
    for inst in history.instances:
        starts[inst.meeting_id].append(inst.from_dt)
    for mid, kind in kinds.items():
        gaps = {(b - a).days for a, b in zip(starts[mid], starts[mid][1:])}
        if kind == "stand-up":
            assert gaps <= {1, 3} and all(s.weekday() < 5 for s in starts[mid])  # weekdays
        elif kind in ("class", "sync"):
            assert gaps == {7}
        else:
            assert len(starts[mid]) == 1  # a one-off event
    private = [m for m in history.meetings if not m.is_public]
    assert private and all(m.audience for m in private)
    assert all(not m.audience for m in history.meetings if m.is_public)
    assert history.scheduled_ends  # some hosts ended an instance early

    spans = {(i.meeting_id, i.order_id): i.from_dt for i in history.instances}
    first_join, joins = {}, defaultdict(int)
    for rec in history.activity:
        key = (rec.meeting_id, rec.order_id, rec.user_id)
        if rec.kind == EventType.JOIN:
            joins[key] += 1
            first_join.setdefault(key, (rec.ts_ms - to_ms(spans[key[:2]])) / 60_000)
    late = list(first_join.values())
    assert statistics.median(late) < 2  # joins cluster around the start...
    assert sum(m > 5 for m in late) / len(late) > 0.05  # ...with some late joiners
    assert sum(n > 1 for n in joins.values()) > 10  # rejoins
    ends = defaultdict(int)
    for rec in history.activity:
        ends[rec.kind] += 1
    assert ends[EventType.LEAVE] > ends[EventType.TIMEOUT] > 50


def test_chat_is_busiest_at_the_start_and_end_of_a_session(history):
    spans = {(i.meeting_id, i.order_id): (to_ms(i.from_dt), to_ms(i.to_dt)) for i in history.instances}
    deciles = [0] * 10
    for rec in history.activity:
        if rec.kind == MESSAGE:
            start, end = spans[(rec.meeting_id, rec.order_id)]
            deciles[min(9, int(10 * (rec.ts_ms - start) / (end - start)))] += 1
    middle = statistics.mean(deciles[2:7])
    assert deciles[0] > 1.5 * middle and deciles[9] > 1.2 * middle


def test_bulk_loader_creates_no_counter_the_operations_would_not(fresh):
    app = fresh("synth-counter")
    app.add_user(1, "Ann", 30, "female", "ann@example.com")
    app.add_meeting(1, "Room", "", is_public=True)
    app.add_instance(1, 1, NOW - timedelta(minutes=5), NOW + timedelta(hours=1))
    load_catalog(app)
    load_activity(app, [Activity(1, 1, 1, EventType.JOIN, to_ms(NOW - timedelta(minutes=1)))])
    activity = app.stores.activity
    assert activity.get(app.keys.event_seq(1)) == "1"
    assert not activity.exists(app.keys.message_seq(1))
