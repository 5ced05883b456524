"""Import rate: ``python -m bench.import_rate [--segments N] [--messages M] [--cluster]``.

Starts its own server (temporary directory), builds a synthetic export of N join
segments and M chat rows (not timed: reading files is the readers' business), then
times ``import_meeting`` into an empty store, and the bulk loader on the benchmark's
own background data of about the same size, in the same run. Prints rows/s for both,
the commit script's server time and every command that held the server over 1 ms
(SLOWLOG). Not part of ``make test``; nothing asserts a time.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from confkit import ConferenceApp, ManualClock
from confkit.bulk import load_activity, load_catalog
from confkit.synth_exports import synthetic_export

from . import dataset as ds
from .admin import Admin
from .run import backend, log

START = datetime(2029, 12, 3, 10, tzinfo=timezone.utc)
SLOW_US = 1000


def measure(kind: str, segments: int, messages: int, people: int | None) -> dict:
    report, chat = synthetic_export(segments, messages, start=START, people=people)
    with tempfile.TemporaryDirectory(prefix="confkit-bench-import-") as home, \
            backend(kind, Path(home)) as (url, cluster, clients):
        app = ConferenceApp(url, clock=ManualClock(ds.NOW), cluster=cluster)
        admin = Admin(clients)
        admin.configure()
        log(f"{kind}: importing {segments:,} segments and {messages:,} chat rows")
        begin = time.perf_counter()
        result = app.import_meeting(report, chat, progress=False)
        import_s = time.perf_counter() - begin
        stats = [c.info("commandstats") for c in clients]
        mean_us = {}
        for name in ("evalsha", "hset", "zadd", "exec"):
            found = [st[f"cmdstat_{name}"] for st in stats if f"cmdstat_{name}" in st]
            calls_of = sum(int(f["calls"]) for f in found)
            mean_us[name] = round(sum(float(f["usec"]) for f in found) / calls_of, 1) if calls_of else None
        scripts = [st.get("cmdstat_evalsha", {}) for st in stats]
        _, calls, slow = admin.take()
        commit_us = [e.duration_us for e in slow if e.command.startswith("EVALSHA")]

        shape = ds.Shape.for_events(segments)
        log(f"{kind}: bulk-loading {shape.events:,} events and {shape.messages:,} messages for comparison")
        load_catalog(app, ds.users(shape), ds.meetings(shape), ds.instances(shape))
        records = ds.activity(shape, 1, shape.meetings)
        begin = time.perf_counter()
        loaded = load_activity(app, records, progress=False)
        bulk_s = time.perf_counter() - begin
        app.reset()
        app.close()
    rows = segments + messages
    written = result.sessions * 2 + result.messages
    return {
        "backend": kind, "segments": segments, "chat_rows": messages, "people": result.people,
        "sessions": result.sessions, "messages_stored": result.messages, "skipped": result.skipped,
        "import_s": round(import_s, 2), "import_rows_per_s": round(rows / import_s),
        "import_records_written_per_s": round(written / import_s),
        "bulk_records": loaded.events + loaded.messages, "bulk_s": round(bulk_s, 2),
        "bulk_records_per_s": round((loaded.events + loaded.messages) / bulk_s),
        "commands_over_1ms": [e.as_dict() for e in slow if e.duration_us > SLOW_US],
        "slowest_evalsha_us": max(commit_us, default=None),
        "evalsha_calls": sum(int(st.get("calls", 0)) for st in scripts),
        "evalsha_mean_us": round(sum(float(st.get("usec", 0)) for st in scripts)
                                 / max(1, sum(int(st.get("calls", 0)) for st in scripts)), 1),
        "commands": sum(calls.values()),
        "mean_server_us": mean_us,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--people", type=int, default=None, help="default: segments / 10")
    parser.add_argument("--cluster", action="store_true", help="also on a local 3-primary cluster")
    args = parser.parse_args()
    kinds = ["single", "cluster"] if args.cluster else ["single"]
    results = [measure(kind, args.segments, args.messages, args.people) for kind in kinds]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
