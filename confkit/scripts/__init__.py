"""Lua scripts, one ``.lua`` file per atomic operation, loaded by name.

Meeting scripts are prefixed with ``common.lua`` (key layout, clock, db switching)
and the helper files their ``-- needs:`` line names (``running`` ->
``common_running.lua``); a script whose first line says ``(standalone`` is loaded on
its own. Each helper defined costs the server a little on every call, so a script
carries only the ones it uses.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_NEEDS = re.compile(r"^-- needs: *(.*)$", re.MULTILINE)


@cache
def source(name: str) -> str:
    """The full source of script ``name`` as sent to Redis."""
    folder = resources.files(__package__)

    def read(file: str) -> str:
        return folder.joinpath(f"{file}.lua").read_text(encoding="utf-8")

    body = read(name)
    if body.startswith(f"-- {name} (standalone"):
        return body
    needs = _NEEDS.search(body)
    helpers = [f"common_{part.strip()}" for part in needs.group(1).split(",")] if needs else []
    return "\n".join(read(file) for file in ["common", *helpers, name])


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
    "active_meetings",
    "end_meeting",
    "sweep",
    "remember_latest",
)
