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


def _lines_fit(text: str, width: int = 100) -> bool:
    return all(len(line) <= width for line in text.splitlines())


def test_output_into_a_closed_pipe_ends_quietly(meeting_setup, redis_server):
    reader = subprocess.Popen([sys.executable, "-m", "confkit.cli", "--url", redis_server.url, "users"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader.stdout.close()  # like `confkit users | head -0`: nobody reads what it prints
    errors = reader.stderr.read().decode()
    reader.wait(timeout=60)
    assert errors == ""


def test_global_options_work_after_the_command(meeting_setup, redis_server, capsys):
    assert main(["join", "1", "10", "--url", redis_server.url, *AT]) == 0
    assert main(["participants", "10", "--json", "--url", redis_server.url, *AT]) == 0
    out = capsys.readouterr().out
    payload = json.loads(out[out.index("["):])
    assert [(p["user_id"], p["name"], p["joined_at"]) for p in payload] == [(1, "Ann", "2030-01-07T09:00:00+00:00")]
    # before the command still works, and the value after it wins over none
    assert main(["--json", "participants", "10", "--url", redis_server.url, *AT]) == 0
    assert json.loads(capsys.readouterr().out)[0]["user_id"] == 1


def test_seed_twice_changes_nothing_and_says_so(app, redis_server, capsys, monkeypatch):
    monkeypatch.setenv("CONFKIT_REDIS_URL", redis_server.url)
    assert main(["--now", "2030-01-07T09:00:30+00:00", "--json", "seed"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert (first["written"], first["placed_around"]) == (True, "2030-01-07T09:00:00+00:00")
    assert main(["--now", "2030-02-01T12:00:00+00:00", "--json", "seed"]) == 0
    captured = capsys.readouterr()
    again = json.loads(captured.out)
    assert (again["written"], again["placed_around"]) == (False, "2030-01-07T09:00:00+00:00")
    assert "already loaded" in captured.err and "reset --yes" in captured.err
    # the stand-up's current instance stays where the first seed put it: 10 minutes before, 40 long
    standup = {i.order_id: i for i in app.instances(1)}[3]
    assert (standup.from_dt.isoformat(), standup.to_dt.isoformat()) == (
        "2030-01-07T08:50:00+00:00", "2030-01-07T09:30:00+00:00")


def test_tables_fit_100_columns_and_name_event_types(app, redis_server, capsys, monkeypatch):
    monkeypatch.setenv("CONFKIT_REDIS_URL", redis_server.url)
    app.load_sample_data()
    long_text = " ".join(f"word{n}" for n in range(60))
    for argv in (["join", "1", "1"], ["post", "1", "1", long_text]):
        assert main([*AT, *argv]) == 0
    capsys.readouterr()
    assert main([*AT, "active"]) == 0
    active = capsys.readouterr().out
    assert _lines_fit(active)
    assert active.splitlines()[0].split() == ["meeting_id", "title", "is_public", "order_id", "from_dt", "to_dt"]
    assert active.splitlines()[2].split()[:4] == ["1", "Daily", "stand-up", "True"]
    for command in (["meetings"], ["users"], ["messages", "1"], ["join-times"], ["end", "1"]):
        assert main([*AT, *command]) == 0
        out = capsys.readouterr().out
        assert _lines_fit(out), command
        if command == ["messages", "1"]:  # the long text wraps, every word kept
            assert all(f"word{n}" in out.split() for n in range(60))
        if command == ["end", "1"]:
            assert out.splitlines()[2].split()[4] == "timeout"
    assert main([*AT, "join", "1", "2"]) == 0
    assert capsys.readouterr().out.splitlines()[2].split()[4] == "join"
    assert main([*AT, "--json", "leave", "1", "2"]) == 0
    assert json.loads(capsys.readouterr().out)["event_type"] == "leave"


def test_help_is_plain_text_and_version_is_the_packaged_one(capsys):
    import tomllib
    from pathlib import Path

    import pytest

    from confkit.cli import parser

    top = parser()
    subparsers = next(a for a in top._actions if a.choices and "join" in a.choices).choices
    for help_text in [top.format_help(), *(p.format_help() for p in subparsers.values())]:
        assert "``" not in help_text and ":func:" not in help_text
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    pyproject = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())
    assert capsys.readouterr().out.strip() == f"confkit {pyproject['project']['version']}"


def test_generate_writes_a_history_and_refuses_a_naive_now(app, redis_server, capsys, monkeypatch):
    import pytest

    monkeypatch.setenv("CONFKIT_REDIS_URL", redis_server.url)
    with pytest.raises(SystemExit) as exit_info:
        main(["generate", "--now", "2030-01-07T09:00:00"])
    assert exit_info.value.code == 2 and "give a time zone" in capsys.readouterr().err
    assert app.users() == []
    assert main(["generate", "--users", "7", "--meetings", "2", "--days", "2", "--json", *AT]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["users"], report["meetings"], report["now"]) == (7, 2, T0.isoformat())
    assert len(app.users()) == 7 and len(app.meetings()) == 2


def test_python_m_confkit_synth_is_confkit_generate(app, redis_server):
    result = subprocess.run(
        [sys.executable, "-m", "confkit.synth", "--url", redis_server.url, "--users", "3", "--meetings", "1",
         "--days", "1", *AT], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "(3 users, 1 meetings" in result.stdout
    assert len(app.users()) == 3


def test_report_help_gives_its_first_paragraph_whole(capsys):
    import pytest

    pytest.importorskip("nbformat")
    from confkit import report

    with pytest.raises(SystemExit):
        report.main(["--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "export them as HTML and save their charts as PNG files." in shown


def _readme_commands() -> list[str]:
    """The command lines of the README's "The command line" section, in order."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("\n## The command line\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def test_readme_command_line_examples_hold_when_run_in_order(redis_cluster, tmp_path):
    import os
    import shlex

    from confkit.server import EmbeddedServer

    commands = _readme_commands()
    assert len(commands) >= 10 and any("--now" in c for c in commands) and any("--cluster" in c for c in commands)
    env = {**os.environ, "CONFKIT_HOME": str(tmp_path / "home"), "CONFKIT_STATE_DIR": str(tmp_path / "state")}
    env.pop("CONFKIT_REDIS_URL", None)
    outputs = []
    try:
        for line in commands:
            words = shlex.split(line.replace("redis://127.0.0.1:7000", redis_cluster.url), comments=True)
            extra = dict(w.split("=", 1) for w in words if "=" in w and w.split("=")[0].isupper())
            argv = [w for w in words if w.split("=")[0] not in extra]
            assert argv[0] == ".venv/bin/confkit", line
            result = subprocess.run([sys.executable, "-m", "confkit.cli", *argv[1:]], env={**env, **extra},
                                    capture_output=True, text=True, timeout=300)
            assert result.returncode == 0, (line, result.stderr)
            outputs.append((argv[1:], result.stdout))
    finally:
        EmbeddedServer(tmp_path / "home").stop()
    sample = ["Daily stand-up", "Board review", "Design critique"]
    actives = [out for argv, out in outputs if argv[0] == "active" and "--cluster" not in argv]
    assert len(actives) == 2
    for out in actives:  # right after seed, and at the fixed time after seeding at that time
        assert [title for title in sample if title in out] == sample and "(none)" not in out
    participants = next(out for argv, out in outputs if argv[0] == "participants")
    assert [p["user_id"] for p in json.loads(participants)] == [1]
    assert "hello" in next(out for argv, out in outputs if argv[0] == "messages")


def test_generate_on_a_cluster(redis_cluster, capsys):
    from confkit import ConferenceApp, ManualClock

    app = ConferenceApp(redis_cluster.url, cluster=True, clock=ManualClock(T0))
    try:
        app.reset()
        assert main(["generate", "--users", "4", "--meetings", "2", "--days", "1", "--json", "--cluster",
                     "--url", redis_cluster.url, *AT]) == 0
        report = json.loads(capsys.readouterr().out)
        assert [u.user_id for u in app.users()] == [1, 2, 3, 4] and report["users"] == 4
        assert len(app.meetings()) == 2
    finally:
        app.reset()
        app.close()


def test_tables_align_wide_characters_and_wrap_them_within_the_width():
    from confkit.present import display_width, format_table

    table = format_table([{"user_id": 1, "name": "張偉", "email": "zw@example.cn"},
                          {"user_id": 2, "name": "Ann", "email": "a@x.io"}])
    rows = table.splitlines()[2:]
    # the e-mail column starts at the same terminal column on both rows: 張偉 takes four
    assert [display_width(r[:r.index(e)]) for r, e in zip(rows, ("zw@", "a@x"))] == [15, 15]
    wrapped = format_table([{"id": 1, "text": "日本語のテキスト" * 12}])
    assert all(display_width(line) <= 100 for line in wrapped.splitlines())
    assert "".join(line[4:] for line in wrapped.splitlines()[2:]) == "日本語のテキスト" * 12
