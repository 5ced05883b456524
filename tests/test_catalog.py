"""Users, meetings, instances and audiences: what is stored, what is refused."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from clockwork import T0

from confkit import AlreadyExistsError, InvalidInputError, MeetingNotFoundError, NotInvitedError, User
from confkit.validate import MAX_ID


def _dump(app):
    out = {}
    for client in (app.stores.catalog, app.stores.activity):
        for key in client.scan_iter(match="confkit:*"):
            out[(client.connection_pool.connection_kwargs["db"], key)] = client.dump(key)
    return out


def test_add_user_round_trips_and_lists_in_id_order(app):
    app.add_user(12, "Zoë", 33, "female", "  zoe@example.com ")
    app.add_user(3, "Li", 20, "male", "li@example.com")
    assert app.get_user(12) == User(12, "Zoë", 33, "female", "zoe@example.com")
    assert [u.user_id for u in app.users()] == [3, 12]


def test_add_user_repeat_identical_is_accepted_different_is_refused(app):
    app.add_user(1, "Ann", 30, "female", "ann@example.com")
    app.add_user(1, "Ann", 30, "female", "ann@example.com")
    before = _dump(app)
    with pytest.raises(AlreadyExistsError, match="user 1 \\(Ann\\)"):
        app.add_user(1, "Ann", 31, "female", "ann@example.com")
    assert _dump(app) == before


@pytest.mark.parametrize("user_id", [0, -1, MAX_ID + 1, 1.0, True, "1.0", " 1", "", "*", "1 OR 1", None, "١"])
def test_bad_ids_are_refused_before_redis_is_touched(app, user_id):
    before = _dump(app)
    with pytest.raises(InvalidInputError):
        app.add_user(user_id, "X", 30, "f", "x@example.com")
    assert _dump(app) == before


@pytest.mark.parametrize("field, value", [
    ("name", ""), ("name", "   "), ("name", 5), ("age", -1), ("age", 151), ("age", "30"), ("age", True),
    ("email", "no-at-sign"), ("email", "a@b@c"), ("email", "a b@example.com"), ("email", "@example.com"),
    ("name", "\ud800"),
])
def test_bad_user_fields_are_refused(app, field, value):
    args = {"user_id": 1, "name": "Ann", "age": 30, "gender": "female", "email": "ann@example.com"}
    args[field] = value
    with pytest.raises(InvalidInputError):
        app.add_user(**args)
    assert app.users() == []


def test_meeting_public_xor_audience(app):
    with pytest.raises(InvalidInputError, match="public meeting has no audience"):
        app.add_meeting(1, "T", "", is_public=True, audience=["a@example.com"])
    with pytest.raises(InvalidInputError, match="list of e-mail"):
        app.add_meeting(1, "T", "", is_public=False, audience="a@example.com")
    with pytest.raises(InvalidInputError):
        app.add_meeting(1, "T", "", is_public="yes")
    assert app.meetings() == []


def test_meeting_audience_is_normalised_and_repeat_is_idempotent(app):
    m = app.add_meeting(1, "T", "d", is_public=False, audience=["  A@Example.COM", "a@example.com", "b@x.org"])
    assert m.audience == ("a@example.com", "b@x.org")
    app.add_meeting(1, "T", "d", is_public=False, audience=["b@x.org", "a@example.com"])
    assert app.get_meeting(1) == m
    with pytest.raises(AlreadyExistsError):
        app.add_meeting(1, "T", "d", is_public=False, audience=["b@x.org"])


def test_instance_needs_aware_ordered_times_and_an_existing_meeting(app):
    app.add_meeting(1, "T", "", is_public=True)
    naive = datetime(2030, 1, 1, 9, 0)
    with pytest.raises(InvalidInputError, match="timezone-aware"):
        app.add_instance(1, 1, naive, naive + timedelta(hours=1))
    with pytest.raises(InvalidInputError, match="must be after"):
        app.add_instance(1, 1, T0, T0)
    with pytest.raises(InvalidInputError, match="must be after"):
        app.add_instance(1, 1, T0, T0 - timedelta(minutes=1))
    with pytest.raises(MeetingNotFoundError):
        app.add_instance(2, 1, T0, T0 + timedelta(hours=1))
    assert app.instances(1) == []


def test_instance_times_in_other_zones_are_stored_as_utc(app):
    app.add_meeting(1, "T", "", is_public=True)
    paris = timezone(timedelta(hours=1))
    inst = app.add_instance(1, 1, datetime(2030, 1, 7, 10, 0, tzinfo=paris), datetime(2030, 1, 7, 11, 0, tzinfo=paris))
    assert inst.from_dt == T0 and inst.from_dt.tzinfo == timezone.utc
    assert app.instances(1) == [inst]
    with pytest.raises(AlreadyExistsError):
        app.add_instance(1, 1, T0, T0 + timedelta(hours=2))


def test_audience_changes_govern_future_joins(app):
    app.add_user(1, "Ann", 30, "female", "ann@example.com")
    app.add_meeting(1, "Private", "", is_public=False, audience=["other@example.com"])
    app.add_instance(1, 1, T0 - timedelta(minutes=1), T0 + timedelta(hours=1))
    with pytest.raises(NotInvitedError):
        app.join_meeting(1, 1)
    assert app.add_to_audience(1, "ANN@example.com").audience == ("ann@example.com", "other@example.com")
    app.join_meeting(1, 1)
    app.remove_from_audience(1, "ann@example.com")
    assert [p.user_id for p in app.meeting_participants(1)] == [1]  # already inside: stays
    app.leave_meeting(1, 1)
    with pytest.raises(NotInvitedError):
        app.join_meeting(1, 1)


def test_public_meeting_has_no_audience_to_change(app):
    app.add_meeting(1, "Open", "", is_public=True)
    with pytest.raises(InvalidInputError, match="public"):
        app.add_to_audience(1, "a@example.com")
    assert app.get_meeting(1).audience == ()


def test_naive_clock_is_refused(redis_server):
    from confkit import ConferenceApp

    app = ConferenceApp(redis_server.url, clock=lambda: datetime(2030, 1, 1))
    with pytest.raises(InvalidInputError, match="clock"):
        app.active_meetings()


def test_reset_removes_only_confkit_keys(app):
    app.load_sample_data()
    app.stores.catalog.set("someone-else:key", "kept")
    try:
        assert app.reset() > 0
        assert app.users() == [] and app.meetings() == []
        assert app.stores.catalog.get("someone-else:key") == "kept"
    finally:
        app.stores.catalog.delete("someone-else:key")
