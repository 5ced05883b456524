"""Who is who in a report: names, e-mails, grouping and resolution (no Redis)."""

from __future__ import annotations

import pandas as pd
import pytest
from redis.crc import key_slot

from confkit import InvalidInputError
from confkit.identity import RosterEntry, clean_name, email_key, group_people, read_roster, resolve
from confkit.keys import Keys


@pytest.mark.parametrize("raw, clean", [
    ("Ann Lee (Guest)", "Ann Lee"),
    ("  Charlie   Barlie (she/her) ", "Charlie Barlie"),
    ("JANSSENS JAN (EXT)", "JANSSENS JAN"),
    ("Bo (External) (they/them)", "Bo"),
    ("Paul McCartney (Wings)", "Paul McCartney (Wings)"),  # not a platform suffix: kept
    ("(Guest)", "(Guest)"),                                # nothing would be left
    (None, ""),
])
def test_clean_name_removes_platform_suffixes_only(raw, clean):
    assert clean_name(raw) == clean


def test_email_key_trims_and_folds_case_and_refuses_non_addresses():
    assert email_key("  Ann@Example.COM ") == "ann@example.com"
    assert email_key("not an address") is None and email_key(pd.NA) is None


def _segments(rows):
    return pd.DataFrame({"name": [r[0] for r in rows], "email": pd.array([r[1] for r in rows], dtype="string"),
                         "original_name": pd.array([r[2] for r in rows], dtype="string"),
                         "line": range(2, 2 + len(rows))})


def test_grouping_by_email_then_original_name_then_display_name():
    people = group_people(_segments([
        ("015_Loki", "loki@x.org", "Loki Laufeyson"),
        ("Loki phone", None, "Loki Laufeyson"),   # no e-mail, same original name: Loki
        ("Ben (Guest)", None, None),
        ("ben", None, None),                     # same name, other case: Ben
        ("Alex", "a1@x.org", None), ("Alex", "a2@x.org", None),
        ("Alex", None, None),                    # which Alex? left on its own, marked
    ]))
    assert [(p.name, p.lines) for p in people] == [
        ("Loki Laufeyson", [2, 3]), ("Ben", [4, 5]), ("Alex", [6]), ("Alex", [7]), ("Alex", [8])]
    assert people[-1].ambiguous_with == ("a1@x.org", "a2@x.org")


def test_resolution_trusts_email_then_roster_then_names_and_reports_ambiguity():
    people = group_people(_segments([
        ("Ann", "ANN@x.org", None), ("Kim", None, None), ("Sam", None, None), ("Zoe", None, None)]))
    roster = [RosterEntry(40, "Kim Park", aliases=("Kim",))]
    resolution = resolve(people, {"ann@x.org": 7}, {"sam": [3, 9], "zoe": [5]}, roster)
    assert resolution.user_ids == (7, 40, None, 5)
    assert resolution.ambiguous == ((), (), ("3", "9"), ())
    assert resolution.learn == (True, True, False, True)


def test_roster_from_csv_and_its_errors_name_the_line(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("user_id,name,email,aliases\n7,Ann Lee,ann@x.org,Annie|A. Lee\n8,Bo,,\n")
    assert read_roster(path) == [RosterEntry(7, "Ann Lee", "ann@x.org", ("Annie", "A. Lee"), 2),
                                 RosterEntry(8, "Bo", None, (), 3)]
    path.write_text("user_id,name,email\n7,Ann,ann@x.org\nx,Bo,\n")
    with pytest.raises(InvalidInputError, match="line 3"):
        read_roster(path)


def test_import_keys_share_the_slots_their_scripts_need():
    keys = Keys()
    assert key_slot(keys.import_user_seq.encode()) == key_slot(keys.users.encode())
    assert key_slot(keys.import_meeting_seq.encode()) == key_slot(keys.meetings.encode())
    meeting = key_slot(keys.meeting(7).encode())
    for key in (keys.import_fingerprints(7), keys.import_instance(7, 3), keys.import_sessions(7, 3),
                keys.staging(7, "ab", keys.user_messages(7, 12)), keys.staging(7, "ab", keys.events(7))):
        assert key_slot(key.encode()) == meeting, key
    assert key_slot(keys.identities_email.encode()) == key_slot(keys.identities_name.encode())
