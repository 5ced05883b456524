"""What confkit.exports writes, confkit's readers read back to the same segments and
messages (small generated meetings, whole seconds, local days away from DST changes)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from confkit.exports import MeetingData, snippet, teams_report, zoom_chat, zoom_cloud_chat, zoom_participants
from confkit.formats import read_attendance, read_chat

ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Perth"]
FIRST = ["Ann", "Bo", "Chidi", "Dana", "Émile", "Farah", "Gus", "Hiro"]
LAST = ["Lee", "Okafor", "Müller", "Nguyen", "Smith-Jones", "O'Brien"]
EMOJI = ["\U0001f44d", "\U0001f44d\U0001f3fd", "\u2764\ufe0f", "\U0001f602", "\U0001f468\u200d\U0001f4bb"]
WORD = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789éß'"),
               min_size=1, max_size=8)
LINE = st.lists(WORD, min_size=1, max_size=6).map(" ".join) | st.just("https://example.org/a?b=1,c")
TEXT = st.lists(LINE, min_size=1, max_size=3).map("\n".join).filter(
    lambda t: not t.startswith(("add ", "remove ", "Reacted ", "Removed ", "Replying ")))


@st.composite
def meetings(draw):
    zone = draw(st.sampled_from(ZONES))
    day = date(draw(st.integers(2020, 2030)), draw(st.sampled_from([1, 2, 5, 6, 7, 8, 12])), draw(st.integers(13, 28)))
    start = datetime.combine(day, datetime.min.time(), ZoneInfo(zone)) + timedelta(
        seconds=draw(st.integers(8 * 3600, 14 * 3600)))
    names = draw(st.lists(st.tuples(st.sampled_from(FIRST), st.sampled_from(LAST)).map(" ".join),
                          min_size=1, max_size=4, unique=True))
    people = [(name, draw(st.sampled_from([None, name.split()[0].lower() + "@example.org"])),
               draw(st.sampled_from([None, "Dr " + name, name.split()[0]]))) for name in names]
    rows = []
    for name, email, original in people:
        for _ in range(draw(st.integers(1, 3))):
            joined = start + timedelta(seconds=draw(st.integers(0, 7200)))
            rows.append({"name": name, "email": email, "original_name": original, "joined_at": joined,
                         "left_at": joined + timedelta(seconds=draw(st.integers(1, 3600)))})
    segments = pd.DataFrame(rows)
    end = max(segments["left_at"]).to_pydatetime() + timedelta(seconds=draw(st.integers(0, 600)))
    messages = []
    for offset in sorted(draw(st.lists(st.integers(0, 10_000), max_size=6))):
        kind = draw(st.sampled_from(["message", "message", "reply", "reaction", "reaction_removed"]))
        earlier = [m["text"] for m in messages if m["kind"] in ("message", "reply")]
        if kind != "message" and not earlier:
            kind = "message"
        direct = draw(st.booleans()) and len(names) > 1 and kind == "message"
        sender = draw(st.sampled_from(names))
        messages.append({
            "sent_at": start + timedelta(seconds=offset),
            "sender": sender,
            "recipient": draw(st.sampled_from([n for n in names if n != sender] or [None])) if direct else None,
            "text": draw(st.sampled_from(EMOJI)) if kind.startswith("reaction") else draw(TEXT),
            "kind": kind,
            "reply_to": draw(st.sampled_from(earlier)) if kind != "message" else None,
        })
    frame = pd.DataFrame(messages, columns=["sent_at", "sender", "recipient", "text", "kind", "reply_to"])
    meeting = MeetingData(title=draw(LINE), meeting_ref=str(draw(st.integers(10**9, 10**11))), started_at=start,
                          ended_at=end, segments=segments, messages=frame)
    return meeting, zone, day


def _segments(frame: pd.DataFrame, *, original: bool = False) -> list[tuple]:
    def text(value: object) -> str | None:
        return None if pd.isna(value) else str(value)
    return sorted((str(r.name), text(r.email), pd.Timestamp(r.joined_at).value, pd.Timestamp(r.left_at).value,
                   text(r.original_name) if original else None) for r in frame.itertuples())


SETTINGS = settings(derandomize=True, max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@SETTINGS
@given(meetings())
def test_zoom_participants_round_trip(case):
    meeting, zone, _ = case
    report = read_attendance(zoom_participants(meeting, zone), tz=zone)
    assert report.platform == "zoom"
    assert (report.title, report.meeting_ref) == (meeting.title, meeting.meeting_ref)
    assert report.started_at == meeting.started_at and report.ended_at == meeting.ended_at
    assert _segments(report.segments, original=True) == _segments(meeting.segments, original=True)


@SETTINGS
@given(meetings())
def test_teams_report_round_trip(case):
    meeting, zone, _ = case
    report = read_attendance(teams_report(meeting, zone), tz=zone)  # Teams shows no original names
    assert report.platform == "teams" and report.title == meeting.title
    assert report.started_at == meeting.started_at and report.ended_at == meeting.ended_at
    assert _segments(report.segments) == _segments(meeting.segments)


@SETTINGS
@given(meetings())
def test_zoom_chat_round_trip(case):
    meeting, zone, day = case
    assume(not meeting.messages.empty)  # an empty chat is no file Zoom writes
    got = read_chat(zoom_chat(meeting, zone), tz=zone, date=day).messages
    sent = meeting.messages
    assert list(got["sent_at"]) == [pd.Timestamp(t) for t in sent["sent_at"]]
    assert list(got["sender"]) == list(sent["sender"])
    assert list(got["recipient"].fillna("")) == list(sent["recipient"].fillna(""))
    assert list(got["direct"]) == list(sent["recipient"].notna())
    assert list(got["text"]) == list(sent["text"])
    assert list(got["kind"]) == list(sent["kind"])
    quoted = [snippet(t) if isinstance(t, str) else "" for t in sent["reply_to"]]
    assert list(got["reply_to"].fillna("")) == quoted


@SETTINGS
@given(meetings())
def test_zoom_cloud_chat_round_trip(case):
    meeting, _, _ = case
    public = meeting.messages[meeting.messages["recipient"].isna()]
    assume(not public.empty)
    got = read_chat(zoom_cloud_chat(meeting), start=meeting.started_at).messages
    assert list(got["sent_at"]) == [pd.Timestamp(t) for t in public["sent_at"]]
    assert list(got["sender"]) == list(public["sender"])
    assert list(got["text"]) == list(public["text"])
    assert list(got["kind"]) == list(public["kind"])
    assert got["recipient"].isna().all()
