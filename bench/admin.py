"""Server-side bookkeeping for a benchmark: SLOWLOG and INFO commandstats of every
node (one for a single server, each primary of a cluster), and waiting for the
server to settle after a bulk load."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import redis

# Log every command that holds the server at least this long. (Not 0: a script's own
# commands are logged too, and writing their entries would lengthen the script.)
SLOWLOG_US = 100
SLOWLOG_LEN = 10_000
SCRIPT_COMMANDS = {"cmdstat_evalsha", "cmdstat_eval"}
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
            client.config_set("slowlog-log-slower-than", SLOWLOG_US)
            client.config_set("slowlog-max-len", SLOWLOG_LEN)
        self.take()

    def take(self, scripts_only: bool = False) -> tuple[float, dict[str, int], list[SlowEntry]]:
        """Server microseconds spent in commands, calls per command, and slow entries
        since the last take; then start counting again.

        INFO commandstats counts a command a script calls under its own name as well
        as inside the script's time: with ``scripts_only`` (for calls that send
        nothing but scripts) only the scripts' time is summed, so nothing counts twice."""
        usec = 0.0
        calls: dict[str, int] = {}
        slow: list[SlowEntry] = []
        for client in self.clients:
            for name, stat in client.info("commandstats").items():
                if name not in ADMIN_COMMANDS:
                    if not scripts_only or name in SCRIPT_COMMANDS:
                        usec += stat["usec"]
                    calls[name.removeprefix("cmdstat_")] = calls.get(name.removeprefix("cmdstat_"), 0) + stat["calls"]
            for entry in client.slowlog_get(SLOWLOG_LEN):
                command = entry["command"]
                command = command.decode(errors="replace") if isinstance(command, bytes) else str(command)
                words = command.split()
                if words and words[0].upper() == "EVALSHA" and len(words) > 1:
                    words = ["EVALSHA", f"({self.script_names.get(words[1], words[1][:8])})"]
                slow.append(SlowEntry(int(entry["duration"]), " ".join(words[:3])))
            client.config_resetstat()
            client.slowlog_reset()
        return usec, calls, slow

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
