"""The example exports in examples/exports/: regenerable from examples/make_exports.py,
and read by confkit's readers as examples/exports/README.md describes them (numbers
below are counted by hand from the files)."""

from __future__ import annotations

import csv
import importlib.util
import io
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

from confkit.formats import read_attendance, read_chat

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
EXPORTS = EXAMPLES / "exports"
ZOOM_TZ = "America/New_York"


def _generator():
    spec = importlib.util.spec_from_file_location("make_exports", EXAMPLES / "make_exports.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_files_match_the_generator():
    for relative, data in _generator().files().items():
        assert (EXPORTS / relative).read_bytes() == data, relative


def chat(day: str) -> Path:
    (path,) = (EXPORTS / "zoom").glob(f"{day} *" + "/meeting_saved_chat.txt")
    return path


# session -> rows, kinds, messages per sender
CHATS = {
    "2025-10-14": (9, {"message": 6, "reply": 1, "reaction": 2, "reaction_removed": 0},
                   {"Maya Okafor": 1, "Liam Becker": 1, "Noah Kim": 2, "Tom": 1, "Aisha Patel": 1}),
    "2025-10-16": (9, {"message": 5, "reply": 1, "reaction": 2, "reaction_removed": 1},
                   {"Maya Okafor": 2, "Aisha Patel": 1, "Chloe Martin": 1, "Sofia Ramirez": 1}),
    "2025-10-21": (8, {"message": 6, "reply": 1, "reaction": 1, "reaction_removed": 0},
                   {"Maya Okafor": 2, "Priya Shah": 1, "Ethan Brooks": 1, "Sofia Ramirez": 1, "Noah Kim": 1}),
    "2025-10-23": (6, {"message": 4, "reply": 1, "reaction": 1, "reaction_removed": 0},
                   {"Alex Morgan": 2, "Maya Okafor": 1, "Tom": 1}),
}


@pytest.mark.parametrize("day", sorted(CHATS))
def test_example_chats_read_as_described(day):
    rows, kinds, senders = CHATS[day]
    m = read_chat(chat(day), tz=ZOOM_TZ).messages  # the date comes from the folder name
    assert len(m) == rows
    assert m["kind"].value_counts().to_dict() == kinds
    assert m[m["kind"] == "message"]["sender"].value_counts().to_dict() == senders
    assert (m["sent_at"].dt.tz_convert(ZOOM_TZ).dt.strftime("%Y-%m-%d") == day).all()


def test_example_cloud_recording_chat():
    log = read_chat(EXPORTS / "zoom" / "GMT20251021-140030_RecordingnewChat.txt")  # the start is in the name
    m = log.messages
    assert m["kind"].value_counts().to_dict() == {"message": 4, "reply": 1, "reaction": 1, "reaction_removed": 0}
    assert m["sent_at"][0] == pd.Timestamp(datetime(2025, 10, 21, 14, 1, 0, tzinfo=timezone.utc))
    assert (m["sender"][2], m["text"][2], m["reply_to"][2]) == ("Maya Okafor", "Welcome, Priya!",
                                                                 "Hi all, I'm visiting...")
    assert m["recipient"].isna().all() and log.tz == "UTC"


def test_example_chat_details():
    first = read_chat(chat("2025-10-14"), tz=ZOOM_TZ).messages
    dm = first[first["direct"]]
    assert list(zip(dm["sender"], dm["recipient"], dm["text"])) == [
        ("Tom", "Maya Okafor", "Could I get an extension?\nI'll explain after class.")]
    assert dm["sent_at"].iloc[0] == pd.Timestamp(datetime(2025, 10, 14, 14, 41, 30, tzinfo=timezone.utc))  # EDT
    reply = first[first["kind"] == "reply"].iloc[0]
    assert (reply["text"], reply["reply_to"]) == ("Yes, Friday at 5 pm.", "Is the first assignm...")
    second = read_chat(chat("2025-10-16"), tz=ZOOM_TZ).messages
    removed = second[second["kind"] == "reaction_removed"].iloc[0]
    assert (removed["sender"], removed["text"], removed["reply_to"]) == (
        "Liam Becker", "\U0001f602", "I need to leave at 1...")
    third = read_chat(chat("2025-10-21"), tz=ZOOM_TZ).messages
    assert list(third.loc[third["direct"], "recipient"]) == ["Maya Okafor", "Ethan Brooks"]


def test_example_files_are_where_the_readme_says():
    names = sorted(str(p.relative_to(EXPORTS)) for p in EXPORTS.rglob("*") if p.is_file())
    assert names == [
        "README.md",
        "meet/2025-11-04 09-30 Book Club.csv",
        "teams/Riverside Library renovation - kickoff - Attendance report 10-14-25.csv",
        "zoom/2025-10-14 09.55.12 DATA 101 Intro to Data Analysis/meeting_saved_chat.txt",
        "zoom/2025-10-16 09.57.40 DATA 101 Intro to Data Analysis/meeting_saved_chat.txt",
        "zoom/2025-10-21 09.56.05 DATA 101 Intro to Data Analysis/meeting_saved_chat.txt",
        "zoom/2025-10-23 09.58.30 DATA 101 Intro to Data Analysis/meeting_saved_chat.txt",
        "zoom/GMT20251021-140030_RecordingnewChat.txt",
        "zoom/participants_84512390476_2025-10-14.csv",
        "zoom/participants_84512390476_2025-10-16.csv",
        "zoom/participants_84512390476_2025-10-21.csv",
        "zoom/participants_84512390476_2025-10-23.csv",
    ]


# -- attendance, as the README's tables say -----------------------------------------------------
ZOOM_SESSIONS = {"2025-10-14": (11, 10), "2025-10-16": (10, 9), "2025-10-21": (9, 9), "2025-10-23": (10, 10)}


def zoom_report(day: str):
    return read_attendance(EXPORTS / "zoom" / f"participants_84512390476_{day}.csv", tz=ZOOM_TZ)


def people(segments: pd.DataFrame) -> int:
    return segments["email"].fillna("name:" + segments["name"]).nunique()


def local(stamp: pd.Timestamp, tz: str = ZOOM_TZ) -> str:
    return stamp.tz_convert(tz).strftime("%H:%M:%S")


@pytest.mark.parametrize("day", sorted(ZOOM_SESSIONS))
def test_example_zoom_reports_read_as_described(day):
    rows, count = ZOOM_SESSIONS[day]
    report = zoom_report(day)
    seg = report.segments
    assert (len(seg), people(seg)) == (rows, count)
    assert (report.title, report.meeting_ref) == ("DATA 101 Intro to Data Analysis", "84512390476")
    tom = seg[seg["email"] == "thomas.nguyen@northfield.example"]
    assert list(tom["name"]) == ["Tom"] and list(tom["original_name"]) == ["Thomas Nguyen"]


def test_example_zoom_quirks():
    first = zoom_report("2025-10-14").segments
    noah = first[first["name"] == "Noah Kim"]
    assert [(local(a), local(b)) for a, b in zip(noah["joined_at"], noah["left_at"])] == [
        ("10:01:15", "10:37:52"), ("10:38:20", "11:30:09")]
    priya = first[first["name"] == "Priya Shah"].iloc[0]
    assert pd.isna(priya["email"]) and (local(priya["joined_at"]), local(priya["left_at"])) == ("10:15:02", "11:05:33")
    second = zoom_report("2025-10-16").segments
    aisha = second[second["name"] == "Aisha Patel"].sort_values("joined_at")
    assert len(aisha) == 2 and aisha["joined_at"].iloc[1] < aisha["left_at"].iloc[0]  # overlapping devices
    chloe = second[second["name"] == "Chloe Martin"].iloc[0]
    assert local(chloe["left_at"]) == "10:48:30"
    third = zoom_report("2025-10-21").segments
    assert local(third.loc[third["name"] == "Ethan Brooks", "joined_at"].iloc[0]) == "10:26:41"
    assert "Liam Becker" not in set(third["name"])
    fourth = zoom_report("2025-10-23").segments
    alexes = fourth[fourth["name"] == "Alex Morgan"]
    assert list(alexes["email"].fillna("-")) == ["alex.morgan@northfield.example", "-"]


def test_example_teams_report_read_as_described():
    (path,) = (EXPORTS / "teams").glob("*.csv")
    report = read_attendance(path, tz="Europe/London")
    seg = report.segments
    assert report.platform == "teams" and (len(seg), people(seg)) == (7, 6)
    assert report.started_at == datetime(2025, 10, 14, 12, 58, 40, tzinfo=timezone.utc)  # 13:58:40 BST
    assert "Okafor, Daniel" in set(seg["name"])
    marco = seg[seg["name"] == "Marco Bianchi"].iloc[0]
    assert pd.isna(marco["email"])
    sarah = seg[seg["name"] == "Sarah O'Connor"]
    assert [local(t, "Europe/London") for t in sarah["left_at"]] == ["14:22:40", "15:01:50"]
    assert local(seg.loc[seg["name"] == "Tom Fletcher", "left_at"].iloc[0], "Europe/London") == "14:31:15"


def test_example_meet_report_is_as_described():
    (path,) = (EXPORTS / "meet").glob("*.csv")
    assert path.name == "2025-11-04 09-30 Book Club.csv"  # Meet's "YYYY-MM-DD HH-MM <title>.csv"
    data = path.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") == 8 and not data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    assert list(rows[0]) == ["First name", "Last name", "Email", "Duration", "Time joined", "Time exited"]
    assert [f"{r['First name']} {r['Last name']}" for r in rows] == [
        "Rosa Delgado", "James O'Neill", "Grace Liu", "Mei Tanaka", "Dev Patel", "Nina Berg", "Samuel Okoro"]
    by_name = {r["First name"]: r for r in rows}
    assert (by_name["Grace"]["Time exited"], by_name["Samuel"]["Time joined"]) == ("10:05 AM", "9:52 AM")
    assert (by_name["Dev"]["Duration"], by_name["Nina"]["Duration"]) == ("48 min", "30 sec")


def test_example_meet_report_reads_with_the_date_from_its_name():
    (path,) = (EXPORTS / "meet").glob("*.csv")
    report = read_attendance(path, tz="America/Chicago")  # CST on 4 November 2025: UTC-6
    seg = report.segments
    assert (report.platform, report.title, len(seg)) == ("meet", "Book Club", 7)
    assert seg["joined_at"].iloc[0] == pd.Timestamp(datetime(2025, 11, 4, 15, 28, tzinfo=timezone.utc))
    samuel = seg[seg["name"] == "Samuel Okoro"].iloc[0]
    assert samuel["joined_at"] == pd.Timestamp(datetime(2025, 11, 4, 15, 52, tzinfo=timezone.utc))
    assert any("line 6" in w for w in report.warnings)  # Dev Patel: 48 min present in a 56-minute span
