"""The record codec: the fast regex path reads exactly what json reads, for every
record confkit writes, and anything else still goes through json."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from confkit import EventType, Message
from confkit.codec import (
    decode_event,
    decode_messages,
    event_fields,
    event_record,
    from_ms,
    from_ms_many,
    message_columns,
    message_fields,
    message_record,
    to_ms,
)

ids = st.integers(min_value=1, max_value=2**53 - 1)
stamps = st.integers(min_value=-(10**13), max_value=10**14)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@given(ids, ids, st.sampled_from(list(EventType)), stamps)
def test_event_fields_read_what_json_reads(user_id, order_id, kind, ts):
    record = event_record(user_id, order_id, int(kind), ts)
    data = json.loads(record)
    assert event_fields(record) == (data["user_id"], data["order_id"], data["event_type"], data["timestamp"])


@given(ids, ids, stamps)
def test_message_fields_read_what_json_reads(user_id, order_id, ts):
    record = message_record(user_id, order_id, ts)
    data = json.loads(record)
    assert message_fields(record) == (data["user_id"], data["order_id"], data["timestamp"])


@given(stamps)
def test_from_ms_is_exact_and_utc(ms):
    when = from_ms(ms)
    assert when == EPOCH + timedelta(milliseconds=ms)
    assert when.tzinfo is timezone.utc
    assert to_ms(when) == ms


def test_records_in_another_json_layout_still_decode():
    event = decode_event(7, "3", '{"timestamp": 1000, "event_type": 2, "order_id": 4, "user_id": 9}')
    assert (event.event_id, event.user_id, event.meeting_id, event.order_id) == (3, 9, 7, 4)
    assert event.event_type is EventType.LEAVE
    assert event.timestamp == datetime(1970, 1, 1, 0, 0, 1, tzinfo=timezone.utc)
    [message] = decode_messages(7, ["5"], ['{ "order_id":4, "user_id":9, "timestamp":1001 }'], ["hi"])
    assert (message.message_id, message.user_id, message.order_id, message.text) == (5, 9, 4, "hi")
    assert message.timestamp == datetime(1970, 1, 1, 0, 0, 1, 1000, tzinfo=timezone.utc)


@given(st.lists(st.tuples(ids, ids, stamps), max_size=20))
def test_many_message_records_read_as_one_by_one(rows):
    records = [message_record(*row) for row in rows]
    assert message_columns(records) == tuple([message_fields(r)[k] for r in records] for k in range(3))


def test_many_message_records_fall_back_record_by_record():
    other_layout = '{"timestamp":6, "user_id":4, "order_id":5}'
    assert message_columns([message_record(1, 2, 3), other_layout]) == ([1, 4], [2, 5], [3, 6])
    with pytest.raises(ValueError):  # a broken record is reported, never skipped
        message_columns([message_record(1, 2, 3), '{"user_id":4,"order_id":5,"timestamp":'])


def test_decode_messages_sorts_by_time_then_id_and_builds_plain_messages():
    ids = ["10", "9", "2"]
    records = [message_record(3, 1, 5000), message_record(4, 1, 5000), message_record(5, 2, 4000)]
    messages = decode_messages(7, ids, records, ["ten", "nine", "two"])
    assert messages == [
        Message(2, 7, 2, 5, "two", datetime(1970, 1, 1, 0, 0, 4, tzinfo=timezone.utc)),
        Message(9, 7, 1, 4, "nine", datetime(1970, 1, 1, 0, 0, 5, tzinfo=timezone.utc)),
        Message(10, 7, 1, 3, "ten", datetime(1970, 1, 1, 0, 0, 5, tzinfo=timezone.utc)),
    ]
    assert hash(messages[0]) == hash(Message(2, 7, 2, 5, "two", datetime(1970, 1, 1, 0, 0, 4, tzinfo=timezone.utc)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        messages[0].text = "changed"  # type: ignore[misc]


def test_from_ms_is_exact_far_from_the_epoch():
    assert from_ms(-1) == datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=timezone.utc)
    assert from_ms(253402300799999) == datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=timezone.utc)


@given(st.lists(stamps, max_size=30) | st.lists(st.integers(0, 2**32 * 1000 - 1), min_size=1, max_size=30))
def test_many_times_at_once_are_the_times_one_by_one(ms):
    assert list(from_ms_many(ms)) == [EPOCH + timedelta(milliseconds=m) for m in ms]


def test_many_times_at_once_are_exact_at_the_ends_of_the_fast_range():
    edge = 2**32 * 1000  # 2106-02-07 06:28:16 UTC: from here on, timedelta arithmetic
    ms = [0, 1, 999, 1001, edge - 1001, edge - 1]
    assert list(from_ms_many(ms)) == [
        datetime(1970, 1, 1, tzinfo=timezone.utc),
        datetime(1970, 1, 1, 0, 0, 0, 1000, tzinfo=timezone.utc),
        datetime(1970, 1, 1, 0, 0, 0, 999000, tzinfo=timezone.utc),
        datetime(1970, 1, 1, 0, 0, 1, 1000, tzinfo=timezone.utc),
        datetime(2106, 2, 7, 6, 28, 14, 999000, tzinfo=timezone.utc),
        datetime(2106, 2, 7, 6, 28, 15, 999000, tzinfo=timezone.utc),
    ]
    assert list(from_ms_many([-1, edge])) == [datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=timezone.utc),
                                              datetime(2106, 2, 7, 6, 28, 16, tzinfo=timezone.utc)]
    assert all(when.tzinfo is timezone.utc for when in from_ms_many([5, edge]))


def test_message_columns_read_records_in_any_layout():
    records = [message_record(1, 2, 3), '{"timestamp":6, "user_id":4, "order_id":5}', message_record(7, 8, -9)]
    assert message_columns(records) == ([1, 4, 7], [2, 5, 8], [3, 6, -9])
    assert message_columns([message_record(1, 2, 3)]) == ([1], [2], [3])
    assert message_columns([]) == ([], [], [])


def test_decode_messages_takes_ids_in_order_as_a_range_and_still_sorts_by_time():
    records = [message_record(3, 1, 5000), message_record(4, 1, 4000), message_record(5, 2, 4000)]
    messages = decode_messages(7, range(1, 4), records, ["one", "two", "three"])
    assert messages == [
        Message(2, 7, 1, 4, "two", datetime(1970, 1, 1, 0, 0, 4, tzinfo=timezone.utc)),
        Message(3, 7, 2, 5, "three", datetime(1970, 1, 1, 0, 0, 4, tzinfo=timezone.utc)),
        Message(1, 7, 1, 3, "one", datetime(1970, 1, 1, 0, 0, 5, tzinfo=timezone.utc)),
    ]
    assert decode_messages(7, range(1, 1), [], []) == []
    in_order = decode_messages(7, ["1", "2"], [message_record(3, 1, 5000), message_record(4, 1, 5000)], ["a", "b"])
    assert [(m.message_id, m.text) for m in in_order] == [(1, "a"), (2, "b")]
    assert vars(in_order[0]) == {"message_id": 1, "meeting_id": 7, "order_id": 1, "user_id": 3, "text": "a",
                                 "timestamp": datetime(1970, 1, 1, 0, 0, 5, tzinfo=timezone.utc)}
