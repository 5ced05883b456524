"""The bulk loader writes exactly what the operations write, and checks what they check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from clockwork import T0
from storedump import store_state

from confkit import EventType, InvalidInputError
from confkit.bulk import MESSAGE, Activity, load_activity, load_catalog
from confkit.codec import to_ms
from confkit.storage import MESSAGE_CHUNK, WHOLE_MESSAGES, Storage

J, L, T = int(EventType.JOIN), int(EventType.LEAVE), int(EventType.TIMEOUT)


_state = store_state


def _through_operations(app, clock):
    """Two instances of meeting 10; user 1 joins, posts, leaves, rejoins; user 2 stays
    until the first instance ends on its own; user 3 is still inside the second."""
    for uid, name in ((1, "Ann"), (2, "Ben"), (3, "Cy")):
        app.add_user(uid, name, 30, "x", f"{name.lower()}@example.com")
    app.add_meeting(10, "Forum", "", is_public=True)
    app.add_instance(10, 1, T0, T0 + timedelta(hours=1))
    app.add_instance(10, 2, T0 + timedelta(hours=2), T0 + timedelta(hours=3))
    app.join_meeting(1, 10)
    clock.advance(minutes=1)
    app.join_meeting(2, 10)
    for i in range(12):
        clock.advance(seconds=5)
        app.post_message(1 + i % 2, 10, f"message {i} <b>&</b>")
    app.leave_meeting(1, 10)
    clock.advance(minutes=1)
    app.join_meeting(1, 10)
    app.leave_meeting(1, 10)
    clock.set(T0 + timedelta(hours=2, minutes=5))
    app.join_meeting(3, 10)  # lazily times user 2 out at the end of instance 1
    app.post_message(3, 10, "second instance")
    # A listing moves instance 2 (scheduled when added, started now) into by_end, where
    # the bulk loader, writing at this time, puts it directly.
    assert [a.instance.order_id for a in app.active_meetings()] == [2]


def _as_records():
    t = to_ms(T0)
    minute, five = 60_000, 5_000
    recs = [Activity(10, 1, 1, J, t), Activity(10, 1, 2, J, t + minute)]
    recs += [Activity(10, 1, 1 + i % 2, MESSAGE, t + minute + five * (i + 1), f"message {i} <b>&</b>")
             for i in range(12)]
    after = t + minute + five * 12
    recs += [Activity(10, 1, 1, L, after), Activity(10, 1, 1, J, after + minute),
             Activity(10, 1, 1, L, after + minute),
             Activity(10, 1, 2, T, t + 60 * minute),
             Activity(10, 2, 3, J, t + 125 * minute), Activity(10, 2, 3, MESSAGE, t + 125 * minute, "second instance")]
    return recs


def test_bulk_load_equals_the_operations(app, clock):
    _through_operations(app, clock)
    expected = _state(app)
    catalog = (app.users(), app.meetings(), [i for m in app.meetings() for i in app.instances(m.meeting_id)])
    app.reset()
    load_catalog(app, *catalog)
    report = load_activity(app, _as_records(), progress=False)
    assert (report.events, report.messages, report.open_sessions) == (7, 13, 1)
    assert _state(app) == expected


@pytest.mark.parametrize("bad", [
    [Activity(10, 1, 1, J, 0)],                                    # before the instance
    [Activity(10, 9, 1, J, 1)],                                    # no such instance
    [Activity(10, 1, 1, L, 1)],                                    # leave without join
    [Activity(10, 1, 1, J, 1), Activity(10, 1, 1, J, 2)],          # join twice
    [Activity(10, 1, 1, MESSAGE, 1, "hi")],                        # post while absent
    [Activity(10, 1, 1, J, 1), Activity(10, 1, 1, MESSAGE, 2, " ")],  # blank text
])
def test_bulk_load_refuses_what_the_operations_refuse_and_writes_nothing(app, bad):
    start = to_ms(T0)
    app.add_meeting(10, "Forum", "", is_public=True)
    app.add_instance(10, 1, T0, T0 + timedelta(hours=1))
    before = _state(app)
    shifted = [Activity(r.meeting_id, r.order_id, r.user_id, r.kind,
                        start + r.ts_ms - 1 if r.ts_ms else start - 1, r.text) for r in bad]
    with pytest.raises(InvalidInputError):
        load_activity(app, shifted, progress=False)
    assert _state(app) == before


@pytest.mark.backends
@pytest.mark.parametrize("count", [WHOLE_MESSAGES, 3_100])
def test_meeting_messages_read_whole_or_in_chunks(app, clock, monkeypatch, count):
    """Up to WHOLE_MESSAGES messages are read in one round trip; more by id in chunks
    of MESSAGE_CHUNK. Either way every message comes back, oldest first, with the
    values loaded (written down here from the loop, not read back through confkit)."""
    chunked = []
    monkeypatch.setattr(Storage, "_many_messages",
                        lambda self, *args, real=Storage._many_messages: chunked.append(args) or real(self, *args))
    for uid, name in ((1, "Ann"), (2, "Ben"), (3, "Cy")):
        app.add_user(uid, name, 30, "x", f"{name.lower()}@example.com")
    app.add_meeting(10, "Forum", "", is_public=True)
    app.add_instance(10, 1, T0, T0 + timedelta(hours=2))
    t = to_ms(T0)
    records = [Activity(10, 1, uid, J, t) for uid in (1, 2, 3)]
    # two messages per millisecond: within one, posting order (by id) decides
    records += [Activity(10, 1, 1 + i % 3, MESSAGE, t + 1 + i // 2, f"m{i} ü") for i in range(count)]
    load_activity(app, records, progress=False)

    messages = app.meeting_messages(10)

    assert len(messages) == count
    assert [(m.message_id, m.user_id, m.text, to_ms(m.timestamp), m.meeting_id, m.order_id) for m in messages] == [
        (i + 1, 1 + i % 3, f"m{i} ü", t + 1 + i // 2, 10, 1) for i in range(count)]
    assert chunked == ([] if count <= WHOLE_MESSAGES else [(10, count)])
    assert count <= WHOLE_MESSAGES or count > 6 * MESSAGE_CHUNK  # the large case spans several chunks
    assert [m.text for m in app.user_messages(2, 10)] == [f"m{i} ü" for i in range(1, count, 3)]


@pytest.mark.parametrize("later, earlier", [(3, 4), (1_200, 800), (1_500, 1_000)])
def test_meeting_messages_in_time_order_when_later_ids_are_older(app, later, earlier):
    """Messages loaded for an earlier instance after a later one's have higher ids but
    older times: they come first, by time, then id; read whole (up to WHOLE_MESSAGES
    in all) or by id in chunks."""
    for uid, name in ((1, "Ann"), (2, "Ben")):
        app.add_user(uid, name, 30, "x", f"{name.lower()}@example.com")
    app.add_meeting(10, "Forum", "", is_public=True)
    app.add_instance(10, 1, T0, T0 + timedelta(hours=1))
    app.add_instance(10, 2, T0 + timedelta(hours=2), T0 + timedelta(hours=3))
    t1, t2 = to_ms(T0), to_ms(T0 + timedelta(hours=2))
    load_activity(app, [Activity(10, 2, 1, J, t2), Activity(10, 2, 2, J, t2)]
                  + [Activity(10, 2, 1 + i % 2, MESSAGE, t2 + 1 + i // 2, f"late {i}") for i in range(later)],
                  progress=False)
    load_activity(app, [Activity(10, 1, 1, J, t1), Activity(10, 1, 2, J, t1)]
                  + [Activity(10, 1, 2 - i % 2, MESSAGE, t1 + 1 + i // 2, f"early {i}") for i in range(earlier)],
                  progress=False)

    messages = app.meeting_messages(10)

    expected = ([(later + 1 + i, 1, 2 - i % 2, f"early {i}", t1 + 1 + i // 2) for i in range(earlier)]
                + [(1 + i, 2, 1 + i % 2, f"late {i}", t2 + 1 + i // 2) for i in range(later)])
    assert [(m.message_id, m.order_id, m.user_id, m.text, to_ms(m.timestamp)) for m in messages] == expected
    assert {m.meeting_id for m in messages} == {10}
    assert [m.text for m in app.user_messages(1, 10)] == (
        [f"early {i}" for i in range(1, earlier, 2)] + [f"late {i}" for i in range(0, later, 2)])
