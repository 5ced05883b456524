"""Results as plain data: flatten (rows for tables and frames) and to_plain (JSON)."""

from __future__ import annotations

from datetime import datetime, timezone

from confkit.models import ActiveMeeting, EventType, Meeting, MeetingInstance
from confkit.plain import flatten, to_plain
from confkit.synth import SynthReport

START = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)
END = datetime(2030, 1, 7, 10, 0, tzinfo=timezone.utc)


def test_nested_results_become_dotted_columns():
    active = ActiveMeeting(Meeting(3, "Board", "", False, ("a@x.org",)), MeetingInstance(3, 2, START, END))
    assert flatten(active) == {
        "meeting.meeting_id": 3, "meeting.title": "Board", "meeting.description": "",
        "meeting.is_public": False, "meeting.audience": ("a@x.org",),
        "instance.meeting_id": 3, "instance.order_id": 2, "instance.from_dt": START, "instance.to_dt": END,
    }


def test_a_dict_field_stays_one_value():
    report = SynthReport("bulk", START, END, 2, 1, 1, 10, 4, 0, {7: "standup"})
    assert flatten(report)["kinds"] == {7: "standup"}


def test_to_plain_is_json_ready():
    assert to_plain({"when": START, "kind": EventType.LEAVE, "ids": (1, 2)}) == {
        "when": "2030-01-07T09:00:00+00:00", "kind": "leave", "ids": [1, 2]}
