"""read_chat: saved Zoom chats, checked against values read by hand from the files."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest
from exportfiles import fixture
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_attendance_fuzz import _apply as damage
from test_attendance_fuzz import operations

import confkit
from confkit.errors import ImportFormatError, InvalidInputError
from confkit.formats import ChatLog, read_chat

UTC = timezone.utc


def utc(*args: int) -> pd.Timestamp:
    return pd.Timestamp(datetime(*args, tzinfo=UTC))


def per_sender(log: ChatLog, kind: str = "message") -> dict[str, int]:
    rows = log.messages[log.messages["kind"] == kind]
    return rows["sender"].value_counts().to_dict()


# -- the 2021 two-line form -----------------------------------------------------------
def test_two_line_form_zoom_chat_2():
    log = read_chat(fixture("zoom/zoom-chat-2.txt"), tz="Europe/Berlin", date=date(2021, 3, 1))
    m = log.messages
    assert len(m) == 10
    assert per_sender(log) == {"Indiana": 2, "Jun": 2, "Teacher": 2, "Jacob": 1, "Alex": 1, "Joe": 1, "Hanna": 1}
    assert m["text"][0] == "For yesterday's homework, I found all my answers in here\nhttps://www.google.com"
    assert m["sent_at"][0] == utc(2021, 3, 1, 7, 59, 2)  # 08:59:02 CET (UTC+1)
    assert m["sent_at"][9] == utc(2021, 3, 1, 8, 50, 5)
    assert list(m["line"][:3]) == [1, 4, 6]
    assert m["recipient"].isna().all() and not m["direct"].any()
    assert set(m["kind"]) == {"message"}
    assert log.platform == "zoom" and log.tz == "Europe/Berlin" and log.warnings == ()


def test_summer_time_is_applied():
    log = read_chat(fixture("zoom/zoom-chat-2.txt"), tz="Europe/Berlin", date="2021-07-01")
    assert log.messages["sent_at"][0] == utc(2021, 7, 1, 6, 59, 2)  # CEST, UTC+2


def test_dtypes_and_column_order():
    m = read_chat(fixture("zoom/zoom-chat-2.txt"), tz="UTC", date=date(2021, 3, 1)).messages
    assert list(m.columns[:6]) == ["sent_at", "sender", "recipient", "text", "kind", "line"]
    assert str(m["sent_at"].dtype) == "datetime64[ns, UTC]"
    assert list(m["kind"].cat.categories) == ["message", "reply", "reaction", "reaction_removed"]


# -- the 2023 form: reactions, removals, replies, a direct message, pronouns ---------------
def test_new_chat_experience_test_zoom_chat():
    log = read_chat(fixture("zoom/test-zoom-chat.txt"), tz="America/New_York", date=date(2023, 5, 2))
    m = log.messages
    assert len(m) == 15
    assert m["kind"].value_counts().to_dict() == {"reaction": 7, "message": 3, "reply": 3, "reaction_removed": 2}
    assert per_sender(log) == {"John Doe": 2, "Jack Doe": 1}
    assert per_sender(log, "reply") == {"Alice Balice": 1, "Jane Smith": 1, "Diane Smith": 1}
    assert per_sender(log, "reaction") == {"Frank Brank": 3, "Evan Bevan": 2, "Alice Balice": 1, "Charlie Barlie": 1}
    removed = m[m["kind"] == "reaction_removed"]
    assert list(removed["sender"]) == ["Frank Brank", "Alice Balice"]
    assert list(removed["text"]) == ["\u261d\ufe0f", "\U0001f36a"]  # ☝️ and 🍪
    assert list(removed["reply_to"].fillna("-")) == ["-", "Good morning folks"]
    assert m["text"][1] == "\U0001f44d\U0001f3fb"  # "add 👍🏻": the skin tone is kept
    wave = m.iloc[13]
    assert (wave["sender"], wave["display_name"], wave["text"], wave["reply_to"]) == (
        "Charlie Barlie", "Charlie Barlie (she/her)", "\U0001f44b", "Good morning folks")
    reply = m.iloc[11]
    assert (reply["sender"], reply["kind"], reply["text"], reply["reply_to"]) == (
        "Diane Smith", "reply", "Hello there, Jack!", "Hello world, this me...")
    dm = m.iloc[12]
    assert (dm["sender"], dm["recipient"], dm["direct"], dm["text"], dm["line"]) == (
        "John Doe", "Open Mike", True, "Please mute", 25)
    assert m["direct"].sum() == 1
    assert m["sent_at"][0] == utc(2023, 5, 2, 14, 1, 0)  # 10:01:00 EDT (UTC-4)


def test_reply_with_text_on_the_following_lines():
    data = ("15:01:39 From Michael M to Everyone:\n"
            "    When are we going to have AI run team summit?\n"
            "15:01:47 From Aaron S to Everyone:\n"
            '    Replying to "When are we going to..."\n'
            "    \n"
            "    We already do\n"
            "    and always have\n"
            "15:01:53 From Michael M to Everyone:\n"
            '    Reacted to "We already do" with \U0001f602\n'
            "15:03:00 From Matt T to Ben H:\n"
            "    Hi BenH!\n").encode()
    m = read_chat(data, tz="UTC", date=date(2024, 2, 1)).messages
    assert list(m["kind"]) == ["message", "reply", "reaction", "message"]
    assert m["text"][1] == "We already do\nand always have"
    assert m["reply_to"][1] == "When are we going to..."
    assert (m["reply_to"][2], m["text"][2]) == ("We already do", "\U0001f602")
    assert (m["recipient"][3], m["direct"][3]) == ("Ben H", True)
    assert list(m["line"]) == [1, 3, 8, 10]


# -- the 2020 one-line form -------------------------------------------------------------------
def test_one_line_form_with_direct_message():
    data = (b"09:00:39 From Linda X to Everyone : Please turn on your camera\r\n"
            b"09:01:59 From Student A to Teacher B(Direct Message) : hi : there\r\n"
            b"09:02:10\t From Linda X to Everyone : ok\r\n")
    m = read_chat(data, tz="Asia/Tokyo", date=date(2021, 1, 12)).messages
    assert list(m["sender"]) == ["Linda X", "Student A", "Linda X"]
    assert list(m["recipient"].fillna("-")) == ["-", "Teacher B", "-"]
    assert list(m["direct"]) == [False, True, False]
    assert list(m["text"]) == ["Please turn on your camera", "hi : there", "ok"]
    assert m["sent_at"][0] == utc(2021, 1, 12, 0, 0, 39)  # 09:00:39 JST (UTC+9)


@pytest.mark.parametrize("header, sender, recipient", [
    (b"10:00:00 From  Jacob  to Everyone:", "Jacob", None),
    (b"10:00:00 From Pat to Sam to Everyone:", "Pat to Sam", None),
    (b"10:00:00 From  Ann Lee  to  Bo Chen(Direct Message):", "Ann Lee", "Bo Chen"),
    (b"10:00:00 From Ann to Bo (Privately):", "Ann", "Bo"),
    (b"10:00:00 From Ann:", "Ann", None),
])
def test_sender_and_recipient(header, sender, recipient):
    m = read_chat(header + b"\n\thi\n", tz="UTC", date=date(2024, 1, 1)).messages
    assert (m["sender"][0], m["recipient"].fillna("-")[0]) == (sender, recipient or "-")
    assert m["direct"][0] == (recipient is not None)


def test_midnight_rolls_to_the_next_day():
    data = (b"23:59:50 From  Ann  to  Everyone:\n\tlate night\n"
            b"23:59:40 From  Bob  to  Everyone:\n\tsaved a little out of order\n"
            b"00:00:05 From  Ann  to  Everyone:\n\tafter midnight\n")
    log = read_chat(data, tz="UTC", date=date(2024, 12, 31))
    assert list(log.messages["sent_at"]) == [utc(2024, 12, 31, 23, 59, 50), utc(2024, 12, 31, 23, 59, 40),
                                             utc(2025, 1, 1, 0, 0, 5)]
    assert len(log.warnings) == 1 and "line 5" in log.warnings[0]


def test_date_from_the_folder_zoom_saves_into(tmp_path):
    folder = tmp_path / "2022-10-04 18.30.12 Weekly seminar"
    folder.mkdir()
    path = folder / "meeting_saved_chat.txt"
    path.write_bytes(b"18:31:00 From  Ann  to  Everyone:\n\thello\n")
    log = read_chat(path, tz="UTC")
    assert log.messages["sent_at"][0] == utc(2022, 10, 4, 18, 31, 0)
    assert log.source == str(path)


# -- cloud-recording chat: offsets from the recording start --------------------------------------
def test_cloud_chat_with_start():
    start = datetime(2021, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=-5)))
    log = read_chat(fixture("zoom/meeting001_chat.txt"), start=start)
    m = log.messages
    assert per_sender(log) == {"Andrew Knight": 6, "Ringo Starr": 1, "George Harrison": 1, "John Lennon": 1,
                               "Paul McCartney": 1}
    assert m["sent_at"][0] == utc(2021, 3, 1, 15, 21, 14)
    assert m["sent_at"][9] == utc(2021, 3, 1, 15, 36, 49)
    assert m["text"][5] == "And Turbo Pascal\u2026programming language!"
    assert log.tz == "UTC"


def test_cloud_chat_start_from_the_file_name(tmp_path):
    path = tmp_path / "GMT20240124-202901_RecordingnewChat.txt"
    path.write_bytes(fixture("zoom/zoom-chat-1.txt").read_bytes())
    log = read_chat(path)
    assert per_sender(log) == {"Anny": 3, "Max": 3, "Tom": 1, "Jenny": 1}
    assert log.messages["sent_at"][0] == utc(2024, 1, 24, 21, 36, 17)  # 20:29:01 + 01:07:16
    assert log.messages["text"][4] == "It's great :)"


def test_cloud_chat_soft_line_breaks_and_tabs_in_the_text():
    data = (b"00:00:05\tAnn:\tfirst line\r\nsecond line\r\n"
            b"00:01:00\tBob:\ta\ttab\r\n"
            b'00:02:00\tDr. X:\tReacted to "first line..." with \xf0\x9f\x91\x8d\xf0\x9f\x8f\xbb\r\n')
    m = read_chat(data, start=datetime(2024, 1, 1, tzinfo=UTC)).messages
    assert list(m["text"][:2]) == ["first line\nsecond line", "a\ttab"]
    assert (m["kind"][2], m["reply_to"][2]) == ("reaction", "first line...")
    assert m["sent_at"][2] == utc(2024, 1, 1, 0, 2, 0)


# -- errors -------------------------------------------------------------------------------------
def test_cloud_chat_without_start_asks_for_it():
    with pytest.raises(ImportFormatError, match="start=") as info:
        read_chat(fixture("zoom/meeting001_chat.txt"))
    assert info.value.file.endswith("meeting001_chat.txt")


def test_wall_clock_chat_without_date_asks_for_it():
    with pytest.raises(ImportFormatError, match="date="):
        read_chat(fixture("zoom/zoom-chat-2.txt"), tz="UTC")


def test_without_tz_the_machines_zone_is_used(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    log = read_chat(fixture("zoom/zoom-chat-2.txt"), date=date(2021, 3, 1))
    assert log.tz == "Asia/Kolkata"
    assert log.messages["sent_at"][0] == utc(2021, 3, 1, 3, 29, 2)  # 08:59:02 IST (UTC+5:30)


def test_wall_clock_date_from_start():
    start = datetime(2021, 3, 1, 23, 30, tzinfo=UTC)  # 2 March in Tokyo
    log = read_chat(fixture("zoom/zoom-chat-2.txt"), tz="Asia/Tokyo", start=start)
    assert log.messages["sent_at"][0] == utc(2021, 3, 1, 23, 59, 2)


def test_a_time_skipped_by_daylight_saving_is_noted():
    data = b"02:30:00 From  Ann  to  Everyone:\n\tthis hour does not exist in Berlin on 31 March 2024\n"
    log = read_chat(data, tz="Europe/Berlin", date=date(2024, 3, 31))
    assert log.messages["sent_at"][0] == utc(2024, 3, 31, 1, 0, 0)  # moved to 03:00 CEST
    assert len(log.warnings) == 1 and "line 1" in log.warnings[0]


def test_bad_arguments():
    with pytest.raises(InvalidInputError, match="aware"):
        read_chat(b"00:00:01\tAnn:\thi\n", start=datetime(2024, 1, 1))
    with pytest.raises(ImportFormatError, match="time zone"):
        read_chat(b"10:00:00 From  Ann  to  Everyone:\n\thi\n", tz="Mars/Olympus", date=date(2024, 1, 1))
    with pytest.raises(ImportFormatError, match="date="):
        read_chat(b"10:00:00 From  Ann  to  Everyone:\n\thi\n", tz="UTC", date="1 March")


@pytest.mark.parametrize("data, line, words", [
    (b"", 1, "empty"),
    (b"Name (Original Name),User Email\nAnn,a@x.org\n", 1, "not a saved Zoom chat"),
    (b"\n\nhello\n", 3, "not a saved Zoom chat"),
    (b"10:00:00 From  Ann  to  Everyone:\n\thi\n25:00:00 From  Bob  to  Everyone:\n\tyo\n", 3, "valid time"),
    (b"10:00:00 From  Ann  to  Everyone:\n\thi\n10:01:00 Bob says hi\n", 3, "message header"),
    (b"10:00:00 From  Ann  to  Everyone:\n10:01:00 From  Bob  to  Everyone:\n\tyo\n", 1, "no text"),
    (b"10:00:00 From  Ann  to  Everyone\n", 1, "':'"),
    (b"00:00:01\tAnn:\thi\n00:61:00\tBob:\tyo\n", 2, "valid time"),
])
def test_unreadable_files_name_the_line(data, line, words):
    with pytest.raises(ImportFormatError, match=words) as info:
        read_chat(data, tz="UTC", date=date(2024, 1, 1), start=datetime(2024, 1, 1, tzinfo=UTC))
    assert info.value.line == line and info.value.file == "<bytes>"


def test_exported_from_the_package():
    assert confkit.read_chat is read_chat


# -- fuzz: damaged copies of the real files read or fail with ImportFormatError -------------------------
CHAT_FIXTURES = ["zoom-chat-1.txt", "zoom-chat-2.txt", "meeting001_chat.txt", "test-zoom-chat.txt"]


@settings(derandomize=True, max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(CHAT_FIXTURES), ops=st.lists(operations, max_size=4),
       deletes=st.lists(st.integers(0, 10_000), max_size=3))
def test_damaged_chats_read_or_raise_import_format_error(name, ops, deletes):
    """The attendance fuzz's edits, and single bytes deleted (a padding space, a colon, a tab)."""
    data = fixture(f"zoom/{name}").read_bytes()
    for at in deletes:
        data = data[: at % len(data)] + data[at % len(data) + 1:] if data else data
    for op in ops:
        data = damage(data, op)
    try:
        log = read_chat(data, tz="Europe/Berlin", date=date(2024, 3, 31), start=datetime(2024, 3, 31, tzinfo=UTC))
    except ImportFormatError as exc:
        assert exc.file in (None, "<bytes>") and exc.line is not None  # bytes have no file name
        return
    assert isinstance(log, ChatLog)
    m = log.messages
    assert list(m.columns[:6]) == ["sent_at", "sender", "recipient", "text", "kind", "line"]
    assert m["sent_at"].notna().all() and m["sender"].str.len().gt(0).all() and m["line"].gt(0).all()
    assert m["kind"].notna().all()


def test_errors_name_the_file_when_read_from_a_path(tmp_path):
    path = tmp_path / "meeting_saved_chat.txt"
    path.write_bytes(b"10:00:00 From  Ann  to  Everyone:\n\thi\n10:00:0 From  Bob  to  Everyone:\n\tyo\n")
    with pytest.raises(ImportFormatError) as info:
        read_chat(path, tz="UTC", date=date(2024, 1, 1))
    assert (info.value.file, info.value.line) == (str(path), 3)
    assert str(path) in str(info.value) and "line 3" in str(info.value)
