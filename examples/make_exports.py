"""Write the example Zoom and Teams exports in examples/exports/ from the fixed data below.

    .venv/bin/python examples/make_exports.py          # rewrite the files
    .venv/bin/python examples/make_exports.py --check  # exit 1 if a file differs

Everyone here is fictional. No randomness: the same data always gives the same
bytes. The Google Meet example is written by hand (confkit has no Meet writer);
examples/exports/README.md says what each file holds.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from confkit.exports import (
    MeetingData,
    cloud_chat_name,
    teams_report,
    zoom_chat,
    zoom_cloud_chat,
    zoom_participants,
)

OUT = Path(__file__).resolve().parent / "exports"

# -- Zoom: DATA 101, a class on Tuesdays and Thursdays, four sessions, 10:00-11:30 in New York --
ZOOM_TZ = "America/New_York"
ZOOM_ID = "84512390476"
ZOOM_TITLE = "DATA 101 Intro to Data Analysis"
HOST = "maya.okafor@northfield.example"

# display name -> (e-mail or None, original name when renamed)
PEOPLE = {
    "Maya Okafor": (HOST, None),
    "Liam Becker": ("liam.becker@northfield.example", None),
    "Sofia Ramirez": ("sofia.ramirez@northfield.example", None),
    "Noah Kim": ("noah.kim@northfield.example", None),
    "Aisha Patel": ("aisha.patel@northfield.example", None),
    "Tom": ("thomas.nguyen@northfield.example", "Thomas Nguyen"),
    "Chloe Martin": ("chloe.martin@northfield.example", None),
    "Ethan Brooks": ("ethan.brooks@northfield.example", None),
    "Alex Morgan": ("alex.morgan@northfield.example", None),
    "Priya Shah": (None, None),  # a guest from another department, not signed in
}
GUEST_ALEX = "Alex Morgan*"  # the second Alex Morgan: a guest without e-mail (same display name)

# session date -> (meeting start, meeting end, segments as (who, joined, left) in local time)
SESSIONS = {
    date(2025, 10, 14): ("09:55:12", "11:31:40", [
        ("Maya Okafor", "09:55:12", "11:31:40"),
        ("Liam Becker", "09:58:03", "11:30:12"),
        ("Sofia Ramirez", "09:59:47", "11:30:05"),
        ("Chloe Martin", "10:00:10", "11:30:15"),
        ("Aisha Patel", "10:00:31", "11:29:58"),
        ("Alex Morgan", "10:00:55", "11:30:07"),
        ("Noah Kim", "10:01:15", "10:37:52"),
        ("Tom", "10:02:44", "11:30:01"),
        ("Ethan Brooks", "10:03:30", "11:28:40"),
        ("Priya Shah", "10:15:02", "11:05:33"),
        ("Noah Kim", "10:38:20", "11:30:09"),  # reconnect after 28 s
    ]),
    date(2025, 10, 16): ("09:57:40", "11:30:44", [
        ("Maya Okafor", "09:57:40", "11:30:44"),
        ("Sofia Ramirez", "09:59:02", "11:30:10"),
        ("Liam Becker", "09:59:30", "11:30:03"),
        ("Aisha Patel", "10:00:20", "11:30:02"),  # laptop
        ("Noah Kim", "10:00:41", "11:30:06"),
        ("Chloe Martin", "10:01:05", "10:48:30"),  # leaves early for a lab
        ("Tom", "10:01:33", "11:29:55"),
        ("Alex Morgan", "10:02:18", "11:30:01"),
        ("Ethan Brooks", "10:04:09", "11:30:00"),
        ("Aisha Patel", "10:12:48", "10:47:15"),  # phone, while the laptop stays in
    ]),
    date(2025, 10, 21): ("09:56:05", "11:32:12", [
        ("Maya Okafor", "09:56:05", "11:32:12"),
        ("Priya Shah", "09:59:02", "11:30:00"),
        ("Sofia Ramirez", "09:59:58", "11:30:04"),
        ("Aisha Patel", "10:00:12", "11:30:09"),
        ("Noah Kim", "10:00:40", "11:30:02"),
        ("Chloe Martin", "10:01:01", "11:30:11"),
        ("Tom", "10:01:27", "11:30:05"),
        ("Alex Morgan", "10:02:36", "11:29:47"),
        ("Ethan Brooks", "10:26:41", "11:30:03"),  # 26 minutes late
    ]),
    date(2025, 10, 23): ("09:58:30", "11:30:58", [
        ("Maya Okafor", "09:58:30", "11:30:58"),
        ("Liam Becker", "09:59:12", "11:30:05"),
        ("Alex Morgan", "09:59:40", "11:30:02"),
        ("Sofia Ramirez", "10:00:03", "11:30:08"),
        (GUEST_ALEX, "10:00:27", "10:58:46"),
        ("Aisha Patel", "10:00:59", "11:30:01"),
        ("Noah Kim", "10:01:20", "11:30:00"),
        ("Chloe Martin", "10:01:44", "11:30:06"),
        ("Tom", "10:02:05", "11:29:59"),
        ("Ethan Brooks", "10:03:17", "11:30:04"),
    ]),
}

# The 2025-10-21 session was also recorded to the cloud, from 10:00:30.
RECORDED = (date(2025, 10, 21), "10:00:30")

# session date -> chat lines: (time, sender, recipient or None, kind, text, replied/reacted-to text)
WELCOME = "Welcome to DATA 101! Slides are on the course page."
DUE = "Is the first assignment due Friday?"
THANKS = "Thanks, see you Thursday!"
LEAVING = "I need to leave at 10:45 for a lab, sorry"
DROPNA = "What does dropna(how='all') do?"
VISITING = "Hi all, I'm visiting from the Statistics department."
LINK = "https://example.edu/data101/week3.ipynb"
GROUPS = "Project groups are in the spreadsheet."
WHICH = "Which group am I in? I'm listed as Thomas."
CHATS = {
    date(2025, 10, 14): [
        ("10:02:10", "Maya Okafor", None, "message", WELCOME, None),
        ("10:03:05", "Liam Becker", None, "message", "Good morning!", None),
        ("10:03:40", "Sofia Ramirez", None, "reaction", "\U0001f44b", WELCOME),
        ("10:20:15", "Noah Kim", None, "message", DUE, None),
        ("10:20:50", "Maya Okafor", None, "reply", "Yes, Friday at 5 pm.", DUE),
        ("10:40:02", "Noah Kim", None, "message", "sorry, my connection dropped", None),
        ("10:41:30", "Tom", "Maya Okafor", "message", "Could I get an extension?\nI'll explain after class.", None),
        ("11:28:00", "Aisha Patel", None, "message", THANKS, None),
        ("11:28:05", "Maya Okafor", None, "reaction", "\u2764\ufe0f", THANKS),
    ],
    date(2025, 10, 16): [
        ("10:05:00", "Maya Okafor", None, "message", "Today: data cleaning with pandas.", None),
        ("10:12:55", "Aisha Patel", None, "message", "joined from my phone too, laptop mic is flaky", None),
        ("10:30:12", "Chloe Martin", None, "message", LEAVING, None),
        ("10:30:40", "Maya Okafor", None, "reaction", "\U0001f44d", LEAVING),
        ("10:31:10", "Liam Becker", None, "reaction", "\U0001f602", LEAVING),
        ("10:31:14", "Liam Becker", None, "reaction_removed", "\U0001f602", LEAVING),
        ("10:50:00", "Sofia Ramirez", None, "message", DROPNA, None),
        ("10:51:30", "Ethan Brooks", None, "reply", "It drops rows where every value is missing.", DROPNA),
        ("11:29:00", "Maya Okafor", None, "message", "Homework 2 is posted.", None),
    ],
    date(2025, 10, 21): [
        ("10:01:00", "Maya Okafor", None, "message", "Quiz at the end of class today.", None),
        ("10:05:00", "Priya Shah", None, "message", VISITING, None),
        ("10:05:20", "Maya Okafor", None, "reply", "Welcome, Priya!", VISITING),
        ("10:27:00", "Ethan Brooks", "Maya Okafor", "message", "Sorry I'm late, the bus broke down.", None),
        ("10:27:30", "Maya Okafor", "Ethan Brooks", "message", "No problem.", None),
        ("10:45:00", "Sofia Ramirez", None, "message", "Can you share the notebook link again?", None),
        ("10:45:30", "Noah Kim", None, "message", LINK, None),
        ("10:45:40", "Sofia Ramirez", None, "reaction", "\U0001f64f\U0001f3fd", LINK),
    ],
    date(2025, 10, 23): [
        ("10:02:00", "Alex Morgan", None, "message", "Morning everyone", None),
        ("10:03:10", GUEST_ALEX, None, "message",
         "Ha, there are two of us! I'm Alex from the admissions office, just observing.", None),
        ("10:10:00", "Maya Okafor", None, "message", GROUPS, None),
        ("10:10:30", "Tom", None, "message", WHICH, None),
        ("10:11:00", "Maya Okafor", None, "reply", "Group 3.", WHICH),
        ("11:20:00", "Liam Becker", None, "reaction", "\U0001f389", GROUPS),
    ],
}


def _at(day: date, clock: str, tz: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=ZoneInfo(tz))


def _name(who: str) -> str:
    return who.rstrip("*")


def zoom_session(day: date) -> MeetingData:
    start, end, rows = SESSIONS[day]
    segments = pd.DataFrame([{
        "name": _name(who),
        "email": PEOPLE[who][0] if who in PEOPLE else None,
        "original_name": PEOPLE[who][1] if who in PEOPLE else None,
        "joined_at": _at(day, joined, ZOOM_TZ),
        "left_at": _at(day, left, ZOOM_TZ),
    } for who, joined, left in rows])
    messages = pd.DataFrame([{
        "sent_at": _at(day, sent, ZOOM_TZ), "sender": _name(sender), "recipient": to, "text": text,
        "kind": kind, "reply_to": target,
    } for sent, sender, to, kind, text, target in CHATS[day]])
    return MeetingData(title=ZOOM_TITLE, meeting_ref=ZOOM_ID, started_at=_at(day, start, ZOOM_TZ),
                       ended_at=_at(day, end, ZOOM_TZ), segments=segments, messages=messages, host_email=HOST)


# -- Teams: one project kick-off in London ---------------------------------------------------
TEAMS_TZ = "Europe/London"
TEAMS_DAY = date(2025, 10, 14)
TEAMS_SEGMENTS = [  # (name, e-mail, role, joined, left)
    ("Hannah Wright", "hannah.wright@riversidearchitects.example", "Organizer", "13:58:40", "15:02:10"),
    ("Okafor, Daniel", "daniel.okafor@riversidearchitects.example", "Presenter", "14:00:15", "15:01:55"),
    ("Tom Fletcher", "tom.fletcher@riverside-council.example", "Attendee", "14:00:50", "14:31:15"),
    ("Sarah O'Connor", "sarah.oconnor@riverside-council.example", "Attendee", "14:01:02", "14:22:40"),
    ("Marco Bianchi (Guest)", None, "Attendee", "14:05:30", "14:50:12"),
    ("Li Wei", "li.wei@riverside-council.example", "Attendee", "14:18:22", "15:01:58"),
    ("Sarah O'Connor", "sarah.oconnor@riverside-council.example", "Attendee", "14:23:05", "15:01:50"),
]


def teams_meeting() -> MeetingData:
    segments = pd.DataFrame([{
        "name": name, "email": email, "role": role,
        "joined_at": _at(TEAMS_DAY, joined, TEAMS_TZ), "left_at": _at(TEAMS_DAY, left, TEAMS_TZ),
    } for name, email, role, joined, left in TEAMS_SEGMENTS])
    messages = pd.DataFrame(columns=["sent_at", "sender", "recipient", "text", "kind"])
    return MeetingData(title="Riverside Library renovation - kickoff", meeting_ref="riverside-kickoff",
                       started_at=_at(TEAMS_DAY, "13:58:40", TEAMS_TZ), ended_at=_at(TEAMS_DAY, "15:02:10", TEAMS_TZ),
                       segments=segments, messages=messages, host_email=TEAMS_SEGMENTS[0][1])


def files() -> dict[Path, bytes]:
    """Every generated file (relative to examples/exports/) and its bytes."""
    out: dict[Path, bytes] = {}
    for day in SESSIONS:
        meeting = zoom_session(day)
        out[Path("zoom") / f"participants_{ZOOM_ID}_{day:%Y-%m-%d}.csv"] = zoom_participants(meeting, ZOOM_TZ)
        folder = f"{day:%Y-%m-%d} {SESSIONS[day][0].replace(':', '.')} {ZOOM_TITLE}"
        out[Path("zoom") / folder / "meeting_saved_chat.txt"] = zoom_chat(meeting, ZOOM_TZ)
    day, clock = RECORDED
    recording = _at(day, clock, ZOOM_TZ)
    out[Path("zoom") / cloud_chat_name(recording)] = zoom_cloud_chat(zoom_session(day), recording)
    teams_name = f"Riverside Library renovation - kickoff - Attendance report {TEAMS_DAY:%m-%d-%y}.csv"
    out[Path("teams") / teams_name] = teams_report(teams_meeting(), TEAMS_TZ)
    return out


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for relative, data in files().items():
        path = OUT / relative
        if check:
            if not path.is_file() or path.read_bytes() != data:
                stale.append(str(relative))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for name in stale:
        print(f"differs from the generator: {name}", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
