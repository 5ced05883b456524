"""Model-based test: random sequences of every operation (with time moving forward,
instances ending, end_meeting and sweep) run against confkit on a real Redis and
against the in-memory reference model in refmodel.py; every result and every error
must agree, a refused call must leave the store unchanged, and the store's
invariants (storecheck.violations) must hold after every step."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import storecheck
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from refmodel import Model, Refused, ms
from runsize import scale

from confkit import ConfkitError, ManualClock
from confkit.models import EventType

T0 = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)
T0_MS = ms(T0)
EMAILS = ["ann@example.com", " Ann@Example.COM ", "ben@example.com", "BEN@example.com",
          "cy@example.org", "zoë@example.net", "ZOË@example.net"]
NAMES = ["Ann", "Ben", "Cy", "Zoë", "  spaced  ", "‮rtl", "<b>x</b>"]
TEXTS = ["hi", "", "   ", "a\x00b", "<script>alert(1)</script>", "line\nbreak", "é" * 10, "x" * 4097]

# Mostly valid ids, so that sequences get somewhere; now and then a malformed one.
user_ids = st.sampled_from([1, 2, 3, 4] * 4 + [5, 0, "2", True, 2**53])
meeting_ids = st.sampled_from([1, 2] * 6 + [3, "1", 0, 7.0])
order_ids = st.sampled_from([1, 2, 3] * 3 + [4, 0])
emails = st.sampled_from(EMAILS + ["not-an-email", "a b@example.com"])


def make_machine(app, counter):
    class ConfkitVersusModel(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            app.reset()
            self.clock = ManualClock(T0)
            app.clock = self.clock
            self.model = Model(T0_MS)
            self.joins_seen: dict[int, int] = {}

        def compare(self, real, expected, *, writes: bool = True):
            counter["operations"] += 1
            self.model.now = ms(self.clock())
            before = storecheck.dump(app) if writes else None
            try:
                want = ("ok", expected())
            except Refused as refusal:
                want = ("error", refusal.kind)
            try:
                got = ("ok", real())
            except ConfkitError as exc:
                got = ("error", type(exc))
            assert got == want
            if want[0] == "error":
                counter["refused"] += 1
                if writes:
                    assert storecheck.dump(app) == before, "a refused call changed the store"

        def both(self, name, *args, **kwargs):
            """Call the method ``name`` of the app and of the model with the same arguments."""
            self.compare(lambda: getattr(app, name)(*args, **kwargs),
                         lambda: getattr(self.model, name)(*args, **kwargs))

        @initialize()
        def cast(self):
            """Users 1-4, a public meeting 1 and a private meeting 2, each with a running
            instance, so that most sequences get past the catalog; rules add more."""
            for uid, email in zip((1, 2, 3, 4), ("ann@example.com", "BEN@example.com", "cy@example.org",
                                                 "Zoë@example.net")):
                self.both("add_user", uid, NAMES[uid], 30, "f", email)
            self.both("add_meeting", 1, "Open", "", is_public=True)
            invited = ["ann@example.com", " Ben@example.com", "ZOË@example.net"]
            self.both("add_meeting", 2, "Board", "", is_public=False, audience=invited)
            begin, end = self.clock() - timedelta(minutes=10), self.clock() + timedelta(minutes=60)
            for mid in (1, 2):
                self.both("add_instance", mid, 1, begin, end)

        # -- time ---------------------------------------------------------------
        @rule(minutes=st.sampled_from([0, 1, 5, 20, 45, 90, 240]))
        def advance(self, minutes):
            counter["operations"] += 1
            self.clock.advance(minutes=minutes)
            self.model.now = ms(self.clock())

        # -- catalog ------------------------------------------------------------
        @rule(uid=user_ids, name=st.sampled_from(NAMES), age=st.sampled_from([30, 151, -1]), email=emails)
        def add_user(self, uid, name, age, email):
            self.compare(lambda: app.add_user(uid, name, age, "f", email),
                         lambda: self.model.add_user(uid, name, age, "f", email))

        @rule(mid=meeting_ids, public=st.booleans(), audience=st.lists(emails, max_size=3),
              title=st.sampled_from(["Stand-up", "Board", "‮x"]))
        def add_meeting(self, mid, public, audience, title):
            self.compare(lambda: app.add_meeting(mid, title, "", is_public=public, audience=audience),
                         lambda: self.model.add_meeting(mid, title, "", is_public=public, audience=audience))

        @rule(mid=meeting_ids, order=order_ids, start=st.integers(-90, 60), length=st.integers(-5, 150))
        def add_instance(self, mid, order, start, length):
            begin = self.clock() + timedelta(minutes=start)
            end = begin + timedelta(minutes=length)
            self.compare(lambda: app.add_instance(mid, order, begin, end),
                         lambda: self.model.add_instance(mid, order, begin, end))

        @rule(mid=st.sampled_from([1, 2]), start=st.integers(-30, 10), length=st.integers(1, 90))
        def next_instance(self, mid, start, length):
            """Schedule the meeting's next instance (order id one higher than any), near now:
            it supersedes the running one, possibly from a time before some joins."""
            order = max(self.model.meetings[mid].instances, default=0) + 1
            begin = self.clock() + timedelta(minutes=start)
            end = begin + timedelta(minutes=length)
            self.compare(lambda: app.add_instance(mid, order, begin, end),
                         lambda: self.model.add_instance(mid, order, begin, end))

        @rule(mid=meeting_ids, add=st.booleans(), some=st.lists(emails, max_size=2))
        def change_audience(self, mid, add, some):
            if add:
                self.compare(lambda: app.add_to_audience(mid, *some), lambda: self.model.add_to_audience(mid, *some))
            else:
                self.compare(lambda: app.remove_from_audience(mid, *some),
                             lambda: self.model.remove_from_audience(mid, *some))

        # -- the operations -----------------------------------------------------
        def act(self, kind, uid, mid, text="hi"):
            if kind == "join":
                self.compare(lambda: app.join_meeting(uid, mid), lambda: self.model.join_meeting(uid, mid))
            elif kind == "leave":
                self.compare(lambda: app.leave_meeting(uid, mid), lambda: self.model.leave_meeting(uid, mid))
            else:
                self.compare(lambda: app.post_message(uid, mid, text),
                             lambda: self.model.post_message(uid, mid, text))

        @rule(uid=user_ids, mid=meeting_ids)
        def join(self, uid, mid):
            self.act("join", uid, mid)

        @rule(uid=user_ids, mid=meeting_ids)
        def leave(self, uid, mid):
            self.act("leave", uid, mid)

        @rule(uid=user_ids, mid=meeting_ids, text=st.sampled_from(TEXTS))
        def post(self, uid, mid, text):
            self.act("post", uid, mid, text)

        @rule(burst=st.lists(st.tuples(st.sampled_from(["join", "join", "leave", "post"]), user_ids, meeting_ids),
                             min_size=2, max_size=6))
        def busy(self, burst):
            """Several joins, leaves and posts in a row (most sequences are about these)."""
            for kind, uid, mid in burst:
                self.act(kind, uid, mid)

        @rule(mid=meeting_ids)
        def end_meeting(self, mid):
            self.compare(lambda: app.end_meeting(mid), lambda: self.model.end_meeting(mid))

        @rule()
        def sweep(self):
            self.compare(app.sweep, self.model.sweep)

        @rule(mid=meeting_ids)
        def participants(self, mid):
            self.compare(lambda: app.meeting_participants(mid), lambda: self.model.meeting_participants(mid),
                         writes=False)

        @rule()
        def active(self):
            self.compare(app.active_meetings, self.model.active_meetings, writes=False)
            self.compare(app.join_times, self.model.join_times, writes=False)

        @rule(uid=user_ids, mid=meeting_ids)
        def messages(self, uid, mid):
            self.compare(lambda: app.meeting_messages(mid), lambda: self.model.meeting_messages(mid), writes=False)
            self.compare(lambda: app.user_messages(uid, mid), lambda: self.model.user_messages(uid, mid),
                         writes=False)

        @rule(uid=user_ids, mid=meeting_ids)
        def catalog(self, uid, mid):
            self.compare(lambda: app.get_user(uid), lambda: self.model.get_user(uid), writes=False)
            self.compare(lambda: app.get_meeting(mid), lambda: self.model.get_meeting(mid), writes=False)
            self.compare(lambda: app.instances(mid), lambda: self.model.instances(mid), writes=False)
            self.compare(app.users, self.model.users_list, writes=False)
            self.compare(app.meetings, self.model.meetings_list, writes=False)

        # -- after every step ---------------------------------------------------
        @invariant()
        def store_is_sound(self):
            assert storecheck.violations(app) == []

        @invariant()
        def store_matches_model(self):
            for mid, state in self.model.meetings.items():
                log = storecheck.events(app, mid)
                assert [(e.event_id, e.user_id, e.order_id, e.event_type, e.ts) for e in log] == [
                    (e.event_id, e.user_id, e.order_id, int(e.event_type), ms(e.timestamp)) for e in state.events]
                stored = storecheck.messages(app, mid)
                assert [(m.message_id, m.user_id, m.order_id, m.ts, m.text) for m in stored] == [
                    (m.message_id, m.user_id, m.order_id, ms(m.timestamp), m.text) for m in state.messages]
                assert storecheck.presence(app, mid) == {
                    o: {u: eid for u, (eid, _) in inside.items()} for o, inside in state.present.items() if inside}
                running = self.model.running(mid)
                if running is not None:  # participants are the replay of the log, in join order
                    replayed = storecheck.replay(log).get(running, {})
                    assert [p.user_id for p in app.meeting_participants(mid)] == sorted(replayed, key=replayed.get)
                stamps = [m.timestamp for m in app.meeting_messages(mid)]
                assert stamps == sorted(stamps)

        @invariant()
        def nobody_uninvited_joined(self):
            for mid, state in self.model.meetings.items():
                for event in state.events[self.joins_seen.get(mid, 0):]:
                    if event.event_type is EventType.JOIN and not state.public:
                        email = self.model.users[event.user_id].email
                        assert self.model.audience_contains(mid, email), (mid, event)
                self.joins_seen[mid] = len(state.events)

    return ConfkitVersusModel


def test_confkit_matches_reference_model(app, figures):
    counter = {"operations": 0, "refused": 0}
    examples, steps = scale((60, 30), (600, 60))
    machine = make_machine(app, counter)
    run_state_machine_as_test(machine, settings=settings(
        settings.get_profile("reliability"), max_examples=examples, stateful_step_count=steps))
    figures["model-based test (tests/reliability/test_model.py)"] = {
        "sequences": examples, "max steps per sequence": steps,
        "operations run": counter["operations"], "of which refused (and checked to change nothing)":
            counter["refused"]}
    assert counter["operations"] > examples
