"""Analytics frames on small data whose answers were worked out by hand."""

from __future__ import annotations

import random
from datetime import datetime, timezone

import pandas as pd
import pytest

from confkit import analytics as an


def at(hh: int, mm: int, ss: int = 0) -> pd.Timestamp:
    return pd.Timestamp(datetime(2030, 1, 7, hh, mm, ss, tzinfo=timezone.utc))


def minutes(n: float) -> pd.Timedelta:
    return pd.Timedelta(minutes=n)


@pytest.fixture
def scenario(meeting_setup, clock):
    """Meeting 10, instance 1 runs 08:55-10:00 and is ended at 09:20.

    09:00 Ann (1) joins        09:07 Ann joins again     09:15 Di leaves
    09:02 Ben (2) joins        09:10 Cy (3) joins        09:20 end: Ben, Ann, Cy time out
    09:03 Ann posts "hi"       09:11 Di (4) joins
    09:05 Ann leaves           09:12 Cy posts "question"
    09:06 Ben posts "yo"
    """
    app = meeting_setup

    def step(hh, mm, call, *args):
        clock.set(at(hh, mm).to_pydatetime())
        return call(*args)

    step(9, 0, app.join_meeting, 1, 10)
    step(9, 2, app.join_meeting, 2, 10)
    step(9, 3, app.post_message, 1, 10, "hi")
    step(9, 5, app.leave_meeting, 1, 10)
    step(9, 6, app.post_message, 2, 10, "yo")
    step(9, 7, app.join_meeting, 1, 10)
    step(9, 10, app.join_meeting, 3, 10)
    step(9, 11, app.join_meeting, 4, 10)
    step(9, 12, app.post_message, 3, 10, "question")
    step(9, 15, app.leave_meeting, 4, 10)
    step(9, 20, app.end_meeting, 10)
    return app


def test_events_frame_lists_every_event_with_dtypes(scenario):
    events = an.events_frame(scenario)
    expected = pd.DataFrame({
        "meeting_id": [10] * 10,
        "event_id": list(range(1, 11)),
        "order_id": [1] * 10,
        "user_id": [1, 2, 1, 1, 3, 4, 4, 2, 1, 3],
        "event_type": ["join", "join", "leave", "join", "join", "join", "leave", "timeout", "timeout", "timeout"],
        "timestamp": [at(9, 0), at(9, 2), at(9, 5), at(9, 7), at(9, 10), at(9, 11), at(9, 15)] + [at(9, 20)] * 3,
    })
    assert events["event_type"].astype(str).tolist() == expected["event_type"].tolist()
    assert events.drop(columns="event_type").astype(object).equals(
        expected.drop(columns="event_type").astype(object))
    assert {c: str(t) for c, t in events.dtypes.items()} == {
        "meeting_id": "Int64", "event_id": "Int64", "order_id": "Int64", "user_id": "Int64",
        "event_type": "category", "timestamp": "datetime64[ns, UTC]"}


def test_messages_frame_in_meeting_order_with_text(scenario):
    messages = an.messages_frame(scenario)
    assert messages["message_id"].tolist() == [1, 2, 3]
    assert messages["user_id"].tolist() == [1, 2, 3]
    assert messages["text"].tolist() == ["hi", "yo", "question"]
    assert messages["timestamp"].tolist() == [at(9, 3), at(9, 6), at(9, 12)]
    assert str(messages["timestamp"].dtype) == "datetime64[ns, UTC]"
    assert str(messages["text"].dtype) == "string"


def test_readers_fetch_across_chunks(scenario, monkeypatch):
    """With tiny batches the pipelined readers still return every record once."""
    whole = an.events_frame(scenario)
    monkeypatch.setattr(an, "CHUNK", 3)
    monkeypatch.setattr(an, "BATCH", 1)
    assert an.events_frame(scenario).equals(whole)
    assert an.messages_frame(scenario)["text"].tolist() == ["hi", "yo", "question"]


def load_scenario(app):
    now = pd.Timestamp(app.now())
    instances = an.instances_frame(app)
    return instances, an.sessions_frame(an.events_frame(app), instances, now), now


def test_sessions_pair_each_join_with_its_end(scenario):
    _, sessions, _ = load_scenario(scenario)
    assert sessions["user_id"].tolist() == [1, 2, 1, 3, 4]
    assert sessions["session_no"].tolist() == [1, 1, 2, 1, 1]
    assert sessions["join_event_id"].tolist() == [1, 2, 4, 5, 6]
    assert sessions["left_at"].tolist() == [at(9, 5), at(9, 20), at(9, 20), at(9, 20), at(9, 15)]
    assert sessions["end_type"].astype(str).tolist() == ["leave", "timeout", "timeout", "timeout", "leave"]
    assert sessions["duration"].tolist() == [minutes(5), minutes(18), minutes(13), minutes(10), minutes(4)]
    # The instance started at 08:55.
    assert sessions["lateness"].tolist() == [minutes(5), minutes(7), minutes(12), minutes(15), minutes(16)]


def test_unswept_session_ends_as_the_sweep_will_end_it(meeting_setup, clock):
    app = meeting_setup
    clock.set(at(9, 30).to_pydatetime())
    app.join_meeting(1, 20)  # instance 1 of meeting 20 runs until 10:00
    clock.set(at(10, 30).to_pydatetime())
    _, before, _ = load_scenario(app)
    assert before["end_type"].astype(str).tolist() == ["timeout"]
    assert before["left_at"].tolist() == [at(10, 0)]
    written = app.sweep()  # now the server writes the timeout itself
    assert [e.timestamp for e in written] == [at(10, 0).to_pydatetime()]
    _, after, _ = load_scenario(app)
    pd.testing.assert_frame_equal(before, after)


def test_session_in_running_instance_is_present_until_now(meeting_setup, clock):
    app = meeting_setup
    clock.set(at(9, 30).to_pydatetime())
    app.join_meeting(2, 20)
    clock.set(at(9, 42).to_pydatetime())
    _, sessions, _ = load_scenario(app)
    assert sessions["end_type"].astype(str).tolist() == ["present"]
    assert sessions["left_at"].isna().all()
    assert sessions["duration"].tolist() == [minutes(12)]


def test_instance_status(meeting_setup, clock):
    app = meeting_setup
    app.add_instance(10, 2, at(9, 0) + pd.Timedelta(days=1), at(9, 0) + pd.Timedelta(days=1, hours=1))
    clock.set(at(10, 30).to_pydatetime())
    instances = an.instances_frame(app)
    assert instances[["meeting_id", "order_id"]].values.tolist() == [[10, 1], [10, 2], [20, 1]]
    assert instances["status"].astype(str).tolist() == ["ended", "scheduled", "ended"]
    assert instances["duration"].tolist() == [minutes(65), minutes(60), minutes(65)]


def test_attendance_per_instance(scenario):
    instances, sessions, now = load_scenario(scenario)
    att = an.attendance(sessions, instances, now).set_index(["meeting_id", "order_id"])
    row = att.loc[(10, 1)]
    # Ann 5 + 13 min, Ben 18, Cy 10, Di 4: mean 12.5, median 14; all four in at 09:11-09:15.
    assert (row["unique_users"], row["sessions"], row["rejoins"], row["timeouts"]) == (4, 5, 1, 3)
    assert row["peak_concurrency"] == 4
    assert row["mean_minutes"] == pytest.approx(12.5)
    assert row["median_minutes"] == pytest.approx(14.0)
    empty = att.loc[(20, 1)]  # running, nobody came
    assert (empty["unique_users"], empty["sessions"], empty["peak_concurrency"]) == (0, 0, 0)


def test_concurrency_per_minute(scenario):
    instances, sessions, now = load_scenario(scenario)
    conc = an.concurrency(sessions, instances, now)
    part = conc[(conc["meeting_id"] == 10) & (conc["order_id"] == 1)]
    # Bins 08:55 ... 09:19 (the instance was ended at 09:20).
    assert part["minute"].tolist() == [at(8, 55) + minutes(i) for i in range(25)]
    assert part["present"].tolist() == [0] * 5 + [1, 1, 2, 2, 2, 1, 1, 2, 2, 2, 3, 4, 4, 4, 4] + [3] * 5
    assert part["minute_of_session"].tolist() == list(range(25))


def brute_force_peak(sessions: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> int:
    """Most sessions covering any whole second in [start, end)."""
    best, t = 0, start
    while t < end:
        present = ((sessions["joined_at"] <= t) & (t < sessions["joined_at"] + sessions["duration"])).sum()
        best = max(best, int(present))
        t += pd.Timedelta(seconds=1)
    return best


def test_concurrency_and_peak_match_brute_force():
    rng = random.Random(11)
    start = at(14, 0)
    rows = []
    for n in range(25):
        join = start + pd.Timedelta(seconds=rng.randrange(0, 1500))
        length = pd.Timedelta(seconds=rng.choice([0, 1, 59, 60, 61, rng.randrange(1, 900)]))
        rows.append((1, 1, n % 9 + 1, join, length))
    sessions = pd.DataFrame(rows, columns=["meeting_id", "order_id", "user_id", "joined_at", "duration"])
    sessions["end_type"] = "leave"
    end = start + minutes(30)
    instances = pd.DataFrame({"meeting_id": [1], "order_id": [1], "from_dt": [start], "to_dt": [end]})
    conc = an.concurrency(sessions, instances, end + minutes(5))
    expected = [brute_force_peak(sessions, start + minutes(i), start + minutes(i + 1)) for i in range(30)]
    assert conc["present"].tolist() == expected
    att = an.attendance(sessions, instances, end + minutes(5))
    assert att["peak_concurrency"].tolist() == [brute_force_peak(sessions, start, end)]


def test_lateness_buckets():
    start = at(9, 0)
    late = [0.5, 1, 4.99, 5, 20]
    sessions = pd.DataFrame({
        "meeting_id": [1] * 6, "order_id": [1] * 6, "user_id": [1, 2, 3, 4, 5, 1],
        "session_no": [1, 1, 1, 1, 1, 2],
        "joined_at": [start + minutes(m) for m in late] + [start + minutes(40)],
        "lateness": [minutes(m) for m in late] + [minutes(40)],
    })
    result = an.lateness(sessions)
    assert result["user_id"].tolist() == [1, 2, 3, 4, 5]  # the rejoin is not a first join
    assert result["lateness_min"].tolist() == pytest.approx(late)
    assert result["bucket"].astype(str).tolist() == [
        "on time (< 1 min)", "1-5 min late", "1-5 min late", "5-15 min late", "15+ min late"]


def messages(rows):
    return pd.DataFrame(rows, columns=["meeting_id", "order_id", "user_id", "timestamp"])


def test_messages_per_minute_zero_fills():
    msgs = messages([(1, 1, 1, at(9, 0, 10)), (2, 1, 1, at(9, 0, 50)), (1, 1, 2, at(9, 2, 0))])
    series = an.message_counts(msgs)
    assert series.index.tolist() == [at(9, 0), at(9, 1), at(9, 2)]
    assert series.tolist() == [2, 0, 1]
    wide = an.message_counts(msgs, by="meeting_id")
    assert wide[1].tolist() == [1, 0, 1]
    assert wide[2].tolist() == [1, 0, 0]


def test_messages_by_session_minute_averages_over_instances():
    day = pd.Timedelta(days=1)
    instances = pd.DataFrame({
        "meeting_id": [1, 1], "order_id": [1, 2],
        "from_dt": [at(9, 0), at(9, 0) + day], "to_dt": [at(9, 3), at(9, 2) + day]})
    msgs = messages([(1, 1, 1, at(9, 0, 30)), (1, 1, 2, at(9, 0, 40)), (1, 1, 1, at(9, 2, 10)),
                     (1, 2, 1, at(9, 1, 5) + day)])
    profile = an.messages_by_session_minute(msgs, instances, at(12, 0) + day)
    # minute 0: (2 + 0) / 2; minute 1: (0 + 1) / 2; minute 2: only instance 1 lasted: 1.
    assert profile[1].tolist() == [1.0, 0.5, 1.0]


def test_top_posters_counts_and_breaks_ties_by_user():
    msgs = messages([(1, 1, 7, at(9, 0)), (2, 1, 7, at(9, 1)), (1, 1, 3, at(9, 2)),
                     (1, 1, 5, at(9, 3)), (1, 1, 5, at(9, 4)), (1, 1, 9, at(9, 5))])
    users = pd.DataFrame({"user_id": [3, 5, 7, 9], "name": ["C", "E", "G", "I"]})
    top = an.top_posters(msgs, users, n=3)
    assert top["user_id"].tolist() == [5, 7, 3]
    assert top["name"].tolist() == ["E", "G", "C"]
    assert top["messages"].tolist() == [2, 2, 1]
    assert top["meetings"].tolist() == [1, 2, 1]
    assert top["share"].tolist() == pytest.approx([2 / 6, 2 / 6, 1 / 6])


def test_messages_per_participant_minute_counts_the_silent():
    sessions = pd.DataFrame({"meeting_id": [1, 1, 1], "user_id": [1, 1, 2],
                             "duration": [minutes(10), minutes(20), minutes(15)]})
    msgs = messages([(1, 1, 1, at(9, 0)), (1, 1, 1, at(9, 1)), (1, 1, 1, at(9, 2))])
    rates = an.messages_per_participant_minute(msgs, sessions)
    assert rates["user_id"].tolist() == [1, 2]
    assert rates["messages"].tolist() == [3, 0]
    assert rates["minutes_present"].tolist() == [30.0, 15.0]
    assert rates["messages_per_minute"].tolist() == pytest.approx([0.1, 0.0])


def test_activity_heatmap_by_weekday_and_hour():
    stamps = pd.Series([at(9, 15), at(9, 45), at(23, 59) + pd.Timedelta(days=6)])  # Mon, Mon, Sun
    table = an.activity_heatmap(stamps)
    assert table.shape == (7, 24)
    assert table.loc["Monday", 9] == 2
    assert table.loc["Sunday", 23] == 1
    assert int(table.to_numpy().sum()) == 3
    assert table.index.tolist()[0] == "Monday"


def test_time_to_first_message(scenario):
    _, sessions, _ = load_scenario(scenario)
    delays = an.time_to_first_message(sessions, an.messages_frame(scenario))
    assert delays["user_id"].tolist() == [1, 2, 3, 4]
    assert delays["delay_min"].tolist()[:3] == [3.0, 4.0, 2.0]
    assert delays["posted"].tolist() == [True, True, True, False]
    assert pd.isna(delays["first_message"].iloc[3])


def test_join_times_and_participants_frames(scenario_at_0912):
    app = scenario_at_0912
    joins = an.join_times_frame(app)
    assert joins["user_id"].tolist() == [2, 1, 3, 4]  # join order of the current sessions
    assert joins["title"].tolist() == ["Open forum"] * 4
    assert joins["present_for"].tolist() == [minutes(10), minutes(5), minutes(2), minutes(1)]
    people = an.participants_frame(app, 10)
    assert people["name"].tolist() == ["Ben", "Ann", "Cy", "Di"]
    assert people["joined_at"].tolist() == [at(9, 2), at(9, 7), at(9, 10), at(9, 11)]
    assert an.participants_frame(app, 20).empty


@pytest.fixture
def scenario_at_0912(meeting_setup, clock):
    app = meeting_setup
    for hh, mm, call, args in [(9, 0, app.join_meeting, (1, 10)), (9, 2, app.join_meeting, (2, 10)),
                               (9, 5, app.leave_meeting, (1, 10)), (9, 7, app.join_meeting, (1, 10)),
                               (9, 10, app.join_meeting, (3, 10)), (9, 11, app.join_meeting, (4, 10))]:
        clock.set(at(hh, mm).to_pydatetime())
        call(*args)
    clock.set(at(9, 12).to_pydatetime())
    return app


def test_keyspace_summary_counts_keys_and_elements(meeting_setup):
    summary = an.keyspace_summary(meeting_setup)
    rows = {(r.store, r.pattern): (r.type, r.keys, r.elements) for r in summary.itertuples()}
    assert rows == {
        ("catalog", "confkit:catalog:users"): ("zset", 1, 4),
        ("catalog", "confkit:catalog:user:{u:#}"): ("hash", 4, 20),
        ("catalog", "confkit:catalog:meetings"): ("zset", 1, 2),
        # 4 fields each, and the copy of its latest instance (3 fields) in each
        ("catalog", "confkit:catalog:meeting:{m:#}"): ("hash", 2, 8 + 6),
        ("catalog", "confkit:catalog:meeting:{m:#}:audience"): ("set", 1, 2),
        ("catalog", "confkit:catalog:meeting:{m:#}:instances"): ("zset", 2, 2),
        ("catalog", "confkit:catalog:meeting:{m:#}:instance:#"): ("hash", 2, 8),
        ("catalog", "confkit:catalog:instances:by_end"): ("zset", 1, 2),
    }


def test_to_frame_flattens_results(meeting_setup, clock):
    clock.set(at(9, 30).to_pydatetime())
    frame = an.to_frame(meeting_setup.active_meetings())
    assert frame["meeting.meeting_id"].tolist() == [10, 20]
    assert frame["meeting.audience"].tolist() == ["", "ann@example.com, ben@example.com"]
    assert frame["instance.from_dt"].tolist() == [at(8, 55)] * 2
    assert str(frame["meeting.is_public"].dtype) == "boolean"
    event = an.to_frame(meeting_setup.join_meeting(1, 10))
    assert event["event_type"].astype(str).tolist() == ["join"]


def test_load_reads_everything_at_one_moment(scenario):
    data = an.load(scenario)
    assert data.now == at(9, 20)
    assert len(data.users) == 4 and len(data.meetings) == 2 and len(data.instances) == 2
    assert len(data.events) == 10 and len(data.messages) == 3 and len(data.sessions) == 5
    assert data.users["gender"].dtype == "category"


def test_add_names():
    frame = pd.DataFrame({"meeting_id": [1], "user_id": [2], "n": [3]})
    named = an.add_names(frame, users=pd.DataFrame({"user_id": [2], "name": ["Bo"]}),
                         meetings=pd.DataFrame({"meeting_id": [1], "title": ["Sync"]}))
    assert named.columns.tolist() == ["meeting_id", "title", "user_id", "name", "n"]
    assert named.iloc[0].tolist() == [1, "Sync", 2, "Bo", 3]


def test_summaries_per_kind_meeting_and_attendance(scenario):
    """Durations 5, 18, 13, 10 and 4 min (median 10); one rejoin; three timeouts.
    Minutes per user: Ann 5 + 13, Ben 18, Cy 10, Di 4 (median 14); four present
    at once from 09:11 to 09:15; three messages by three users in one instance."""
    data = an.load(scenario, kinds={10: "forum"})
    summary = an.session_summary(data.sessions.assign(kind="forum"), "kind")
    assert summary.loc["forum"].to_dict() == {"sessions": 5, "rejoins": 1, "timeouts": 3, "still_present": 0,
                                              "median_minutes": 10.0, "timeout_share": 0.6}
    att = an.attendance(data.sessions, data.instances, data.now)
    per_meeting = an.attendance_by_meeting(att)
    assert per_meeting.index.tolist() == [10]  # meeting 20's instance had nobody
    assert per_meeting.loc[10].to_dict() == {"instances": 1, "mean_attendees": 4.0, "mean_peak": 4.0,
                                             "mean_rejoins": 1.0, "median_minutes": 14.0}
    chat = an.messages_by_meeting(data.messages)
    assert chat.loc[10].to_dict() == {"messages": 3, "posters": 3, "instances": 1, "per_instance": 3.0}


def test_with_meetings_attaches_title_and_kind(scenario):
    data = an.load(scenario, kinds={10: "forum"})
    frame = pd.DataFrame({"meeting_id": pd.array([20, 10], dtype="Int64"), "n": [1, 2]})
    out = data.with_meetings(frame)
    assert out.columns.tolist() == ["meeting_id", "title", "kind", "n"]
    assert out["title"].tolist() == ["Board", "Open forum"]
    assert out["kind"].astype(str).tolist() == ["other", "forum"]
    indexed = data.with_meetings(frame.set_index("meeting_id"), index=True)
    assert indexed["kind"].astype(str).tolist() == ["other", "forum"]


def test_readable_durations():
    frame = pd.DataFrame({"d": pd.to_timedelta(["0 days 00:06:54", "0 days 02:05:00", "45s", None, "3 days 4h"]),
                          "n": [1, 2, 3, 4, 5]})
    assert an.readable(frame)["d"].tolist() == ["6 min 54 s", "2 h 05 min", "45 s", "", "3 d 4 h"]
    assert an.readable(frame)["n"].tolist() == [1, 2, 3, 4, 5]
