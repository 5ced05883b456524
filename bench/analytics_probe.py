"""Build one analytics DataFrame in a fresh process and report its time, size and the
process's peak memory (run by bench.run as ``python -m bench.analytics_probe``)."""

from __future__ import annotations

import argparse
import json
import resource
import time


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("frame", choices=["events_frame", "sessions_frame", "messages_frame"])
    parser.add_argument("--cluster", action="store_true")
    args = parser.parse_args()
    from confkit import ConferenceApp, analytics

    app = ConferenceApp(args.url, cluster=args.cluster)
    before = _peak_rss_mb()
    start = time.perf_counter()
    frame = getattr(analytics, args.frame)(app)
    seconds = time.perf_counter() - start
    print(json.dumps({"frame": args.frame, "seconds": seconds, "rows": int(len(frame)),
                      "peak_rss_mb": _peak_rss_mb(), "rss_before_mb": before}))


if __name__ == "__main__":
    main()
