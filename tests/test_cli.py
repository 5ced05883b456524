"""The confkit command: tables, JSON, and errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

from clockwork import T0

from confkit.cli import main

AT = ["--now", T0.isoformat()]


def test_cli_join_then_participants_as_table_and_json(meeting_setup, redis_server, capsys, monkeypatch):
    monkeypatch.setenv("CONFKIT_REDIS_URL", redis_server.url)
    assert main([*AT, "join", "1", "10"]) == 0
    assert main([*AT, "--json", "participants", "10"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["event_id", "user_id", "meeting_id", "order_id", "event_type", "timestamp"]
    payload = json.loads(out[out.index("["):])
    assert [(p["user_id"], p["name"]) for p in payload] == [(1, "Ann")]


def test_cli_error_goes_to_stderr_with_status_1(meeting_setup, redis_server, capsys, monkeypatch):
    monkeypatch.setenv("CONFKIT_REDIS_URL", redis_server.url)
    assert main([*AT, "leave", "1", "10"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("confkit: user 1 (Ann) is not in the running instance")


def test_cli_reset_needs_confirmation(meeting_setup, redis_server, capsys, monkeypatch):
    monkeypatch.setenv("CONFKIT_REDIS_URL", redis_server.url)
    assert main(["reset"]) == 2
    assert meeting_setup.users() != []


def test_console_script_reports_bad_input_without_traceback(redis_server):
    result = subprocess.run(
        [sys.executable, "-m", "confkit.cli", "--url", redis_server.url, "join", "abc", "1"],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "user_id must be a positive integer" in result.stderr


def test_cli_refuses_a_naive_now(capsys):
    import pytest

    with pytest.raises(SystemExit) as exit_info:
        main(["--now", "2030-01-07T09:00:00", "active"])
    assert exit_info.value.code == 2
    assert "give a time zone" in capsys.readouterr().err


def test_cli_talks_to_a_cluster(redis_cluster, capsys, monkeypatch):
    from confkit import ConferenceApp, ManualClock

    app = ConferenceApp(redis_cluster.url, cluster=True, clock=ManualClock(T0))
    try:
        app.reset()
        app.load_sample_data()
        monkeypatch.setenv("CONFKIT_REDIS_URL", redis_cluster.url)
        assert main([*AT, "--cluster", "join", "1", "1"]) == 0
        assert main([*AT, "--cluster", "--json", "participants", "1"]) == 0
        out = capsys.readouterr().out
        payload = json.loads(out[out.index("["):])
        assert [(p["user_id"], p["name"]) for p in payload] == [(1, "Alice Martin")]
        assert [p.user_id for p in app.meeting_participants(1)] == [1]
    finally:
        app.reset()
        app.close()
