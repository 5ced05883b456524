"""The notebooks, the report builder and the demo never change data they did not
create: a user's data in the default namespace on the same server stays byte-identical."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from storedump import store_state

from confkit import ConferenceApp, ManualClock, cli, demo, report, synth

ROOT = Path(__file__).resolve().parent.parent
pytest.importorskip("nbclient", reason="running the notebooks needs the notebooks extra")


def test_notebooks_report_and_demo_leave_the_users_data_alone(redis_server, monkeypatch, tmp_path, capsys):
    clock = ManualClock(datetime(2030, 1, 14, 9, 7, tzinfo=timezone.utc))
    users_app = ConferenceApp(redis_server.url, clock=clock)  # the default namespace, as the CLI uses it
    users_app.reset()
    users_app.load_sample_data()
    synth.generate(users_app, users=12, meetings=3, days=5, seed=1)
    users_app.join_meeting(1, 1)
    users_app.post_message(1, 1, "mine, keep it")
    at = ["--url", redis_server.url, "--now", clock().isoformat()]
    assert cli.main([*at, "join", "2", "1"]) == 0  # and through the command line
    assert cli.main([*at, "post", "2", "1", "from the CLI"]) == 0
    before = store_state(users_app)
    assert len(before) > 50

    monkeypatch.setenv("CONFKIT_REDIS_URL", redis_server.url)  # every kernel and the demo reach this server
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    built = report.build(notebooks, tmp_path / "report", {"N_USERS": 30, "N_MEETINGS": 4, "DAYS": 7})
    assert len(built.notebooks) == len(notebooks) >= 5
    assert demo.main() == 0
    capsys.readouterr()

    assert store_state(users_app) == before
    for namespace in ("confkit-notebooks", "confkit-demo"):  # they did write, in their own keys
        with ConferenceApp(redis_server.url, namespace=namespace) as theirs:
            assert store_state(theirs)
            theirs.reset()
    users_app.reset()
    users_app.close()
