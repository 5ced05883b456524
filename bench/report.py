"""Benchmark results as Markdown, JSON and a log-log chart of latency against N."""

from __future__ import annotations

import json
from pathlib import Path

from .operations import OPERATIONS

FLAT = ("join_meeting", "leave_meeting", "post_message", "meeting_participants", "active_meetings")
NEAR_FLOOR = ("join_meeting", "leave_meeting", "post_message")
FLAT_LIMIT = 1.5
ROUND_TRIP_LIMIT = 1.5
JOIN_SERVER_US = 20.0
MESSAGES_LIMIT_MS = 3.0
ACTIVE_ROUND_TRIPS = 3.0
FUTURE_LIMIT = 1.25  # active_meetings with 10,000 instances scheduled later vs without
TRANSPORTS = (("single", "unix socket"), ("tcp", "TCP loopback"))
BACKENDS = (("single", "Single server, unix socket"), ("tcp", "Single server, TCP loopback"),
            ("cluster", "3-node cluster"))
LOAD_RATE = 100_000
SLOW_LIMIT_US = 1000
FRAME_LIMIT_S = 15.0
FRAME_LIMIT_MB = 2048


def write(data: dict, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    data["targets"] = targets(data)
    paths = [out / "results.json", out / "results.md", out / "latency.png"]
    paths[0].write_text(json.dumps(data, indent=2) + "\n")
    paths[1].write_text(markdown(data))
    chart(data, paths[2])
    return paths


def _runs(data: dict, kind: str = "single") -> list[dict]:
    return sorted((r for r in data["latency"] if r["backend"] == kind), key=lambda r: r["n"])


def _op(run: dict, name: str) -> dict:
    return next(o for o in run["operations"] if o["name"] == name)


def _n(n: int) -> str:
    return f"1e{len(str(n)) - 1}" if str(n).strip("0") == "1" else f"{n:,}"


def targets(data: dict) -> list[dict]:
    """Each target of the speed-and-scale issue, what was measured, and whether it is met."""
    runs = _runs(data)
    if not runs:
        return []
    low, high = runs[0], runs[-1]
    rows = []
    for name in FLAT:
        ratio = _op(high, name)["median_ms"] / _op(low, name)["median_ms"]
        normalised = _op(high, name)["round_trips"] / _op(low, name)["round_trips"]
        rows.append({"target": f"{name}: median at N={_n(high['n'])} within {FLAT_LIMIT}x of N={_n(low['n'])}",
                     "measured": f"{ratio:.2f}x (in round trips: {normalised:.2f}x)", "met": ratio <= FLAT_LIMIT})
    rows += _hot_path_targets(data)
    rate = high["shape"]["records_per_s"]
    rows.append({"target": f"bulk load at N={_n(high['n'])}: at least {LOAD_RATE:,} records/s",
                 "measured": f"{rate:,.0f}/s ({high['shape']['events_per_s']:,.0f} events/s counting only events)",
                 "met": rate >= LOAD_RATE})
    top = high["slowlog"]
    worst = top["worst"]
    measured = (f"worst {worst['duration_us']} us ({worst['command']}); {len(top['over_1ms'])} entries over "
                f"1 ms in {top['operations']:,} operations" if worst else "no command over 100 us")
    if top["worst_floor"]:
        measured += f"; the trivial floor script's worst: {top['worst_floor']['duration_us']} us"
    if top.get("server_preempted") is not None:
        measured += f"; redis-server was preempted {top['server_preempted']:,} times meanwhile"
    rows.append({"target": f"no operation holds Redis over {SLOW_LIMIT_US} us at N={_n(high['n'])} (SLOWLOG)",
                 "measured": measured, "met": not worst or worst["duration_us"] <= SLOW_LIMIT_US})
    frames = high.get("analytics")
    for name in ("sessions_frame", "messages_frame"):
        if not frames:
            rows.append({"target": f"{name} over N={_n(high['n'])}: under {FRAME_LIMIT_S:g} s and "
                                   f"{FRAME_LIMIT_MB / 1024:g} GB", "measured": "not measured", "met": None})
            continue
        frame = frames[name]
        if "error" in frame:
            rows.append({"target": f"{name}", "measured": f"error: {frame['error']}", "met": False})
            continue
        rows.append({"target": f"{name} over N={_n(high['n'])}: under {FRAME_LIMIT_S:g} s and "
                               f"{FRAME_LIMIT_MB / 1024:g} GB",
                     "measured": f"{frame['seconds']:.1f} s, peak RSS {frame['peak_rss_mb']:,.0f} MB",
                     "met": frame["seconds"] < FRAME_LIMIT_S and frame["peak_rss_mb"] < FRAME_LIMIT_MB})
    return rows


def _hot_path_targets(data: dict) -> list[dict]:
    """The hot-path targets, over the unix socket and over TCP loopback, at every N."""
    rows = []
    for kind, transport in TRANSPORTS:
        runs = _runs(data, kind)
        if not runs:
            continue
        for name in NEAR_FLOOR:
            worst = max(_op(r, name)["round_trips"] for r in runs)
            rows.append({"target": f"{transport}: {name} at most {ROUND_TRIP_LIMIT:g} round trips (median) at every N",
                         "measured": f"max {worst:.2f} (client {_op(runs[-1], name)['client_us']:.0f} us, server "
                                     f"{_op(runs[-1], name)['server_us']:.0f} us per call at N={_n(runs[-1]['n'])})",
                         "met": worst <= ROUND_TRIP_LIMIT})
        worst_us = max(_op(r, "join_meeting")["server_us"] for r in runs)
        rows.append({"target": f"{transport}: server time per join script at most {JOIN_SERVER_US:g} us at every N",
                     "measured": f"max {worst_us:.1f} us", "met": worst_us <= JOIN_SERVER_US})
        worst_ms = max(_op(r, "meeting_messages")["median_ms"] for r in runs)
        rows.append({"target": f"{transport}: meeting_messages, 1,000 messages, under {MESSAGES_LIMIT_MS:g} ms "
                               "(median) at every N",
                     "measured": f"max {worst_ms:.2f} ms", "met": worst_ms < MESSAGES_LIMIT_MS})
        worst_rt = max(_op(r, "active_meetings")["round_trips"] for r in runs)
        rows.append({"target": f"{transport}: active_meetings, 25 running, at most {ACTIVE_ROUND_TRIPS:g} round "
                               "trips (median) at every N",
                     "measured": f"max {worst_rt:.2f}", "met": worst_rt <= ACTIVE_ROUND_TRIPS})
        ratio = max(_op(r, "active_meetings_future")["median_ms"] / _op(r, "active_meetings")["median_ms"]
                    for r in runs)
        rows.append({"target": f"{transport}: active_meetings with 10,000 instances scheduled later within "
                               f"{FUTURE_LIMIT}x of without, at every N",
                     "measured": f"max {ratio:.2f}x", "met": ratio <= FUTURE_LIMIT})
    return rows


def _latency_tables(runs: list[dict], title: str) -> list[str]:
    sizes = [_n(r["n"]) for r in runs]
    head = "| operation | what each call does | " + " | ".join(f"N={s}" for s in sizes) + " |"
    rule = "|---|---|" + "---:|" * len(runs)
    lines = [f"### {title}: median (p99), milliseconds", "", head, rule]
    for name in OPERATIONS:
        cells = [f"{_op(r, name)['median_ms']:.3f} ({_op(r, name)['p99_ms']:.3f})" for r in runs]
        lines.append(f"| {name} | {_op(runs[0], name)['what']} | " + " | ".join(cells) + " |")
    def cells(kind: str) -> str:
        return " | ".join(f"{r['floor'][kind]['median_ms']:.3f} ({r['floor'][kind]['p99_ms']:.3f})" for r in runs)
    lines.append("| *floor: EVALSHA `return 1`* | one bare round trip, same pool, timed right before each "
                 "operation call | " + cells("interleaved") + " |")
    lines.append("| *floor: EVALSHA `return 1`, alone* | the same, timed in a loop of its own | "
                 + cells("evalsha") + " |")
    lines.append("| *floor: PING, alone* | | " + cells("ping") + " |")
    lines += ["", f"### {title}: round trips (median of the operation / median of the EVALSHA floor timed "
                  "just before each call)", "",
              "| operation | " + " | ".join(f"N={s}" for s in sizes)
              + " | N-max / N-min: median | in round trips |", "|---|" + "---:|" * (len(runs) + 2)]
    for name in OPERATIONS:
        cells = [f"{_op(r, name)['round_trips']:.2f}" for r in runs]
        growth = _op(runs[-1], name)["median_ms"] / _op(runs[0], name)["median_ms"]
        normalised = _op(runs[-1], name)["round_trips"] / _op(runs[0], name)["round_trips"]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {growth:.2f}x | {normalised:.2f}x |")
    lines += ["", f"### {title}: server time per call (INFO commandstats) and the slowest SLOWLOG entry", "",
              "| operation | " + " | ".join(f"N={s}" for s in sizes) + " |", "|---|" + "---:|" * len(runs)]
    for name in OPERATIONS:
        cells = []
        for r in runs:
            op = _op(r, name)
            server = f"{op['server_us']:.1f} us" if op["server_us"] is not None else "—"
            slow = f", slowest {op['slowest']['duration_us']} us" if op["slowest"] else ""
            cells.append(server + slow)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", f"### {title}: client CPU time per call (median, microseconds: Python and its system calls, "
                  "not the wait for the server)", "",
              "| operation | " + " | ".join(f"N={s}" for s in sizes) + " |", "|---|" + "---:|" * len(runs)]
    for name in OPERATIONS:
        lines.append(f"| {name} | " + " | ".join(f"{_op(r, name)['client_us']:.0f}" for r in runs) + " |")
    lines.append("| *floor: EVALSHA `return 1`, alone* | "
                 + " | ".join(f"{r['floor']['evalsha_client_us']:.0f}" for r in runs) + " |")
    lines += ["", "SLOWLOG threshold 100 us: no entry means no command of that operation held the server "
              "for 100 us or more. end_meeting's server time is not shown: each call is preceded by an "
              "untimed add_instance and five joins.", ""]
    return lines


def markdown(data: dict) -> str:
    env = data["environment"]
    lines = ["# confkit benchmark results", "",
             f"`{data['command']}` on {env['date_utc']} UTC (commit {env['commit']}): {env['cpus']} CPUs "
             f"({env['machine']}), Python {env['python']}, {env.get('server_binary', 'redis-server')} "
             f"{env['redis_server']} (the embedded server on its unix socket with ACL, and the same binary on TCP "
             f"loopback without ACL; AOF everysec), redis-py {env['redis_py']} with hiredis {env['hiredis']}; "
             f"load average {env['load_average']:.2f} at the start"
             + (f", {env['load_average_end']:.2f} at the end; the CPUs were {env['cpu_busy_pct']:.0f}% busy "
                f"(all processes) and lost {env['cpu_steal_pct']:.1f}% to steal" if "cpu_busy_pct" in env else "")
             + f". Total run time {data['elapsed_s'] / 60:.1f} min. The machine is shared: other work running "
             "meanwhile slows the round trip and the client's CPU-bound decoding unevenly, so compare sizes "
             "within one run.",
             "", "Each N is a fresh server holding N background events and N messages (N/1000 meetings of 10 past "
             "instances, N/20 users), loaded with the bulk loader, plus the same live set at every N (25 running "
             "meetings, 20 scheduled for tomorrow; for active_meetings_future, 10,000 more instances scheduled "
             "later in 2,000 meetings, added once before it is timed). All sizes are up at once and every "
             "operation is timed in 8 rounds that alternate between them, so a busy moment of the (shared) "
             "machine touches every N alike. Every timed call is a real, successful operation and is checked "
             "after it is timed. The floor is a bare EVALSHA of `return 1` on the same connection pool; for the "
             "round-trip ratios one floor call is timed right before each operation call. Client time is the "
             "calling thread's CPU time (Python and its system calls); server time is INFO commandstats' time "
             "per call, less the floor script's: for join_meeting, leave_meeting, post_message and (on one "
             "server) active_meetings, which send scripts only, the scripts' time alone; for the other "
             "operations every command's time (a command a script calls is counted inside the script's "
             "time and again under its own name, so those figures run high).",
             "", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    for row in data["targets"]:
        met = {True: "yes", False: "**no**", None: "—"}[row["met"]]
        lines.append(f"| {row['target']} | {row['measured']} | {met} |")
    lines.append("")
    for kind, title in BACKENDS:
        runs = _runs(data, kind)
        if runs:
            lines += [f"## Latency: {title}", ""] + _latency_tables(runs, title)
    runs = _runs(data)
    lines += ["## Bulk load", "", "| N | events | messages | users | meetings | catalog s | activity s | "
              "records/s (events + messages) | Redis memory |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        s = r["shape"]
        lines.append(f"| {_n(r['n'])} | {s['events']:,} | {s['messages']:,} | {s['users']:,} | {s['meetings']:,} | "
                     f"{s['catalog_s']:.2f} | {s['activity_s']:.2f} | {s['records_per_s']:,.0f} | "
                     f"{r['redis_memory_mb']:,.0f} MB |")
    lines += ["", "## Analytics frames", ""]
    lines += ["Each frame is built in a fresh process; peak RSS is that process's (Python, pandas and the "
              "frame), with its size before the build in brackets.", "",
              "| N | frame | seconds | rows | peak RSS |", "|---|---|---:|---:|---:|"]
    for r in runs:
        for name, frame in (r["analytics"] or {}).items():
            if "error" in frame:
                lines.append(f"| {_n(r['n'])} | {name} | error: {frame['error']} | | |")
            else:
                lines.append(f"| {_n(r['n'])} | {name} | {frame['seconds']:.2f} | {frame['rows']:,} | "
                             f"{frame['peak_rss_mb']:,.0f} MB ({frame['rss_before_mb']:,.0f} MB) |")
    lines.append("")
    if data["throughput"]:
        lines += ["## Throughput", "", f"Each client process repeats join, post_message, leave_meeting on its own "
                  f"meetings for {data['throughput'][0]['seconds']:g} s (background N=1e4); operations per second "
                  "of all processes together: the median of 3 runs (the runs' range in brackets), taken in turn "
                  "1, 2, 4, 1, 2, 4... Client processes and servers share the same CPUs.", "",
                  "| backend | 1 process | 2 processes | 4 processes |", "|---|---:|---:|---:|"]
        for kind in ("single", "cluster"):
            rows = {r["processes"]: r for r in data["throughput"] if r["backend"] == kind}
            cells = [f"{rows[p]['ops_per_s']:,.0f} ({min(rows[p]['runs_ops_per_s']):,.0f}–"
                     f"{max(rows[p]['runs_ops_per_s']):,.0f})" if p in rows else "—" for p in (1, 2, 4)]
            name = "single server" if kind == "single" else "3-node cluster"
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines) + "\n"


def chart(data: dict, path: Path) -> None:
    """Median latency against N, log-log: one panel per backend, one colour per operation."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [(kind, title) for kind, title in BACKENDS if _runs(data, kind)]
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels) + 3, 5.5), sharey=True, squeeze=False)
    for ax, (kind, title) in zip(axes[0], panels):
        runs = _runs(data, kind)
        sizes = [r["n"] for r in runs]
        for colour, name in zip(plt.get_cmap("tab20").colors[::2] + plt.get_cmap("tab20").colors[1::2],
                                OPERATIONS):
            ax.plot(sizes, [_op(r, name)["median_ms"] for r in runs], "-o", color=colour, label=name)
        ax.plot(sizes, [r["floor"]["interleaved"]["median_ms"] for r in runs], "k--x", label="floor: one EVALSHA")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("stored events N (and as many messages)")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].set_ylabel("median latency, ms")
    axes[0][-1].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1))
    fig.suptitle("confkit: operation latency against data size")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
