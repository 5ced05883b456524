"""Run the confkit benchmark: ``python -m bench.run [--quick] [--cluster]``.

For each data size N it starts a fresh embedded server (temporary directory, unix
socket, AOF everysec, as confkit runs by default), loads N background events and N
messages with the bulk loader and lets the AOF rewrite finish. With every size up,
it times the round-trip floor and every operation in rounds alternating between the
sizes, reads SLOWLOG, and builds the analytics frames in subprocesses. The same is
done over TCP loopback (the same binary on 127.0.0.1, no ACL) and, with
``--cluster`` (as ``make bench`` runs it), on a local 3-primary Redis Cluster. Then it
measures throughput with 1, 2 and 4 client processes against one server and the
cluster. Results go to bench/results/ (Markdown, JSON, PNG; ``--quick``:
bench/results/quick/, not committed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import redis

from confkit import ConferenceApp, ManualClock
from confkit.bulk import load_activity, load_catalog
from confkit.runner import names_by_sha
from confkit.server import EmbeddedServer
from confkit.testing import LocalCluster

from . import dataset as ds
from . import report, throughput
from .admin import Admin
from .loopback import LoopbackServer
from .operations import CALLS, Runner
from .timing import Stats, alone

RESULTS = Path(__file__).resolve().parent / "results"
FULL_SIZES = (1_000, 10_000, 100_000, 1_000_000)
QUICK_SIZES = (1_000, 10_000)
MEETINGS_PER_LOAD = 100   # background meetings generated and loaded per bulk-loader call
FLOOR_CALLS = 3000
ROUNDS = 8  # the timings alternate between the data sizes this many times
THROUGHPUT_EVENTS = 10_000
PROCESS_COUNTS = (1, 2, 4)
THROUGHPUT_REPEATS = 3
FRAMES = ("events_frame", "sessions_frame", "messages_frame")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _admin_client(server: EmbeddedServer) -> redis.Redis:
    """A client allowed CONFIG, SLOWLOG and INFO: the server's admin login where the
    embedded server has ACL users (EmbeddedServer.admin_client), else a plain one."""
    admin_client = getattr(server, "admin_client", None)
    if admin_client is not None:
        return admin_client(decode_responses=True)
    return redis.Redis(unix_socket_path=str(server.socket_path), decode_responses=True)


@contextmanager
def backend(kind: str, home: Path):
    """A running server of ``kind``: "single" (the embedded server, unix socket, ACL),
    "tcp" (the same binary on TCP loopback, no ACL) or "cluster": (url, cluster flag, node clients)."""
    if kind in ("single", "tcp"):
        server: EmbeddedServer | LoopbackServer
        if kind == "single":
            server = EmbeddedServer(home)
            server.start()
            client = _admin_client(server)
        else:
            server = LoopbackServer(home).start()
            client = server.client(decode_responses=True)
        try:
            yield server.url, False, [client]
        finally:
            client.close()
            server.stop()
    else:
        cluster = LocalCluster(home, masters=3, appendonly=True).start()
        clients = [node.client() for node in cluster.nodes]
        try:
            yield cluster.url, True, clients
        finally:
            cluster.stop()


def load(app: ConferenceApp, shape: ds.Shape, *, throughput: bool = False) -> dict:
    """Background data of ``shape`` plus the live set; times the bulk loader only."""
    start = time.perf_counter()
    load_catalog(app, ds.users(shape), ds.meetings(shape), ds.instances(shape))
    catalog_s = time.perf_counter() - start
    generate_s = activity_s = 0.0
    events = messages = 0
    for first in range(1, shape.meetings + 1, MEETINGS_PER_LOAD):
        start = time.perf_counter()
        records = ds.activity(shape, first, min(first + MEETINGS_PER_LOAD - 1, shape.meetings))
        generate_s += time.perf_counter() - start
        start = time.perf_counter()
        loaded = load_activity(app, records, progress=False)
        activity_s += time.perf_counter() - start
        events += loaded.events
        messages += loaded.messages
    load_catalog(app, ds.live_users(), ds.live_meetings(throughput), ds.live_instances(throughput))
    load_activity(app, ds.live_activity(), progress=False)
    return {"events": events, "messages": messages, "users": shape.users, "meetings": shape.meetings,
            "instances": shape.instances, "catalog_s": catalog_s, "generate_s": generate_s,
            "activity_s": activity_s, "records_per_s": (events + messages) / activity_s,
            "events_per_s": events / activity_s}


@dataclass
class Session:
    """One data size on its own fresh server, loaded and ready to be timed."""

    n: int
    url: str
    cluster: bool
    app: ConferenceApp
    clock: ManualClock
    admin: Admin
    loaded: dict
    ping: list[float] = field(default_factory=list)
    evalsha: list[float] = field(default_factory=list)
    evalsha_usec: float = 0.0  # server time of all floor EVALSHAs
    evalsha_cpu: list[float] = field(default_factory=list)  # client CPU time of each floor EVALSHA
    runner: Runner | None = None
    preempted: int | None = None

    def floor(self, calls: int) -> None:
        """A bare PING and an EVALSHA of ``return 1`` on the app's connection pool."""
        client = self.app.stores.script_client
        trivial = client.register_script("return 1")
        trivial()
        self.ping += alone(client.ping, calls)
        self.admin.take()
        self.evalsha += alone(trivial, calls, self.evalsha_cpu)
        self.evalsha_usec += self.admin.take()[0]

    @property
    def floor_server_us(self) -> float:
        return self.evalsha_usec / len(self.evalsha)

    def floor_summary(self) -> dict:
        return {"ping": Stats.of(self.ping).as_dict(), "evalsha": Stats.of(self.evalsha).as_dict(),
                "evalsha_server_us": self.floor_server_us,
                "evalsha_client_us": statistics.median(self.evalsha_cpu) * 1e6}


def build_frames(url: str, cluster: bool, now: datetime) -> dict:
    out = {}
    for frame in FRAMES:
        command = [sys.executable, "-m", "bench.analytics_probe", url, frame, "--now", now.isoformat()]
        command += ["--cluster"] if cluster else []
        done = subprocess.run(command, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
        if done.returncode != 0:
            out[frame] = {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
        else:
            out[frame] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def open_session(stack: ExitStack, kind: str, events: int) -> Session:
    shape = ds.Shape.for_events(events)
    home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="confkit-bench-")))
    url, cluster, clients = stack.enter_context(backend(kind, home))
    clock = ManualClock(ds.NOW)
    app = ConferenceApp(url, clock=clock, cluster=cluster)
    stack.callback(app.close)
    admin = Admin(clients, names_by_sha())
    log(f"{kind} N={events:,}: loading {shape.events:,} events, {shape.messages:,} messages, "
        f"{shape.users:,} users, {shape.meetings:,} meetings")
    loaded = load(app, shape)
    log(f"  loaded at {loaded['records_per_s']:,.0f} records/s; letting the AOF rewrite finish")
    admin.settle()
    admin.configure()
    return Session(events, url, cluster, app, clock, admin, loaded)


def _order(sessions: list[Session], turn: int) -> list[Session]:
    """Smallest N first on even turns, largest first on odd ones: no size always goes first."""
    return sessions if turn % 2 == 0 else sessions[::-1]


def run_backend(kind: str, sizes: tuple[int, ...], scale: float, with_analytics: bool) -> list[dict]:
    """Every size on its own server, all up at once; the timings alternate between the
    sizes in ROUNDS rounds, so a busy moment of the machine touches every size alike."""
    with ExitStack() as stack:
        sessions = [open_session(stack, kind, events) for events in sizes]
        floor_calls = max(ROUNDS * 50, int(FLOOR_CALLS * scale)) // ROUNDS
        for turn in range(ROUNDS):
            for session in _order(sessions, turn):
                session.floor(floor_calls)
        for session in sessions:
            session.runner = Runner(session.app, session.clock, session.admin, session.floor_server_us)
            session.preempted = session.admin.preemptions()
        for step in Runner.STEPS:
            log(f"{kind}: timing {step}")
            calls = max(ROUNDS * 5, int(CALLS[step] * scale)) // ROUNDS
            for turn in range(ROUNDS):
                for session in _order(sessions, turn):
                    session.runner.step(step, calls)
        out = []
        for session in sessions:
            runner = session.runner
            slowlog = runner.slowlog_summary()
            after = session.admin.preemptions()
            if session.preempted is not None and after is not None:
                slowlog["server_preempted"] = after - session.preempted
            frames = None
            if with_analytics:
                log(f"{kind} N={session.n:,}: building analytics frames")
                frames = build_frames(session.url, session.cluster, session.clock())
            floor = {**session.floor_summary(), "interleaved": runner.floor_interleaved().as_dict()}
            out.append({"backend": kind, "n": session.n, "shape": session.loaded, "floor": floor,
                        "operations": [r.as_dict() for r in runner.results()], "slowlog": slowlog,
                        "redis_memory_mb": session.admin.used_memory_mb(), "analytics": frames})
        return out


def run_throughput(kind: str, duration: float) -> list[dict]:
    shape = ds.Shape.for_events(THROUGHPUT_EVENTS)
    with tempfile.TemporaryDirectory(prefix="confkit-bench-") as home, \
            backend(kind, Path(home)) as (url, cluster, clients):
        app = ConferenceApp(url, clock=ManualClock(ds.NOW), cluster=cluster)
        load(app, shape, throughput=True)
        Admin(clients).settle()
        app.close()
        runs: dict[int, list[dict]] = {p: [] for p in PROCESS_COUNTS}
        for _ in range(THROUGHPUT_REPEATS):  # interleaved, so a busy moment hits every count alike
            for processes in PROCESS_COUNTS:
                runs[processes].append(throughput.measure(url, cluster, processes, duration))
        rows = []
        for processes, measured in runs.items():
            rates = sorted(m["ops_per_s"] for m in measured)
            log(f"{kind}: {processes} process(es): {statistics.median(rates):,.0f} ops/s "
                f"(runs: {', '.join(f'{r:,.0f}' for r in rates)})")
            rows.append({"backend": kind, "processes": processes, "ops_per_s": statistics.median(rates),
                         "runs_ops_per_s": rates, "seconds": duration})
        return rows


def cpu_times() -> list[int] | None:
    """The machine's CPU time counters (/proc/stat: user nice system idle iowait irq softirq steal)."""
    try:
        return [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    except (OSError, ValueError):
        return None


def machine_load(before: list[int] | None, after: list[int] | None) -> dict:
    """How busy the CPUs were during the run (all processes, ours included), and how much
    time the hypervisor gave to others (steal): the context the numbers were taken in."""
    if not before or not after:
        return {}
    delta = [b - a for a, b in zip(before, after)]
    total = sum(delta) or 1
    return {"cpu_busy_pct": 100 * (total - delta[3] - delta[4]) / total, "cpu_steal_pct": 100 * delta[7] / total,
            "load_average_end": os.getloadavg()[0]}


def environment() -> dict:
    from importlib.metadata import version

    from confkit.server import find_server_binary

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=Path(__file__).resolve().parent).stdout.strip() or None
    except OSError:
        commit = None
    return {"date_utc": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(),
            "machine": platform.machine(), "python": platform.python_version(),
            "redis_server": find_server_binary().version_text, "redis_py": version("redis"),
            "server_binary": Path(find_server_binary().path).name, "server_path": find_server_binary().path,
            "hiredis": version("hiredis"), "commit": commit,
            "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N up to 1e4, fewer calls, short throughput runs")
    parser.add_argument("--cluster", action="store_true", help="also time every operation on the 3-node cluster")
    parser.add_argument("--sizes", type=lambda s: tuple(int(float(x)) for x in s.split(",")),
                        help="comma-separated event counts, e.g. 1e3,1e5")
    parser.add_argument("--no-throughput", action="store_true")
    parser.add_argument("--out", type=Path, help="results directory (default bench/results[/quick])")
    args = parser.parse_args(argv)
    sizes = args.sizes or (QUICK_SIZES if args.quick else FULL_SIZES)
    scale = 0.25 if args.quick else 1.0
    out = args.out or (RESULTS / "quick" if args.quick else RESULTS)
    started = time.perf_counter()
    counters = cpu_times()
    data = {"environment": environment(), "quick": args.quick, "sizes": list(sizes),
            "command": "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:]),
            "latency": [], "throughput": []}
    backends = ["single", "tcp", "cluster"] if args.cluster else ["single", "tcp"]
    for kind in backends:
        data["latency"] += run_backend(kind, sizes, scale, kind == "single")
    if not args.no_throughput:
        for kind in ("single", "cluster"):
            data["throughput"] += run_throughput(kind, 1.0 if args.quick else 3.0)
    data["elapsed_s"] = time.perf_counter() - started
    data["environment"].update(machine_load(counters, cpu_times()))
    paths = report.write(data, out)
    log(f"done in {data['elapsed_s']:.0f} s: " + ", ".join(str(p) for p in paths))


if __name__ == "__main__":
    main()
