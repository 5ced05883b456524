"""The embedded server: found, started once per data directory, reused, private."""

from __future__ import annotations

import stat

import pytest

from confkit import ConferenceApp, ServerError
from confkit.server import EmbeddedServer, find_server_binary


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
