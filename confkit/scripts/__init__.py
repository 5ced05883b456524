"""Lua scripts, one ``.lua`` file per atomic operation, loaded by name.

Meeting scripts are prefixed with ``common.lua`` (key layout, clock, sweep helpers);
a script whose first line says ``(standalone`` is loaded on its own.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def source(name: str) -> str:
    """The full source of script ``name`` as sent to Redis."""
    folder = resources.files(__package__)
    body = folder.joinpath(f"{name}.lua").read_text(encoding="utf-8")
    if body.startswith(f"-- {name} (standalone"):
        return body
    return folder.joinpath("common.lua").read_text(encoding="utf-8") + "\n" + body


NAMES = (
    "add_user",
    "add_meeting",
    "add_instance",
    "change_audience",
    "join",
    "leave",
    "post_message",
    "participants",
    "meeting_state",
    "end_meeting",
    "sweep",
)
