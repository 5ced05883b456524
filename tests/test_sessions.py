"""Sessions: every join is closed by one leave or timeout, never before it began."""

from datetime import timedelta

from confkit import EventType


def test_timeout_never_precedes_its_join(app, clock):
    """Instance 2 is scheduled (after the fact) to have started before user 1 joined
    instance 1: the timeout that closes the session is stamped at the join, not earlier."""
    app.add_user(1, "Ann", 30, "f", "ann@example.com")
    app.add_meeting(1, "Open", "", is_public=True)
    app.add_instance(1, 1, clock() - timedelta(minutes=10), clock() + timedelta(hours=1))
    joined = app.join_meeting(1, 1)
    clock.advance(minutes=5)
    app.add_instance(1, 2, clock() - timedelta(minutes=30), clock() + timedelta(hours=1))
    (timeout,) = app.sweep()
    assert timeout.event_type is EventType.TIMEOUT and timeout.order_id == 1
    assert timeout.timestamp == joined.timestamp


def test_timeout_at_next_start_when_that_is_after_the_join(app, clock):
    app.add_user(1, "Ann", 30, "f", "ann@example.com")
    app.add_meeting(1, "Open", "", is_public=True)
    app.add_instance(1, 1, clock() - timedelta(minutes=10), clock() + timedelta(hours=1))
    app.join_meeting(1, 1)
    next_start = clock() + timedelta(minutes=20)
    app.add_instance(1, 2, next_start, next_start + timedelta(hours=1))
    clock.advance(minutes=30)
    (timeout,) = app.sweep()
    assert timeout.timestamp == next_start


def test_frame_before_the_sweep_predicts_what_the_sweep_writes(app, clock):
    """Instance 1 runs 09:00-10:00; Ann joins at 09:40; at 09:45 instance 2 is added,
    starting 09:30 (already running). Read at 09:50, before any sweep, the session
    must end where the sweep then stamps the timeout: at the join (09:40), not 09:30."""
    import pandas as pd

    from confkit import analytics

    nine = clock().replace(hour=9, minute=0)
    clock.set(nine)
    app.add_user(1, "Ann", 30, "f", "ann@example.com")
    app.add_meeting(1, "Open", "", is_public=True)
    app.add_instance(1, 1, nine, nine + timedelta(hours=1))
    clock.set(nine + timedelta(minutes=40))
    app.join_meeting(1, 1)
    clock.set(nine + timedelta(minutes=45))
    app.add_instance(1, 2, nine + timedelta(minutes=30), nine + timedelta(hours=2))
    clock.set(nine + timedelta(minutes=50))
    before = analytics.load(app).sessions
    (timeout,) = app.sweep()
    after = analytics.load(app).sessions
    assert timeout.timestamp == nine + timedelta(minutes=40)
    expected_end = pd.Timestamp(nine + timedelta(minutes=40))
    assert before.loc[0, "left_at"] == expected_end and before.loc[0, "end_type"] == "timeout"
    assert before.loc[0, "duration"] == pd.Timedelta(0)
    pd.testing.assert_frame_equal(before, after)
