"""The example exports in examples/exports/: regenerable from examples/make_exports.py,
and read by confkit's readers as examples/exports/README.md describes them (numbers
below are counted by hand from the files)."""

from __future__ import annotations

import importlib.util
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

from confkit.formats import read_chat

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
        "zoom/participants_84512390476_2025-10-14.csv",
        "zoom/participants_84512390476_2025-10-16.csv",
        "zoom/participants_84512390476_2025-10-21.csv",
        "zoom/participants_84512390476_2025-10-23.csv",
    ]
