"""read_attendance on the shared real exports. Every expected value below was read
off the files by hand (line numbers are the file's own, 1-based)."""

from __future__ import annotations

import pandas as pd
import pytest
from exportfiles import fixture

from confkit import ImportFormatError, read_attendance
from confkit.formats.model import SEGMENT_COLUMNS


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def rows_of(report, name: str) -> pd.DataFrame:
    return report.segments[report.segments["name"] == name]


# --- Zoom participants, plain (variant A) ---------------------------------------------

def test_heroes_segments_people_and_first_join():
    report = read_attendance(fixture("zoom/participants_heroes.csv"), tz="Europe/Paris")
    seg = report.segments
    assert report.platform == "zoom" and report.kind == "segments" and report.tz == "Europe/Paris"
    assert report.title == "" and report.meeting_ref is None and report.started_at is None
    assert list(seg.columns[:5]) == list(SEGMENT_COLUMNS)
    assert len(seg) == 31  # data lines 2..32
    assert seg["email"].nunique() == 27  # Power Girl, Swarm, Dazzler, Cyborg Superman have two rows each
    first = seg.iloc[0]
    # line 2: 015_Loki (Loki Laufeyson), 11/19/2021 09:54:15 AM Paris (CET, UTC+1)
    assert (first["name"], first["original_name"], first["display_name"]) == (
        "015_Loki", "Loki Laufeyson", "015_Loki (Loki Laufeyson)")
    assert first["email"] == "loki_asgardian@marvel.com"
    assert first["joined_at"] == utc("2021-11-19 08:54:15") and first["left_at"] == utc("2021-11-19 11:01:59")
    assert first["line"] == 2 and first["duration_reported"] == pd.Timedelta(minutes=128)
    assert first["duration"] == pd.Timedelta("2h7m44s")  # 09:54:15 to 12:01:59; Zoom rounds up to 128 min
    assert seg.iloc[-1]["name"] == "026_Redeemer II" and seg.iloc[-1]["line"] == 32
    assert report.warnings == ()


def test_heroes_dtypes():
    seg = read_attendance(fixture("zoom/participants_heroes.csv"), tz="UTC").segments
    assert str(seg["joined_at"].dtype) == "datetime64[ns, UTC]" == str(seg["left_at"].dtype)
    assert seg["email"].dtype == pd.StringDtype() and seg["name"].dtype == pd.StringDtype()
    assert seg["guest"].dtype == "boolean" and seg["in_waiting_room"].dtype == bool
    assert seg["line"].dtype == "int64"


def test_heroes_reconnects_and_second_devices():
    report = read_attendance(fixture("zoom/participants_heroes.csv"), tz="UTC")
    power = rows_of(report, "003_Power Girl")  # a second device: rows overlap
    assert power["line"].tolist() == [5, 16]
    assert power["joined_at"].tolist() == [utc("2021-11-19 10:08:26"), utc("2021-11-19 10:11:31")]
    assert power["left_at"].tolist() == [utc("2021-11-19 12:01:58")] * 2
    assert power["original_name"].tolist() == ["Kara Zor-L"] * 2
    swarm = rows_of(report, "017_Swarm")  # a reconnect whose rows overlap by 14 s
    assert swarm["joined_at"].tolist() == [utc("2021-11-19 10:14:30"), utc("2021-11-19 10:24:12")]
    assert swarm["left_at"].tolist() == [utc("2021-11-19 10:24:26"), utc("2021-11-19 12:01:58")]
    assert swarm["left_at"].iloc[0] - swarm["joined_at"].iloc[1] == pd.Timedelta(seconds=14)
    dazzler = rows_of(report, "022_Dazzler")  # a reconnect after an 11 s gap
    assert dazzler["line"].tolist() == [27, 28]
    assert dazzler["joined_at"].iloc[1] - dazzler["left_at"].iloc[0] == pd.Timedelta(seconds=11)
    assert dazzler["email"].tolist() == ["dazzler_mutant@marvel.com"] * 2


def test_heroes_guest_column():
    seg = read_attendance(fixture("zoom/participants_heroes.csv"), tz="UTC").segments
    assert seg.loc[seg["name"] == "014_Clea", "guest"].tolist() == [False]  # line 4: Guest = No
    assert int(seg["guest"].sum()) == 30


# --- Zoom participants with meeting data (variant B) ---------------------------------

def test_heroes_full_meeting_block_and_unpadded_hour():
    report = read_attendance(fixture("zoom/participants_heroes_full.csv"), tz="America/New_York")
    assert report.title == "Heroes meeting" and report.meeting_ref == "60245167821"
    # 11/19/2021 10:00:00 AM / 12:00:00 PM New York (EST, UTC-5)
    assert report.started_at == utc("2021-11-19 15:00:00") and report.ended_at == utc("2021-11-19 17:00:00")
    assert report.extra["participants"] == "27"
    seg = report.segments
    assert len(seg) == 31 and seg["line"].iloc[0] == 5  # after the block and the ",,,,,," separator
    assert seg["joined_at"].iloc[0] == utc("2021-11-19 14:54:15")  # written "9:54:15 AM"


# --- Zoom "show unique users" (variant C) ---------------------------------------------

def test_unique_users_export_is_a_totals_report():
    report = read_attendance(fixture("zoom/meeting001_participants.csv"), tz="America/Chicago")
    assert report.kind == "totals"
    assert any("Show unique users" in warning for warning in report.warnings)
    assert report.meeting_ref == "00000000001"  # leading zeros kept
    assert report.title == "Meeting about Reunion"
    assert report.started_at == utc("2020-09-24 16:35:16")  # 11:35:16 AM CDT
    seg = report.segments
    assert len(seg) == 10 and seg["joined_at"].isna().all() and seg["left_at"].isna().all()
    assert seg["duration_reported"].iloc[0] == pd.Timedelta(minutes=75)  # Andrew Knight
    lennon = seg[seg["name"] == "John Lennon"]
    assert lennon["email"].isna().all()
    paul = seg[seg["display_name"] == "Paul McCartney (Wings)"].iloc[0]
    assert (paul["name"], paul["original_name"]) == ("Paul McCartney", "Wings")
    ipad = seg[seg["line"] == 14].iloc[0]
    assert (ipad["name"], ipad["original_name"]) == ("Eric's iPad", "Clapton")


# --- Zoom webinar -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def webinar():
    return read_attendance(fixture("zoom/Anonymized_Zoom_Attendee_Report.csv"), tz="America/New_York")


def test_webinar_summary(webinar):
    assert webinar.platform == "zoom-webinar"
    assert webinar.title == "satRdays DC 2020" and webinar.meeting_ref == "328-972-509"
    assert webinar.started_at == utc("2020-03-28 12:07:00")  # "Mar 28, 2020 8:07 AM", EDT
    summary = webinar.extra["summary"]
    assert summary["registered"] == "461" and summary["unique_viewers"] == "446"
    assert summary["duration_minutes"] == "548"


def test_webinar_roles_and_counts(webinar):
    seg = webinar.segments
    counts = seg["role"].value_counts().to_dict()
    # host: line 7; panelists: lines 10-82; attendees: 940 rows at 85-1024 less 16 no-shows, + 4 Other Attended
    assert counts == {"host": 1, "panelist": 73, "attendee": 924 + 4}
    assert seg.loc[seg["role"] == "panelist", "email"].nunique() == 31
    attendees = seg[seg["section"] == "Attendee Details"]
    assert attendees["email"].nunique() == 455


def test_webinar_no_shows(webinar):
    no_shows = webinar.extra["no_shows"]
    assert len(no_shows) == 16 and no_shows["line"].tolist() == list(range(1009, 1025))
    assert no_shows.iloc[0]["email"] == "attendee384@email.com"
    assert no_shows.iloc[0]["name"] == "firstAttendee_384 lastAttendee_384"
    assert not webinar.segments["line"].between(1009, 1024).any()


def test_webinar_times_in_both_formats(webinar):
    seg = webinar.segments
    host = seg[seg["role"] == "host"].iloc[0]
    assert host["joined_at"] == utc("2020-03-28 12:07:27") and host["left_at"] == utc("2020-03-28 21:14:45")
    a52 = seg[seg["email"] == "attendee52@email.com"]  # lines 86-88, two of them overlap
    assert a52["line"].tolist() == [86, 87, 88]
    assert a52["joined_at"].tolist() == [utc("2020-03-28 13:20:36"), utc("2020-03-28 13:49:50"),
                                         utc("2020-03-28 13:54:35")]
    other = seg[seg["line"] == 1027].iloc[0]  # Other Attended: "Mar 28, 2020 2:20 PM"
    assert other["name"] == "userOther_1" and pd.isna(other["email"]) and other["country"] == "India"
    assert other["joined_at"] == utc("2020-03-28 18:20:00") and other["left_at"] == utc("2020-03-28 18:21:00")


# --- Teams 2022 sectioned, day-first -----------------------------------------------------

def test_teams_idl_people_and_first_join():
    report = read_attendance(fixture("teams/IDL-14-11-22.csv"), tz="Europe/Brussels")
    assert report.platform == "teams" and report.title == "Scrum Meeting"
    assert report.started_at == utc("2022-11-14 08:29:07") and report.ended_at == utc("2022-11-14 08:50:14")
    seg = report.segments
    assert len(seg) == 7 and seg["email"].nunique() == 7
    assert seg["line"].tolist() == list(range(21, 28))  # section 3 rows
    first = seg.iloc[0]  # JANSSENS JAN (EXT), 14/11/22, 09:30:46 Brussels (CET)
    assert (first["name"], first["display_name"]) == ("JANSSENS JAN", "JANSSENS JAN (EXT)")
    assert first["joined_at"] == utc("2022-11-14 08:30:46") and first["left_at"] == utc("2022-11-14 08:50:12")
    assert first["role"] == "organizer" and first["participant_id"] == "jan.janssens.ext@un.int"
    assert seg["role"].tolist()[1:] == ["presenter"] * 6
    assert "García Simón, Pedro" in seg["name"].tolist()
    assert report.warnings == ()  # section 2 durations agree with section 3 within a second


def test_teams_idl_refuses_month_first():
    with pytest.raises(ImportFormatError) as info:
        read_attendance(fixture("teams/IDL-14-11-22.csv"), tz="UTC", dayfirst=False)
    error = info.value  # the first section-3 row: month 14 does not exist
    assert (error.line, error.column, error.value) == (21, "Join time", "14/11/22, 09:30:46")
    assert "month/day" in str(error) and "IDL-14-11-22.csv" in str(error)


@pytest.mark.parametrize("relative", ["zoom/participants_heroes.csv", "zoom/participants_heroes_full.csv",
                                      "zoom/meeting001_participants.csv", "teams/IDL-14-11-22.csv",
                                      "zoom/Anonymized_Zoom_Attendee_Report.csv"])
def test_every_fixture_reads_from_bytes_and_stream(relative):
    path = fixture(relative)
    by_path = read_attendance(path, tz="UTC")
    assert by_path.source == str(path)
    assert read_attendance(path.read_bytes(), tz="UTC").segments.equals(by_path.segments)
    with open(path, "rb") as stream:
        assert read_attendance(stream, tz="UTC").segments.equals(by_path.segments)


@pytest.mark.parametrize("relative", ["zoom/zoom-chat-2.txt", "zoom/meeting001_chat.txt"])
def test_chat_files_are_refused_with_a_pointer(relative):
    with pytest.raises(ImportFormatError, match="read_chat"):
        read_attendance(fixture(relative), tz="UTC")
