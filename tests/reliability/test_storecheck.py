"""The invariant checker itself: a sound store passes, and each kind of damage the
other tests rely on it to find is reported."""

from __future__ import annotations

from datetime import timedelta

import pytest
import storecheck


@pytest.fixture
def sound(app, clock):
    app.add_user(1, "Ann", 30, "f", "ann@example.com")
    app.add_user(2, "Ben", 30, "m", "ben@example.com")
    app.add_meeting(1, "Open", "", is_public=True)
    app.add_instance(1, 1, clock() - timedelta(minutes=5), clock() + timedelta(hours=1))
    app.join_meeting(1, 1)
    app.post_message(1, 1, "hi")
    app.join_meeting(2, 1)
    app.leave_meeting(2, 1)
    assert storecheck.violations(app) == []
    return app


def event(uid: int, kind: int, ts: int, order: int = 1) -> str:
    return f'{{"user_id":{uid},"order_id":{order},"event_type":{kind},"timestamp":{ts}}}'


def damage(app, how: str) -> None:
    a, k = app.stores.activity, app.keys
    now = int(app.now().timestamp() * 1000)
    if how == "second join":
        a.hset(k.events(1), "5", event(1, 1, now))
        a.set(k.event_seq(1), 5)
    elif how == "timeout before join":
        a.hset(k.events(1), "5", event(1, 3, now - 1))
        a.set(k.event_seq(1), 5)
        a.delete(k.presence(1, 1))
        a.delete(k.open_instances(1))
    elif how == "id gap":
        a.hset(k.events(1), "7", event(2, 1, now))
        a.set(k.event_seq(1), 7)
    elif how == "counter behind":
        a.set(k.event_seq(1), 2)
    elif how == "presence not the replay":
        a.zadd(k.presence(1, 1), {2: 3})
    elif how == "message outside a session":
        a.hset(k.messages(1), "2", f'{{"user_id":2,"order_id":1,"timestamp":{now + 1}}}')
        a.hset(k.message_texts(1), "2", "sneaky")
        a.zadd(k.messages_by_time(1), {2: now + 1})
        a.zadd(k.user_messages(1, 2), {2: now + 1})
        a.set(k.message_seq(1), 2)
    elif how == "stale latest-instance copy":  # an instance added behind add_instance's back
        c = app.stores.catalog
        c.hset(k.instance(1, 2), mapping={"meeting_id": 1, "order_id": 2, "from_ms": now, "to_ms": now + 10})
        c.zadd(k.instances(1), {2: 2})
    elif how == "foreign key":
        app.stores.catalog.set(f"{k.namespace}:catalog:user:{{u:*}}", "x")


@pytest.mark.parametrize("how", ["second join", "timeout before join", "id gap", "counter behind",
                                 "presence not the replay", "message outside a session", "stale latest-instance copy",
                                 "foreign key"])
def test_each_kind_of_damage_is_reported(sound, how):
    damage(sound, how)
    assert storecheck.violations(sound) != []
