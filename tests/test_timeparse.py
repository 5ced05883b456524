"""confkit.formats.timeparse: date-times written by strftime in the styles exports
use read back to the same instant, on every path (fixed width, exact format, parts)."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from confkit import ImportFormatError
from confkit.formats.timeparse import LocalTimes, resolve_tz, times_on, to_utc


def us_unpadded(moment: datetime) -> str:
    """Excel's re-save: ``9/4/2021 9:05:07 AM`` (no leading zeros on month, day, hour)."""
    hour = moment.hour % 12 or 12
    return f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment:%M:%S} {moment:%p}"


STYLES = {  # name: (writer, dayfirst to pass, whether it writes seconds)
    "zoom": (lambda m: m.strftime("%m/%d/%Y %I:%M:%S %p"), False, True),
    "zoom-unpadded": (us_unpadded, False, True),
    "admin-24h": (lambda m: m.strftime("%d/%m/%Y %H:%M"), True, False),
    "teams-us": (lambda m: us_unpadded(m).replace(f"/{m.year} ", f"/{m:%y}, "), False, True),
    "teams-eu": (lambda m: m.strftime("%d/%m/%y, %H:%M:%S"), True, True),
    "webinar-2020": (lambda m: m.strftime("%b %d, %Y %H:%M:%S"), None, True),
    "webinar-other": (lambda m: m.strftime("%b %d, %Y ") + m.strftime("%I:%M %p").lstrip("0"), None, False),
    "iso": (lambda m: m.strftime("%Y-%m-%d %H:%M:%S"), None, True),
    "polish": (lambda m: m.strftime("%d.%m.%Y, %H:%M:%S"), True, True),
}
moments = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2068, 12, 31)).map(
    lambda m: m.replace(microsecond=0))


@settings(derandomize=True, max_examples=60, deadline=None)
@given(style=st.sampled_from(sorted(STYLES)), values=st.lists(moments, min_size=1, max_size=20))
def test_written_times_read_back(style, values):
    write, dayfirst, seconds = STYLES[style]
    expected = [pd.Timestamp(v if seconds else v.replace(second=0), tz="UTC") for v in values]
    local = LocalTimes("f", timezone.utc, dayfirst=dayfirst)
    handle = local.add("t", pd.Series([write(v) for v in values]), np.arange(1, len(values) + 1))
    assert local.utc(handle).tolist() == expected


def test_times_on_a_date_in_a_zone():
    read = times_on(datetime(2021, 10, 14).date(), pd.Series(["10:02 AM", "23:59:59"]), ZoneInfo("Europe/London"))
    assert read.tolist() == [pd.Timestamp("2021-10-14 09:02", tz="UTC"), pd.Timestamp("2021-10-14 22:59:59",
                                                                                          tz="UTC")]


def test_to_utc_dst_rules():
    naive = pd.Series(pd.to_datetime(["2021-10-31 02:30", "2021-03-28 02:15", "2021-07-01 12:00"]))
    stamps, notes = to_utc(naive, ZoneInfo("Europe/Paris"), np.array([5, 6, 7]))
    assert stamps.tolist() == [pd.Timestamp("2021-10-31 00:30", tz="UTC"), pd.Timestamp("2021-03-28 01:00", tz="UTC"),
                               pd.Timestamp("2021-07-01 10:00", tz="UTC")]
    assert [note.split(":")[0] for note in notes] == ["line 5", "line 6"]


def test_resolve_tz():
    assert resolve_tz("America/Chicago")[1] == "America/Chicago"
    assert resolve_tz(ZoneInfo("Asia/Kolkata"))[1] == "Asia/Kolkata"
    with pytest.raises(ImportFormatError):
        resolve_tz("Nowhere/Special")


def test_evidence_comes_from_any_column():
    local = LocalTimes("f", timezone.utc)
    first = local.add("a", pd.Series(["03/04/2022 10:00"]), np.array([2]))
    local.add("b", pd.Series(["25/04/2022 10:00"]), np.array([3]))
    assert local.utc(first).tolist() == [pd.Timestamp("2022-04-03 10:00", tz="UTC")]
    assert "guessed from line 3" in local.warnings[0]
