"""Charts: labelled, drawn from the data they are given, and free of pyplot state."""

from __future__ import annotations

from datetime import datetime, timezone

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
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


def labelled(chart: Figure | Axes, legend: bool = True) -> None:
    """Every visible Axes that is not a colour bar has a title, both axis labels (an
    x label at least on the bottom panel) and, where asked, a legend."""
    fig = chart if isinstance(chart, Figure) else chart.get_figure(root=True)
    main = [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]
    assert main
    for ax in main:
        if ax.get_ylabel() and not ax.get_title() and ax.get_shared_x_axes().get_siblings(ax) != [ax]:
            continue  # the right-hand axis of a twin pair
        assert ax.get_title() or fig.get_suptitle()
        assert ax.get_ylabel()
        assert ax.get_xlabel() or any(o is not ax and o.get_xlabel() for o in ax.get_shared_x_axes().get_siblings(ax))
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
    ax = plots.lateness_histogram(late)
    labelled(ax)
    heights = [p.get_height() for p in ax.patches]
    assert sum(heights) == len(late)
    assert "minutes" in ax.get_xlabel()


def test_lateness_by_group_shares_sum_to_one(data):
    d, report = data
    late = analytics.lateness(d.sessions).assign(kind=lambda f: f["meeting_id"].map(report.kinds))
    ax = plots.lateness_by_group(late, "kind")
    labelled(ax)
    groups = late["kind"].nunique()
    heights = np.array([p.get_height() for p in ax.patches]).reshape(-1, groups)
    assert heights.sum(axis=0) == pytest.approx(np.ones(groups))


def test_session_durations_split_by_end(data):
    d, _ = data
    ax = plots.session_durations(d.sessions)
    labelled(ax)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    counts = d.sessions["end_type"].value_counts()
    assert legend == [f"{k} ({counts[k]})" for k in ("leave", "timeout", "present")]


def test_join_timeline_draws_each_session(data):
    d, _ = data
    att = analytics.attendance(d.sessions, d.instances, d.now)
    row = att.sort_values(["rejoins", "meeting_id", "order_id"]).iloc[-1]
    ax = plots.join_timeline(d.sessions, row["meeting_id"], row["order_id"], instances=d.instances,
                             users=d.users)
    labelled(ax)
    bars = [ln for ln in ax.get_lines() if ln.get_linewidth() == 6 and len(ln.get_xdata()) == 2]
    assert len(bars) == row["sessions"]
    assert len(ax.get_yticks()) == row["unique_users"]


def test_concurrency_chart_mean_line(data):
    d, _ = data
    conc = analytics.concurrency(d.sessions, d.instances, d.now)
    mids = sorted(conc["meeting_id"].unique())[:3]
    fig = plots.concurrency_chart(conc, mids, titles={mids[0]: "First"})
    labelled(fig, legend=False)
    assert fig.legends  # one legend for all panels
    count = conc.loc[conc["meeting_id"] == mids[0], "order_id"].nunique()
    assert fig.axes[0].get_title() == f"First, {count} instances"
    mean = [ln for ln in fig.axes[0].get_lines() if ln.get_label() == "mean over instances"][0]
    part = conc[conc["meeting_id"] == mids[0]]
    expected = part.groupby("minute_of_session")["present"].mean()
    assert list(mean.get_ydata()) == pytest.approx(expected.astype(float).tolist())
    assert not fig.axes[3].get_visible()  # 3 panels on a 2 x 2 grid


def test_concurrency_chart_shows_a_single_instance_itself(data):
    d, _ = data
    conc = analytics.concurrency(d.sessions, d.instances, d.now)
    counts = conc.groupby("meeting_id")["order_id"].nunique()
    single = int(counts[counts == 1].index[0])
    fig = plots.concurrency_chart(conc, [single])
    (line,) = fig.axes[0].get_lines()  # no mean drawn over (and hiding) it
    assert line.get_linewidth() == 2 and line.get_alpha() is None
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["a meeting's only instance"]


def test_attendance_chart(data):
    d, report = data
    att = analytics.attendance(d.sessions, d.instances, d.now)
    mid = min(m for m, k in report.kinds.items() if k == "stand-up")
    fig = plots.attendance_chart(att, mid, title="Stand-up")
    labelled(fig)
    assert fig.get_suptitle() == "Stand-up"
    people, minutes = fig.axes
    part = att[att["meeting_id"] == mid]
    assert [p.get_height() for p in people.patches] == part["unique_users"].astype(float).tolist()
    assert people.get_ylabel() == "people" and "minutes" in minutes.get_ylabel()  # one unit per axis
    assert list(minutes.get_lines()[0].get_ydata()) == pytest.approx(part["median_minutes"].tolist())
    assert people.get_ylim()[1] > part["unique_users"].max()  # the tallest bar leaves room above it


def test_messages_over_time_stacks_every_message(data):
    d, _ = data
    counts = analytics.message_counts(d.messages, by="meeting_id", freq="1D")
    ax = plots.messages_over_time(counts)
    labelled(ax)
    assert sum(p.get_height() for p in ax.patches) == len(d.messages)
    totals = counts.sum(axis=1)
    peak = totals.idxmax().strftime("%a %b %d")
    assert peak in [t.get_text() for t in ax.get_xticklabels()]  # the busiest day is named
    assert ax.get_ylim()[1] > totals.max()  # and its bar does not touch the frame


def test_top_posters_chart(data):
    d, _ = data
    top = analytics.top_posters(d.messages, d.users, n=5)
    ax = plots.top_posters_chart(top)
    labelled(ax)
    assert [p.get_width() for p in ax.patches] == top["messages"].astype(float).tolist()
    assert [t.get_text() for t in ax.get_yticklabels()] == top["name"].tolist()


def test_heatmap_shows_the_table(data):
    d, _ = data
    table = analytics.activity_heatmap(d.messages["timestamp"])
    ax = plots.heatmap_chart(table)
    labelled(ax, legend=False)
    image = ax.get_images()[0]
    shown = image.get_array()
    assert (shown.filled(0) == table.to_numpy()).all()
    assert (shown.mask == (table.to_numpy() == 0)).all()  # no activity: its own colour
    assert image.norm(1) < image.norm(2) < image.norm(table.to_numpy().max())  # log scale: 1 and 2 differ
    assert any(a.get_label() == "<colorbar>" for a in ax.get_figure(root=True).axes)


def test_time_to_first_message_reaches_the_share_who_posted(data):
    d, _ = data
    delays = analytics.time_to_first_message(d.sessions, d.messages)
    ax = plots.time_to_first_message_chart(delays, cap_min=1000)
    labelled(ax)
    curve = ax.get_lines()[0]
    assert curve.get_ydata()[-1] == pytest.approx(delays["posted"].mean())


def test_session_profile_and_talk_charts(data):
    d, report = data
    instances = d.instances.assign(kind=d.instances["meeting_id"].map(report.kinds))
    profile = analytics.messages_by_session_minute(d.messages, instances, d.now, by="kind")
    ax = plots.session_profile_chart(profile, title="Profile", linestyle=":")
    labelled(ax)
    assert ax.get_title() == "Profile"
    assert len(ax.get_lines()) == len(profile.columns)
    assert {ln.get_linestyle() for ln in ax.get_lines()} == {":"}  # keyword arguments reach matplotlib
    rates = analytics.messages_per_participant_minute(d.messages, d.sessions)
    ax = plots.talk_vs_presence(rates, users=d.users)
    labelled(ax)
    points = ax.collections[0]
    assert len(points.get_offsets()) == int((rates["minutes_present"] > 0).sum())
    assert points.get_alpha() < 1
    assert ax.get_ylim()[1] > rates["messages"].max()


def test_drawing_into_a_given_axes_returns_that_axes(data):
    d, _ = data
    fig = Figure()
    left, right = fig.subplots(1, 2)
    assert plots.session_durations(d.sessions, ax=left) is left
    assert plots.lateness_histogram(analytics.lateness(d.sessions), ax=right, title="Late", color="black") is right
    assert right.get_title() == "Late"
    assert right.patches[0].get_facecolor()[:3] == (0, 0, 0)
    assert pd.notna(left.get_title())


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
