"""Build one analytics DataFrame in a fresh process and report its time, size and the
process's peak memory (run by bench.run as ``python -m bench.analytics_probe``).

events_frame and messages_frame read Redis. sessions_frame, when it is derived from
frames (``sessions_frame(events, instances, now)``), is timed from Redis too: reading
events_frame and instances_frame, then building the sessions."""

from __future__ import annotations

import argparse
import inspect
import json
import resource
import time
from datetime import datetime


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def build(analytics, frame: str, app, now: datetime):
    function = getattr(analytics, frame)
    if next(iter(inspect.signature(function).parameters)) == "app":
        return function(app)
    events = analytics.events_frame(app)
    instances = analytics.instances_frame(app, now)
    return function(events, instances, now)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("frame", choices=["events_frame", "sessions_frame", "messages_frame"])
    parser.add_argument("--now", type=datetime.fromisoformat, required=True)
    parser.add_argument("--cluster", action="store_true")
    args = parser.parse_args()
    from confkit import ConferenceApp, ManualClock, analytics

    app = ConferenceApp(args.url, cluster=args.cluster, clock=ManualClock(args.now))
    before = _peak_rss_mb()
    start = time.perf_counter()
    frame = build(analytics, args.frame, app, args.now)
    seconds = time.perf_counter() - start
    print(json.dumps({"frame": args.frame, "seconds": seconds, "rows": int(len(frame)),
                      "peak_rss_mb": _peak_rss_mb(), "rss_before_mb": before}))


if __name__ == "__main__":
    main()
