"""Connections: where Redis is, and one client per logical store.

Resolution order for the server: the ``url`` argument, ``$CONFKIT_REDIS_URL``, then
the embedded server (started if needed). On a single server the catalog lives in the
URL's db (default 0) and the activity store in the next db. With ``cluster=True`` the
URL names any node of a Redis Cluster; both stores share one cluster client (db 0)
and are told apart by their key prefixes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from .errors import InvalidInputError
from .keys import ACTIVITY_DB, CATALOG_DB

RETRIES = 3


@dataclass(frozen=True)
class Stores:
    """The two logical stores; on a cluster both are the same client (db 0)."""

    catalog: redis.Redis
    activity: redis.Redis
    url: str
    cluster: bool = False
    catalog_db: int = CATALOG_DB
    activity_db: int = ACTIVITY_DB


def redact(url: str) -> str:
    """The URL with any password replaced by ``***``, for messages and reprs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))


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
        retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), RETRIES),
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
        health_check_interval=30,
    )


def connect(url: str | None = None, *, cluster: bool = False) -> Stores:
    """Clients for both stores, each with its own connection pool (one cluster client
    for both when ``cluster`` is true)."""
    if cluster:
        return _connect_cluster(url)
    resolved = resolve_url(url)
    pool = redis.ConnectionPool.from_url(resolved, **_options())
    base_db = int(pool.connection_kwargs.get("db", 0) or 0)
    pool.disconnect()

    def client(db: int) -> redis.Redis:
        p = redis.ConnectionPool.from_url(resolved, **_options())
        p.connection_kwargs["db"] = db
        return redis.Redis(connection_pool=p)

    return Stores(
        catalog=client(base_db),
        activity=client(base_db + 1),
        url=resolved,
        catalog_db=base_db,
        activity_db=base_db + 1,
    )


def _connect_cluster(url: str | None) -> Stores:
    resolved = url or os.environ.get("CONFKIT_REDIS_URL")
    if not resolved:
        raise InvalidInputError("a cluster needs a URL naming one of its nodes (or $CONFKIT_REDIS_URL)")
    options = _options()
    options.pop("retry_on_error")  # RedisCluster retries connection errors itself, with `retry`
    client = redis.RedisCluster.from_url(resolved, **options)
    return Stores(catalog=client, activity=client, url=resolved, cluster=True,
                  catalog_db=0, activity_db=0)
