"""Where the real meeting exports live: ``../shared/fixtures`` beside the checkout.

They are never copied into the repository. Tests that need them fail in CI
(``CI`` set) when the folder is missing, and skip with the reason elsewhere."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"


def fixture(relative: str) -> Path:
    """The path of a shared fixture, e.g. ``fixture("zoom/participants_heroes.csv")``."""
    path = FIXTURES / relative
    if not path.is_file():
        reason = f"shared fixture {relative} not found at {FIXTURES}"
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI must have ../shared beside the checkout)")
        pytest.skip(reason)
    return path
