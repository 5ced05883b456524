"""The instance indexes behind active_meetings and join_times: scheduled instances
are found once they start, ended ones drop out, and the answer is right at any time
the clock is set to (the indexes only narrow the candidates; every one is checked)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from clockwork import T0

from confkit import ConferenceApp, ManualClock

pytestmark = pytest.mark.backends


def _ids(app) -> list[int]:
    return [a.meeting.meeting_id for a in app.active_meetings()]


def _indexed(app) -> tuple[set[str], set[str]]:
    catalog, keys = app.stores.catalog, app.keys
    return set(catalog.zrange(keys.instances_by_start, 0, -1)), set(catalog.zrange(keys.instances_by_end, 0, -1))


def test_scheduled_instance_is_listed_once_started_and_moves_into_by_end(app, clock):
    app.add_meeting(1, "Later", "", is_public=True)
    app.add_instance(1, 1, T0 + timedelta(hours=1), T0 + timedelta(hours=2))
    assert _indexed(app) == ({"1:1"}, set())
    assert _ids(app) == []
    clock.set(T0 + timedelta(hours=1))
    assert _ids(app) == [1]
    assert _indexed(app) == (set(), {"1:1"})
    clock.set(T0 + timedelta(hours=2))
    assert _ids(app) == []


def test_any_clock_position_gives_the_right_answer(app, clock):
    app.add_meeting(1, "Morning", "", is_public=True)
    app.add_meeting(2, "Evening", "", is_public=True)
    app.add_instance(1, 1, T0 + timedelta(hours=1), T0 + timedelta(hours=2))
    app.add_instance(2, 1, T0 + timedelta(hours=8), T0 + timedelta(hours=9))
    clock.set(T0 + timedelta(hours=8, minutes=30))
    assert _ids(app) == [2]  # both moved into by_end; meeting 1 has ended
    for hours, expected in ((1.5, [1]), (0, []), (8.5, [2]), (9, [])):
        # another client whose clock is elsewhere (earlier, too) on the same store
        other = ConferenceApp(stores=app.stores, clock=ManualClock(T0 + timedelta(hours=hours)),
                              namespace=app.keys.namespace)
        assert _ids(other) == expected, hours


def test_end_meeting_takes_an_instance_out_of_by_start(app, clock):
    app.add_meeting(1, "Short", "", is_public=True)
    app.add_instance(1, 1, T0 + timedelta(minutes=5), T0 + timedelta(hours=1))
    clock.set(T0 + timedelta(minutes=10))  # started, but no listing has moved it yet
    app.end_meeting(1)
    assert _indexed(app) == (set(), {"1:1"})
    ended_ms = (T0 + timedelta(minutes=10)).timestamp() * 1000
    assert app.stores.catalog.zscore(app.keys.instances_by_end, "1:1") == ended_ms
    assert _ids(app) == []


def test_more_running_meetings_than_one_script_call_checks(app, clock):
    for mid in range(1, 131):  # over the 100 meetings one call checks on a single server
        app.add_meeting(mid, f"M{mid}", "", is_public=True)
        start = T0 - timedelta(minutes=1) if mid % 3 else T0 + timedelta(hours=1)
        app.add_instance(mid, 1, start, start + timedelta(hours=2))
    running = [mid for mid in range(1, 131) if mid % 3]
    assert _ids(app) == running
    assert [j.meeting_id for j in app.join_times()] == []
    clock.set(T0 + timedelta(hours=1, minutes=30))
    assert _ids(app) == list(range(1, 131))
