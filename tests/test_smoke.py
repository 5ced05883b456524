from confkit import EventType


def test_join_then_participants(meeting_setup):
    app = meeting_setup
    event = app.join_meeting(1, 10)
    assert event.event_type is EventType.JOIN
    assert [p.user_id for p in app.meeting_participants(10)] == [1]
