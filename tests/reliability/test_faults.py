"""Faults: Redis stopped, restarted, refusing connections or cutting them after a
command was sent, while an app is in use.

Calls fail with a ConfkitConnectionError (never a redis-py exception), retry with
exponential backoff, never resend a write that may have been applied, and work again
with the same app object once the server is back. Backoff waits are recorded instead
of slept (RetryPolicy.sleep) with the jitter pinned (RetryPolicy.jitter), so nothing
here waits on the wall clock.
"""

from __future__ import annotations

import traceback
from datetime import timedelta

import pytest
import storecheck
from faultproxy import FaultProxy

from confkit import (
    ConferenceApp,
    ConfkitConnectionError,
    EventType,
    OutcomeUnknownError,
    User,
    analytics,
    importer,
    synth,
)
from confkit.bulk import Activity, load_activity, load_catalog
from confkit.connection import RetryPolicy, connect
from confkit.synth_exports import synthetic_export

BACKOFF = [0.05, 0.1, 0.2]  # base 0.05 doubled, with the jitter source at its top (1.0)


def policy(sleep):
    return RetryPolicy(sleep=sleep, jitter=lambda: 1.0)


def build(app, clock):
    app.add_user(1, "Ann", 30, "f", "ann@example.com")
    app.add_user(2, "Ben", 40, "m", "ben@example.com")
    app.add_meeting(10, "Open forum", "", is_public=True)
    app.add_instance(10, 1, clock() - timedelta(minutes=5), clock() + timedelta(hours=1))


def app_on(url, clock, waits):
    return ConferenceApp(stores=connect(url, retry=policy(waits.append)), clock=clock)


def assert_clean(error: BaseException) -> None:
    """A confkit error whose traceback shows no redis-py frames or chained exceptions."""
    text = "".join(traceback.format_exception(error))
    assert error.__cause__ is None and error.__suppress_context__
    assert "site-packages/redis/" not in text and "During handling" not in text
    assert "cannot reach Redis" in str(error) or "lost Redis" in str(error)


@pytest.fixture
def busy(own_server, clock):
    """(app, its own server, recorded backoff waits), user 1 inside meeting 10."""
    server = own_server()
    waits: list[float] = []
    app = app_on(server.url, clock, waits)
    build(app, clock)
    app.join_meeting(1, 10)
    yield app, server, waits
    app.close()


def test_stopped_server_gives_clear_errors_after_backoff_then_recovers(busy):
    app, server, waits = busy
    server.stop()
    calls = {
        "read": lambda: app.meeting_participants(10),
        "repeatable write": lambda: app.add_user(3, "Cy", 20, "m", "cy@example.com"),
        "write sent once": lambda: app.join_meeting(2, 10),
        "post": lambda: app.post_message(1, 10, "hello?"),
    }
    for name, call in calls.items():
        waits.clear()
        with pytest.raises(ConfkitConnectionError) as info:
            call()
        assert type(info.value) is ConfkitConnectionError, name  # nothing was sent: not "unknown"
        assert waits == BACKOFF, name
        assert_clean(info.value)
    server.start()
    waits.clear()
    assert [p.user_id for p in app.meeting_participants(10)] == [1]
    assert app.join_meeting(2, 10).event_type is EventType.JOIN
    assert app.post_message(1, 10, "back").text == "back"
    assert waits == []
    assert storecheck.violations(app) == []


def test_analytics_bulk_synth_and_import_give_clear_errors_when_redis_is_down(busy, clock):
    """Their reads and writes go through the same guard as the operations."""
    app, server, waits = busy
    report, chat = synthetic_export(20, 10, start=clock() - timedelta(days=1))
    server.stop()
    now_ms = int(clock().timestamp() * 1000)
    calls = {
        "events_frame": lambda: analytics.events_frame(app),
        "messages_frame": lambda: analytics.messages_frame(app),
        "instances_frame": lambda: analytics.instances_frame(app),
        "users_frame": lambda: analytics.users_frame(app),
        "keyspace_summary": lambda: analytics.keyspace_summary(app),
        "load_catalog": lambda: load_catalog(app, users=[User(5, "Eve", 30, "f", "eve@example.com")]),
        "load_activity": lambda: load_activity(app, [Activity(10, 1, 2, int(EventType.JOIN), now_ms)]),
        "generate": lambda: synth.generate(app, users=3, meetings=1, days=1, seed=1),
        "import_meeting": lambda: app.import_meeting(report, chat, progress=False),
        "importer.import_meeting": lambda: importer.import_meeting(app, report, chat, progress=False),
        "sessions_detail": lambda: importer.sessions_detail(app),
    }
    for name, call in calls.items():
        waits.clear()
        with pytest.raises(ConfkitConnectionError) as info:
            call()
        assert type(info.value) is ConfkitConnectionError, name
        assert waits == BACKOFF, name
        assert_clean(info.value)


def test_restart_between_calls_is_invisible(busy):
    app, server, waits = busy
    server.stop()
    server.start()
    assert [p.user_id for p in app.meeting_participants(10)] == [1]
    assert app.post_message(1, 10, "after restart").message_id == 1
    assert app.leave_meeting(1, 10).event_type is EventType.LEAVE
    assert waits == []


def test_backoff_retries_until_the_server_is_back(own_server, clock):
    server = own_server()
    waits: list[float] = []

    def wait(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:
            server.start()

    app = ConferenceApp(stores=connect(server.url, retry=policy(wait)), clock=clock)
    build(app, clock)
    server.stop()
    event = app.join_meeting(1, 10)
    assert waits == BACKOFF[:2]
    assert [(e.event_id, e.user_id, e.event_type) for e in storecheck.events(app, 10)] == [(1, 1, EventType.JOIN)]
    assert event.event_id == 1


@pytest.fixture
def proxied(own_server, clock, tmp_path):
    """(app through a FaultProxy, the proxy, recorded backoff waits, direct app)."""
    server = own_server()
    proxy = FaultProxy(server.socket_path, tmp_path / "proxy.sock")
    user, password = server.credentials()
    waits: list[float] = []
    app = app_on(f"unix://{user}:{password}@{proxy.path}", clock, waits)
    direct = ConferenceApp(server.url, clock=clock)
    build(direct, clock)
    yield app, proxy, waits, direct
    app.close()
    direct.close()
    proxy.close()


def test_write_cut_after_sending_is_outcome_unknown_and_never_resent(proxied):
    app, proxy, waits, direct = proxied
    app.join_meeting(1, 10)
    app.post_message(1, 10, "first")  # the scripts are loaded; the next EVALSHA runs at once
    proxy.cut_after(b"EVALSHA", 1)
    with pytest.raises(OutcomeUnknownError) as info:
        app.post_message(1, 10, "second")
    assert proxy.cut == 1 and waits == []
    assert_clean(info.value)
    assert [m.text for m in direct.meeting_messages(10)] == ["first", "second"]  # applied once

    proxy.cut_after(b"EVALSHA", 1)
    with pytest.raises(OutcomeUnknownError):
        app.join_meeting(2, 10)
    joins = [e for e in storecheck.events(direct, 10) if e.user_id == 2]
    assert [(e.event_type, e.order_id) for e in joins] == [(EventType.JOIN, 1)]
    assert [p.user_id for p in app.meeting_participants(10)] == [1, 2]
    assert storecheck.violations(direct) == []


def test_read_cut_after_sending_is_retried(proxied):
    app, proxy, waits, direct = proxied
    app.join_meeting(1, 10)
    app.post_message(1, 10, "hi")
    proxy.cut_after(b"HSCAN", 1)  # the listing reads the message records whole
    assert [m.text for m in app.meeting_messages(10)] == ["hi"]
    assert proxy.cut == 1 and waits == BACKOFF[:1]


def test_index_write_lost_between_two_steps_is_completed_by_retry_or_repeat(proxied):
    """add_user writes the user (a script), then the users index (ZADD). If the ZADD
    never arrives, the retry repeats the whole call; if every retry fails, the error
    says the outcome is unknown, the user exists but is not listed, and repeating the
    call completes it."""
    app, proxy, waits, direct = proxied
    proxy.drop(b"ZADD", 1)
    app.add_user(3, "Cy", 20, "m", "cy@example.com")
    assert proxy.dropped == 1 and waits == BACKOFF[:1]
    assert [u.user_id for u in direct.users()] == [1, 2, 3]

    waits.clear()
    proxy.drop(b"ZADD", len(BACKOFF) + 1)
    with pytest.raises(OutcomeUnknownError):
        app.add_user(4, "Di", 50, "f", "di@example.com")
    assert waits == BACKOFF
    assert direct.get_user(4).name == "Di" and 4 not in [u.user_id for u in direct.users()]
    app.add_user(4, "Di", 50, "f", "di@example.com")
    assert [u.user_id for u in direct.users()] == [1, 2, 3, 4]


def test_a_call_made_of_calls_is_guarded_once_as_a_whole(proxied):
    """add_to_audience runs its script, then reads the meeting back (get_meeting, a
    public call of its own). When that read keeps failing, the retries are the outer
    call's (the script may have run: repeating it is safe), not a second loop inside."""
    app, proxy, waits, direct = proxied
    direct.add_meeting(11, "Board", "", is_public=False, audience=["ann@example.com"])
    app.add_to_audience(11, "ann@example.com")  # loads the script (its source has SMEMBERS in it)
    proxy.drop(b"SMEMBERS", len(BACKOFF) + 1)
    with pytest.raises(OutcomeUnknownError) as info:
        app.add_to_audience(11, "ben@example.com")
    assert "add_to_audience" in str(info.value)
    assert proxy.dropped == len(BACKOFF) + 1 and waits == BACKOFF
    assert direct.get_meeting(11).audience == ("ann@example.com", "ben@example.com")  # applied
    assert app.add_to_audience(11, "ben@example.com").audience == ("ann@example.com", "ben@example.com")

    waits.clear()
    proxy.drop(b"ZADD", len(BACKOFF) + 1)
    sample = ConferenceApp(stores=app.stores, clock=app.clock, namespace="sample")  # its own keys
    with pytest.raises(OutcomeUnknownError) as info:
        sample.load_sample_data()
    assert "load_sample_data" in str(info.value) and waits == BACKOFF


def test_end_meeting_index_write_lost_is_harmless_and_repeat_completes_it(proxied):
    app, proxy, waits, direct = proxied
    app.join_meeting(1, 10)
    proxy.drop(b"ZADD", 1)
    with pytest.raises(OutcomeUnknownError):  # the script ran; its index update did not
        app.end_meeting(10)
    now_ms = int(direct.now().timestamp() * 1000)
    assert direct.active_meetings() == []  # ended all the same: a stale candidate is checked
    assert direct.stores.catalog.zscore(direct.keys.instances_by_end, "10:1") > now_ms  # index: old end
    assert app.end_meeting(10) == []  # repeating writes no event and completes the index
    assert direct.stores.catalog.zscore(direct.keys.instances_by_end, "10:1") == now_ms
    assert [e.event_type for e in storecheck.events(direct, 10)] == [EventType.JOIN, EventType.TIMEOUT]


def test_loading_server_is_waited_for_even_by_writes(proxied):
    """LOADING (a restarted server still reading its data) means the command did not
    run, so even a join, which is never resent after an unknown outcome, is retried."""
    app, proxy, waits, direct = proxied
    app.join_meeting(1, 10)  # scripts loaded
    proxy.answer(b"EVALSHA", b"-LOADING Redis is loading the dataset in memory\r\n", 2)
    event = app.join_meeting(2, 10)
    assert proxy.answered == 2 and waits == BACKOFF[:2]
    assert [(e.event_id, e.user_id) for e in storecheck.events(direct, 10)] == [(1, 1), (event.event_id, 2)]


def test_refused_connections_are_retried_even_for_writes(proxied):
    app, proxy, waits, direct = proxied
    app.close()  # no pooled connection: the next call must connect
    proxy.refuse(2)
    event = app.join_meeting(1, 10)
    assert proxy.refused == 2 and waits == BACKOFF[:2]
    assert [(e.event_id, e.user_id) for e in storecheck.events(direct, 10)] == [(event.event_id, 1)]


def test_refused_connections_beyond_the_retries_change_nothing(proxied):
    app, proxy, waits, direct = proxied
    app.close()
    proxy.refuse(len(BACKOFF) + 1)
    before = storecheck.dump(direct)
    with pytest.raises(ConfkitConnectionError) as info:
        app.join_meeting(1, 10)
    assert type(info.value) is ConfkitConnectionError
    assert storecheck.dump(direct) == before
    assert app.join_meeting(1, 10).user_id == 1  # same app object, works again


def test_wrong_password_is_reported_at_once_and_not_retried(own_server, clock):
    server = own_server()
    waits: list[float] = []
    secret = "not-the-password-4f1c"
    app = app_on(f"unix://app:{secret}@{server.socket_path}", clock, waits)
    with pytest.raises(ConfkitConnectionError) as info:
        app.users()
    assert "refused confkit's login" in str(info.value)
    assert secret not in "".join(traceback.format_exception(info.value))
    assert waits == []
