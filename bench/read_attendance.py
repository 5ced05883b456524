"""Time ``read_attendance`` on a large Zoom participants report:
``python -m bench.read_attendance [--rows 100000] [--repeat 5]``.

The report is made up here (seeded): one row per segment, a quarter of the names
renamed (``Display (Original)``), zero-padded US dates as Zoom writes them. Prints
the wall and CPU time of each read, the median and the best (the least disturbed by
other load); nothing is asserted or stored.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from confkit import read_attendance

HEADER = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,Recording Consent"


def zoom_report(rows: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    lines = [HEADER]
    for i in range(rows):
        hour, minute, second = rng.randint(1, 11), rng.randint(0, 59), rng.randint(0, 59)
        stamp = f"{hour:02d}:{minute:02d}:{second:02d}"
        name = f"Person {i}" + (f" (Original {i})" if i % 4 == 0 else "")
        lines.append(f"{name},p{i}@example.org,11/19/2021 {stamp} AM,11/19/2021 {stamp} PM,720,No,Y")
    return ("\n".join(lines) + "\n").encode()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    data = zoom_report(args.rows)
    walls, cpus = [], []
    for _ in range(args.repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        report = read_attendance(data, tz="Europe/Paris")
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        print(f"{len(report.segments)} segments from {len(data) / 1e6:.1f} MB: wall {walls[-1]:.2f} s, "
              f"cpu {cpus[-1]:.2f} s")
    print(f"median: wall {statistics.median(walls):.2f} s, cpu {statistics.median(cpus):.2f} s; "
          f"best: wall {min(walls):.2f} s, cpu {min(cpus):.2f} s")


if __name__ == "__main__":
    main()
