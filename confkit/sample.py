"""The sample data set: a handful of users and meetings, with instances placed
around the clock's "now" so that some meetings are running whenever it is loaded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .errors import MeetingNotFoundError

if TYPE_CHECKING:
    from .app import ConferenceApp

USERS = [
    (1, "Alice Martin", 34, "female", "alice@example.com"),
    (2, "Bob Chen", 41, "male", "Bob.Chen@Example.com"),
    (3, "Carla Rossi", 29, "female", "carla@example.org"),
    (4, "Dev Patel", 37, "male", "dev@example.org"),
    (5, "Eve Okafor", 25, "female", "eve@example.net"),
    (6, "Femi Adeyemi", 52, "male", "femi@example.net"),
    (7, "Grace Kim", 46, "female", "grace@example.com"),
    (8, "Hugo Laurent", 31, "non-binary", "hugo@example.com"),
]

# meeting_id, title, description, is_public, audience
MEETINGS = [
    (1, "Daily stand-up", "Fifteen minutes, every morning, open to all.", True, ()),
    (2, "Board review", "Quarterly figures; invitation only.", False,
     ("alice@example.com", " bob.chen@example.com", "GRACE@example.com")),
    (3, "Python class", "Weekly lesson; the last one is over.", True, ()),
    (4, "All-hands", "Company meeting, scheduled for tomorrow.", True, ()),
    (5, "Design critique", "Small private review.", False, ("carla@example.org", "dev@example.org")),
]

# meeting_id, order_id, start relative to now, duration
INSTANCES = [
    (1, 1, timedelta(days=-2, minutes=-10), timedelta(minutes=15)),
    (1, 2, timedelta(days=-1, minutes=-10), timedelta(minutes=15)),
    (1, 3, timedelta(minutes=-10), timedelta(minutes=40)),
    (2, 1, timedelta(days=-91), timedelta(hours=1)),
    (2, 2, timedelta(minutes=-5), timedelta(hours=1)),
    (3, 1, timedelta(days=-14), timedelta(hours=1)),
    (3, 2, timedelta(days=-7), timedelta(hours=1)),
    (4, 1, timedelta(days=1), timedelta(hours=1)),
    (5, 1, timedelta(minutes=-30), timedelta(hours=2)),
]


@dataclass(frozen=True)
class SampleSummary:
    users: int
    meetings: int
    instances: int


def placed_around(app: ConferenceApp) -> datetime | None:
    """The minute an earlier load placed the sample around (read from the sample's
    stand-up, meeting 1, and its current instance), or None if it is not there."""
    meeting_id, order_id, offset, length = INSTANCES[2]
    try:
        if app.get_meeting(meeting_id).title != MEETINGS[0][1]:
            return None
        instances = app.instances(meeting_id)
    except MeetingNotFoundError:
        return None
    return next((i.from_dt - offset for i in instances
                 if i.order_id == order_id and i.to_dt - i.from_dt == length), None)


def load(app: ConferenceApp) -> SampleSummary:
    """Add the sample catalog; instances are placed relative to ``app.now()``,
    rounded down to the minute. Loading again changes nothing, whatever the time: the
    instances stay where the first load put them (``reset`` first to move them)."""
    summary = SampleSummary(len(USERS), len(MEETINGS), len(INSTANCES))
    if placed_around(app) is not None:
        return summary
    now = app.now().replace(second=0, microsecond=0)
    for user in USERS:
        app.add_user(*user)
    for meeting_id, title, description, is_public, audience in MEETINGS:
        app.add_meeting(meeting_id, title, description, is_public=is_public, audience=audience)
    for meeting_id, order_id, offset, length in INSTANCES:
        app.add_instance(meeting_id, order_id, now + offset, now + offset + length)
    return summary
