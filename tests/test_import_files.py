"""Importing the shared real exports, and the ``confkit import`` command. Expected
values were counted by hand from the files (see the comments)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest
from clockwork import T0
from exportfiles import fixture
from importdata import report

from confkit.analytics import events_frame, messages_frame
from confkit.cli import main
from confkit.errors import ImportFormatError
from confkit.formats import read_attendance, read_chat
from confkit.importer import sessions_detail

AT = ["--now", T0.isoformat()]
UTC = timezone.utc


def _event_counts(app):
    return events_frame(app)["event_type"].astype(str).value_counts().to_dict()


def test_zoom_report_with_meeting_data(app):
    # 31 rows, 27 e-mails; Power Girl has two overlapping rows (a second device, 10:08:26
    # and 10:11:31 to 12:01:58), Swarm two rows overlapping by 14 s (a reconnect), Cyborg
    # Superman and Dazzler two rows apart (two sessions each): 29 sessions.
    result = app.import_meeting(read_attendance(fixture("zoom/participants_heroes_full.csv"), tz="UTC"))
    assert (result.people, result.users_created, result.sessions, result.segments_merged) == (27, 27, 29, 2)
    assert (result.title, result.platform, result.meeting_id) == ("Heroes meeting", "zoom", 1)
    # Start Time 10:00 and End Time 12:00, widened to Loki's 09:54:15 and the last leave 12:01:59.
    assert (result.from_dt, result.to_dt) == (datetime(2021, 11, 19, 9, 54, 15, tzinfo=UTC),
                                              datetime(2021, 11, 19, 12, 1, 59, tzinfo=UTC))
    # Loki, Alan Scott, Simon Baz, Jason Bourne and Magus leave at 12:01:59: the end.
    assert _event_counts(app) == {"join": 29, "leave": 24, "timeout": 5}
    detail = sessions_detail(app)
    assert detail.loc[detail["multi_device"], "line"].tolist() == [8]          # Power Girl
    assert sorted(detail.loc[detail["segments"] == 2, "line"]) == [8, 23]     # Power Girl, Swarm
    loki = next(u for u in app.users() if u.email == "loki_asgardian@marvel.com")
    assert (loki.name, loki.age, loki.gender) == ("Loki Laufeyson", None, None)  # the original name


def test_the_same_people_in_the_plain_export_are_the_same_users(app):
    app.import_meeting(read_attendance(fixture("zoom/participants_heroes_full.csv"), tz="UTC"))
    plain = app.import_meeting(read_attendance(fixture("zoom/participants_heroes.csv"), tz="UTC"))
    # No meeting block, so no reference or title: a meeting of its own, named after the file.
    assert (plain.meeting_id, plain.title) == (2, "participants_heroes")
    assert (plain.users_matched, plain.users_created) == (27, 0)
    assert len(app.users()) == 27


def test_teams_report(app):
    # 7 rows of 7 people; the meeting runs 09:29:07 to 09:50:14 Brussels time (UTC+1);
    # García Simón, Pedro leaves at 09:50:14, the end, so his session times out.
    result = app.import_meeting(read_attendance(fixture("teams/IDL-14-11-22.csv"), tz="Europe/Brussels"))
    assert (result.people, result.sessions, result.title) == (7, 7, "Scrum Meeting")
    assert (result.from_dt, result.to_dt) == (datetime(2022, 11, 14, 8, 29, 7, tzinfo=UTC),
                                              datetime(2022, 11, 14, 8, 50, 14, tzinfo=UTC))
    assert _event_counts(app) == {"join": 7, "leave": 6, "timeout": 1}
    assert "JANSSENS JAN" in {u.name for u in app.users()}  # "(EXT)" removed


def test_zoom_chat_with_reactions_replies_and_a_direct_message(app):
    # test-zoom-chat.txt: 15 entries; 9 reactions or removals ("add", "remove", "Reacted
    # to", "Removed a"), 1 direct message (John Doe to Open Mike), 5 messages and replies.
    log = read_chat(fixture("zoom/test-zoom-chat.txt"), tz="UTC", date="2023-05-01")
    day = datetime(2023, 5, 1, tzinfo=UTC)
    people = [(name, None, "10:00", "10:30") for name in
              ("John Doe", "Alice Balice", "Jane Smith", "Jack Doe", "Diane Smith")]
    result = app.import_meeting(report(people, day=day, title="Chat test", ref=None), log)
    assert result.skipped == {"reactions": 9, "direct_messages": 1}
    assert messages_frame(app)["text"].tolist() == [
        "Good morning folks", "Hi John", "Hello there, John!",
        "Hello world, this message is longer than 20 characters!", "Hello there, Jack!"]
    app.import_meeting(report(people, day=day, title="Chat test 2", ref=None), log, include_direct=True,
                       meeting_id=50)
    assert messages_frame(app, [50])["text"].tolist()[5] == "Please mute"


def test_cli_imports_oldest_first_and_again_changes_nothing(redis_server, app, capsys, monkeypatch):
    monkeypatch.setenv("CONFKIT_REDIS_URL", redis_server.url)
    files = [str(fixture("teams/IDL-14-11-22.csv")), str(fixture("zoom/participants_heroes_full.csv"))]
    assert main([*AT, "import", *files, "--tz", "UTC", "--dry-run"]) == 0
    assert "dry run" in capsys.readouterr().out and app.meetings() == []
    assert main([*AT, "--json", "import", *files, "--tz", "UTC"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert [(r["title"], r["created"]) for r in first] == [("Heroes meeting", True), ("Scrum Meeting", True)]
    assert [m.title for m in app.meetings()] == ["Heroes meeting", "Scrum Meeting"]  # 2021 before 2022
    assert main([*AT, "--json", "import", *files, "--tz", "UTC"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert [(r["title"], r["created"]) for r in again] == [("Heroes meeting", False), ("Scrum Meeting", False)]


def test_cli_pairs_a_chat_with_its_report_and_prints_a_summary(redis_server, app, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("CONFKIT_REDIS_URL", redis_server.url)
    people = pd.DataFrame({"Name (Original Name)": ["John Doe", "Alice Balice", "Jane Smith"],
                           "User Email": ["", "", ""],
                           "Join Time": ["05/01/2023 10:00:00 AM"] * 3, "Leave Time": ["05/01/2023 10:30:00 AM"] * 3,
                           "Duration (Minutes)": [30] * 3, "Guest": ["Yes"] * 3})
    people.to_csv(tmp_path / "participants.csv", index=False)
    chat_file = fixture("zoom/test-zoom-chat.txt")
    assert main([*AT, "import", str(tmp_path / "participants.csv"), str(chat_file), "--tz", "UTC",
                 "--date", "2023-05-01", "--monthfirst"]) == 0
    out = capsys.readouterr().out
    # Its ten fields do not fit a 100-column table row: one block per import, a field a line.
    fields = dict(line.split(None, 1) for line in out.splitlines() if line[:1].strip())
    assert list(fields)[:4] == ["file", "platform", "meeting", "instance"]
    assert (fields["file"], fields["platform"]) == ("participants.csv", "zoom")
    # John, Alice and Jane are in the report; Jack Doe and Diane Smith only in the chat.
    assert messages_frame(app)["text"].tolist()[:3] == ["Good morning folks", "Hi John", "Hello there, John!"]
    assert len(app.users()) == 5


@pytest.mark.parametrize("args, message", [
    (["import", "missing.csv"], "missing.csv"),
    (["import", "--date", "2023-13-01", "x.csv"], "--date"),
])
def test_cli_errors_name_the_problem_and_write_nothing(redis_server, app, capsys, monkeypatch, args, message):
    monkeypatch.setenv("CONFKIT_REDIS_URL", redis_server.url)
    assert main([*AT, *args]) == 1
    assert message in capsys.readouterr().err
    assert app.meetings() == []


EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "exports"


def test_cli_imports_the_example_class_as_one_meeting_of_four_sessions(redis_server, app, capsys, monkeypatch):
    """examples/exports/README.md: four sessions of DATA 101 with their chats."""
    monkeypatch.setenv("CONFKIT_REDIS_URL", redis_server.url)
    zoom = EXAMPLES / "zoom"
    files = sorted(str(p) for p in zoom.glob("participants_*.csv"))[::-1]  # newest first on purpose
    chats = sorted(str(p) for p in zoom.glob("*/meeting_saved_chat.txt"))
    assert main([*AT, "--json", "import", *files, *chats, "--tz", "America/New_York"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert [m.title for m in app.meetings()] == ["DATA 101 Intro to Data Analysis"]
    assert [r["from_dt"][:10] for r in results] == ["2025-10-14", "2025-10-16", "2025-10-21", "2025-10-23"]
    assert [i.order_id for i in app.instances(1)] == sorted(r["order_id"] for r in results)
    # People 10, 9, 9, 10; Noah Kim's reconnect after 28 s is two sessions; Aisha's two
    # devices one.
    assert [r["people"] for r in results] == [10, 9, 9, 10]
    assert [r["sessions"] for r in results] == [11, 9, 9, 10]
    # Messages (direct ones included) and replies: 6+1, 5+1, 6+1, 4+1, less the direct
    # messages 1, 0, 2, 0; reactions and removals 2, 3, 1, 1.
    assert [r["messages"] for r in results] == [6, 6, 5, 5]
    assert [r["skipped"].get("reactions", 0) for r in results] == [2, 3, 1, 1]
    assert [r["skipped"].get("direct_messages", 0) for r in results] == [1, 0, 2, 0]
    # Nine enrolled students and the host's class, Priya Shah (a guest, the same user in
    # sessions 1 and 3), and the second Alex Morgan, who cannot be told from the student.
    assert len(app.users()) == 11
    assert [len(r["conflicts"]) for r in results] == [0, 0, 0, 1]
    assert results[3]["conflicts"][0]["lines"] == [9]
    assert results[2]["users_created"] == 0
    detail = sessions_detail(app)
    aisha = next(u.user_id for u in app.users() if u.name == "Aisha Patel")
    assert detail.loc[detail["multi_device"], "user_id"].tolist() == [aisha]


def test_per_person_totals_cannot_be_imported(app):
    # meeting001_participants.csv was exported with "show unique users": no join times.
    totals = read_attendance(fixture("zoom/meeting001_participants.csv"), tz="UTC")
    with pytest.raises(ImportFormatError, match="per-person totals"):
        app.import_meeting(totals)
    assert app.meetings() == [] and app.users() == []


def test_a_real_webinar_report_imports_once(app):
    webinar = read_attendance(fixture("zoom/Anonymized_Zoom_Attendee_Report.csv"), tz="UTC")
    result = app.import_meeting(webinar, progress=False)
    events = events_frame(app)
    kinds = events["event_type"].astype(str).value_counts()
    assert kinds["join"] == result.sessions == len(sessions_detail(app))
    assert kinds.get("leave", 0) + kinds.get("timeout", 0) == result.sessions
    assert result.sessions + result.segments_merged == result.rows_read - sum(result.skipped.values())
    instance = app.instances(result.meeting_id)[0]
    assert events["timestamp"].min() >= instance.from_dt and events["timestamp"].max() <= instance.to_dt
    assert app.import_meeting(webinar).created is False


def test_cli_refuses_two_overlapping_reports_of_one_meeting_before_writing(redis_server, app, capsys,
                                                                           monkeypatch):
    monkeypatch.setenv("CONFKIT_REDIS_URL", redis_server.url)
    heroes = [str(fixture("zoom/participants_heroes_full.csv")), str(fixture("zoom/participants_heroes.csv"))]
    assert main([*AT, "import", *heroes, "--tz", "UTC", "--meeting", "5"]) == 1
    assert "overlaps" in capsys.readouterr().err
    assert app.meetings() == [] and app.users() == []
