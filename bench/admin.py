"""Server-side bookkeeping for a benchmark: SLOWLOG and INFO commandstats of every
node (one for a single server, each primary of a cluster), and waiting for the
server to settle after a bulk load."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import redis

SLOWLOG_US = 100  # report every command that held the server at least this long
# Every command is logged (threshold 0), so each script's median time on the server is
# known: a mean (INFO commandstats) also carries the moments the OS preempted the server.
SLOWLOG_LEN = 200_000
ADMIN_COMMANDS = {"cmdstat_config", "cmdstat_slowlog", "cmdstat_info", "cmdstat_bgrewriteaof", "cmdstat_ping"}


@dataclass(frozen=True)
class SlowEntry:
    duration_us: int
    command: str

    def as_dict(self) -> dict:
        return {"duration_us": self.duration_us, "command": self.command}


class Admin:
    """Plain clients to every node, for CONFIG / SLOWLOG / INFO."""

    def __init__(self, clients: list[redis.Redis], script_names: dict[str, str] | None = None):
        self.clients = clients
        self.script_names = script_names or {}  # sha -> name, to say which script was slow

    def configure(self) -> None:
        for client in self.clients:
            client.config_set("slowlog-log-slower-than", 0)
            client.config_set("slowlog-max-len", SLOWLOG_LEN)
        self.take()

    def take(self) -> tuple[float, dict[str, int], list[SlowEntry], dict[str, list[int]]]:
        """Server microseconds spent in commands, calls per command, the slow entries
        (SLOWLOG_US or more) and every logged command's duration by command (a
        script's as "EVALSHA (name)") since the last take; then start counting again."""
        usec = 0.0
        calls: dict[str, int] = {}
        slow: list[SlowEntry] = []
        durations: dict[str, list[int]] = {}
        for client in self.clients:
            for name, stat in client.info("commandstats").items():
                if name not in ADMIN_COMMANDS:
                    usec += stat["usec"]
                    calls[name.removeprefix("cmdstat_")] = calls.get(name.removeprefix("cmdstat_"), 0) + stat["calls"]
            for entry in client.slowlog_get(SLOWLOG_LEN):
                command = entry["command"]
                command = command.decode(errors="replace") if isinstance(command, bytes) else str(command)
                words = command.split()
                if words and words[0].upper() == "EVALSHA" and len(words) > 1:
                    words = ["EVALSHA", f"({self.script_names.get(words[1], words[1][:8])})"]
                name = " ".join(words[:2])
                durations.setdefault(name, []).append(int(entry["duration"]))
                if int(entry["duration"]) >= SLOWLOG_US:
                    slow.append(SlowEntry(int(entry["duration"]), " ".join(words[:3])))
            client.config_resetstat()
            client.slowlog_reset()
        return usec, calls, slow, durations

    def preemptions(self) -> int | None:
        """Times the server processes were descheduled against their will so far
        (Linux /proc): a command that was is slow in SLOWLOG without doing more work."""
        total = 0
        for client in self.clients:
            pid = client.info("server")["process_id"]
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                return None
            total += int(next(line.split()[1] for line in status.splitlines()
                              if line.startswith("nonvoluntary_ctxt_switches")))
        return total

    def used_memory_mb(self) -> float:
        return sum(c.info("memory")["used_memory"] for c in self.clients) / 2**20

    def settle(self, timeout: float = 600) -> None:
        """Rewrite the AOF now and wait for it (and any other background save), so no
        fork runs during the timings."""
        for client in self.clients:
            if client.info("persistence").get("aof_enabled"):
                try:
                    client.bgrewriteaof()
                except redis.ResponseError:
                    pass  # one is already running or scheduled
        deadline = time.monotonic() + timeout
        while any(_busy(c) for c in self.clients):
            if time.monotonic() > deadline:
                raise TimeoutError("the server kept rewriting its AOF")
            time.sleep(0.1)


def _busy(client: redis.Redis) -> bool:
    info = client.info("persistence")
    return bool(info.get("aof_rewrite_in_progress") or info.get("aof_rewrite_scheduled")
                or info.get("rdb_bgsave_in_progress"))
