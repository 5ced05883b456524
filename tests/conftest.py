"""Fixtures: one real Redis server for the session, started by confkit's own
embedded-server code in a temporary directory; a fresh app and manual clock per test.

Backends: the ``app`` fixture runs on the single server, unless its test module is
listed in BOTH_BACKENDS or carries ``pytestmark = pytest.mark.backends``: then every
test there that uses ``app`` (directly or through ``meeting_setup``) runs twice, as
``[single]`` and ``[cluster]``, the latter against a local 3-primary Redis Cluster
started once per session (confkit.testing.LocalCluster, loopback TCP, temp dirs).
A test stays single-server when it asks for ``redis_server`` itself (it talks to
that server directly) or is marked ``@pytest.mark.single_server``.
"""

from __future__ import annotations

import os

import pytest
from clockwork import T0

from confkit import ConferenceApp, ManualClock
from confkit.server import EmbeddedServer
from confkit.testing import LocalCluster

# Test modules whose app-based tests run on both backends (see the module docstring).
BOTH_BACKENDS = {"test_operations", "test_defects", "test_cluster"}
BACKENDS = ("single", "cluster")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "backends: run this module's app-based tests on a single server and on a 3-node cluster")
    config.addinivalue_line(
        "markers", "single_server: keep this test on the single server in a module that runs on both")


def pytest_generate_tests(metafunc):
    if "backend" not in metafunc.fixturenames or "redis_server" in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("single_server"):
        return
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if module in BOTH_BACKENDS or metafunc.definition.get_closest_marker("backends"):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture(scope="session", autouse=True)
def _isolated_state(tmp_path_factory):
    """Servers the tests start are listed in a temporary state directory, never in the
    user's own list (which ``confkit server stop --all`` reads)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CONFKIT_STATE_DIR", str(tmp_path_factory.mktemp("state")))
        yield


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = EmbeddedServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory):
    """A local Redis Cluster of 3 primaries, started only if some test needs it."""
    cluster = LocalCluster(tmp_path_factory.mktemp("cluster"), masters=3).start()
    yield cluster
    cluster.stop()


@pytest.fixture
def backend(request):
    """Which server ``app`` uses: "single", or also "cluster" in modules that opt in."""
    return getattr(request, "param", "single")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Nothing a test runs may touch the user's own confkit data directory."""
    monkeypatch.setenv("CONFKIT_HOME", str(tmp_path / "confkit-home"))
    monkeypatch.delenv("CONFKIT_REDIS_URL", raising=False)


@pytest.fixture
def clock():
    return ManualClock(T0)


@pytest.fixture
def app(backend, request, clock):
    if backend == "cluster":
        application = ConferenceApp(request.getfixturevalue("redis_cluster").url, clock=clock, cluster=True)
    else:
        application = ConferenceApp(request.getfixturevalue("redis_server").url, clock=clock)
    application.reset()
    yield application
    application.close()


@pytest.fixture
def meeting_setup(app, clock):
    """Users 1-4; public meeting 10 and private meeting 20 (audience: users 1 and 2),
    each with an instance running from T0 - 5 min to T0 + 1 h."""
    from datetime import timedelta

    app.add_user(1, "Ann", 30, "female", "ann@example.com")
    app.add_user(2, "Ben", 40, "male", "Ben@Example.com")
    app.add_user(3, "Cy", 25, "male", "cy@example.com")
    app.add_user(4, "Di", 50, "female", "di@example.com")
    app.add_meeting(10, "Open forum", "anyone", is_public=True)
    app.add_meeting(20, "Board", "private", is_public=False,
                    audience=["ann@example.com", " ben@example.com "])
    for mid in (10, 20):
        app.add_instance(mid, 1, T0 - timedelta(minutes=5), T0 + timedelta(hours=1))
    return app


def pytest_report_header(config):
    return f"confkit tests; CONFKIT_HOME isolated per test; pid {os.getpid()}"
