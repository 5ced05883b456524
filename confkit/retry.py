"""Retrying calls that could not reach Redis, and the error raised when they still fail.

Retries are confkit's, not redis-py's (redis-py is told never to resend a command). A
guarded call is one of three kinds: a read (retried), a write whose repeat changes
nothing (retried; if an attempt may have been applied, the final error says so) and a
write that must not be resent (a connection to the script client is checked out
first, retried; then the call is sent once on it). Waits grow exponentially with
equal jitter, as redis-py's default backoff does.

Guards do not nest: a guarded call made inside another on the same stores (in the
same thread) runs inside the outer call's attempt, so one public call is tried at
most ``retries + 1`` times, however many guarded calls it makes.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import redis

from .errors import ConfkitConnectionError, OutcomeUnknownError

if TYPE_CHECKING:
    from .connection import Stores

RETRIES = 3
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

_UNREACHABLE = (redis.ConnectionError, redis.TimeoutError)
# The stores (by id) whose guard is running in this thread / context.
_ACTIVE: ContextVar[frozenset[int]] = ContextVar("confkit_guarded_stores", default=frozenset())
# The (pool, connection) a write guard checked out for the script calls of its attempt.
_HELD: ContextVar[tuple[Any, Any] | None] = ContextVar("confkit_held_connection", default=None)


@dataclass(frozen=True)
class RetryPolicy:
    """How a call that could not reach Redis is retried: up to ``retries`` more times,
    waiting between half and all of ``base * 2**n`` seconds (at most ``cap``) before
    retry n, the fraction drawn from ``jitter`` (values in [0, 1]; pass
    ``random.Random(seed).random`` for a repeatable sequence). ``sleep`` is injectable
    so a test can act during the wait instead of waiting."""

    retries: int = RETRIES
    base: float = 0.05
    cap: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random

    def delay(self, retry: int) -> float:
        """The wait before retry number ``retry`` (0-based), with equal jitter."""
        half = min(self.cap, self.base * 2**retry) / 2
        return half + half * self.jitter()

    def delays(self) -> list[float]:
        """The waits before each retry of one call."""
        return [self.delay(n) for n in range(self.retries)]


class HasStores(Protocol):
    stores: Stores


def _checkout(stores: Stores) -> tuple[Any, Any] | None:
    """A connected connection from the script client's pool, for a write's attempt: a
    failure here means nothing was sent. None on a cluster (every failure there counts
    as "maybe sent")."""
    pool = getattr(stores.script_client, "connection_pool", None)
    if pool is None:
        return None
    return pool, pool.get_connection()


def held_connection(client: Any) -> Any | None:
    """The connection the running write guard checked out of ``client``'s pool (its
    script calls go out on it: one checkout per call, not two), else None."""
    held = _HELD.get()
    if held is not None and held[0] is getattr(client, "connection_pool", None):
        return held[1]
    return None


def call(stores: Stores, what: str, action: Callable[[], T], *, writes: bool, repeatable: bool) -> T:
    """Run ``action`` under the connection guard of ``stores``: retry what the kind of
    call allows, then raise ConfkitConnectionError or OutcomeUnknownError (never a
    redis-py connection error). ``what`` names the call in messages. Inside another
    guarded call on the same stores, just run it: the outer guard decides."""
    active = _ACTIVE.get()
    if id(stores) in active:
        return action()
    token = _ACTIVE.set(active | {id(stores)})
    try:
        return _attempts(stores, what, action, writes, repeatable)
    finally:
        _ACTIVE.reset(token)


def _attempts(stores: Stores, what: str, action: Callable[[], T], writes: bool, repeatable: bool) -> T:
    policy = stores.retry
    maybe_applied = False
    for attempt in range(policy.retries + 1):
        sent = False
        held = None
        try:
            if writes:
                held = _checkout(stores)
            sent = True
            token = _HELD.set(held)
            try:
                return action()
            finally:
                _HELD.reset(token)
                if held is not None:
                    held[0].release(held[1])
        except redis.AuthenticationError as exc:
            raise ConfkitConnectionError(f"Redis at {stores.shown_url} refused confkit's login: {exc}") from None
        except _UNREACHABLE as exc:
            # LOADING (a restarted server reading its AOF) means the command was refused.
            if writes and sent and not isinstance(exc, redis.BusyLoadingError):
                maybe_applied = True
                if not repeatable:
                    raise OutcomeUnknownError(
                        f"lost Redis at {stores.shown_url} during {what}; it may or may"
                        f" not have been applied (never twice): {exc}") from None
            if attempt == policy.retries:
                if maybe_applied:
                    raise OutcomeUnknownError(
                        f"lost Redis at {stores.shown_url} during {what}, after retries;"
                        f" it may have been applied: repeating it is safe: {exc}") from None
                raise ConfkitConnectionError(f"cannot reach Redis at {stores.shown_url}: {exc}") from None
            policy.sleep(policy.delay(attempt))
    raise AssertionError("unreachable")  # pragma: no cover


def _guard(*, writes: bool, repeatable: bool) -> Callable[[F], F]:
    def decorate(method: F) -> F:
        @functools.wraps(method)
        def wrapper(self: HasStores, *args: Any, **kwargs: Any) -> Any:
            return call(self.stores, method.__name__, lambda: method(self, *args, **kwargs),
                        writes=writes, repeatable=repeatable)

        return wrapper  # type: ignore[return-value]

    return decorate


reachable = _guard(writes=False, repeatable=True)
"""For reads: retry connection failures with backoff, then raise ConfkitConnectionError."""

idempotent = _guard(writes=True, repeatable=True)
"""For writes whose repeat changes nothing (add_user, add_meeting, ...): retry with
backoff; if any attempt failed after sending, the final error is OutcomeUnknownError."""

sent_once = _guard(writes=True, repeatable=False)
"""For writes that are not safe to repeat (join, leave, post, end, sweep): check out
a connection first (retried), then send once; a failure after sending is
OutcomeUnknownError."""
