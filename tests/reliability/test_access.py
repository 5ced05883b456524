"""Access to private meetings: a user whose e-mail is not in the audience can never
join, post or appear as a participant, whatever the order of operations; removing an
address stops future joins, and a user already inside stays until they leave or the
instance ends (documented behaviour)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import storecheck
from hypothesis import given, settings
from hypothesis import strategies as st
from runsize import scale

from confkit import (
    ConfkitError,
    EventType,
    InvalidInputError,
    NoActiveInstanceError,
    NotInvitedError,
    NotJoinedError,
)

# user id -> (stored e-mail, how the audience spells it): case and spaces differ
INSIDERS = {1: ("ann@example.com", " ANN@Example.com"), 2: ("Ben@Example.COM", "ben@example.com "),
            3: ("cy@example.org", "CY@EXAMPLE.ORG")}
OUTSIDERS = {4: "di@example.com", 5: "ann@example.com.evil.org", 6: "zoë@example.net"}
MEETING = 20
COUNTS: Counter = Counter()

steps = st.lists(st.one_of(
    st.tuples(st.sampled_from(["join", "join", "post", "leave"]), st.sampled_from([*INSIDERS, *OUTSIDERS])),
    st.tuples(st.sampled_from(["invite", "uninvite"]), st.sampled_from(sorted(INSIDERS))),
    st.tuples(st.just("advance"), st.sampled_from([1, 30, 70])),
    st.tuples(st.sampled_from(["next instance", "end"]), st.just(0)),
), min_size=5, max_size=40)


def build(app, clock):
    """Insiders 1-3 and outsiders 4-6; private meeting 20 inviting 1 and 2, running."""
    for uid, (email, _) in INSIDERS.items():
        app.add_user(uid, f"Insider {uid}", 30, "f", email)
    for uid, email in OUTSIDERS.items():
        app.add_user(uid, f"Outsider {uid}", 30, "f", email)
    app.add_meeting(MEETING, "Board", "", is_public=False, audience=[INSIDERS[1][1], INSIDERS[2][1]])
    app.add_instance(MEETING, 1, clock() - timedelta(minutes=5), clock() + timedelta(hours=1))
    return app


@pytest.fixture
def private(app, clock):
    return build(app, clock)


@settings(settings.get_profile("reliability"), max_examples=scale(100, 1500))
@given(script=steps)
def test_outsiders_never_get_in_whatever_the_order(app, clock, figures, script):
    app.reset()  # each example starts afresh (at a later time: the clock only moves forward)
    build(app, clock)
    invited = {1, 2}
    order = 1
    COUNTS["sequences"] += 1
    COUNTS["operations"] += len(script)
    for action, arg in script:
        if action == "advance":
            clock.advance(minutes=arg)
        elif action == "next instance":
            order += 1
            app.add_instance(MEETING, order, clock(), clock() + timedelta(hours=1))
        elif action == "end":
            try:
                app.end_meeting(MEETING)
            except NoActiveInstanceError:
                pass
        elif action in ("invite", "uninvite"):
            change = app.add_to_audience if action == "invite" else app.remove_from_audience
            change(MEETING, INSIDERS[arg][1])
            invited = invited | {arg} if action == "invite" else invited - {arg}
        elif action == "join":
            try:
                app.join_meeting(arg, MEETING)
                assert arg in invited, f"user {arg} joined without being in the audience"
            except NotInvitedError:
                assert arg not in invited
                COUNTS["joins refused as not invited"] += 1
            except ConfkitError as exc:
                assert arg in invited, f"uninvited user {arg} got {type(exc).__name__}, not NotInvitedError"
        else:  # post / leave: only from inside
            try:
                (app.post_message(arg, MEETING, "hi") if action == "post" else app.leave_meeting(arg, MEETING))
                assert arg not in OUTSIDERS, f"outsider {arg} could {action}"
            except (NotJoinedError, NoActiveInstanceError):
                pass
        try:
            inside = {p.user_id for p in app.meeting_participants(MEETING)}
        except NoActiveInstanceError:
            inside = set()
        assert not inside & set(OUTSIDERS)
    log = storecheck.events(app, MEETING)
    assert not [e for e in log if e.user_id in OUTSIDERS]
    assert not [m for m in storecheck.messages(app, MEETING) if m.user_id in OUTSIDERS]
    assert storecheck.violations(app) == []
    figures["access test (tests/reliability/test_access.py)"] = dict(COUNTS)


def test_removed_user_stays_until_leaving_and_cannot_rejoin(private, clock):
    app = private
    app.join_meeting(1, MEETING)
    app.remove_from_audience(MEETING, "Ann@example.COM")
    assert [p.user_id for p in app.meeting_participants(MEETING)] == [1]  # still inside
    assert app.post_message(1, MEETING, "still here").text == "still here"
    app.leave_meeting(1, MEETING)
    with pytest.raises(NotInvitedError):
        app.join_meeting(1, MEETING)
    assert app.meeting_participants(MEETING) == []


def test_removed_user_inside_times_out_when_the_instance_ends(private, clock):
    app = private
    app.join_meeting(2, MEETING)
    app.remove_from_audience(MEETING, "BEN@example.com")
    clock.advance(hours=2)
    (timeout,) = app.sweep()
    assert (timeout.user_id, timeout.event_type) == (2, EventType.TIMEOUT)


def test_audience_matches_ascii_case_and_spaces_only(private, clock):
    app = private
    assert app.get_meeting(MEETING).audience == ("ann@example.com", "ben@example.com")
    assert app.join_meeting(2, MEETING).user_id == 2  # stored "Ben@Example.COM", invited "ben@example.com "
    app.add_to_audience(MEETING, "ZOË@example.net")  # only A-Z are folded: Ë is not ë
    with pytest.raises(NotInvitedError):
        app.join_meeting(6, MEETING)
    with pytest.raises(NotInvitedError):
        app.join_meeting(5, MEETING)  # a longer address that starts like an invited one


def test_public_meeting_has_no_audience(app):
    app.add_meeting(1, "Open", "", is_public=True)
    with pytest.raises(InvalidInputError):
        app.add_to_audience(1, "ann@example.com")
    with pytest.raises(InvalidInputError):
        app.add_meeting(2, "Open", "", is_public=True, audience=["ann@example.com"])
