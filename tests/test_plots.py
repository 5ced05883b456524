"""Charts: labelled, drawn from the data they are given, and free of pyplot state."""

from __future__ import annotations

from datetime import datetime, timezone

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from confkit import ManualClock, analytics, plots, synth

NOW = datetime(2030, 1, 14, 9, 7, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def data(redis_server):
    from confkit import ConferenceApp

    app = ConferenceApp(redis_server.url, clock=ManualClock(NOW), namespace="plots")
    app.reset()
    report = synth.generate(app, users=30, meetings=6, days=14, seed=4, method="bulk")
    loaded = analytics.load(app)
    app.reset()
    app.close()
    return loaded, report


def labelled(fig: Figure, legend: bool = True) -> None:
    """Every visible Axes that is not a colour bar has a title, both axis labels and,
    where asked, a legend."""
    main = [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]
    assert main
    for ax in main:
        if ax.get_ylabel() and not ax.get_title() and ax.get_shared_x_axes().get_siblings(ax) != [ax]:
            continue  # the right-hand axis of a twin pair
        assert ax.get_title() or fig.get_suptitle()
        assert ax.get_xlabel() and ax.get_ylabel()
    if legend:
        assert any(ax.get_legend() is not None for ax in main)


@pytest.fixture(autouse=True)
def no_pyplot_figures():
    plt.close("all")
    yield
    assert plt.get_fignums() == [], "a chart used pyplot's global state"


def test_lateness_histogram_counts_every_first_join(data):
    d, _ = data
    late = analytics.lateness(d.sessions)
    fig = plots.lateness_histogram(late)
    labelled(fig)
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert sum(heights) == len(late)
    assert "minutes" in fig.axes[0].get_xlabel()


def test_lateness_by_group_shares_sum_to_one(data):
    d, report = data
    late = analytics.lateness(d.sessions).assign(kind=lambda f: f["meeting_id"].map(report.kinds))
    fig = plots.lateness_by_group(late, "kind")
    labelled(fig)
    groups = late["kind"].nunique()
    heights = np.array([p.get_height() for p in fig.axes[0].patches]).reshape(-1, groups)
    assert heights.sum(axis=0) == pytest.approx(np.ones(groups))


def test_session_durations_split_by_end(data):
    d, _ = data
    fig = plots.session_durations(d.sessions)
    labelled(fig)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    counts = d.sessions["end_type"].value_counts()
    assert legend == [f"{k} ({counts[k]})" for k in ("leave", "timeout", "present")]


def test_join_timeline_draws_each_session(data):
    d, _ = data
    att = analytics.attendance(d.sessions, d.instances, d.now)
    row = att.sort_values(["rejoins", "meeting_id", "order_id"]).iloc[-1]
    fig = plots.join_timeline(d.sessions, row["meeting_id"], row["order_id"], instances=d.instances,
                              users=d.users)
    labelled(fig)
    bars = [ln for ln in fig.axes[0].get_lines() if ln.get_linewidth() == 6 and len(ln.get_xdata()) == 2]
    assert len(bars) == row["sessions"]
    assert len(fig.axes[0].get_yticks()) == row["unique_users"]


def test_concurrency_chart_mean_line(data):
    d, _ = data
    conc = analytics.concurrency(d.sessions, d.instances, d.now)
    mids = sorted(conc["meeting_id"].unique())[:3]
    fig = plots.concurrency_chart(conc, mids, titles={mids[0]: "First"})
    labelled(fig)
    assert fig.axes[0].get_title() == "First"
    mean = [ln for ln in fig.axes[0].get_lines() if ln.get_label() == "mean over instances"][0]
    part = conc[conc["meeting_id"] == mids[0]]
    expected = part.groupby("minute_of_session")["present"].mean()
    assert list(mean.get_ydata()) == pytest.approx(expected.astype(float).tolist())
    assert not fig.axes[3].get_visible()  # 3 panels on a 2 x 2 grid


def test_attendance_chart(data):
    d, report = data
    att = analytics.attendance(d.sessions, d.instances, d.now)
    mid = min(m for m, k in report.kinds.items() if k == "stand-up")
    fig = plots.attendance_chart(att, mid, title="Stand-up")
    labelled(fig)
    bars = [p.get_height() for p in fig.axes[0].patches]
    assert bars == att.loc[att["meeting_id"] == mid, "unique_users"].astype(float).tolist()


def test_messages_over_time_stacks_every_message(data):
    d, _ = data
    counts = analytics.messages_per_minute(d.messages, by="meeting_id", freq="1D")
    fig = plots.messages_over_time(counts)
    labelled(fig)
    assert sum(p.get_height() for p in fig.axes[0].patches) == len(d.messages)


def test_top_posters_chart(data):
    d, _ = data
    top = analytics.top_posters(d.messages, d.users, n=5)
    fig = plots.top_posters_chart(top)
    labelled(fig)
    assert [p.get_width() for p in fig.axes[0].patches] == top["messages"].astype(float).tolist()
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == top["name"].tolist()


def test_heatmap_shows_the_table(data):
    d, _ = data
    table = analytics.activity_heatmap(d.messages["timestamp"])
    fig = plots.heatmap_chart(table)
    labelled(fig, legend=False)
    assert (fig.axes[0].get_images()[0].get_array() == table.to_numpy()).all()
    assert any(ax.get_label() == "<colorbar>" for ax in fig.axes)


def test_time_to_first_message_reaches_the_share_who_posted(data):
    d, _ = data
    delays = analytics.time_to_first_message(d.sessions, d.messages)
    fig = plots.time_to_first_message_chart(delays, cap_min=1000)
    labelled(fig)
    curve = fig.axes[0].get_lines()[0]
    assert curve.get_ydata()[-1] == pytest.approx(delays["posted"].mean())


def test_session_profile_and_talk_charts(data):
    d, report = data
    instances = d.instances.assign(kind=d.instances["meeting_id"].map(report.kinds))
    profile = analytics.messages_by_session_minute(d.messages, instances, d.now, by="kind")
    fig = plots.session_profile_chart(profile)
    labelled(fig)
    assert len(fig.axes[0].get_lines()) == len(profile.columns)
    rates = analytics.messages_per_participant_minute(d.messages, d.sessions)
    fig = plots.talk_vs_presence(rates, users=d.users)
    labelled(fig)
    offsets = fig.axes[0].collections[0].get_offsets()
    assert len(offsets) == int((rates["minutes_present"] > 0).sum())


def test_drawing_into_a_given_axes_returns_its_figure(data):
    d, _ = data
    fig = Figure()
    left, right = fig.subplots(1, 2)
    assert plots.session_durations(d.sessions, ax=left) is fig
    assert plots.lateness_histogram(analytics.lateness(d.sessions), ax=right) is fig
    assert pd.notna(right.get_title())


# -- the attendance register -------------------------------------------------------------
def course_register(people: int, instances: int = 12, seed: int = 3) -> pd.DataFrame:
    """A weekly 90-minute course with ``people`` of varying keenness, drawn from a seed."""
    from confkit.register import register_from_frames

    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2030-01-07 10:00", tz="UTC")
    inst = pd.DataFrame({"meeting_id": pd.array([1] * instances, dtype="Int64"),
                         "order_id": pd.array(range(1, instances + 1), dtype="Int64"),
                         "from_dt": [start + pd.Timedelta(days=7 * i) for i in range(instances)]})
    inst["to_dt"] = inst["from_dt"] + pd.Timedelta(minutes=90)
    users = pd.DataFrame({"user_id": pd.array(range(1, people + 1), dtype="Int64"),
                          "name": pd.array([f"Person {i:03d}" for i in range(1, people + 1)], dtype="string"),
                          "email": pd.array([f"p{i}@example.com" for i in range(1, people + 1)], dtype="string")})
    keen = rng.beta(5, 1.5, people)
    rows = []
    for user in range(people):
        for order in range(instances):
            if rng.random() < keen[user]:
                join = rng.exponential(4) if rng.random() < 0.8 else rng.uniform(5, 40)
                stay = max(2.0, 90 - join - (rng.exponential(10) if rng.random() < 0.3 else 0))
                rows.append({"meeting_id": 1, "order_id": order + 1, "user_id": user + 1,
                             "joined_at": inst["from_dt"][order] + pd.Timedelta(minutes=join),
                             "duration": pd.Timedelta(minutes=stay)})
    register = register_from_frames(pd.DataFrame(rows), inst, users, start + pd.Timedelta(days=365))
    register.attrs["title"] = "Statistics"
    return register


def test_register_chart_colours_each_person_and_instance_by_status():
    from matplotlib.axes import Axes

    register = course_register(40)
    ax = plots.register_chart(register)
    assert isinstance(ax, Axes)
    labelled(ax.figure)
    image = ax.get_images()[0].get_array()
    assert image.shape == (40, 12)
    assert (image == register["status"].cat.codes.to_numpy().reshape(40, 12)).all()
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"Person {i:03d}" for i in range(1, 41)]
    assert ax.get_title() == "Attendance register: Statistics"


def test_register_chart_of_many_people_shows_those_needing_attention():
    from confkit.register import person_summary

    register = course_register(200)
    people = person_summary(register)
    ax = plots.register_chart(register)
    labelled(ax.figure)
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert len(names) == 50 and "50 of 200 people with the lowest attendance" in ax.get_title()
    rates = people.set_index("name")["attendance_rate"]
    assert rates[names].max() <= rates.drop(names).min()
    assert list(rates[names]) == sorted(rates[names])  # worst first


def test_attendance_rate_chart_against_threshold():
    from confkit.register import person_summary

    people = person_summary(course_register(40))
    ax = plots.attendance_rate_chart(people, threshold=0.8)
    labelled(ax.figure)
    widths = [p.get_width() for p in ax.patches]
    assert widths == sorted(people["attendance_rate"].tolist())
    red = [p for p in ax.patches if p.get_facecolor()[:3] == pytest.approx((0xc4 / 255, 0x4e / 255, 0x52 / 255))]
    assert len(red) == int((people["attendance_rate"] < 0.8).sum())
    assert ax.get_lines()[0].get_xdata()[0] == 0.8


def test_minutes_and_lateness_per_instance_charts():
    register = course_register(40)
    came = register[register["status"] != "absent"]
    fig = Figure()
    left, right = fig.subplots(1, 2)
    assert plots.minutes_per_instance_chart(register, ax=left, title="Minutes") is left
    medians = [line.get_ydata()[0] for line in left.get_lines()[:-3] if line.get_color() == "#4c72b0"]
    assert medians == pytest.approx(came.groupby("order_id")["minutes_attended"].median().tolist())
    assert left.get_title() == "Minutes"
    assert plots.lateness_over_instances_chart(register, ax=right) is right
    labelled(fig)
    assert len(right.collections[0].get_offsets()) == len(came)
    late_line = [line for line in right.get_lines() if line.get_label().startswith("late after")][0]
    assert late_line.get_ydata()[0] == 5
