"""Test tooling (as ``pandas.testing``): a local Redis Cluster of N primaries from the
same server binary as the embedded server, on loopback.

Used by the tests and the benchmark to run confkit against a real cluster on one
machine; the library itself never imports this module. Each node listens on
127.0.0.1 only (TCP, a free port; the cluster bus on port + 10000), keeps its files
in ``home/node-<i>`` and gets an equal share of the 16384 slots. ``start()``
returns once every node reports the whole cluster healthy.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from .errors import ServerError
from .server import CLUSTER_NODE, START_TIMEOUT_S, find_server_binary, forget_started, record_started

SLOTS = 16384
BUS_OFFSET = 10000
HOST = "127.0.0.1"
PORT_ATTEMPTS = 5


@dataclass
class ClusterNode:
    index: int
    port: int
    home: Path
    process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    def client(self) -> redis.Redis:
        # No retries: SHUTDOWN closes the connection, and a retry would only wait.
        return redis.Redis(host=HOST, port=self.port, socket_timeout=5, socket_connect_timeout=2,
                           decode_responses=True, retry=Retry(NoBackoff(), 0))


def slot_ranges(masters: int) -> list[range]:
    """Equal contiguous shares of the 16384 slots, one per primary."""
    bounds = [SLOTS * i // masters for i in range(masters + 1)]
    return [range(bounds[i], bounds[i + 1]) for i in range(masters)]


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def free_ports(count: int) -> list[int]:
    """``count`` loopback ports that are free, each with its cluster-bus port free too."""
    ports: list[int] = []
    while len(ports) < count:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((HOST, 0))
            port = probe.getsockname()[1]
        if port + BUS_OFFSET < 65536 and port not in ports and _port_is_free(port + BUS_OFFSET):
            ports.append(port)
    return ports


def wait_until(condition: Callable[[], bool], what: str, timeout: float = START_TIMEOUT_S) -> None:
    """Poll ``condition`` until it holds; a ServerError naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise ServerError(f"timed out waiting for {what}")
        time.sleep(0.02)


class LocalCluster:
    """``masters`` cluster-enabled server processes (no replicas) under ``home``."""

    def __init__(self, home: Path | str, masters: int = 3, *, appendonly: bool = False):
        if masters < 1:
            raise ValueError("a cluster needs at least one primary")
        self.home = Path(home)
        self.masters = masters
        self.appendonly = appendonly
        self.nodes: list[ClusterNode] = []

    @property
    def url(self) -> str:
        """A startup node; redis-py discovers the others (``ConferenceApp(url, cluster=True)``)."""
        if not self.nodes:
            raise ServerError("local cluster is not started")
        return f"redis://{self.nodes[0].address}/0"

    def config_lines(self, node: ClusterNode) -> list[str]:
        return [
            f"port {node.port}",
            f"bind {HOST}",
            "protected-mode yes",
            "daemonize no",
            f"logfile {node.home / 'redis.log'}",
            f"dir {node.home}",
            "cluster-enabled yes",
            f"cluster-config-file {node.home / 'nodes.conf'}",
            "cluster-node-timeout 5000",
            f"appendonly {'yes' if self.appendonly else 'no'}",
            'save ""',
        ]

    def start(self) -> LocalCluster:
        """Launch the nodes, assign slots, join them, and wait until all agree the cluster is ok."""
        binary = find_server_binary()
        last_error: Exception | None = None
        for _ in range(PORT_ATTEMPTS):  # a port may be taken between probing and binding
            try:
                self._launch(binary.path, free_ports(self.masters))
                break
            except ServerError as exc:
                last_error = exc
                self.stop()
        else:
            raise ServerError(f"local cluster did not start: {last_error}")
        self._form()
        return self

    def _launch(self, binary: str, ports: list[int]) -> None:
        self.nodes = []
        for index, port in enumerate(ports):
            node = ClusterNode(index, port, self.home / f"node-{index}")
            node.home.mkdir(parents=True, exist_ok=True)
            node.home.chmod(0o700)
            (node.home / "nodes.conf").unlink(missing_ok=True)
            conf = node.home / "redis.conf"
            conf.write_text("\n".join(self.config_lines(node)) + "\n")
            node.process = subprocess.Popen([binary, str(conf)], stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # Listed like the embedded servers, so `confkit server stop --all` finds a
            # node whose owner died without stopping it.
            record_started(CLUSTER_NODE, node.home, pid=node.process.pid, binary=binary, port=port)
            self.nodes.append(node)
        for node in self.nodes:
            wait_until(functools.partial(_answers, node),
                       f"node {node.address} to answer (see {node.home / 'redis.log'})")

    def _form(self) -> None:
        clients = [node.client() for node in self.nodes]
        for index, (client, share) in enumerate(zip(clients, slot_ranges(self.masters))):
            client.execute_command("CLUSTER SET-CONFIG-EPOCH", index + 1)
            client.execute_command("CLUSTER ADDSLOTS", *share)
        for node in self.nodes[1:]:
            clients[0].execute_command("CLUSTER MEET", HOST, node.port)

        def healthy() -> bool:
            for client in clients:
                info = client.execute_command("CLUSTER INFO")
                info = info if isinstance(info, dict) else _parse_info(info)
                if (info.get("cluster_state") != "ok" or int(info.get("cluster_slots_ok", 0)) != SLOTS
                        or int(info.get("cluster_known_nodes", 0)) != self.masters):
                    return False
            return True

        wait_until(healthy, "every node to report cluster_state:ok with all slots", timeout=30)
        for client in clients:
            client.close()

    def stop(self) -> None:
        """Shut every node down (no save) and wait for the processes to exit."""
        for node in self.nodes:
            if node.process is not None and node.process.poll() is None:
                with contextlib.suppress(redis.ConnectionError, redis.ResponseError, redis.TimeoutError):
                    node.client().shutdown(nosave=True)
                try:
                    node.process.wait(timeout=START_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    node.process.kill()
                    node.process.wait()
            forget_started(CLUSTER_NODE, node.home)
        self.nodes = []

    def __enter__(self) -> LocalCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _answers(node: ClusterNode) -> bool:
    if node.process is not None and node.process.poll() is not None:
        raise ServerError(f"node {node.address} exited with status {node.process.returncode}"
                          f" (see {node.home / 'redis.log'})")
    try:
        return bool(node.client().ping())
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False


def _parse_info(text: str) -> dict[str, str]:
    pairs = (line.split(":", 1) for line in text.splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}
