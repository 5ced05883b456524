"""Charts of confkit's analytics frames, drawn with matplotlib's object API.

Charts that draw one Axes take ``ax=`` (default: a new figure), ``title=`` (default:
a title that says what is shown) and further keyword arguments for the matplotlib
call that draws the data, and return the Axes, as seaborn does; charts of several
panels return their ``matplotlib.figure.Figure``. Nothing touches pyplot's global
state, so charts can be built in scripts, tests and notebooks alike; in a notebook,
show a chart by making ``ax.figure`` the cell's value, and save one with
``ax.figure.savefig(path)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap, LogNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from .analytics import END_TYPES, LATENESS_BUCKETS
from .register import STATUSES, person_summary

DPI = 100
#: The palette, by role: every chart takes its colours from here.
COLORS = {
    "main": "#4c72b0",      # the quantity a chart is about
    "second": "#dd8452",    # a second quantity beside it
    "good": "#55a868",
    "warn": "#ccb974",
    "bad": "#c44e52",       # summaries drawn over the data: means, medians
    "muted": "grey",        # reference lines
    "empty": "#eeeeee",     # cells with nothing in them
}
END_COLORS = {"leave": COLORS["main"], "timeout": COLORS["second"], "present": COLORS["good"]}
BUCKET_COLORS = [COLORS["good"], COLORS["warn"], COLORS["second"], COLORS["bad"]]
END_MARKERS = {"leave": "|", "timeout": "x", "present": ">"}
END_WORDS = {"leave": "left", "timeout": "timed out", "present": "still present"}
OUTSIDE: dict[str, Any] = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0)}  # a legend beside the Axes


def _axes(ax: Axes | None, size: tuple[float, float] = (9, 4.5)) -> Axes:
    if ax is not None:
        return ax
    return Figure(figsize=size, dpi=DPI, layout="constrained").subplots()


def _figure(ax: Axes) -> Figure:
    return ax.get_figure(root=True)  # type: ignore[return-value]


def _label(ids: Mapping[Any, str] | None, key: Any) -> str:
    return ids.get(key, str(key)) if ids else str(key)


def _style(defaults: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """The chart's own style for its main artist, overridden by the caller's."""
    return {**defaults, **given}


def lateness_histogram(late: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None,
                       cap_min: float = 30, **kwargs: Any) -> Axes:
    """Histogram of how late users first join each instance (``analytics.lateness``),
    in minutes; joins later than ``cap_min`` are counted in the last bar."""
    ax = _axes(ax)
    minutes = late["lateness_min"].clip(upper=cap_min)
    ax.hist(minutes, bins=np.arange(0, cap_min + 1, 1).tolist(),
            **_style({"color": COLORS["main"], "edgecolor": "white", "label": f"first joins (n={len(late)})"},
                     kwargs))
    if len(late):
        median = float(late["lateness_min"].median())
        ax.axvline(median, color=COLORS["bad"], linestyle="--", label=f"median {median:.1f} min")
    ax.set_title(title or "How late do people join?")
    ax.set_xlabel(f"minutes after the instance started (last bar: {cap_min:g}+)")
    ax.set_ylabel("first joins (user × instance)")
    ax.legend()
    return ax


def lateness_by_group(late: pd.DataFrame, by: str, *, ax: Axes | None = None, title: str | None = None,
                      **kwargs: Any) -> Axes:
    """Share of first joins in each lateness bucket, one group of bars per value of
    the column ``by`` (e.g. a meeting kind)."""
    ax = _axes(ax)
    table = pd.crosstab(late[by], late["bucket"], normalize="index").reindex(columns=LATENESS_BUCKETS,
                                                                            fill_value=0)
    width = 0.8 / max(len(table.columns), 1)
    x = np.arange(len(table.index))
    for i, bucket in enumerate(table.columns):
        ax.bar(x + i * width - 0.4 + width / 2, table[bucket], width,
               **_style({"label": bucket, "color": BUCKET_COLORS[i % len(BUCKET_COLORS)]}, kwargs))
    ax.set_xticks(x, [str(v) for v in table.index])
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title(title or f"Lateness of first joins by {by}")
    ax.set_xlabel(by)
    ax.set_ylabel("share of first joins (%)")
    ax.legend(title="first join", **OUTSIDE)
    return ax


def session_durations(sessions: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None,
                      cap_min: float = 120, **kwargs: Any) -> Axes:
    """Stacked histogram of session lengths in minutes, split by how each session
    ended (left, timed out, still present)."""
    ax = _axes(ax)
    minutes = (sessions["duration"] / pd.Timedelta(minutes=1)).clip(upper=cap_min)
    groups = [minutes[sessions["end_type"] == kind] for kind in END_TYPES]
    ax.hist(groups, bins=np.linspace(0, cap_min, 41).tolist(), stacked=True,
            **_style({"color": [END_COLORS[k] for k in END_TYPES], "edgecolor": "white", "linewidth": 0.3,
                      "label": [f"{k} ({len(g)})" for k, g in zip(END_TYPES, groups)]}, kwargs))
    ax.set_title(title or "How long sessions last, and how they end")
    ax.set_xlabel(f"minutes from join to leave or timeout (last bin: {cap_min:g}+)")
    ax.set_ylabel("sessions")
    ax.legend(title="ended by")
    return ax


def join_timeline(sessions: pd.DataFrame, meeting_id: int, order_id: int, *, instances: pd.DataFrame,
                  users: pd.DataFrame | None = None, title: str | None = None, ax: Axes | None = None,
                  **kwargs: Any) -> Axes:
    """One instance, one row per user: a bar for each session from join to leave or
    timeout (a gap and a second bar is a rejoin), with the instance's start and end."""
    part = sessions[(sessions["meeting_id"] == meeting_id) & (sessions["order_id"] == order_id)]
    people = part.groupby("user_id")["joined_at"].min().sort_values(kind="stable").index.tolist()
    ax = _axes(ax, (9, max(3.0, 0.32 * len(people) + 1.6)))
    names = users.set_index("user_id")["name"] if users is not None else None
    row = {uid: i for i, uid in enumerate(people)}
    bar = _style({"linewidth": 6, "solid_capstyle": "butt"}, kwargs)
    for s in part.itertuples(index=False):
        end = s.joined_at + s.duration
        ax.plot([s.joined_at, end], [row[s.user_id]] * 2, **_style({"color": END_COLORS[s.end_type]}, bar))
        ax.plot([end], [row[s.user_id]], marker=END_MARKERS[s.end_type], color="black", markersize=8)
    span = instances[(instances["meeting_id"] == meeting_id) & (instances["order_id"] == order_id)].iloc[0]
    ax.axvline(span["from_dt"], color=COLORS["muted"], linestyle="--")
    ax.axvline(span["to_dt"], color=COLORS["muted"], linestyle=":")
    ax.set_yticks(range(len(people)), [str(names.get(u, u)) if names is not None else str(u) for u in people])
    ax.invert_yaxis()
    for kind in END_TYPES:
        ax.plot([], [], color=END_COLORS[kind], linewidth=6, marker=END_MARKERS[kind],
                markeredgecolor="black", label=f"session: {END_WORDS[kind]}")
    ax.plot([], [], color=COLORS["muted"], linestyle="--", label="instance start")
    ax.plot([], [], color=COLORS["muted"], linestyle=":", label="instance end")
    ax.legend(fontsize="small", **OUTSIDE)
    ax.set_title(title or f"Sessions in meeting {meeting_id}, instance {order_id}")
    ax.set_xlabel(f"time on {span['from_dt']:%Y-%m-%d} (UTC, HH:MM)")
    ax.set_ylabel("participant")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz="UTC"))
    return ax


def concurrency_chart(conc: pd.DataFrame, meeting_ids: Sequence[int], *,
                      titles: Mapping[int, str] | None = None, columns: int = 2,
                      title: str | None = None) -> Figure:
    """Participants present per minute of the session, one panel per meeting (its
    title says how many instances): a thin line per instance and the mean over
    instances in bold; a meeting with a single instance shows that instance alone,
    in bold. One legend for all panels, below them."""
    rows = -(-len(meeting_ids) // columns)
    fig = Figure(figsize=(5 * columns, 3.2 * rows + 0.4), dpi=DPI, layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, columns, squeeze=False).ravel())
    one: dict[str, Any] = {"color": COLORS["main"], "alpha": 0.25, "linewidth": 1}
    only: dict[str, Any] = {"color": COLORS["main"], "linewidth": 2}
    mean: dict[str, Any] = {"color": COLORS["bad"], "linewidth": 2.5}
    shown = set()
    for ax, mid in zip(axes, meeting_ids):
        part = conc[conc["meeting_id"] == mid]
        table = part.pivot(index="minute_of_session", columns="order_id", values="present").astype("float64")
        if len(table.columns) == 1:
            ax.step(table.index, table.iloc[:, 0], where="post", **only)
            shown.add("only")
        else:
            for order in table.columns:
                ax.step(table.index, table[order], where="post", **one)
            ax.plot(table.index, table.mean(axis=1), label="mean over instances", **mean)
            shown.add("many")
        count = len(table.columns)
        ax.set_title(f"{_label(titles, mid)}, {count} instance{'s' if count != 1 else ''}")
        ax.set_xlabel("minutes since the start")
        ax.set_ylabel("participants present")
        ax.set_ylim(0, max(1.0, float(np.nanmax(table.to_numpy(), initial=0))) * 1.1)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    for ax in axes[len(meeting_ids):]:
        ax.set_visible(False)
    handles = []
    if "many" in shown:
        handles += [Line2D([], [], label="one instance", **one), Line2D([], [], label="mean over instances", **mean)]
    if "only" in shown:
        handles.append(Line2D([], [], label="a meeting's only instance", **only))
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize="small")
    fig.suptitle(title or "Participants present over a session (peak per minute)")
    return fig


def attendance_chart(att: pd.DataFrame, meeting_id: int, *, title: str | None = None) -> Figure:
    """Per instance of one meeting, two panels on one time axis: people (unique
    attendees as bars, the peak present at once as a line) above, and the median
    minutes an attendee stayed below."""
    part = att[att["meeting_id"] == meeting_id]
    labels = part["from_dt"].dt.strftime("%b %d").tolist()
    x = np.arange(len(part))
    fig = Figure(figsize=(9, 6), dpi=DPI, layout="constrained")
    people, minutes = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    people.bar(x, part["unique_users"].astype("float64"), color=COLORS["main"], label="unique attendees")
    people.plot(x, part["peak_concurrency"].astype("float64"), color=COLORS["second"], marker="o",
                label="peak present at once")
    people.set_ylabel("people")
    people.set_ylim(0, max(1.0, float(part["unique_users"].max() if len(part) else 0)) * 1.15)
    people.yaxis.set_major_locator(MaxNLocator(integer=True))
    people.legend(fontsize="small", **OUTSIDE)
    people.set_title("People per instance")
    minutes.plot(x, part["median_minutes"], color=COLORS["good"], marker="s",
                 label="median minutes per attendee")
    minutes.set_ylim(0, max(1.0, float(part["median_minutes"].max() if len(part) else 0)) * 1.15)
    minutes.set_ylabel("minutes in the meeting")
    minutes.set_title("Time each attendee spent (median, all their sessions)")
    minutes.legend(fontsize="small", **OUTSIDE)
    minutes.set_xticks(x, labels, rotation=60, ha="right")
    minutes.set_xlabel("instance (start date, UTC)")
    people.set_xlabel("")
    fig.suptitle(title or f"Attendance per instance, meeting {meeting_id}")
    return fig


def _day_ticks(n: int, peak: int, most: int = 14) -> list[int]:
    """At most about ``most`` evenly spaced tick positions out of ``n``, always
    including ``peak`` (and dropping its too-close neighbours)."""
    step = max(1, -(-n // most))
    ticks = {i for i in range(0, n, step) if abs(i - peak) * 2 >= step}
    return sorted(ticks | {peak})


def messages_over_time(counts: pd.DataFrame, *, labels: Mapping[Any, str] | None = None,
                       period: str = "day", ax: Axes | None = None, title: str | None = None,
                       **kwargs: Any) -> Axes:
    """Stacked bars of message counts per period (``analytics.message_counts``
    with ``by=``): one colour per column; the busiest period is labelled."""
    ax = _axes(ax, (10, 4.5))
    bottom = np.zeros(len(counts))
    x = np.arange(len(counts))
    for i, column in enumerate(counts.columns):
        values = counts[column].to_numpy(dtype="float64")
        ax.bar(x, values, bottom=bottom,
               **_style({"color": f"C{i % 10}", "label": _label(labels, column), "width": 0.85}, kwargs))
        bottom += values
    if len(x):
        peak = int(np.argmax(bottom))
        ax.set_xticks(_day_ticks(len(x), peak), counts.index[_day_ticks(len(x), peak)].strftime("%a %b %d"),
                      rotation=60, ha="right")
        ax.annotate(f"{bottom[peak]:g}", (peak, bottom[peak]), xytext=(0, 3), textcoords="offset points",
                    ha="center", fontsize="small")
        ax.set_ylim(0, bottom.max() * 1.12 or 1)
    ax.set_title(title or f"Chat messages per {period}")
    ax.set_xlabel(f"{period} (UTC)")
    ax.set_ylabel(f"messages per {period}")
    ax.legend(fontsize="small", title=counts.columns.name, **OUTSIDE)
    return ax


def top_posters_chart(top: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None,
                      **kwargs: Any) -> Axes:
    """Horizontal bars of the top posters (``analytics.top_posters``), with each
    one's share of all messages."""
    ax = _axes(ax, (8, 0.4 * len(top) + 1.5))
    names = top["name"] if "name" in top.columns else top["user_id"].astype(str)
    y = np.arange(len(top))
    bars = ax.barh(y, top["messages"].astype("float64"),
                   **_style({"color": COLORS["main"], "label": "messages posted"}, kwargs))
    for bar, share in zip(bars, top["share"]):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {share:.1%}", va="center",
                fontsize="small")
    ax.set_xlim(0, float(top["messages"].max() if len(top) else 1) * 1.15)
    ax.set_yticks(y, [str(n) for n in names])
    ax.invert_yaxis()
    ax.set_title(title or "Top posters (label: share of all messages)")
    ax.set_xlabel("messages")
    ax.set_ylabel("user")
    ax.legend(loc="lower right")
    return ax


def heatmap_chart(table: pd.DataFrame, *, what: str = "messages", ax: Axes | None = None,
                  title: str | None = None, **kwargs: Any) -> Axes:
    """A weekday × hour heatmap (``analytics.activity_heatmap``) on a log colour
    scale, so that small counts stand apart from none: empty cells are light grey."""
    ax = _axes(ax, (11, 3.8))
    values = table.to_numpy()
    top = max(float(values.max(initial=0)), 2.0)
    cmap = colormaps[kwargs.pop("cmap", "viridis")].with_extremes(bad=COLORS["empty"])
    image = ax.imshow(np.ma.masked_less_equal(values, 0), **_style(
        {"aspect": "auto", "interpolation": "nearest", "cmap": cmap, "norm": LogNorm(vmin=1, vmax=top)}, kwargs))
    ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)])
    ax.set_yticks(range(len(table.index)), [str(d) for d in table.index])
    ax.set_title(title or f"When activity happens: {what} by weekday and hour (grey: none)")
    ax.set_xlabel("hour of day (UTC)")
    ax.set_ylabel("weekday")
    _figure(ax).colorbar(image, ax=ax, label=f"{what} (count, log scale)")
    return ax


def time_to_first_message_chart(delays: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None,
                                cap_min: float = 30, **kwargs: Any) -> Axes:
    """Cumulative share of attendances whose first message came within x minutes of
    joining (``analytics.time_to_first_message``); the rest never posted."""
    ax = _axes(ax)
    total = len(delays)
    posted = np.sort(delays.loc[delays["posted"], "delay_min"].to_numpy(dtype="float64"))
    if total:
        share = np.arange(1, len(posted) + 1) / total
        ax.step(np.concatenate([[0], posted]), np.concatenate([[0], share]), where="post",
                **_style({"color": COLORS["main"], "label": f"posted ({len(posted)} of {total} attendances)"},
                         kwargs))
        ax.axhline(len(posted) / total, color=COLORS["muted"], linestyle=":",
                   label=f"posted at all: {len(posted) / total:.0%} (never: {1 - len(posted) / total:.0%})")
    ax.set_xlim(0, cap_min)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title(title or "Time from joining to the first message")
    ax.set_xlabel("minutes after the user's first join of the instance")
    ax.set_ylabel("attendances with a first message (%)")
    ax.legend(loc="lower right")
    return ax


def session_profile_chart(profile: pd.DataFrame, *, labels: Mapping[Any, str] | None = None,
                          ax: Axes | None = None, title: str | None = None, **kwargs: Any) -> Axes:
    """Mean messages per minute against minutes since the start
    (``analytics.messages_by_session_minute``), one line per group."""
    ax = _axes(ax)
    for i, column in enumerate(profile.columns):
        ax.plot(profile.index, profile[column],
                **_style({"color": f"C{i % 10}", "linewidth": 2, "label": _label(labels, column)}, kwargs))
    ax.set_title(title or "Chat rate over the course of a session")
    ax.set_xlabel("minutes since the start")
    ax.set_ylabel("messages per minute (mean over instances)")
    ax.set_ylim(bottom=0)
    ax.legend(title=profile.columns.name)
    return ax


def talk_vs_presence(rates: pd.DataFrame, *, users: pd.DataFrame | None = None, label_top: int = 5,
                     ax: Axes | None = None, title: str | None = None, **kwargs: Any) -> Axes:
    """Who talks while present: minutes present against messages posted, one dot per
    user (``analytics.messages_per_participant_minute``), coloured by that user's
    rate; the ``label_top`` highest rates among users present at least the median
    time are numbered, and named in the legend."""
    ax = _axes(ax)
    known = rates[rates["minutes_present"] > 0]
    alpha = float(np.clip(15 / max(len(known), 1) ** 0.5, 0.2, 0.8))  # overlaps show as darker
    points = ax.scatter(known["minutes_present"], known["messages"].astype("float64"),
                        **_style({"c": known["messages_per_minute"], "cmap": "plasma", "s": 24, "alpha": alpha,
                                  "edgecolors": "none"}, kwargs))
    ax.scatter([], [], s=24, color=COLORS["muted"], label="one user (colour: their rate)")
    if len(known):
        x = np.linspace(0, float(known["minutes_present"].max()), 50)
        overall = float(known["messages"].sum()) / float(known["minutes_present"].sum())
        ax.plot(x, overall * x, color=COLORS["muted"], linestyle="--", label=f"overall rate {overall:.3f} msg/min")
    ax.set_ylim(0, float(known["messages"].max() if len(known) else 1) * 1.08 or 1)
    ax.set_xlim(left=0)
    names = users.set_index("user_id")["name"] if users is not None else None
    # Rates of users who were barely present are noise (and pile up at the origin).
    steady = known[known["minutes_present"] >= known["minutes_present"].median()]
    for i, r in enumerate(steady.head(label_top).itertuples(index=False)):
        name = str(names.get(r.user_id, r.user_id)) if names is not None else str(r.user_id)
        ax.annotate(str(i + 1), (r.minutes_present, float(r.messages)), xytext=(3, 3), textcoords="offset points",
                    fontsize="small", weight="bold", annotation_clip=False)
        ax.plot([], [], linestyle="none", label=f"{i + 1}: {name}, {r.messages_per_minute:.2f}/min")
    _figure(ax).colorbar(points, ax=ax, label="messages per minute present")
    ax.set_title(title or "Who talks while present")
    ax.set_xlabel("minutes present (all sessions)")
    ax.set_ylabel("messages posted")
    ax.legend(loc="best", fontsize="small",
              title="highest rates, of users present\nat least the median time" if label_top else None)
    return ax


# -- the attendance register (confkit.register) ----------------------------------------
# Single-Axes charts: they take ax=None, title=None and **kwargs for the main drawing
# call, and return the Axes they drew.
STATUS_COLORS = {"present": COLORS["good"], "late": COLORS["warn"], "partial": COLORS["second"],
                 "absent": COLORS["bad"]}
REGISTER_ROWS = 50  # people shown at most; beyond, those with the lowest attendance


def _people_labels(people: pd.DataFrame) -> list[str]:
    """Names, with the user id where two people share a name, and `` *`` after those
    not on the roster when there is one."""
    names = people["name"].fillna(people["email"]).fillna("?").astype(str)
    twice = names.duplicated(keep=False)
    listed = people["on_roster"].fillna(False).astype(bool)
    mark = listed.any() and not listed.all()
    return [(f"{n} ({u})" if t else n) + (" *" if mark and not r else "")
            for n, u, t, r in zip(names, people["user_id"].astype("string").fillna("-"), twice, listed)]


def _instance_ticks(ax: Axes, register: pd.DataFrame, axis: str = "x") -> list[int]:
    """Label one axis with the instances (start date and time, UTC), thinned when many."""
    spans = register.drop_duplicates("order_id").sort_values("order_id")
    orders = spans["order_id"].astype(int).tolist()
    labels = [f"{s:%b %d}\n{s:%H:%M}" for s in spans["instance_start"]]
    step = max(1, -(-len(orders) // 16))
    positions = list(range(len(orders)))[::step]
    setter = ax.set_xticks if axis == "x" else ax.set_yticks
    setter(positions, [labels[p] for p in positions], fontsize="small")
    return orders


def _worst_people(people: pd.DataFrame, max_people: int) -> pd.DataFrame:
    """The ``max_people`` with the lowest attendance rate (then most absences, name)."""
    ranked = people.assign(_row=np.arange(len(people))).sort_values(
        ["attendance_rate", "absent", "name", "_row"], ascending=[True, False, True, True], kind="stable")
    return ranked.head(max_people).sort_values("_row")


def register_chart(register: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None,
                   max_people: int = REGISTER_ROWS, min_rate: float = 0.8, **kwargs: Any) -> Axes:
    """The register as a grid, one row per person and one column per instance,
    coloured by status. Up to ``max_people`` rows in the register's order; beyond,
    the people with the lowest attendance rate, worst first, and the title says so."""
    people = person_summary(register, min_rate=min_rate)
    cut = len(people) > max_people
    shown = _worst_people(people, max_people) if cut else people
    if cut:
        shown = shown.sort_values(["attendance_rate", "absent"], ascending=[True, False], kind="stable")
    ax = _axes(ax, (9, min(0.2 * len(shown) + 2.2, 14)))
    orders = sorted(register["order_id"].astype(int).unique())
    codes = register.assign(code=register["status"].cat.codes).pivot_table(
        index="user_id", columns="order_id", values="code", aggfunc="first", sort=False)
    table = codes.reindex(index=shown["user_id"], columns=orders).to_numpy(dtype="float64")
    cmap = ListedColormap([STATUS_COLORS[s] for s in STATUSES])
    ax.imshow(table, **_style({"aspect": "auto", "interpolation": "nearest", "cmap": cmap, "vmin": -0.5,
                               "vmax": len(STATUSES) - 0.5}, kwargs))
    _instance_ticks(ax, register)
    ax.set_yticks(range(len(shown)), _people_labels(shown), fontsize="small" if len(shown) <= 30 else "x-small")
    ax.set_xticks(np.arange(len(orders) + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(len(shown) + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=0.8)
    ax.tick_params(which="minor", length=0)
    counts = register["status"].value_counts()
    handles = [Patch(color=STATUS_COLORS[s], label=f"{s} ({counts.get(s, 0)})") for s in STATUSES]
    if any(label.endswith(" *") for label in _people_labels(shown)):
        handles.append(Patch(color="none", label="* not on the roster"))
    ax.legend(handles=handles, title="status (all people)", **OUTSIDE,
              fontsize="small")
    what = register.attrs.get("title") or f"meeting {register['meeting_id'].iloc[0]}" if len(register) else ""
    if title is None:
        title = f"Attendance register: {what}"
        if cut:
            below = int(people["below_threshold"].sum())
            title += (f"\nthe {len(shown)} of {len(people)} people with the lowest attendance, worst first"
                      f" ({below} below {min_rate:.0%})")
    ax.set_title(title)
    ax.set_xlabel("instance (start, UTC)")
    ax.set_ylabel("person")
    return ax


def attendance_rate_chart(people: pd.DataFrame, *, threshold: float = 0.8, ax: Axes | None = None,
                          title: str | None = None, max_people: int = REGISTER_ROWS, **kwargs: Any) -> Axes:
    """Each person's attendance rate (``register.person_summary``) as a bar, lowest
    at the top, against the ``threshold`` (bars below it in red). Beyond
    ``max_people``, only the lowest rates, and the title says so."""
    shown = _worst_people(people, max_people).sort_values("attendance_rate", kind="stable")
    below = int((people["attendance_rate"] < threshold).sum())
    ax = _axes(ax, (8, min(0.2 * len(shown) + 2.2, 14)))
    rates = shown["attendance_rate"].to_numpy(dtype="float64")
    colors = np.where(rates < threshold, STATUS_COLORS["absent"], COLORS["main"])
    y = np.arange(len(shown))
    ax.barh(y, rates, **_style({"color": colors}, kwargs))
    line = ax.axvline(threshold, color="black", linestyle="--", label=f"threshold {threshold:.0%}")
    handles = [line, Patch(color=STATUS_COLORS["absent"], label=f"below the threshold ({below} of {len(people)})"),
               Patch(color=COLORS["main"], label="at or above it")]
    ax.set_yticks(y, _people_labels(shown), fontsize="small" if len(shown) <= 30 else "x-small")
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    if title is None:
        title = "Attendance rate per person"
        if len(shown) < len(people):
            title += f"\nthe {len(shown)} lowest of {len(people)} people"
    ax.set_title(title)
    ax.set_xlabel("instances attended enough (present or late), % of all instances")
    ax.set_ylabel("person")
    ax.legend(handles=handles, **OUTSIDE, fontsize="small")
    return ax


def minutes_per_instance_chart(register: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None,
                               **kwargs: Any) -> Axes:
    """How long those who came stayed: a box of minutes attended per instance, with
    the instance's length and the minutes needed to count as present."""
    ax = _axes(ax, (10, 4.5))
    spans = register.drop_duplicates("order_id").sort_values("order_id")
    came = register[register["status"] != "absent"]
    data = [came.loc[came["order_id"] == o, "minutes_attended"].to_numpy(dtype="float64") for o in spans["order_id"]]
    x = np.arange(len(spans))
    ax.boxplot(data, **_style({"positions": x, "widths": 0.6, "patch_artist": True, "manage_ticks": False,
                               "boxprops": {"facecolor": COLORS["main"], "alpha": 0.45},
                               "medianprops": {"color": COLORS["main"]}}, kwargs))
    length = ((spans["instance_end"] - spans["instance_start"]) / pd.Timedelta(minutes=1)).to_numpy(dtype="float64")
    share = float(register.attrs.get("present_at", 0.75))
    ax.plot(x, length, linestyle="none", marker="_", markersize=18, color="black", label="instance length")
    ax.plot(x, share * length, linestyle="none", marker="_", markersize=18, color=STATUS_COLORS["absent"],
            label=f"needed to count as present ({share:.0%})")
    ax.plot([], [], color=COLORS["main"], linewidth=6, alpha=0.5, label=f"minutes of those who came (n={len(came)})")
    _instance_ticks(ax, register)
    ax.set_ylim(bottom=0)
    ax.set_title(title or "Minutes attended per instance")
    ax.set_xlabel("instance (start, UTC)")
    ax.set_ylabel("minutes attended (union of sessions)")
    ax.legend(**OUTSIDE, fontsize="small")
    return ax


def lateness_over_instances_chart(register: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None,
                                  cap_min: float = 30, **kwargs: Any) -> Axes:
    """How late people first joined, instance by instance: one dot per person who
    came (minutes after the start, capped at ``cap_min``), the median, and the
    ``late_after`` line beyond which a join counts as late."""
    ax = _axes(ax, (10, 4.5))
    came = register[register["status"] != "absent"]
    orders = _instance_ticks(ax, register)
    where = {o: i for i, o in enumerate(orders)}
    minutes = ((came["first_join"] - came["instance_start"]) / pd.Timedelta(minutes=1)).clip(upper=cap_min)
    x = came["order_id"].astype(int).map(where).to_numpy(dtype="float64")
    rank = came.groupby("order_id").cumcount().to_numpy()
    spread = ((rank * 0.618) % 1 - 0.5) * 0.5  # a fixed spread, so dots on one minute stay visible
    ax.scatter(x + spread, minutes, **_style({"s": 14, "alpha": 0.6, "color": COLORS["main"],
                                              "label": f"first join of one person (n={len(came)})"}, kwargs))
    median = minutes.groupby(came["order_id"].astype(int)).median().reindex(orders)
    ax.plot(range(len(orders)), median.to_numpy(dtype="float64"), color=COLORS["bad"], marker="o", label="median")
    late = register.attrs.get("late_after", pd.Timedelta(minutes=5)) / pd.Timedelta(minutes=1)
    ax.axhline(late, color=STATUS_COLORS["absent"], linestyle="--", label=f"late after {late:g} min")
    ax.set_ylim(-0.5, cap_min + 1)
    ax.set_title(title or "How late people join, instance by instance")
    ax.set_xlabel("instance (start, UTC)")
    ax.set_ylabel(f"minutes after the start (top: {cap_min:g}+)")
    ax.legend(**OUTSIDE, fontsize="small")
    return ax
