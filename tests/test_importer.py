"""Importing a meeting export writes exactly what the operations would have written,
all or nothing, once; people become the same users in every import."""

from __future__ import annotations

import json
from datetime import timedelta

import pandas as pd
import pytest
from importdata import DAY, at, chat, report
from storedump import store_state

from confkit import InvalidInputError, ManualClock
from confkit.analytics import events_frame, messages_frame
from confkit.codec import to_ms
from confkit.errors import ImportFormatError
from confkit.importer import sessions_detail

pytestmark = pytest.mark.backends

ORDER = to_ms(at("10:00")) // 1000  # order id = the instance's start in epoch seconds

# Ann reconnects (touching rows), Ben is a guest on two devices then comes back and
# stays until the end, Cy leaves when the meeting ends, Di only waits in the lobby.
ROWS = [
    ("Ann Lee", "ann@example.com", "10:00", "10:20"),
    ("Ben Ode (Guest)", None, "10:05", "10:30"),
    ("Ann Lee", "ann@example.com", "10:20", "10:50"),
    ("Ben Ode (Guest)", None, "10:10", "10:25"),
    ("Cy Ray", "Cy@Example.com ", "10:02", "11:00"),
    ("Ben Ode (Guest)", None, "10:40", None),
    ("Di Fox", "di@example.com", "09:58", "10:01"),
]
WAITING = [False, False, False, False, False, False, True]
CHAT = [
    ("10:06", "Ann Lee", None, "hello <b>all</b>", "message"),
    ("10:07", "Ben Ode (she/her)", None, "hi", "message"),
    ("10:08", "Cy Ray", None, "Reacted to \"hi\" with 👍", "reaction"),
    ("10:09", "Ann Lee", "Ben Ode", "psst", "message"),
    ("10:15", "Cy Ray", None, "yes", "reply"),
]


def _report(**kwargs):
    return report(ROWS, extra={"in_waiting_room": WAITING}, **kwargs)


def _without_import_keys(state):
    return {k: v for k, v in state.items() if ":import" not in k[1] and "{imports}" not in k[1]}


def _replay(app):
    """The same history through the operations, written by hand from ROWS and CHAT,
    on a clock of its own at those times."""
    clock = app.clock = ManualClock(at("09:00"))
    app.add_user(1, "Ann Lee", None, None, "ann@example.com")
    app.add_user(2, "Ben Ode", None, None, None)
    app.add_user(3, "Cy Ray", None, None, "Cy@Example.com")
    app.add_meeting(1, "Weekly sync", "imported from zoom 123", is_public=True)
    # Added once started, the instance is indexed by its end (instances:by_end), as an
    # import, which comes after the meeting, indexes it; added earlier, it would wait in
    # instances:by_start until a listing saw it start.
    clock.set(at("10:00"))
    app.add_instance(1, ORDER, at("10:00"), at("11:00"))
    for when, call in [("10:00", lambda: app.join_meeting(1, 1)), ("10:02", lambda: app.join_meeting(3, 1)),
                       ("10:05", lambda: app.join_meeting(2, 1)),
                       ("10:06", lambda: app.post_message(1, 1, "hello <b>all</b>")),
                       ("10:07", lambda: app.post_message(2, 1, "hi")),
                       ("10:15", lambda: app.post_message(3, 1, "yes")),
                       ("10:30", lambda: app.leave_meeting(2, 1)), ("10:40", lambda: app.join_meeting(2, 1)),
                       ("10:50", lambda: app.leave_meeting(1, 1)), ("11:00", app.sweep)]:
        clock.set(at(when))
        call()


def test_import_writes_what_the_operations_write(app, clock):
    _replay(app)
    expected = store_state(app)
    app.reset()
    app.clock = clock  # T0: weeks later

    result = app.import_meeting(_report(), chat(CHAT), progress=False)

    assert _without_import_keys(store_state(app)) == expected
    assert (result.meeting_id, result.order_id, result.created, result.meeting_created) == (1, ORDER, True, True)
    assert (result.rows_read, result.people, result.users_matched, result.users_created) == (7, 3, 0, 3)
    assert (result.sessions, result.segments_merged, result.messages) == (4, 2, 3)
    assert result.skipped == {"waiting_room": 1, "reactions": 1, "direct_messages": 1}
    assert result.conflicts == ()
    assert (result.from_dt, result.to_dt) == (at("10:00"), at("11:00"))


def test_sessions_detail_counts_segments_and_devices(app, clock):
    app.import_meeting(_report(), progress=False)
    detail = sessions_detail(app)
    rows = detail[["user_id", "join_event_id", "segments", "devices", "multi_device", "line"]].values.tolist()
    # Events: 1 Ann joins 10:00, 2 Cy 10:02, 3 Ben 10:05, 4 Ben leaves 10:30, 5 Ben joins 10:40.
    assert rows == [[1, 1, 2, 1, False, 2], [3, 2, 1, 1, False, 6], [2, 3, 2, 2, True, 3], [2, 5, 1, 1, False, 7]]


def test_the_same_import_again_changes_nothing(app, clock):
    first = app.import_meeting(_report(), chat(CHAT), progress=False)
    before = store_state(app)
    again = app.import_meeting(_report(source="copy.csv"), chat(CHAT), progress=False)
    assert store_state(app) == before
    assert again.created is False
    assert (again.meeting_id, again.order_id, again.sessions, again.messages) == (1, ORDER, 4, 3)
    assert first.created is True


def test_a_recurring_meeting_in_any_order_keeps_order_ids_in_time_order(app, clock):
    week_later, week_before = DAY + timedelta(days=7), DAY - timedelta(days=7)
    app.import_meeting(_report(day=week_later), progress=False)
    app.import_meeting(_report(), progress=False)
    older = app.import_meeting(report([("ANN LEE", " ANN@example.com", "10:01", "10:30"),
                                       ("Ben Ode", None, "10:02", "10:03")], day=week_before), progress=False)
    instances = app.instances(1)
    assert [i.from_dt for i in instances] == [at("10:00", week_before), at("10:00"), at("10:00", week_later)]
    assert [i.order_id for i in instances] == sorted(i.order_id for i in instances)
    assert older.order_id == to_ms(at("10:00", week_before)) // 1000
    # The same people: Ann by e-mail (other case, spaces), Ben by name without "(Guest)".
    assert (older.users_matched, older.users_created) == (2, 0)
    assert [u.user_id for u in app.users()] == [1, 2, 3]
    events = events_frame(app)
    assert set(events.loc[events["order_id"] == older.order_id, "user_id"]) == {1, 2}


def test_a_report_overlapping_a_stored_instance_is_refused_and_writes_nothing(app, clock):
    app.import_meeting(_report(), progress=False)
    before = store_state(app)
    shifted = report([("Eve", None, "10:30", "11:10")], start="10:30", end="11:30")
    with pytest.raises(InvalidInputError, match="overlaps instance"):
        app.import_meeting(shifted, progress=False)
    assert store_state(app) == before


def test_a_message_from_someone_absent_is_stored_and_chat_only_people_become_users(app, clock):
    log = chat([("10:35", "Ben Ode", None, "back soon", "message"),
                ("10:36", "Zed Quiet", None, "lurking", "message"),
                ("11:30", "Ann Lee", None, "after the end", "message")])
    result = app.import_meeting(_report(), log, progress=False)
    messages = messages_frame(app)
    assert messages[["user_id", "text"]].values.tolist() == [[2, "back soon"], [4, "lurking"]]
    assert result.skipped["outside_instance"] == 1
    assert app.get_user(4).name == "Zed Quiet" and app.get_user(4).email is None
    assert any("'Zed Quiet' is not in the attendance report" in w for w in result.warnings)


def test_people_who_cannot_be_told_apart_are_reported_and_a_roster_resolves_them(app, clock, tmp_path):
    app.import_meeting(report([("Alex Kim", "alex1@example.com", "10:00", "10:30"),
                               ("Alex Kim", "alex2@example.com", "10:00", "10:40")]), progress=False)
    later = DAY + timedelta(days=7)
    ambiguous = report([("Alex Kim (Guest)", None, "10:00", "10:10")], day=later)
    result = app.import_meeting(ambiguous, progress=False)
    assert len(result.conflicts) == 1
    conflict = result.conflicts[0]
    assert (conflict.name, conflict.lines, conflict.candidates, conflict.user_id) == ("Alex Kim", (2,), ("1", "2"), 3)
    assert app.get_user(3).name == "Alex Kim"  # a user of its own, merged with neither

    roster = tmp_path / "roster.csv"
    roster.write_text("user_id,name,email,aliases\n2,Alex Kim,alex2@example.com,AK;Alexander Kim\n")
    resolved = app.import_meeting(report([("Alex Kim", None, "10:00", "10:10"), ("AK", None, "10:20", "10:30")],
                                         day=later + timedelta(days=7)), roster=roster, progress=False)
    assert resolved.conflicts == () and (resolved.users_matched, resolved.users_created) == (1, 0)
    events = events_frame(app)
    assert set(events.loc[events["order_id"] == resolved.order_id, "user_id"]) == {2}
    assert resolved.sessions == 2


def test_dry_run_reads_and_plans_but_writes_nothing(app, clock):
    before = store_state(app)
    result = app.import_meeting(_report(), chat(CHAT), dry_run=True)
    assert store_state(app) == before
    assert (result.dry_run, result.created, result.sessions, result.messages, result.people) == (True, False, 4, 3, 3)


@pytest.mark.parametrize("bad, error", [
    (dict(meeting_id="x"), InvalidInputError),
    (dict(include_direct="yes"), InvalidInputError),
    (dict(roster=pd.DataFrame({"user_id": ["1"], "nom": ["Ann"]})), InvalidInputError),
    (dict(roster=pd.DataFrame({"user_id": ["0"], "name": ["Ann"]})), InvalidInputError),
])
def test_bad_arguments_are_refused_before_anything_is_written(app, clock, bad, error):
    before = store_state(app)
    with pytest.raises(error):
        app.import_meeting(_report(), **bad)
    assert store_state(app) == before


def test_a_report_without_usable_rows_or_still_running_is_refused(app, clock):
    before = store_state(app)
    with pytest.raises(ImportFormatError, match="no attendance rows"):
        app.import_meeting(report([("", None, "10:00", "10:10")]))
    app.clock = ManualClock(at("10:30"))
    with pytest.raises(InvalidInputError, match="after now"):
        app.import_meeting(_report())
    assert store_state(app) == before


def test_imported_users_lack_age_and_gender_and_can_join_public_meetings(app, clock):
    app.import_meeting(_report(), progress=False)
    ben = app.get_user(2)
    assert (ben.name, ben.age, ben.gender, ben.email) == ("Ben Ode", None, None, None)
    app.add_meeting(50, "Open", "", is_public=True)
    app.add_instance(50, 1, clock(), clock() + timedelta(hours=1))
    assert app.join_meeting(2, 50).user_id == 2
    app.add_meeting(51, "Closed", "", is_public=False, audience=["ann@example.com"])
    app.add_instance(51, 1, clock(), clock() + timedelta(hours=1))
    assert app.join_meeting(1, 51).user_id == 1
    from confkit import NotInvitedError
    with pytest.raises(NotInvitedError):
        app.join_meeting(2, 51)


def test_between_the_index_commits_and_the_commit_no_new_message_is_visible(app, monkeypatch):
    """The per-user message indexes are moved into place first; if the import stops
    before its commit, their new ids have no record and readers skip them."""
    app.import_meeting(_report(), chat(CHAT), progress=False)
    before = (app.meeting_messages(1), app.user_messages(1, 1), app.user_messages(2, 1))
    from confkit import ImportConflictError, scripts
    real = scripts.source
    stop = "if ARGV[7] == 'commit' then return redis.error_reply('CONFKIT_IMPORT_CONFLICT') end\n"
    monkeypatch.setattr(scripts, "source", lambda name: stop + real(name) if name == "import_commit" else real(name))
    later = DAY + timedelta(days=7)
    with pytest.raises(ImportConflictError):
        app.import_meeting(_report(day=later), chat(CHAT, day=later), progress=False)
    assert (app.meeting_messages(1), app.user_messages(1, 1), app.user_messages(2, 1)) == before
    assert [len(m) for m in before] == [3, 1, 1]
    assert len(messages_frame(app)) == 3 and len(app.instances(1)) == 1


def test_users_without_age_gender_or_email_read_back_everywhere(app, redis_server, capsys, monkeypatch):
    from confkit.analytics import users_frame
    from confkit.cli import main
    app.import_meeting(_report(), progress=False)
    frame = users_frame(app)
    assert frame["age"].isna().all() and frame["gender"].isna().all()
    assert frame["email"].tolist()[1] is pd.NA  # Ben, a guest
    monkeypatch.setenv("CONFKIT_REDIS_URL", redis_server.url)
    assert main(["--json", "users"]) == 0
    users = json.loads(capsys.readouterr().out)
    assert users[1] == {"user_id": 2, "name": "Ben Ode", "age": None, "gender": None, "email": None}


def test_an_import_stopped_after_its_commit_is_completed_by_the_next_import(app, monkeypatch):
    """Users, identities and global indexes are written after the commit; if the
    process stops in between, the next import of anything completes them."""
    import confkit.importer as importer
    finish = importer._finish

    def stop(*args):
        raise KeyboardInterrupt  # as if the process died right after the commit

    monkeypatch.setattr(importer, "_finish", stop)
    with pytest.raises(KeyboardInterrupt):
        app.import_meeting(_report(), progress=False)
    assert app.users() == [] and app.meetings() == [] and len(events_frame(app, [1])) == 8  # 4 sessions
    assert app.stores.catalog.ttl(app.keys.user(1)) > 0  # would expire if never completed
    monkeypatch.setattr(importer, "_finish", finish)
    app.import_meeting(report([("Eve", None, "10:00", "10:30")], title="Other", ref="456"), progress=False)
    assert [u.name for u in app.users()] == ["Ann Lee", "Ben Ode", "Cy Ray", "Eve"]
    assert app.stores.catalog.ttl(app.keys.user(1)) == -1
    assert [m.meeting_id for m in app.meetings()] == [1, 2]
    assert app.stores.catalog.smembers(app.keys.import_pending) == set()


def test_an_import_closes_sessions_of_its_own_meeting_only(app, clock):
    """Before writing, the import writes the timeouts its meeting owes; another
    meeting's ended instance keeps its open session until that meeting is touched."""
    earlier = ManualClock(at("09:00", DAY - timedelta(days=7)))
    app.clock = earlier
    app.add_user(500, "Eve Noor", None, None, None)
    for mid in (90, 91):
        app.add_meeting(mid, f"Room {mid}", "", is_public=True)
        app.add_instance(mid, 1, earlier(), earlier() + timedelta(hours=1))
        app.join_meeting(500, mid)
    app.clock = clock  # weeks later: both instances have ended with Eve inside

    app.import_meeting(_report(), meeting_id=90, progress=False)

    events = events_frame(app)
    kinds = {mid: sorted(events.loc[(events["meeting_id"] == mid) & (events["user_id"] == 500),
                                    "event_type"].astype(str)) for mid in (90, 91)}
    assert kinds == {90: ["join", "timeout"], 91: ["join"]}
