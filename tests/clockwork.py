"""The fixed instant tests start from: a Monday in 2030, never "today"."""

from datetime import datetime, timezone

T0 = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)
