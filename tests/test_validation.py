"""Malformed input is refused with InvalidInputError (never a bare ValueError,
OverflowError or TypeError) before Redis is touched."""

from datetime import datetime, timedelta, timezone

import pytest

from confkit import InvalidInputError


def test_id_with_thousands_of_digits_is_refused(app):
    with pytest.raises(InvalidInputError):
        app.get_user("9" * 5000)  # int() itself refuses strings this long
    with pytest.raises(InvalidInputError):
        app.get_user("9" * 17)
    assert app.add_user("0" * 30 + "7", "Ann", 30, "f", "ann@example.com").user_id == 7


@pytest.mark.parametrize("when", [
    datetime.max.replace(tzinfo=timezone(timedelta(hours=-1))),
    datetime.min.replace(tzinfo=timezone(timedelta(hours=1))),
])
def test_time_outside_the_utc_calendar_is_refused(app, when):
    app.add_meeting(1, "Open", "", is_public=True)
    with pytest.raises(InvalidInputError):
        app.add_instance(1, 1, when, when + timedelta(minutes=1) if when.year < 9999 else when)
    assert app.instances(1) == []


@pytest.mark.parametrize("audience", [None, 5, b"ann@example.com", "ann@example.com", [None]])
def test_audience_that_is_not_a_list_of_addresses_is_refused(app, audience):
    with pytest.raises(InvalidInputError):
        app.add_meeting(1, "Board", "", is_public=False, audience=audience)
    assert app.meetings() == []


def test_audience_may_be_any_iterable(app):
    meeting = app.add_meeting(1, "Board", "", is_public=False, audience=(a for a in [" Ann@Example.com", "b@x.io"]))
    assert meeting.audience == ("ann@example.com", "b@x.io")


def test_numpy_integers_are_ids_numpy_bools_and_floats_are_not():
    import numpy as np
    import pytest

    from confkit import InvalidInputError
    from confkit.validate import ident

    assert ident(np.int64(7)) == 7 and type(ident(np.uint16(7))) is int
    for bad in (np.bool_(True), np.float64(7.0), np.int64(0)):
        with pytest.raises(InvalidInputError):
            ident(bad)
