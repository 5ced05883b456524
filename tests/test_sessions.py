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
