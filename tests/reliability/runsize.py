"""How big the reliability tests run, and the figures they report.

``CONFKIT_RELIABILITY=full`` (``make reliability``) runs every test at full size; the
default (``make test``) runs a short, derandomized version of each. Tests put what
they did into ``FIGURES``; the session prints it at the end (see conftest.py).
"""

from __future__ import annotations

import os

FULL = os.environ.get("CONFKIT_RELIABILITY", "quick") == "full"
FIGURES: dict[str, dict[str, object]] = {}


def scale(quick, full):
    """The size of a run: ``quick`` in make test, ``full`` in make reliability."""
    return full if FULL else quick
