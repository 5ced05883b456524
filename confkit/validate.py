"""Input checks that run before Redis is touched, so bad input changes nothing."""

from __future__ import annotations

import operator
from datetime import datetime, timezone
from typing import Any

from .errors import InvalidInputError

MAX_ID = 2**53 - 1  # ids are sorted-set scores too: doubles are exact up to here
MAX_MESSAGE_CHARS = 4096
MAX_NAME_CHARS = 200
MAX_TEXT_FIELD_CHARS = 4096


def ident(value: Any, what: str = "id") -> int:
    """A positive integer id; a string of ASCII digits is accepted and normalised, and so
    is any integer type (``numpy.int64`` from a DataFrame). Booleans and floats are not."""
    # numpy's bool_ has dtype kind "b"; numpy 1 still lets operator.index() take it.
    if isinstance(value, bool) or getattr(getattr(value, "dtype", None), "kind", None) == "b":
        raise InvalidInputError(f"{what} must be a positive integer, got {value!r}")
    if isinstance(value, int):
        number = value
    elif hasattr(type(value), "__index__") and not isinstance(value, (str, bytes, float)):
        try:
            number = operator.index(value)  # numpy integers
        except TypeError:
            raise InvalidInputError(f"{what} must be a positive integer, got {value!r}") from None
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        if len(value.lstrip("0")) > len(str(MAX_ID)):  # too long for an id (and for int())
            raise InvalidInputError(f"{what} must be between 1 and {MAX_ID}, got {value[:40]!r}...")
        number = int(value)
    else:
        raise InvalidInputError(f"{what} must be a positive integer, got {value!r}")
    if not 1 <= number <= MAX_ID:
        raise InvalidInputError(f"{what} must be between 1 and {MAX_ID}, got {value!r}")
    return number


def text(value: Any, what: str, *, max_chars: int = MAX_TEXT_FIELD_CHARS, allow_empty: bool = False) -> str:
    """A string that Redis can store as UTF-8 (no lone surrogates), within a size limit."""
    if not isinstance(value, str):
        raise InvalidInputError(f"{what} must be a string, got {type(value).__name__}")
    if not allow_empty and not value.strip():
        raise InvalidInputError(f"{what} must not be empty or whitespace only")
    if len(value) > max_chars:
        raise InvalidInputError(f"{what} is {len(value)} characters long; the limit is {max_chars}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInputError(f"{what} is not valid Unicode text: {exc.reason}") from None
    return value


def message_text(value: Any) -> str:
    return text(value, "message text", max_chars=MAX_MESSAGE_CHARS)


def email(value: Any) -> str:
    """An e-mail address, trimmed; it must have one '@' with text on both sides."""
    address = text(value, "email", max_chars=320).strip()
    local, at, domain = address.partition("@")
    if not at or not local or not domain or "@" in domain or any(c.isspace() for c in address):
        raise InvalidInputError(f"email {value!r} is not an e-mail address")
    return address


def normalise_email(address: str) -> str:
    """The form used to compare addresses: trimmed, ASCII letters lower-cased.

    Only ASCII is folded, exactly as the Lua scripts' ``string.lower`` does.
    """
    return address.strip().encode("utf-8").lower().decode("utf-8")


def audience(value: Any) -> list[str]:
    """A collection of e-mail addresses, normalised, de-duplicated and sorted."""
    if isinstance(value, (str, bytes)):
        raise InvalidInputError("audience must be a list of e-mail addresses, not one string")
    try:
        addresses = list(value)
    except TypeError:
        raise InvalidInputError(f"audience must be a list of e-mail addresses, got {type(value).__name__}") from None
    return sorted({normalise_email(email(a)) for a in addresses})


def age(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 150:
        raise InvalidInputError(f"age must be an integer from 0 to 150, got {value!r}")
    return value


def flag(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInputError(f"{what} must be True or False, got {value!r}")
    return value


def aware(value: Any, what: str) -> datetime:
    """A timezone-aware datetime, converted to UTC. Naive datetimes are refused."""
    if not isinstance(value, datetime):
        raise InvalidInputError(f"{what} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInputError(f"{what} must be timezone-aware (got naive {value.isoformat()})")
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:
        raise InvalidInputError(f"{what} ({value.isoformat()}) is outside the years 1-9999 in UTC") from None
