"""read_attendance on hand-made exports of the layouts without a shared fixture,
and on broken files. Expected values are read off the samples by hand."""

from __future__ import annotations

import codecs
from datetime import date, timezone

import attendance_samples as s
import pandas as pd
import pytest

from confkit import ImportFormatError, read_attendance
from confkit.formats import detect_platform
from confkit.formats.sniff import decode


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def error_of(data: bytes, **kwargs) -> ImportFormatError:
    with pytest.raises(ImportFormatError) as info:
        read_attendance(data, **{"tz": "UTC", **kwargs})
    return info.value


@pytest.mark.parametrize(("sample", "platform"), [
    ("zoom_webinar_2025", "zoom-webinar"), ("zoom_2025", "zoom"), ("zoom_2025_totals", "zoom"),
    ("zoom_admin", "zoom"), ("zoom_cp1252", "zoom"),
    ("teams_2023", "teams"), ("teams_semicolon", "teams"), ("teams_2020", "teams"), ("teams_2021", "teams"),
    ("teams_live", "teams-live"), ("meet", "meet"), ("webex", "webex"),
])
def test_platform_is_found_from_the_content(sample, platform):
    assert detect_platform(decode(s.ALL[sample])) == platform


# --- Zoom ---------------------------------------------------------------------------

def test_zoom_2025_wording_waiting_room_guest_and_pronouns():
    report = read_attendance(s.ZOOM_2025, tz="Europe/Paris")
    seg = report.segments
    assert seg["name"].tolist() == ["Ana Souza", "Ana Souza", "Phone User"]
    assert seg["display_name"].tolist()[0] == "Ana Souza (she/her)"
    assert seg["original_name"].isna().all()  # pronouns are not an original name
    assert seg["email"].tolist()[:2] == ["ana@example.org"] * 2 and pd.isna(seg["email"].iloc[2])
    assert seg["in_waiting_room"].tolist() == [False, True, False]
    assert seg["guest"].tolist() == [False, False, True]
    assert seg["joined_at"].iloc[0] == utc("2025-03-14 08:58:10")  # CET
    assert report.warnings == ()


def test_zoom_2025_totals_wording():
    report = read_attendance(s.ZOOM_2025_TOTALS, tz="UTC")
    assert report.kind == "totals"
    assert report.segments["duration_reported"].tolist() == [pd.Timedelta(minutes=46), pd.Timedelta(minutes=12)]


def test_zoom_admin_export_repeated_columns_day_first():
    report = read_attendance(s.ZOOM_ADMIN, tz="Europe/Paris")
    assert report.title == "Budget review" and report.meeting_ref == "852 1848 6288"
    assert report.started_at == utc("2022-08-14 23:00") and report.ended_at == utc("2022-08-15 00:00")  # CEST
    kim = report.segments.iloc[1]
    assert (kim["name"], kim["original_name"], kim["email"]) == ("Kim Lee", "Kimberly Lee", "kim@example.org")
    assert kim["joined_at"] == utc("2022-08-14 23:27") and kim["left_at"] == utc("2022-08-14 23:59")
    assert kim["duration_reported"] == pd.Timedelta(minutes=32)  # the participant's, not the meeting's 60
    assert report.warnings == ()  # every date has a day above 12: day-first without guessing


def test_zoom_admin_export_with_two_meetings_is_refused():
    second = s.ZOOM_ADMIN.replace(b"852 1848 6288,Host Person,host@example.org,Finance,,No,14/08/2022 18:00,"
                                  b"15/08/2022 01:00,15/08/2022 02:00,60,2,Kim", b"111,Host Person,host@example.org,"
                                  b"Finance,,No,14/08/2022 18:00,15/08/2022 01:00,15/08/2022 02:00,60,2,Kim")
    error = error_of(second)
    assert error.line == 3 and error.column == "Meeting ID" and error.value == "111"


def test_cp1252_semicolons():
    report = read_attendance(s.ZOOM_CP1252, tz="UTC")
    assert report.segments["name"].tolist() == ["José García"]
    assert report.segments["joined_at"].tolist() == [utc("2021-11-19 10:00")]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-8-sig"])
def test_zoom_in_other_encodings(encoding):
    text = s.ZOOM_2025.decode()
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE, "utf-8-sig": b""}[encoding]
    report = read_attendance(bom + text.encode(encoding), tz="UTC")
    assert report.segments["name"].tolist() == ["Ana Souza", "Ana Souza", "Phone User"]


def test_utf16le_without_bom_and_crlf():
    report = read_attendance(s.ZOOM_2025.decode().replace("\n", "\r\n").encode("utf-16-le"), tz="UTC")
    assert len(report.segments) == 3 and report.segments["line"].tolist() == [2, 3, 4]


def test_zoom_duration_disagreement_is_a_warning_naming_the_line():
    data = s.ZOOM_2025.replace(b"10:40:00 AM,42", b"10:40:00 AM,90")
    report = read_attendance(data, tz="UTC")
    assert len(report.warnings) == 1 and report.warnings[0].startswith("line 2:")
    # Zoom rounds up: 41 min 50 s shown as 42 is no disagreement (checked in the sample itself)
    assert read_attendance(s.ZOOM_2025, tz="UTC").warnings == ()


def test_zoom_webinar_newer_layout():
    report = read_attendance(s.ZOOM_WEBINAR_2025, tz="Asia/Tokyo")
    assert report.title == "Spring Talk" and report.meeting_ref == "812 3456 7890"
    assert report.started_at == utc("2025-03-13 09:00")  # 06:00 PM JST
    assert report.extra["summary"]["registered"] == "3"
    seg = report.segments
    assert seg["name"].tolist() == ["Hana Host", "Pat Panel", "Ann Lee"]
    assert seg["original_name"].tolist()[1] == "Patricia Panel"
    assert seg["role"].tolist() == ["host", "panelist", "attendee"]
    assert seg["guest"].tolist() == [False, False, False]
    assert seg["joined_at"].iloc[2] == utc("2025-03-13 09:01")
    assert seg["left_at"].iloc[2] == utc("2025-03-13 10:29:10")
    no_shows = report.extra["no_shows"]
    assert no_shows["email"].tolist() == ["bo@example.org"] and no_shows["line"].tolist() == [14]
    assert report.warnings == ()


def test_unreadable_reported_duration_is_a_warning():
    report = read_attendance(s.ZOOM_2025.replace(b",42,", b",forty-two,"), tz="UTC")
    assert report.warnings == ("line 2: Duration (Minutes) 'forty-two' is not a duration; not checked",)
    assert pd.isna(report.segments["duration_reported"].iloc[0])


def test_header_only_report_says_it_is_empty():
    report = read_attendance(s.ZOOM_2025.split(b"\n")[0] + b"\n", tz="UTC")
    assert report.segments.empty and report.warnings == ("the report has no attendance rows",)


# --- Teams ----------------------------------------------------------------------------

def test_teams_2023_native_utf16_quoted_dates_and_broken_row():
    report = read_attendance(s.TEAMS_2023, tz="Europe/Paris")
    assert report.title == "Weekly review"
    assert report.started_at == utc("2023-04-17 17:25:00")  # "4/17/23, 7:25:00 PM" CEST
    seg = report.segments
    assert seg["name"].tolist() == ["One, Person", "One, Person", "Visitor"]
    assert seg["line"].tolist() == [16, 17, 19]
    assert seg["joined_at"].tolist()[:2] == [utc("2023-04-17 17:29:57"), utc("2023-04-17 17:44:46")]
    assert seg["guest"].isna().tolist() == [True, True, False] and bool(seg["guest"].iloc[2])
    assert seg["role"].tolist() == ["organizer", "organizer", "attendee"]
    assert seg["participant_id"].tolist()[:2] == ["one@example.org"] * 2
    # the row with only a leave time (line 18) is skipped with a warning; 3m 30s = 3m 16s + 14s agrees
    assert report.warnings == ("line 18: a row with a leave time but no join time; skipped",)


def test_teams_no_break_space_before_pm():
    text = codecs.decode(s.TEAMS_2021[2:], "utf-16-le").replace(" AM", "\u202fAM")
    report = read_attendance(s.utf16le(text.replace("\r\n", "\n")), tz="Europe/Paris")
    assert report.segments["joined_at"].iloc[0] == utc("2022-04-13 05:56:32")


def test_teams_section_two_sum_disagreement_is_a_warning():
    data = s.utf16le(codecs.decode(s.TEAMS_2023[2:], "utf-16-le").replace("\r\n", "\n")
                     .replace("\t3m 30s\t", "\t9m 30s\t"))
    report = read_attendance(data, tz="UTC")
    assert any(w.startswith("line 11:") and "In-Meeting Duration" in w for w in report.warnings)


def test_teams_semicolon_resave_without_activities():
    report = read_attendance(s.TEAMS_SEMICOLON, tz="Europe/Paris")
    seg = report.segments
    assert seg["name"].tolist() == ["Goliath, David", "Eva Nowak"]
    assert seg["display_name"].tolist()[1] == "Eva Nowak (External)"
    assert seg["joined_at"].tolist() == [utc("2022-11-15 08:30:47"), utc("2022-11-15 08:31:00")]
    assert seg["left_at"].tolist() == [utc("2022-11-15 08:59:00"), utc("2022-11-15 08:45:00")]
    assert any("no In-Meeting Activities" in w for w in report.warnings)


def test_teams_2020_events_paired():
    report = read_attendance(s.TEAMS_2020, tz="Europe/Berlin", dayfirst=False)
    seg = report.segments
    assert seg["name"].tolist() == ["Gregory S", "Kray Thorn", "Kray Thorn", "Mia Park"]
    assert seg["line"].tolist() == [2, 3, 5, 7]
    assert seg["joined_at"].tolist() == [utc("2020-11-04 08:50:12"), utc("2020-11-04 08:50:12"),
                                         utc("2020-11-04 09:10:00"), utc("2020-11-04 09:13:00")]
    assert seg["left_at"].tolist()[:3] == [utc("2020-11-04 09:20:00"), utc("2020-11-04 09:06:45"),
                                           utc("2020-11-04 09:30:00")]
    assert pd.isna(seg["left_at"].iloc[3]) and seg["email"].isna().all()
    assert report.warnings == ("line 7: 'Mia Park' joined and has no Left row after it; left_at is empty",)


def test_teams_2020_ambiguous_dates_are_refused():
    error = error_of(s.TEAMS_2020)
    assert "dayfirst" in str(error) and error.line == 2 and error.value == "11/4/2020, 9:50:12 AM"


def test_teams_2020_leave_without_join_is_an_error():
    text = codecs.decode(s.TEAMS_2020[2:], "utf-16-le").replace("Mia Park\tJoined", "Mia Park\tLeft")
    error = error_of(text.encode("utf-8"), dayfirst=False)
    assert error.line == 7 and "leaves without having joined" in str(error)


def test_teams_2020_portuguese_event_list():
    data = s.utf16le("Nome Completo\tAtividade\tCarimbo de data/hora\n"
                     "Ana Lima\tEntrou antes de\t04/11/2020 09:50:12\n"
                     "Ana Lima\tSaiu\t04/11/2020 10:20:00\n")
    report = read_attendance(data, tz="America/Sao_Paulo", dayfirst=True)
    seg = report.segments
    assert seg["joined_at"].tolist() == [utc("2020-11-04 12:50:12")]  # 4 November, UTC-3
    assert seg["left_at"].tolist() == [utc("2020-11-04 13:20:00")]


def test_teams_2021_report():
    report = read_attendance(s.TEAMS_2021, tz="Europe/Paris")
    assert report.title == "Weekly sync" and report.meeting_ref == "19:meeting_abc@thread.v2"
    assert report.started_at == utc("2022-04-13 05:55:00")
    seg = report.segments
    assert seg["name"].tolist() == ["Anna Organiser", "Bob", "Bob"]
    assert seg["guest"].tolist()[1:] == [True, True]
    assert seg["duration_reported"].tolist() == [pd.Timedelta("1h42m"), pd.Timedelta("28m59s"),
                                                 pd.Timedelta("10s")]
    assert seg["participant_id"].iloc[0] == "anna@example.org"
    assert report.warnings == ()  # "1h 42m " has no seconds: a minute of slack


def test_teams_live_events_are_utc_per_session():
    report = read_attendance(s.TEAMS_LIVE, tz="Asia/Tokyo")
    assert report.platform == "teams-live" and report.tz == "UTC"
    seg = report.segments
    assert seg["session_id"].tolist() == ["s1", "s2", "s3"]
    assert seg["joined_at"].tolist() == [utc("2023-03-02 10:56"), utc("2023-03-02 10:57"),
                                         utc("2023-01-25 16:48:08")]
    assert seg["left_at"].iloc[1] == utc("2023-03-02 11:00:30") and pd.isna(seg["left_at"].iloc[2])
    assert seg["role"].tolist() == ["attendee", "attendee", "presenter"]
    assert seg["device"].iloc[2] == "Teams/1.5" and seg["participant_id"].iloc[0] == "p1"
    assert seg["name"].iloc[1] == "" and pd.isna(seg["participant_id"].iloc[1])
    assert any("line 5: 's3' joined" in w for w in report.warnings)


# --- Google Meet and Webex ------------------------------------------------------------------

def test_meet_date_from_the_file_name(tmp_path):
    path = tmp_path / s.MEET_FILE_NAME
    path.write_bytes(s.MEET)
    report = read_attendance(path, tz="Europe/London")
    assert report.title == "Analytical Engines" and report.started_at == utc("2021-10-14 09:00")  # BST
    seg = report.segments
    assert seg["name"].tolist() == ["Ada Lovelace", "Alan Turing"]
    assert seg["joined_at"].tolist() == [utc("2021-10-14 09:02"), utc("2021-10-14 09:15")]
    assert seg["left_at"].tolist() == [utc("2021-10-14 10:07"), utc("2021-10-14 10:00")]
    assert seg["duration_reported"].tolist() == [pd.Timedelta("1h5m"), pd.Timedelta("45m")]
    assert report.warnings == ()


def test_meet_date_argument_and_missing_date():
    report = read_attendance(s.MEET, tz="UTC", date=date(2022, 1, 31))
    assert report.segments["joined_at"].iloc[0] == utc("2022-01-31 10:02")
    assert read_attendance(s.MEET, tz="UTC", date="2022-01-31").segments.equals(report.segments)
    error = error_of(s.MEET)
    assert "date=" in str(error) and error.line == 2 and error.column == "Time joined"


def test_meet_past_midnight():
    data = s.MEET.replace(b"10:15 AM,11:00 AM", b"11:30 PM,12:10 AM")
    report = read_attendance(data, tz="UTC", date="2022-01-31")
    assert report.segments["left_at"].iloc[1] == utc("2022-02-01 00:10")
    assert any(w.startswith("line 3:") for w in report.warnings)


def test_meet_full_date_times_need_no_date_and_must_be_in_order():
    data = s.MEET.replace(b"10:02 AM,11:07 AM", b"10/14/2021 10:02 AM,10/14/2021 11:07 AM").replace(
        b"10:15 AM,11:00 AM", b"10/14/2021 10:15 AM,10/14/2021 11:00 AM")
    assert read_attendance(data, tz="UTC").segments["left_at"].iloc[1] == utc("2021-10-14 11:00")
    backwards = data.replace(b"10/14/2021 11:00 AM", b"10/14/2021 10:00 AM")
    error = error_of(backwards)
    assert error.line == 3 and error.column == "Time exited"


def test_webex_report_needs_the_date_order():
    assert "dayfirst" in str(error_of(s.WEBEX))
    report = read_attendance(s.WEBEX, tz="America/New_York", dayfirst=False)
    assert report.title == "Planning" and report.started_at == utc("2024-05-03 13:00")
    seg = report.segments
    assert seg["email"].tolist() == ["ann@example.org", "raj@example.org"]
    assert seg["role"].tolist() == ["host", "attendee"] and seg["device"].tolist() == ["Desktop app", "Web app"]
    assert seg["joined_at"].iloc[1] == utc("2024-05-03 13:05")
    day_first = read_attendance(s.WEBEX, tz="America/New_York", dayfirst=True)
    assert day_first.started_at == utc("2024-03-05 14:00")  # 5 March, EST


# --- time zones ----------------------------------------------------------------------------

def test_machine_zone_is_named(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    report = read_attendance(s.ZOOM_CP1252)
    assert report.tz == "Asia/Tokyo"
    assert report.segments["joined_at"].iloc[0] == utc("2021-11-19 01:00")


def test_tzinfo_argument():
    report = read_attendance(s.ZOOM_CP1252, tz=timezone.utc)
    assert report.segments["joined_at"].iloc[0] == utc("2021-11-19 10:00")


def test_dst_repeated_and_missing_hours():
    data = (b"Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
            b"A,a@x.org,10/31/2021 02:30:00 AM,10/31/2021 03:10:00 AM,,No\n"  # 02:30 happens twice in Paris
            b"B,b@x.org,03/28/2021 02:15:00 AM,03/28/2021 04:00:00 AM,,No\n")  # 02:15 does not exist
    report = read_attendance(data, tz="Europe/Paris")
    seg = report.segments
    assert seg["joined_at"].iloc[0] == utc("2021-10-31 00:30")  # the first (summer-time) 02:30
    assert seg["joined_at"].iloc[1] == utc("2021-03-28 01:00")  # moved to 03:00 CEST
    assert sum("DST" in w for w in report.warnings) == 2


# --- refusals --------------------------------------------------------------------------------

ZOOM_HEAD = b"Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"


@pytest.mark.parametrize(("row", "line", "column", "value", "words"), [
    (b"A,a@x.org,11/19/2021 10:00:00 AM,11/19/2021 09:00:00 AM,1,No", 2, "Leave Time", "11/19/2021 09:00:00 AM",
     "before the join"),
    (b"A,a@x.org,11/19/2021 10:00:00 AM,the end,1,No", 2, "Leave Time", "the end", "expected a date"),
    (b"A,a@x.org,11/31/2021 10:00:00 AM,11/19/2021 10:00:00 AM,1,No", 2, "Join Time", "11/31/2021 10:00:00 AM",
     "not a valid date"),
    (b"A,a@x.org,,11/19/2021 10:00:00 AM,1,No", 2, "Join Time", "", "missing"),
    (b"A,a@x.org,11/19/2021 10:00:00 AM", 2, "Leave Time", "", "missing"),
])
def test_unreadable_rows(row, line, column, value, words):
    error = error_of(ZOOM_HEAD + b"B,b@x.org,11/19/2021 09:00:00 AM,11/19/2021 09:30:00 AM,30,No\n" + row)
    assert error.line == line + 1 and error.column == column and words in str(error)
    if value is not None:
        assert error.value == value
    assert "<bytes>" in str(error)


def test_missing_required_column():
    error = error_of(b"Name (Original Name),User Email,Join Time,Guest\nA,a@x.org,11/19/2021 10:00:00 AM,No\n")
    assert error.line == 1 and error.column == "Leave Time"


@pytest.mark.parametrize("data", [b"", b"hello,world\n1,2\n", b"\x00\x01\x02binary", b"Topic,Meeting ID\nx,1\n"])
def test_not_an_attendance_report(data):
    assert isinstance(error_of(data), ImportFormatError)


def test_dates_that_disagree_on_order():
    data = ZOOM_HEAD + (b"A,a@x.org,11/19/2021 10:00:00 AM,11/19/2021 10:30:00 AM,30,No\n"
                        b"B,b@x.org,19/11/2021 10:00:00 AM,19/11/2021 10:30:00 AM,30,No\n")
    error = error_of(data)
    assert "disagree" in str(error)


def test_explicit_platform_that_does_not_match():
    error = error_of(s.ZOOM_2025, platform="teams")
    assert "Teams" in str(error)


@pytest.mark.parametrize("kwargs", [{"platform": "skype"}, {"tz": "Mars/Olympus"}, {"dayfirst": "yes"},
                                    {"date": "14 Oct"}])
def test_bad_arguments(kwargs):
    error_of(s.MEET, **kwargs)


def test_truncated_file():
    data = s.ZOOM_2025[: s.ZOOM_2025.index(b"10:30:30") + 3]
    error = error_of(data)
    assert error.line == 4 and error.column == "Leave Time"
