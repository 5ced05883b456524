"""Results as plain data: for JSON, tables and DataFrames.

``to_plain`` turns results (dataclasses, lists of them) into JSON-ready values;
``flatten`` turns one result into a flat row whose nested results are named with
dots (``meeting.title``).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import Enum
from typing import Any

from .models import EventType


def to_plain(value: Any) -> Any:
    """Dataclasses as dicts, lists and tuples as lists, datetimes in ISO 8601, event
    types by name (``join``), other enums as their values; anything else unchanged."""
    if _result(value):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, EventType):
        return value.name.lower()
    if isinstance(value, Enum):
        return value.value
    return value


def _result(value: Any) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """A result (dataclass) as one flat dict: nested results contribute
    ``name.field`` entries; other values (a dict too) are kept as they are. A dict
    is taken as an already flat row."""
    if not _result(value):
        return {prefix + str(key): item for key, item in dict(value).items()}
    row: dict[str, Any] = {}
    for f in dataclasses.fields(value):
        item = getattr(value, f.name)
        if _result(item):
            row.update(flatten(item, f"{prefix}{f.name}."))
        else:
            row[prefix + f.name] = item
    return row
