"""A plain server on TCP loopback for the benchmark: the same binary as the
embedded server, listening on 127.0.0.1 (a free port) with AOF everysec and no ACL,
in a temporary directory; started and stopped by the benchmark itself, and listed
like a local cluster's nodes (a loopback port and its own directory) so that
``confkit server stop --all`` finds it too. It measures what a client pays over TCP,
next to the embedded server's unix socket."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import redis

from confkit.errors import ServerError
from confkit.server import CLUSTER_NODE, START_TIMEOUT_S, find_server_binary, record_started
from confkit.testing import HOST, ClusterNode, free_ports


class LoopbackServer:
    """The server binary on 127.0.0.1 living in ``home``; ``start()`` waits until it
    answers. ``wrapper``: a command the server runs under (bench.instructions runs it
    under callgrind), with ``timeout`` seconds to start."""

    def __init__(self, home: Path, wrapper: list[str] | None = None, timeout: float = START_TIMEOUT_S):
        self.home = Path(home)
        self.node: ClusterNode | None = None
        self.wrapper = wrapper or []
        self.timeout = timeout

    @property
    def port(self) -> int:
        return self.node.port if self.node is not None else 0

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def client(self, **options) -> redis.Redis:
        return redis.Redis(host=HOST, port=self.port, **options)

    def start(self) -> LoopbackServer:
        port = free_ports(1)[0]
        self.home.mkdir(parents=True, exist_ok=True)
        conf = self.home / "redis.conf"
        conf.write_text("\n".join([
            f"port {port}", f"bind {HOST}", "protected-mode yes", "daemonize no",
            f"dir {self.home}", f"logfile {self.home / 'redis.log'}",
            "appendonly yes", "appendfsync everysec", 'save ""', "databases 16"]) + "\n")
        binary = find_server_binary().path
        process = subprocess.Popen([*self.wrapper, binary, str(conf)], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.node = ClusterNode(0, port, self.home, process)
        record_started(CLUSTER_NODE, self.home, pid=process.pid, binary=binary, port=port)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                self.client(socket_timeout=1).ping()
                return self
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise ServerError(f"server on {HOST}:{port} did not start; see "
                                      f"{self.home / 'redis.log'}") from None
                time.sleep(0.02)

    def stop(self) -> None:
        if self.node is not None:
            self.node.stop()
