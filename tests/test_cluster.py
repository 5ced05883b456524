"""confkit on a real 3-primary Redis Cluster: slot co-location of every script's keys,
meetings spread over all primaries, reset, pipelined scripts, a slot that moves.

The lifecycle test at the end uses ``app`` and so runs on both backends (this module
is in conftest.BOTH_BACKENDS); the others need the cluster itself.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from clockwork import T0
from redis.crc import key_slot

from confkit import ConferenceApp, EventType, InvalidInputError, User
from confkit.bulk import MESSAGE, Activity, load_activity, load_catalog
from confkit.codec import to_ms
from confkit.keys import Keys
from confkit.models import Meeting, MeetingInstance
from confkit.testing import SLOTS, slot_ranges

KEYS = Keys()
SAMPLE_IDS = (1, 2, 7, 10, 99, 12345, 2**31 - 1, 10**12)


@pytest.fixture
def cluster_app(redis_cluster, clock):
    application = ConferenceApp(redis_cluster.url, clock=clock, cluster=True)
    application.reset()
    yield application
    application.close()


def _node_of_slot(redis_cluster, slot: int):
    """The node serving ``slot``, as the cluster itself says (CLUSTER SLOTS)."""
    for start, end, primary, *_ in redis_cluster.nodes[0].client().execute_command("CLUSTER SLOTS"):
        if start <= slot <= end:
            return next(n for n in redis_cluster.nodes if n.port == int(primary[1]))
    raise AssertionError(f"slot {slot} is not served")


def _server_slot(redis_cluster, key: str) -> int:
    return int(redis_cluster.nodes[0].client().execute_command("CLUSTER KEYSLOT", key))


def _meeting_on_each_node(redis_cluster) -> list[int]:
    """One meeting id per primary, in node order."""
    found: dict[int, int] = {}
    mid = 100
    while len(found) < len(redis_cluster.nodes):
        mid += 1
        node = _node_of_slot(redis_cluster, _server_slot(redis_cluster, KEYS.meeting(mid)))
        found.setdefault(node.index, mid)
    return [found[i] for i in sorted(found)]


def _catalog(app, meeting_ids, *, users=range(1, 5)):
    for uid in users:
        app.add_user(uid, f"User {uid}", 30 + uid, "x", f"u{uid}@example.com")
    for mid in meeting_ids:
        app.add_meeting(mid, f"Meeting {mid}", "", is_public=True)
        app.add_instance(mid, 1, T0 - timedelta(minutes=5), T0 + timedelta(hours=1))


def test_slot_ranges_cover_every_slot_exactly_once():
    for masters in (1, 2, 3, 5):
        covered = [slot for share in slot_ranges(masters) for slot in share]
        assert covered == list(range(SLOTS))


@pytest.mark.parametrize("meeting_id", SAMPLE_IDS)
def test_every_key_a_meeting_script_touches_is_in_the_meetings_slot(redis_cluster, meeting_id):
    expected = _server_slot(redis_cluster, f"{{m:{meeting_id}}}")
    derived = [KEYS.instance(meeting_id, 3), KEYS.presence(meeting_id, 3), KEYS.user_messages(meeting_id, 42)]
    for key in [*KEYS.meeting_script_keys(meeting_id), *derived]:
        assert _server_slot(redis_cluster, key) == expected, key
        assert key_slot(key.encode()) == expected, key  # redis-py routes it to the same slot


@pytest.mark.parametrize("user_id", SAMPLE_IDS)
def test_a_users_hash_is_in_the_users_own_slot(redis_cluster, user_id):
    assert _server_slot(redis_cluster, KEYS.user(user_id)) == _server_slot(redis_cluster, f"{{u:{user_id}}}")


def test_the_two_stores_are_namespaces_on_a_cluster(cluster_app):
    assert cluster_app.stores.cluster
    assert cluster_app.stores.catalog is cluster_app.stores.activity
    assert KEYS.meeting(1).startswith("confkit:catalog:")
    assert KEYS.events(1).startswith("confkit:activity:")


def test_operations_on_meetings_held_by_every_primary(cluster_app, redis_cluster, clock):
    app = cluster_app
    meetings = _meeting_on_each_node(redis_cluster)
    _catalog(app, meetings)
    for n, mid in enumerate(meetings):
        app.join_meeting(1, mid)
        app.join_meeting(2 + n, mid)
        app.post_message(1, mid, f"hello {mid}")
    for node, mid in zip(redis_cluster.nodes, meetings):
        client = node.client()
        assert client.exists(KEYS.meeting(mid), KEYS.events(mid), KEYS.messages(mid)) == 3
        others = [m for m in meetings if m != mid]
        assert client.execute_command("CLUSTER COUNTKEYSINSLOT", key_slot(KEYS.meeting(others[0]).encode())) == 0
    assert [a.meeting.meeting_id for a in app.active_meetings()] == sorted(meetings)
    assert sorted((j.meeting_id, j.user_id) for j in app.join_times()) == sorted(
        [(mid, 1) for mid in meetings] + [(mid, 2 + n) for n, mid in enumerate(meetings)])
    assert [p.user_id for p in app.meeting_participants(meetings[1])] == [1, 3]
    assert [m.text for m in app.user_messages(1, meetings[2])] == [f"hello {meetings[2]}"]
    left = app.leave_meeting(1, meetings[0])
    assert left.event_type is EventType.LEAVE
    clock.advance(hours=2)
    timeouts = app.sweep()
    assert sorted((e.meeting_id, e.user_id) for e in timeouts) == sorted(
        [(mid, 1) for mid in meetings[1:]] + [(mid, 2 + n) for n, mid in enumerate(meetings)])
    assert {e.event_type for e in timeouts} == {EventType.TIMEOUT}
    assert app.active_meetings() == []


def test_reset_clears_every_primary_and_spares_other_keys(cluster_app, redis_cluster):
    app = cluster_app
    meetings = _meeting_on_each_node(redis_cluster)
    _catalog(app, meetings)
    app.join_meeting(1, meetings[0])
    app.stores.catalog.set("someone-else:key", "kept")
    assert all(node.client().dbsize() > 0 for node in redis_cluster.nodes)
    deleted = app.reset()
    # 4 users x (hash) + users index, 3 meetings x (hash, instances, instance) + meetings
    # index + instances:by_end, and meeting 0's event_seq, events, presence, open set.
    assert deleted == 4 + 1 + 3 * 3 + 1 + 1 + 4
    assert app.stores.catalog.get("someone-else:key") == "kept"
    assert sum(node.client().dbsize() for node in redis_cluster.nodes) == 1
    app.stores.catalog.delete("someone-else:key")


def test_pipelined_listings_load_scripts_the_server_has_forgotten(app, clock):
    meetings = [10, 20, 30, 40]
    _catalog(app, meetings)
    for mid in meetings:
        app.join_meeting(1, mid)
    app.stores.activity.script_flush()  # on a cluster: on every primary
    assert [a.meeting.meeting_id for a in app.active_meetings()] == meetings
    app.stores.activity.script_flush()
    assert [j.meeting_id for j in app.join_times()] == meetings
    app.stores.activity.script_flush()
    assert app.join_meeting(2, 10).event_id == 2
    app.stores.activity.script_flush()
    clock.advance(hours=2)
    assert sorted((e.meeting_id, e.user_id) for e in app.sweep()) == sorted(
        [(mid, 1) for mid in meetings] + [(10, 2)])


def _move_slot(redis_cluster, slot: int, target) -> None:
    """Migrate ``slot`` with its keys to ``target`` the way a resharding does."""
    source = _node_of_slot(redis_cluster, slot)
    ids = {node.index: node.client().execute_command("CLUSTER MYID") for node in redis_cluster.nodes}
    src, dst = source.client(), target.client()
    dst.execute_command("CLUSTER SETSLOT", slot, "IMPORTING", ids[source.index])
    src.execute_command("CLUSTER SETSLOT", slot, "MIGRATING", ids[target.index])
    keys = src.execute_command("CLUSTER GETKEYSINSLOT", slot, 1000)
    src.execute_command("MIGRATE", "127.0.0.1", target.port, "", 0, 5000, "KEYS", *keys)
    for node in sorted(redis_cluster.nodes, key=lambda n: n is not target):
        node.client().execute_command("CLUSTER SETSLOT", slot, "NODE", ids[target.index])


def test_operations_follow_a_meeting_whose_slot_moved(cluster_app, redis_cluster):
    app = cluster_app
    meetings = _meeting_on_each_node(redis_cluster)
    _catalog(app, meetings)
    app.join_meeting(1, meetings[0])
    slot = key_slot(KEYS.meeting(meetings[0]).encode())
    _move_slot(redis_cluster, slot, redis_cluster.nodes[1])  # app's slot map is now stale
    assert redis_cluster.nodes[1].client().exists(KEYS.meeting(meetings[0])) == 1
    assert [a.meeting.meeting_id for a in app.active_meetings()] == sorted(meetings)
    assert [(j.meeting_id, j.user_id) for j in app.join_times()] == [(meetings[0], 1)]
    app.join_meeting(2, meetings[0])
    assert [p.user_id for p in app.meeting_participants(meetings[0])] == [1, 2]
    _move_slot(redis_cluster, slot, redis_cluster.nodes[0])


def test_bulk_loader_writes_what_operations_read_on_a_cluster(cluster_app, redis_cluster):
    app = cluster_app
    meetings = _meeting_on_each_node(redis_cluster)
    start, end = T0 - timedelta(hours=1), T0 + timedelta(hours=1)
    load_catalog(app,
                 users=[User(u, f"User {u}", 30, "x", f"u{u}@example.com") for u in (1, 2)],
                 meetings=[Meeting(mid, f"M{mid}", "", True) for mid in meetings],
                 instances=[MeetingInstance(mid, 1, start, end) for mid in meetings])
    t = to_ms(start)
    records = []
    for mid in meetings:
        records += [Activity(mid, 1, 1, EventType.JOIN, t + 1), Activity(mid, 1, 1, MESSAGE, t + 2, "hi"),
                    Activity(mid, 1, 2, EventType.JOIN, t + 3), Activity(mid, 1, 1, EventType.LEAVE, t + 4)]
    report = load_activity(app, records)
    assert (report.events, report.messages, report.open_sessions) == (9, 3, 3)
    for mid in meetings:
        assert [p.user_id for p in app.meeting_participants(mid)] == [2]
        assert [(m.user_id, m.text) for m in app.meeting_messages(mid)] == [(1, "hi")]
        assert app.join_meeting(1, mid).event_id == 4  # ids continue after the loaded ones


def test_a_cluster_needs_a_url():
    with pytest.raises(InvalidInputError, match="cluster needs a URL"):
        ConferenceApp(cluster=True)


def test_meeting_lifecycle(app, clock):
    """Runs on the single server and on the cluster, with the same answers."""
    _catalog(app, [10, 20], users=(1, 2, 3))
    assert app.join_meeting(1, 10).event_id == 1
    assert app.join_meeting(2, 10).event_id == 2
    assert app.join_meeting(3, 20).event_id == 1
    clock.advance(minutes=1)
    assert app.post_message(2, 10, "first").message_id == 1
    assert app.leave_meeting(1, 10).event_id == 3
    assert [(p.user_id, p.name) for p in app.meeting_participants(10)] == [(2, "User 2")]
    assert [(j.meeting_id, j.user_id) for j in app.join_times()] == [(10, 2), (20, 3)]
    ended = app.end_meeting(10)
    assert [(e.event_id, e.user_id, e.event_type) for e in ended] == [(4, 2, EventType.TIMEOUT)]
    assert [a.meeting.meeting_id for a in app.active_meetings()] == [20]
    assert [(m.user_id, m.text) for m in app.meeting_messages(10)] == [(2, "first")]
