"""Fixtures of the reliability tests (servers of their own, the figures they report)
and the Hypothesis profile they share: derandomized, so every run is the same."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from runsize import FIGURES, FULL

from confkit import ConferenceApp
from confkit.server import EmbeddedServer

settings.register_profile(
    "reliability",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.filter_too_much, HealthCheck.data_too_large],
)

@pytest.fixture(scope="session")
def figures() -> dict[str, dict[str, object]]:
    return FIGURES


@pytest.fixture
def own_server(tmp_path):
    """A server of the test's own (it may be stopped, killed or restarted)."""
    servers: list[EmbeddedServer] = []

    def make(appendfsync: str = "everysec", name: str = "redis") -> EmbeddedServer:
        server = EmbeddedServer(tmp_path / name, appendfsync=appendfsync)
        server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def own_app(own_server, clock):
    """An app on a server of its own, and the server."""
    apps: list[ConferenceApp] = []

    def make(**kwargs) -> tuple[ConferenceApp, EmbeddedServer]:
        server = own_server(**kwargs)
        app = ConferenceApp(server.url, clock=clock)
        apps.append(app)
        return app, server

    yield make
    for app in apps:
        app.close()


def pytest_terminal_summary(terminalreporter):
    if not FIGURES:
        return
    mode = "full (make reliability)" if FULL else "quick (make test)"
    terminalreporter.section(f"confkit reliability figures, {mode}")
    width = max(len(k) for figures in FIGURES.values() for k in figures)
    for test, figures in FIGURES.items():
        terminalreporter.write_line(test)
        for key, value in figures.items():
            terminalreporter.write_line(f"    {key.ljust(width)}  {value}")
    target = os.environ.get("CONFKIT_FIGURES")
    if target:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_text(json.dumps(FIGURES, indent=2, default=str) + "\n")
