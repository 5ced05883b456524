"""The retry policy's waits, and what a script's unknown refusal becomes."""

from __future__ import annotations

import random

import pytest
import redis

from confkit import ConfkitError
from confkit.retry import RetryPolicy
from confkit.storage import Storage


def test_waits_are_half_to_all_of_the_doubling_backoff_by_the_jitter_source():
    draws = iter([0.0, 0.5, 1.0, 1.0])
    policy = RetryPolicy(retries=4, base=0.05, cap=0.3, jitter=lambda: next(draws))
    # full waits 0.05, 0.1, 0.2, 0.3 (capped); each is half of it plus the draw times the other half
    assert policy.delays() == pytest.approx([0.025, 0.075, 0.2, 0.3])


def test_seeded_jitter_repeats_and_stays_within_its_bounds():
    first = RetryPolicy(jitter=random.Random(7).random).delays()
    again = RetryPolicy(jitter=random.Random(7).random).delays()
    other = RetryPolicy(jitter=random.Random(8).random).delays()
    assert first == again and first != other
    for wait, full in zip(first, [0.05, 0.1, 0.2]):
        assert full / 2 <= wait <= full


def test_an_unknown_refusal_code_is_a_confkit_error_that_names_it(app):
    with pytest.raises(redis.ResponseError) as reply:  # the server's real error reply
        app.stores.activity.eval("return redis.error_reply('CONFKIT_FROBNICATED meeting 7')", 0)
    error = Storage(app.stores, app.keys).refusal(reply.value, "join", 0, meeting_id=7, user_id=1)
    assert type(error) is ConfkitError
    assert "CONFKIT_FROBNICATED" in str(error) and "join" in str(error)


def test_any_other_error_reply_is_a_confkit_error_too(app):
    with pytest.raises(redis.ResponseError) as reply:
        app.stores.activity.eval("return redis.error_reply('WRONGTYPE not a hash')", 0)
    error = Storage(app.stores, app.keys).refusal(reply.value, "leave", 0, meeting_id=7)
    assert type(error) is ConfkitError and "WRONGTYPE" in str(error) and "leave" in str(error)


def test_a_write_takes_one_pooled_connection_and_sends_its_script_on_it(meeting_setup):
    """A write that must not be resent checks out a connection first (a failure
    there means nothing was sent), then its script goes out on that same connection:
    one checkout per call, not one to connect and another to send."""
    meeting_setup.join_meeting(3, 10)  # the scripts loaded (a fresh server answers NOSCRIPT once)
    meeting_setup.post_message(3, 10, "warm")
    meeting_setup.leave_meeting(3, 10)
    pool = meeting_setup.stores.script_client.connection_pool
    taken = []
    real = pool.get_connection

    def counting(*args, **kwargs):
        taken.append(real(*args, **kwargs))
        return taken[-1]

    pool.get_connection = counting
    try:
        meeting_setup.join_meeting(1, 10)
        meeting_setup.post_message(1, 10, "hello")
        meeting_setup.leave_meeting(1, 10)
    finally:
        del pool.get_connection
    assert len(taken) == 3
    assert pool.get_connection == real  # the pool is as it was
