"""Results as plain data: for JSON, tables and DataFrames.

``to_plain`` turns results (dataclasses, lists of them) into JSON-ready values;
``flatten`` turns one result, or one plain dict, into a flat row whose nested
fields are named with dots (``meeting.title``).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import Enum
from typing import Any


def to_plain(value: Any) -> Any:
    """Dataclasses as dicts, lists and tuples as lists, datetimes in ISO 8601, enums
    as their values; anything else unchanged."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _nested(value: Any) -> bool:
    return isinstance(value, dict) or (dataclasses.is_dataclass(value) and not isinstance(value, type))


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """A dataclass or dict as one flat dict: nested ones contribute ``name.field``
    entries; other values are kept as they are."""
    if isinstance(value, dict):
        items = list(value.items())
    else:
        items = [(f.name, getattr(value, f.name)) for f in dataclasses.fields(value)]
    row: dict[str, Any] = {}
    for key, item in items:
        if _nested(item):
            row.update(flatten(item, f"{prefix}{key}."))
        else:
            row[prefix + key] = item
    return row
