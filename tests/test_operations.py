"""Each of the eight operations: its success path and every way it refuses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from clockwork import T0
from storedump import store_state

from confkit import (
    AlreadyJoinedError,
    EventType,
    InvalidInputError,
    MeetingNotFoundError,
    NoActiveInstanceError,
    NotInvitedError,
    NotJoinedError,
    UserNotFoundError,
)
from confkit.validate import MAX_MESSAGE_CHARS


# -- join --------------------------------------------------------------------------
def test_join_public_meeting_returns_join_event(meeting_setup):
    event = meeting_setup.join_meeting(3, 10)
    assert (event.user_id, event.meeting_id, event.order_id) == (3, 10, 1)
    assert event.event_type is EventType.JOIN
    assert event.timestamp == T0
    assert event.event_id == 1


def test_join_private_meeting_when_invited_with_other_case_and_spaces(meeting_setup):
    # user 2's address is "Ben@Example.com"; the audience holds " ben@example.com "
    assert meeting_setup.join_meeting(2, 20).event_type is EventType.JOIN


def test_join_private_meeting_not_invited_is_refused_and_names_both(meeting_setup):
    with pytest.raises(NotInvitedError, match=r"user 3 \(Cy\).*meeting 20 \(Board\)"):
        meeting_setup.join_meeting(3, 20)
    assert meeting_setup.meeting_participants(20) == []


def test_join_unknown_user_or_meeting(meeting_setup):
    with pytest.raises(UserNotFoundError, match="user 99"):
        meeting_setup.join_meeting(99, 10)
    with pytest.raises(MeetingNotFoundError, match="meeting 99"):
        meeting_setup.join_meeting(1, 99)


def test_join_twice_is_refused(meeting_setup):
    meeting_setup.join_meeting(1, 10)
    with pytest.raises(AlreadyJoinedError, match=r"user 1 \(Ann\) is already in meeting 10"):
        meeting_setup.join_meeting(1, 10)


@pytest.mark.parametrize("other_open", [False, True], ids=["first-instance", "after-a-sweep"])
def test_join_twice_changes_nothing_and_takes_no_event_id(meeting_setup, clock, other_open):
    """The second join is refused with the store exactly as it was (also after the
    first join swept an earlier instance); the next join gets the next id."""
    app = meeting_setup
    if other_open:  # Ben stays in instance 1 past its end; instance 2 runs now
        app.join_meeting(2, 10)
        app.add_instance(10, 2, T0 + timedelta(hours=1), T0 + timedelta(hours=2))
        clock.set(T0 + timedelta(hours=1, minutes=1))
        first = 3  # 1: Ben's join; 2: his timeout, written by Ann's join before it
    else:
        first = 1
    assert app.join_meeting(1, 10).event_id == first
    before = store_state(app)
    with pytest.raises(AlreadyJoinedError):
        app.join_meeting(1, 10)
    assert store_state(app) == before
    assert app.join_meeting(3, 10).event_id == first + 1


def test_join_meeting_with_only_future_instance(app):
    app.add_user(1, "Ann", 30, "female", "ann@example.com")
    app.add_meeting(5, "Later", "", is_public=True)
    app.add_instance(5, 1, T0 + timedelta(days=1), T0 + timedelta(days=1, hours=1))
    with pytest.raises(NoActiveInstanceError, match=r"meeting 5 \(Later\)"):
        app.join_meeting(1, 5)


def test_join_meeting_with_only_past_instances(app):
    app.add_user(1, "Ann", 30, "female", "ann@example.com")
    app.add_meeting(5, "Over", "", is_public=True)
    app.add_instance(5, 1, T0 - timedelta(days=2), T0 - timedelta(days=2) + timedelta(hours=1))
    app.add_instance(5, 2, T0 - timedelta(days=1), T0 - timedelta(days=1) + timedelta(hours=1))
    with pytest.raises(NoActiveInstanceError):
        app.join_meeting(1, 5)


def test_join_meeting_without_instances(app):
    app.add_user(1, "Ann", 30, "female", "ann@example.com")
    app.add_meeting(5, "Empty", "", is_public=True)
    with pytest.raises(NoActiveInstanceError):
        app.join_meeting(1, 5)


def test_future_instance_does_not_hide_the_running_one(meeting_setup):
    meeting_setup.add_instance(10, 2, T0 + timedelta(days=7), T0 + timedelta(days=7, hours=1))
    assert meeting_setup.join_meeting(1, 10).order_id == 1


@pytest.mark.parametrize("later", [False, True], ids=["latest-runs", "later-scheduled"])
@pytest.mark.parametrize("copy", ["kept", "absent"])
def test_running_instance_with_or_without_the_meetings_copy_of_its_latest(meeting_setup, clock, copy, later):
    """The meeting hash's copy of its latest instance answers when that one has
    started; a later one scheduled, or a store without the copy (written before it
    existed), makes the operations look through the instances: same answers."""
    app = meeting_setup
    if later:
        app.add_instance(10, 2, T0 + timedelta(days=7), T0 + timedelta(days=7, hours=1))
    if copy == "absent":
        for mid in (10, 20):
            app.stores.catalog.hdel(app.keys.meeting(mid), "last_order", "last_from", "last_to")
    assert app.join_meeting(1, 10).order_id == 1
    assert app.post_message(1, 10, "hi").order_id == 1
    assert [p.user_id for p in app.meeting_participants(10)] == [1]
    assert [(a.meeting.meeting_id, a.instance.order_id) for a in app.active_meetings()] == [(10, 1), (20, 1)]
    assert app.leave_meeting(1, 10).order_id == 1
    if later:
        clock.set(T0 + timedelta(days=7, minutes=1))
        assert app.join_meeting(1, 10).order_id == 2
        assert [a.instance.order_id for a in app.active_meetings() if a.meeting.meeting_id == 10] == [2]


def test_instance_is_active_from_its_start_until_just_before_its_end(app, clock):
    app.add_user(1, "Ann", 30, "female", "ann@example.com")
    app.add_meeting(5, "Edge", "", is_public=True)
    app.add_instance(5, 1, T0 + timedelta(minutes=10), T0 + timedelta(minutes=20))
    clock.advance(minutes=10)
    assert app.join_meeting(1, 5).timestamp == T0 + timedelta(minutes=10)
    clock.advance(minutes=10)
    assert app.active_meetings() == []
    with pytest.raises(NoActiveInstanceError):
        app.leave_meeting(1, 5)


# -- leave -------------------------------------------------------------------------
def test_leave_after_join(meeting_setup, clock):
    meeting_setup.join_meeting(1, 10)
    clock.advance(minutes=3)
    event = meeting_setup.leave_meeting(1, 10)
    assert event.event_type is EventType.LEAVE
    assert event.timestamp == T0 + timedelta(minutes=3)
    assert event.event_id == 2
    assert meeting_setup.meeting_participants(10) == []


def test_leave_without_joining(meeting_setup):
    with pytest.raises(NotJoinedError, match=r"user 1 \(Ann\) is not in the running instance of meeting 10"):
        meeting_setup.leave_meeting(1, 10)


def test_leave_unknown_user_says_so(meeting_setup):
    with pytest.raises(UserNotFoundError):
        meeting_setup.leave_meeting(42, 10)


def test_leave_twice(meeting_setup):
    meeting_setup.join_meeting(1, 10)
    meeting_setup.leave_meeting(1, 10)
    with pytest.raises(NotJoinedError):
        meeting_setup.leave_meeting(1, 10)


# -- participants --------------------------------------------------------------------
def test_participants_in_join_order_with_session_start(meeting_setup, clock):
    meeting_setup.join_meeting(3, 10)
    clock.advance(minutes=1)
    meeting_setup.join_meeting(1, 10)
    clock.advance(minutes=1)
    meeting_setup.join_meeting(2, 10)
    people = meeting_setup.meeting_participants(10)
    assert [(p.user_id, p.name, p.joined_at) for p in people] == [
        (3, "Cy", T0),
        (1, "Ann", T0 + timedelta(minutes=1)),
        (2, "Ben", T0 + timedelta(minutes=2)),
    ]


def test_participants_of_meeting_without_running_instance(app):
    app.add_meeting(5, "Idle", "", is_public=True)
    with pytest.raises(NoActiveInstanceError):
        app.meeting_participants(5)
    with pytest.raises(MeetingNotFoundError):
        app.meeting_participants(6)


# -- active meetings -----------------------------------------------------------------
def test_active_meetings_lists_running_instances_only(meeting_setup):
    meeting_setup.add_meeting(30, "Past", "", is_public=True)
    meeting_setup.add_instance(30, 1, T0 - timedelta(hours=3), T0 - timedelta(hours=2))
    meeting_setup.add_meeting(40, "Future", "", is_public=True)
    meeting_setup.add_instance(40, 1, T0 + timedelta(hours=3), T0 + timedelta(hours=4))
    active = meeting_setup.active_meetings()
    assert [(a.meeting.meeting_id, a.instance.order_id) for a in active] == [(10, 1), (20, 1)]
    board = active[1].meeting
    assert board.title == "Board" and not board.is_public
    assert board.audience == ("ann@example.com", "ben@example.com")
    assert active[0].instance.from_dt == T0 - timedelta(minutes=5)


def test_active_meetings_follow_the_clock(meeting_setup, clock):
    clock.advance(hours=2)
    assert meeting_setup.active_meetings() == []


def test_later_started_instance_supersedes_earlier_one(meeting_setup, clock):
    meeting_setup.join_meeting(1, 10)
    meeting_setup.add_instance(10, 2, T0 + timedelta(minutes=10), T0 + timedelta(hours=2))
    clock.advance(minutes=15)
    assert [a.instance.order_id for a in meeting_setup.active_meetings() if a.meeting.meeting_id == 10] == [2]
    assert meeting_setup.meeting_participants(10) == []
    meeting_setup.join_meeting(1, 10)  # lazily times out the session in instance 1 first
    events = meeting_setup.sweep()
    assert events == []
    log = [(e.order_id, e.event_type, e.timestamp) for e in _events(meeting_setup, 10)]
    assert log == [
        (1, EventType.JOIN, T0),
        (1, EventType.TIMEOUT, T0 + timedelta(minutes=10)),  # when instance 2 started
        (2, EventType.JOIN, T0 + timedelta(minutes=15)),
    ]


# -- end meeting ---------------------------------------------------------------------
def test_end_running_instance_times_everyone_out_now(meeting_setup, clock):
    meeting_setup.join_meeting(1, 10)
    meeting_setup.join_meeting(2, 10)
    clock.advance(minutes=20)
    events = meeting_setup.end_meeting(10)
    assert [(e.user_id, e.event_type, e.timestamp) for e in events] == [
        (1, EventType.TIMEOUT, T0 + timedelta(minutes=20)),
        (2, EventType.TIMEOUT, T0 + timedelta(minutes=20)),
    ]
    assert [a.meeting.meeting_id for a in meeting_setup.active_meetings()] == [20]
    instance = meeting_setup.instances(10)[0]
    assert instance.to_dt == T0 + timedelta(minutes=20)
    with pytest.raises(NoActiveInstanceError):
        meeting_setup.join_meeting(1, 10)


def test_end_twice_writes_nothing_the_second_time(meeting_setup):
    meeting_setup.join_meeting(1, 10)
    assert len(meeting_setup.end_meeting(10)) == 1
    before = _events(meeting_setup, 10)
    assert meeting_setup.end_meeting(10) == []
    assert _events(meeting_setup, 10) == before


def test_end_instance_already_past_its_end_stamps_timeouts_at_its_end(meeting_setup, clock):
    meeting_setup.join_meeting(1, 10)
    clock.advance(hours=3)
    events = meeting_setup.end_meeting(10)
    assert [(e.user_id, e.timestamp) for e in events] == [(1, T0 + timedelta(hours=1))]
    assert meeting_setup.instances(10)[0].to_dt == T0 + timedelta(hours=1)


def test_end_meeting_with_only_future_instances(app):
    app.add_meeting(5, "Later", "", is_public=True)
    app.add_instance(5, 1, T0 + timedelta(days=1), T0 + timedelta(days=1, hours=1))
    with pytest.raises(NoActiveInstanceError, match="no instance that has started"):
        app.end_meeting(5)
    with pytest.raises(MeetingNotFoundError):
        app.end_meeting(6)


def test_sweep_closes_instances_that_ended_on_their_own(meeting_setup, clock):
    meeting_setup.join_meeting(1, 10)
    meeting_setup.join_meeting(1, 20)
    meeting_setup.join_meeting(2, 20)
    meeting_setup.leave_meeting(2, 20)
    clock.advance(hours=2)
    events = meeting_setup.sweep()
    assert sorted((e.meeting_id, e.user_id, e.event_type, e.timestamp) for e in events) == [
        (10, 1, EventType.TIMEOUT, T0 + timedelta(hours=1)),
        (20, 1, EventType.TIMEOUT, T0 + timedelta(hours=1)),
    ]
    assert meeting_setup.sweep() == []


# -- join times ----------------------------------------------------------------------
def test_join_times_across_active_meetings(meeting_setup, clock):
    meeting_setup.join_meeting(1, 10)
    clock.advance(minutes=2)
    meeting_setup.join_meeting(2, 20)
    meeting_setup.join_meeting(3, 10)
    rows = [(j.meeting_id, j.title, j.user_id, j.name, j.joined_at) for j in meeting_setup.join_times()]
    assert rows == [
        (10, "Open forum", 1, "Ann", T0),
        (10, "Open forum", 3, "Cy", T0 + timedelta(minutes=2)),
        (20, "Board", 2, "Ben", T0 + timedelta(minutes=2)),
    ]


def test_join_times_is_empty_when_nothing_runs(app):
    assert app.join_times() == []


def test_join_time_is_the_start_of_the_current_session(meeting_setup, clock):
    meeting_setup.join_meeting(1, 10)
    clock.advance(minutes=5)
    meeting_setup.leave_meeting(1, 10)
    clock.advance(minutes=5)
    meeting_setup.join_meeting(1, 10)
    assert [j.joined_at for j in meeting_setup.join_times()] == [T0 + timedelta(minutes=10)]


# -- messages ------------------------------------------------------------------------
def test_post_and_read_messages_oldest_first(meeting_setup, clock):
    meeting_setup.join_meeting(1, 10)
    meeting_setup.join_meeting(2, 10)
    first = meeting_setup.post_message(1, 10, "hello")
    clock.advance(seconds=30)
    meeting_setup.post_message(2, 10, "hi Ann")
    clock.advance(seconds=30)
    meeting_setup.post_message(1, 10, "agenda?")
    assert (first.message_id, first.order_id, first.timestamp) == (1, 1, T0)
    assert [(m.user_id, m.text) for m in meeting_setup.meeting_messages(10)] == [
        (1, "hello"), (2, "hi Ann"), (1, "agenda?")]
    assert [m.text for m in meeting_setup.user_messages(1, 10)] == ["hello", "agenda?"]
    assert meeting_setup.user_messages(3, 10) == []


def test_messages_span_every_instance(meeting_setup, clock):
    meeting_setup.join_meeting(1, 10)
    meeting_setup.post_message(1, 10, "first instance")
    meeting_setup.add_instance(10, 2, T0 + timedelta(days=1), T0 + timedelta(days=1, hours=1))
    clock.advance(days=1)
    meeting_setup.join_meeting(1, 10)
    meeting_setup.post_message(1, 10, "second instance")
    assert [(m.order_id, m.text) for m in meeting_setup.meeting_messages(10)] == [
        (1, "first instance"), (2, "second instance")]


def test_post_requires_being_in_the_meeting(meeting_setup):
    with pytest.raises(NotJoinedError):
        meeting_setup.post_message(1, 10, "anyone?")
    meeting_setup.join_meeting(1, 10)
    meeting_setup.leave_meeting(1, 10)
    with pytest.raises(NotJoinedError):
        meeting_setup.post_message(1, 10, "still here?")
    with pytest.raises(UserNotFoundError):
        meeting_setup.post_message(77, 10, "ghost")
    assert meeting_setup.meeting_messages(10) == []


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "x" * (MAX_MESSAGE_CHARS + 1), 42, None])
def test_post_rejects_empty_blank_oversized_or_non_text(meeting_setup, text):
    meeting_setup.join_meeting(1, 10)
    with pytest.raises(InvalidInputError):
        meeting_setup.post_message(1, 10, text)
    assert meeting_setup.meeting_messages(10) == []


def test_post_at_the_size_limit_is_kept_intact(meeting_setup):
    meeting_setup.join_meeting(1, 10)
    text = "é" * MAX_MESSAGE_CHARS
    meeting_setup.post_message(1, 10, text)
    assert meeting_setup.meeting_messages(10)[0].text == text


def test_messages_of_unknown_meeting_or_user(meeting_setup):
    with pytest.raises(MeetingNotFoundError):
        meeting_setup.meeting_messages(99)
    with pytest.raises(UserNotFoundError):
        meeting_setup.user_messages(99, 10)


def test_messages_in_the_same_millisecond_keep_posting_order(meeting_setup):
    meeting_setup.join_meeting(1, 10)
    texts = [f"m{i}" for i in range(12)]  # ids 1..12: "10" < "9" as strings
    for text in texts:
        meeting_setup.post_message(1, 10, text)
    assert [m.text for m in meeting_setup.meeting_messages(10)] == texts


def test_messages_come_back_byte_for_byte_whatever_they_hold(meeting_setup, clock):
    """Texts are stored raw, apart from the JSON records: quotes, backslashes, line
    breaks, JSON-looking or number-looking text, invisible and non-BMP characters all
    come back exactly, in posting order."""
    meeting_setup.join_meeting(1, 10)
    meeting_setup.join_meeting(2, 10)
    texts = ['say "hi"', "back\\slash \\n", "two\nlines\r\nand a\ttab", '{"user_id":9,"order_id":9,"timestamp":1}',
             "null", "42", "  padded  ", "\u200b", "\u00a0x", "Grüße, 東京 😀", "'", "}", "]", ","]
    for i, text in enumerate(texts):
        meeting_setup.post_message(1 + i % 2, 10, text)
        clock.advance(milliseconds=1 + i % 2)
    got = meeting_setup.meeting_messages(10)
    assert [m.text for m in got] == texts
    assert [m.message_id for m in got] == list(range(1, 15))
    assert [m.user_id for m in got] == [1, 2] * 7
    assert [m.timestamp for m in got] == [T0 + timedelta(milliseconds=ms)
                                          for ms in (0, 1, 3, 4, 6, 7, 9, 10, 12, 13, 15, 16, 18, 19)]
    assert [m.text for m in meeting_setup.user_messages(2, 10)] == [
        "back\\slash \\n", '{"user_id":9,"order_id":9,"timestamp":1}', "42", "\u200b", "Grüße, 東京 😀", "}", ","]


def _events(app, meeting_id):
    from confkit.codec import decode_event

    raw = app.stores.activity.hgetall(app.keys.events(meeting_id))
    return sorted((decode_event(meeting_id, k, v) for k, v in raw.items()), key=lambda e: e.event_id)
