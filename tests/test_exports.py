"""confkit.exports: the platforms' formats written byte for byte (checked by hand on a
two-person meeting), and read back by confkit's own readers."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest

from confkit.errors import InvalidInputError
from confkit.exports import (
    MeetingData,
    cloud_chat_name,
    snippet,
    teams_duration,
    teams_report,
    zoom_chat,
    zoom_cloud_chat,
    zoom_participants,
)
from confkit.formats import read_attendance, read_chat

UTC = timezone.utc


def at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2024, 3, 5, hour, minute, second, tzinfo=UTC)


def tiny(**changes) -> MeetingData:
    """Two people, 14:00-14:30 UTC on 5 March 2024 (08:00-08:30 in Chicago, CST)."""
    segments = pd.DataFrame({
        "name": ["Ann Lee", "Bo Chen"],
        "email": ["ann@example.org", None],
        "joined_at": [at(14, 0, 5), at(14, 3)],
        "left_at": [at(14, 30), at(14, 29, 59)],
    })
    messages = pd.DataFrame({
        "sent_at": [at(14, 4), at(14, 5), at(14, 6), at(14, 7)],
        "sender": ["Ann Lee", "Bo Chen", "Bo Chen", "Ann Lee"],
        "recipient": [None, "Ann Lee", None, None],
        "text": ["Hi all,\nwelcome", "thanks", "\U0001f44b", "you are welcome"],
        "kind": ["message", "message", "reaction", "reply"],
        "reply_to": [None, None, "Hi all,\nwelcome", "thanks"],
    })
    fields = dict(title="Chem 101, week 1", meeting_ref="81234567890", started_at=at(14, 0), ended_at=at(14, 30),
                  segments=segments, messages=messages, host_email="ann@example.org")
    fields.update(changes)
    return MeetingData(**fields)


def test_zoom_participants_bytes():
    assert zoom_participants(tiny(), "America/Chicago") == (
        b"\xef\xbb\xbf"
        b"Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\r\n"
        b'81234567890,"Chem 101, week 1",03/05/2024 08:00:00 AM,03/05/2024 08:30:00 AM,ann@example.org,30,2\r\n'
        b"\r\n"
        b"Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\r\n"
        b"Ann Lee,ann@example.org,03/05/2024 08:00:05 AM,03/05/2024 08:30:00 AM,30,No\r\n"   # 29 m 55 s -> 30
        b"Bo Chen,,03/05/2024 08:03:00 AM,03/05/2024 08:29:59 AM,27,Yes\r\n")                 # 26 m 59 s -> 27


def test_zoom_participants_renamed_and_afternoon():
    segments = pd.DataFrame({"name": ["Kim"], "email": ["kim@example.org"], "original_name": ["Kim Park"],
                             "joined_at": [at(20, 0)], "left_at": [at(20, 0, 1)]})
    lines = zoom_participants(tiny(segments=segments), "UTC").decode("utf-8-sig").split("\r\n")
    assert lines[4] == "Kim (Kim Park),kim@example.org,03/05/2024 08:00:00 PM,03/05/2024 08:00:01 PM,1,No"
    assert lines[1].endswith(",30,1")


def test_teams_report_bytes():
    data = teams_report(tiny(), "America/Chicago")
    assert data[:2] == b"\xff\xfe" and data[2:4] == b"1\x00"
    text = data[2:].decode("utf-16-le")
    pad = "\t" * 5
    assert text == (
        "1. Summary\r\n"
        f'Meeting title\t"Chem 101, week 1"{pad}\r\n'
        f"Attended participants\t2{pad}\r\n"
        f'Start time\t"3/5/24, 8:00:00 AM"{pad}\r\n'
        f'End time\t"3/5/24, 8:30:00 AM"{pad}\r\n'
        f"Meeting duration\t30m{pad}\r\n"
        f"Average attendance time\t28m 27s{pad}\r\n"   # (1795 s + 1619 s) / 2 = 1707 s
        "\r\n"
        "2. Participants\r\n"
        "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\r\n"
        'Ann Lee\t"3/5/24, 8:00:05 AM"\t"3/5/24, 8:30:00 AM"\t29m 55s\tann@example.org\tann@example.org\tOrganizer\r\n'
        'Bo Chen\t"3/5/24, 8:03:00 AM"\t"3/5/24, 8:29:59 AM"\t26m 59s\t\t\tAttendee\r\n'
        "\r\n"
        "3. In-Meeting activities\r\n"
        "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole\r\n"
        'Ann Lee\t"3/5/24, 8:00:05 AM"\t"3/5/24, 8:30:00 AM"\t29m 55s\tann@example.org\tOrganizer\r\n'
        'Bo Chen\t"3/5/24, 8:03:00 AM"\t"3/5/24, 8:29:59 AM"\t26m 59s\t\tAttendee\r\n')


def test_teams_sums_a_persons_segments():
    segments = pd.DataFrame({"name": ["Ann Lee", "Ann Lee"], "email": ["ann@example.org", "ANN@example.org"],
                             "joined_at": [at(14, 0), at(14, 20)], "left_at": [at(14, 10), at(15, 30, 5)]})
    text = teams_report(tiny(segments=segments), "UTC").decode("utf-16")
    assert 'Ann Lee\t"3/5/24, 2:00:00 PM"\t"3/5/24, 3:30:05 PM"\t1h 20m 5s\t' in text
    assert "Attended participants\t1\t" in text


@pytest.mark.parametrize("seconds, text", [(0, "0s"), (59, "59s"), (60, "1m"), (1267, "21m 7s"),
                                           (3730, "1h 2m 10s"), (3605, "1h 5s")])
def test_teams_duration(seconds, text):
    assert teams_duration(seconds) == text


def test_zoom_chat_bytes():
    assert zoom_chat(tiny(), "America/Chicago") == (
        b"08:04:00 From Ann Lee to Everyone:\n\tHi all,\n\twelcome\n"
        b"08:05:00 From Bo Chen to Ann Lee:\n\tthanks\n"
        b'08:06:00 From Bo Chen to Everyone:\n\tReacted to "Hi all, welcome" with \xf0\x9f\x91\x8b\n'
        b'08:07:00 From Ann Lee to Everyone:\n\tReplying to "thanks"\n\t\n\tyou are welcome\n')


def test_snippet_is_twenty_characters_and_dots():
    assert snippet("Hello world, this message is longer than 20 characters!") == "Hello world, this me..."
    assert snippet("Good morning folks") == "Good morning folks"
    assert snippet(snippet("x" * 30)) == "x" * 20 + "..."


def test_zoom_chat_reads_back():
    log = read_chat(zoom_chat(tiny(), "America/Chicago"), tz="America/Chicago", date=date(2024, 3, 5))
    m = log.messages
    assert list(m["kind"]) == ["message", "message", "reaction", "reply"]
    assert list(m["sent_at"]) == [pd.Timestamp(at(14, minute)) for minute in (4, 5, 6, 7)]
    assert list(m["recipient"].fillna("-")) == ["-", "Ann Lee", "-", "-"]
    assert list(m["text"]) == ["Hi all,\nwelcome", "thanks", "\U0001f44b", "you are welcome"]


def test_writers_refuse_bad_input():
    with pytest.raises(InvalidInputError, match="time zone"):
        zoom_participants(tiny(), "Nowhere/Special")
    with pytest.raises(InvalidInputError, match="left_at"):
        teams_report(tiny(segments=pd.DataFrame({"name": ["A"], "email": [None], "joined_at": [at(14, 0)]})), "UTC")
    with pytest.raises(InvalidInputError, match="timezone-aware"):
        zoom_participants(tiny(started_at=datetime(2024, 3, 5, 14)), "UTC")
    backwards = pd.DataFrame({"name": ["A"], "email": [None], "joined_at": [at(14, 5)], "left_at": [at(14, 0)]})
    for writer in (zoom_participants, teams_report):
        with pytest.raises(InvalidInputError, match="before it joins"):
            writer(tiny(segments=backwards), "UTC")
    with pytest.raises(InvalidInputError, match="kind"):
        zoom_chat(tiny(messages=pd.DataFrame({"sent_at": [at(14, 0)], "sender": ["A"], "text": ["x"],
                                              "kind": ["shout"]})), "UTC")


def test_times_are_written_to_the_second():
    segments = pd.DataFrame({"name": ["Ann"], "email": [None], "joined_at": [at(14, 0) + timedelta(milliseconds=999)],
                             "left_at": [at(14, 1) + timedelta(milliseconds=1)]})
    lines = zoom_participants(tiny(segments=segments), "UTC").decode("utf-8-sig").split("\r\n")
    assert lines[4] == "Ann,,03/05/2024 02:00:00 PM,03/05/2024 02:01:00 PM,1,Yes"


# -- a stored instance ------------------------------------------------------------------------
def test_instance_data_reads_a_stored_instance(app, clock):
    from clockwork import T0

    from confkit.errors import NotFoundError
    from confkit.exports import instance_data

    app.add_user(1, "Ann", 30, "female", "ann@example.com")
    app.add_user(2, "Ben", 40, "male", "ben@example.com")
    app.add_meeting(7, "Seminar", "weekly", is_public=True)
    app.add_instance(7, 1, T0, T0 + timedelta(minutes=30))
    app.add_instance(7, 2, T0 + timedelta(days=7), T0 + timedelta(days=7, minutes=30))
    app.join_meeting(1, 7)                       # T0
    clock.advance(minutes=2)
    app.join_meeting(2, 7)                       # T0 + 2 min
    clock.advance(minutes=1)
    app.post_message(2, 7, "hello")              # T0 + 3 min
    clock.advance(minutes=7)
    app.leave_meeting(2, 7)                      # T0 + 10 min
    clock.advance(minutes=5)
    app.join_meeting(2, 7)                       # T0 + 15 min, a reconnect
    clock.advance(minutes=20)                    # T0 + 35 min: the instance ended at T0 + 30 min
    data = instance_data(app, 7, 1)
    assert (data.title, data.meeting_ref) == ("Seminar", "7")
    assert (data.started_at, data.ended_at) == (T0, T0 + timedelta(minutes=30))
    seg = data.segments
    assert list(seg["name"]) == ["Ann", "Ben", "Ben"]
    assert list(seg["email"]) == ["ann@example.com", "ben@example.com", "ben@example.com"]
    assert list(seg["joined_at"]) == [pd.Timestamp(T0 + timedelta(minutes=m)) for m in (0, 2, 15)]
    assert list(seg["left_at"]) == [pd.Timestamp(T0 + timedelta(minutes=m)) for m in (30, 10, 30)]
    msg = data.messages
    assert list(zip(msg["sender"], msg["text"], msg["kind"])) == [("Ben", "hello", "message")]
    assert msg["sent_at"][0] == pd.Timestamp(T0 + timedelta(minutes=3)) and msg["recipient"].isna().all()
    assert instance_data(app, 7, 2).segments.empty
    lines = zoom_participants(data, "UTC").decode("utf-8-sig").split("\r\n")
    assert lines[1] == "7,Seminar,01/07/2030 09:00:00 AM,01/07/2030 09:30:00 AM,,30,2"
    assert lines[5] == "Ben,ben@example.com,01/07/2030 09:02:00 AM,01/07/2030 09:10:00 AM,8,No"
    back = read_attendance(zoom_participants(data, "Europe/Paris"), tz="Europe/Paris", dayfirst=False).segments
    assert list(zip(back["name"], back["joined_at"], back["left_at"])) == list(
        zip(seg["name"], seg["joined_at"], seg["left_at"]))
    chat = read_chat(zoom_chat(data, "Europe/Paris"), tz="Europe/Paris", date=date(2030, 1, 7)).messages
    assert list(zip(chat["sender"], chat["sent_at"], chat["text"])) == [("Ben", msg["sent_at"][0], "hello")]
    with pytest.raises(NotFoundError, match="instance 3"):
        instance_data(app, 7, 3)


def test_zoom_cloud_chat_bytes_and_name():
    recording = at(14, 1)  # the recording started a minute into the meeting
    assert zoom_cloud_chat(tiny(), recording) == (
        b"00:03:00\tAnn Lee:\tHi all,\r\nwelcome\r\n"                    # 14:04; the direct message is left out
        b'00:05:00\tBo Chen:\tReacted to "Hi all, welcome" with \xf0\x9f\x91\x8b\r\n'
        b'00:06:00\tAnn Lee:\tReplying to "thanks"\r\n\r\nyou are welcome\r\n')
    assert cloud_chat_name(recording) == "GMT20240305-140100_RecordingnewChat.txt"
    assert zoom_cloud_chat(tiny(), at(14, 6, 30)).startswith(b"00:00:30\tAnn Lee:\tReplying")


def test_zoom_cloud_chat_reads_back_by_its_name(tmp_path):
    path = tmp_path / cloud_chat_name(at(14, 0))
    path.write_bytes(zoom_cloud_chat(tiny()))
    m = read_chat(path).messages
    assert list(m["sent_at"]) == [pd.Timestamp(at(14, minute)) for minute in (4, 6, 7)]
    assert list(m["kind"]) == ["message", "reaction", "reply"]
    assert list(m["text"]) == ["Hi all,\nwelcome", "\U0001f44b", "you are welcome"]
