"""Connections: where Redis is, and one client per logical store.

Resolution order for the server: the ``url`` argument, ``$CONFKIT_REDIS_URL``, then
the embedded server (started if needed). On a single server the catalog lives in the
URL's db (default 0) and the activity store in the next db. With ``cluster=True`` the
URL names any node of a Redis Cluster; both stores share one cluster client (db 0)
and are told apart by their key prefixes.

A URL may carry an ACL login (``redis://user:password@host/0``, ``rediss://`` for TLS);
a ``unix://`` URL to the embedded server's socket logs in with its generated ``app``
password. Passwords never appear in messages or reprs (``redact``).

Retries are confkit's, not redis-py's (redis-py is told never to resend a command):
``Stores.retry`` says how (``confkit.retry``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from .errors import InvalidInputError
from .keys import ACTIVITY_DB, CATALOG_DB
from .retry import RetryPolicy

__all__ = ["RetryPolicy", "Stores", "connect", "redact", "resolve_url"]


@dataclass(frozen=True)
class Stores:
    """The two logical stores; on a cluster both are the same client (db 0)."""

    catalog: redis.Redis
    activity: redis.Redis
    url: str
    cluster: bool = False
    catalog_db: int = CATALOG_DB
    activity_db: int = ACTIVITY_DB
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    @property
    def script_client(self) -> redis.Redis:
        """The client confkit's scripts run on: the catalog store's, so a script starts
        in the catalog db, where most of them begin reading (a script selects the
        activity db itself; a SELECT inside a script never changes the caller's db)."""
        return self.catalog

    @property
    def shown_url(self) -> str:
        """The URL without its password, for messages."""
        return redact(self.url)

    def __repr__(self) -> str:
        return f"Stores(url={self.shown_url!r}, cluster={self.cluster}, catalog_db={self.catalog_db})"


def redact(url: str) -> str:
    """The URL with any password (in the user part or a ``password=`` query
    parameter) replaced by ``***``, for messages and reprs."""
    parts = urlsplit(url)
    if parts.password is not None:
        user = parts.username or ""
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        parts = parts._replace(netloc=f"{user}:***@{host}{port}")
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key.lower() == "password" for key, _ in query):
        hidden = [(key, "***" if key.lower() == "password" else value) for key, value in query]
        parts = parts._replace(query=urlencode(hidden, safe="*/"))
    return urlunsplit(parts)


def resolve_url(url: str | None) -> str:
    if url:
        return url
    env = os.environ.get("CONFKIT_REDIS_URL")
    if env:
        return env
    from .server import EmbeddedServer

    return EmbeddedServer().start().url


def _options() -> dict:
    return dict(
        decode_responses=True,
        socket_timeout=10,
        socket_connect_timeout=5,
        retry=Retry(NoBackoff(), 0),  # never resend: confkit decides what is safe to retry
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],  # with 0 retries, nothing is resent
        health_check_interval=30,
    )


def _embedded_login(kwargs: dict) -> dict:
    """The embedded server's ``app`` login, for a unix URL to its socket without one."""
    if "path" not in kwargs or kwargs.get("password"):
        return {}
    from .server import socket_credentials

    login = socket_credentials(kwargs["path"])
    return {"username": login[0], "password": login[1]} if login else {}


def connect(url: str | None = None, *, cluster: bool = False, retry: RetryPolicy | None = None) -> Stores:
    """Clients for both stores, each with its own connection pool (one cluster client
    for both when ``cluster`` is true)."""
    if cluster:
        return _connect_cluster(url, retry)
    resolved = resolve_url(url)
    pool = redis.ConnectionPool.from_url(resolved, **_options())
    base_db = int(pool.connection_kwargs.get("db", 0) or 0)
    login = _embedded_login(pool.connection_kwargs)
    pool.disconnect()

    def client(db: int) -> redis.Redis:
        p = redis.ConnectionPool.from_url(resolved, **_options())
        p.connection_kwargs["db"] = db
        p.connection_kwargs.update(login)
        return redis.Redis(connection_pool=p)

    return Stores(
        catalog=client(base_db),
        activity=client(base_db + 1),
        url=resolved,
        catalog_db=base_db,
        activity_db=base_db + 1,
        retry=retry or RetryPolicy(),
    )


def _connect_cluster(url: str | None, retry: RetryPolicy | None) -> Stores:
    resolved = url or os.environ.get("CONFKIT_REDIS_URL")
    if not resolved:
        raise InvalidInputError("a cluster needs a URL naming one of its nodes (or $CONFKIT_REDIS_URL)")
    options = _options()
    options.pop("retry_on_error")  # RedisCluster retries connection errors itself, with `retry`
    client = redis.RedisCluster.from_url(resolved, **options)
    return Stores(catalog=client, activity=client, url=resolved, cluster=True,
                  catalog_db=0, activity_db=0, retry=retry or RetryPolicy())
