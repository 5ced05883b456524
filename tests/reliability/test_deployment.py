"""Security of the deployment: the embedded server is reachable only through a unix
socket in a 0700 directory, refuses connections that do not log in, denies the app's
login the commands that wipe, reconfigure or stop it, and no password confkit knows
ever shows in a message, a traceback, a log record or a repr."""

from __future__ import annotations

import logging
import stat
import traceback

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from confkit import ConferenceApp, ConfkitConnectionError
from confkit.connection import RetryPolicy, connect, redact
from confkit.server import APP_DENIED_COMMANDS

DANGEROUS = [("FLUSHALL",), ("FLUSHDB",), ("CONFIG", "GET", "*"), ("CONFIG", "SET", "appendonly", "no"),
             ("DEBUG", "SLEEP", "0"), ("SHUTDOWN", "NOSAVE"), ("ACL", "LIST"), ("MONITOR",), ("SAVE",),
             ("BGSAVE",), ("BGREWRITEAOF",), ("REPLICAOF", "NO", "ONE"), ("SWAPDB", "0", "1"), ("MODULE", "LIST"),
             ("CLIENT", "LIST"), ("MIGRATE", "h", "1", "k", "0", "1")]


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_are_private(redis_server):
    for folder in (redis_server.home, redis_server.run_dir, redis_server.data_dir, redis_server.secrets_dir):
        assert mode(folder) == 0o700, folder
    for secret in ("app", "admin"):
        assert mode(redis_server.password_path(secret)) == 0o600
    assert mode(redis_server.home / "redis.conf") == 0o600
    assert stat.S_ISSOCK(redis_server.socket_path.stat().st_mode) and mode(redis_server.socket_path) == 0o700
    conf = (redis_server.home / "redis.conf").read_text()
    for secret in ("app", "admin"):
        assert redis_server.credentials(secret)[1] not in conf  # only its SHA-256 is written


def test_no_network_listener_and_protected_mode(redis_server):
    admin = redis_server.admin_client(decode_responses=True)
    try:
        assert admin.config_get("port") == {"port": "0"}
        assert admin.config_get("protected-mode") == {"protected-mode": "yes"}
        assert admin.config_get("unixsocketperm") == {"unixsocketperm": "700"}
    finally:
        admin.close()


@pytest.mark.parametrize("login", [{}, {"username": "default"}, {"username": "default", "password": ""},
                                   {"username": "default", "password": "guess"},
                                   {"username": "app", "password": "guess"},
                                   {"username": "admin", "password": "guess"}, {"password": "guess"}])
def test_connection_without_the_credentials_is_refused(redis_server, login):
    stranger = redis.Redis(unix_socket_path=str(redis_server.socket_path), retry=Retry(NoBackoff(), 0), **login)
    try:
        with pytest.raises(redis.AuthenticationError):
            stranger.execute_command("GET", "confkit:catalog:users")
    finally:
        stranger.close()


def test_app_login_cannot_wipe_reconfigure_or_stop_the_server(app, redis_server):
    app.add_user(1, "Ann", 30, "f", "ann@example.com")
    client = app.stores.catalog
    for command in DANGEROUS:
        with pytest.raises(redis.exceptions.ResponseError) as refused:
            client.execute_command(*command)
        # Redis 7+ and Valkey refuse DEBUG and MODULE to every client unless enabled
        # (enable-debug-command, enable-module-command), before looking at the ACL.
        assert isinstance(refused.value, redis.exceptions.NoPermissionError) or (
            command[0] in ("DEBUG", "MODULE") and "command not allowed" in str(refused.value)), refused.value
    assert {c[0].lower() for c in DANGEROUS} <= set(APP_DENIED_COMMANDS)
    assert app.get_user(1).name == "Ann" and redis_server.status().running


def test_passwords_never_show(redis_server, clock, caplog):
    caplog.set_level(logging.DEBUG)
    password = redis_server.credentials("app")[1]
    url = f"unix://app:{password}@{redis_server.socket_path}"
    app = ConferenceApp(url, clock=clock)
    app.add_user(1, "Ann", 30, "f", "ann@example.com")
    shown = [repr(app), repr(app.stores), repr(app.stores.catalog), str(app.stores.activity), redact(url),
             redact(f"unix://{redis_server.socket_path}?db=0&password={password}"), repr(redis_server.status())]
    quick = RetryPolicy(sleep=lambda seconds: None)
    wrong = ConferenceApp(stores=connect(url.replace(password, password[::-1]), retry=quick), clock=clock)
    down = ConferenceApp(stores=connect(f"redis://app:{password}@127.0.0.1:1/0", retry=quick), clock=clock)
    for broken in (wrong, down):
        with pytest.raises(ConfkitConnectionError) as info:
            broken.users()
        shown += [str(info.value), "".join(traceback.format_exception(info.value)), repr(broken)]
        broken.close()
    app.close()
    shown.append(caplog.text)
    for text in shown:
        assert password not in text and password[::-1] not in text
    assert "***" in redact(url)


def test_url_logins_and_tls_are_passed_to_redis():
    stores = connect("rediss://alice:s3cret%40x@cache.example:6380/4?ssl_cert_reqs=required")
    for client, db in ((stores.catalog, 4), (stores.activity, 5)):
        pool = client.connection_pool
        assert pool.connection_class is redis.SSLConnection
        kwargs = pool.connection_kwargs
        assert (kwargs["username"], kwargs["password"], kwargs["db"]) == ("alice", "s3cret@x", db)
        assert kwargs["ssl_cert_reqs"] == "required"
    assert "s3cret" not in repr(stores) and "s3cret" not in repr(stores.catalog)
