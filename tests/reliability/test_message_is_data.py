"""Message text is data: confkit stores and returns it byte for byte and never
evaluates or renders it. Shown in a notebook, a DataFrame of messages escapes HTML;
printed by the command line, control and bidi characters are shown as escapes."""

from __future__ import annotations

import ast
import dataclasses
import re
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

import confkit
from confkit.cli import main

HOSTILE = ["<script>alert('x')</script>", "<img src=x onerror=alert(1)>", "</td></tr></table><h1>big</h1>",
           "a & b &amp; c", "\x1b[2J\x1b[31mred", "\u202eevil\u2066", "{{7*7}} ${7*7} %(x)s"]


@pytest.fixture
def chat(app, clock):
    app.add_user(1, "<b>Ann</b>", 30, "f", "ann@example.com")
    app.add_meeting(1, "<i>Open</i>", "", is_public=True)
    app.add_instance(1, 1, clock() - timedelta(minutes=5), clock() + timedelta(hours=1))
    app.join_meeting(1, 1)
    for text in HOSTILE:
        app.post_message(1, 1, text)
    return app


def test_dataframe_of_messages_holds_raw_text_and_escapes_it_as_html(chat):
    pytest.importorskip("jinja2", reason="DataFrame.style needs jinja2 (comes with the notebooks extra)")
    frame = pd.DataFrame([dataclasses.asdict(m) for m in chat.meeting_messages(1)])
    assert list(frame["text"]) == HOSTILE  # the data itself is untouched
    for html in (frame.to_html(), frame._repr_html_(), frame.style.format(escape="html").to_html()):
        assert "<script>" not in html and "<img" not in html and "<h1>" not in html
        assert "&lt;script&gt;alert(" in html and "&lt;/td&gt;&lt;/tr&gt;" in html
        assert "a &amp; b &amp;amp; c" in html


def test_styler_without_escape_would_render_markup(chat):
    """Why notebooks must pass escape="html" to DataFrame.style: by default it does not escape."""
    pytest.importorskip("jinja2", reason="DataFrame.style needs jinja2 (comes with the notebooks extra)")
    frame = pd.DataFrame([dataclasses.asdict(m) for m in chat.meeting_messages(1)])
    assert "<script>alert('x')</script>" in frame.style.to_html()


def test_command_line_shows_escapes_not_terminal_controls(chat, redis_server, capsys):
    assert main(["--url", redis_server.url, "messages", "1"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out and "\u2066" not in out
    assert "\\x1b[2J\\x1b[31mred" in out and "\\u202eevil\\u2066" in out
    assert "<script>alert('x')</script>" in out  # plain text on a terminal: shown as typed


def test_no_code_path_evaluates_text():
    """No eval/exec/compile/pickle in the package, no load/loadstring/dofile in its Lua."""
    package = Path(confkit.__file__).parent
    for source in package.rglob("*.py"):
        tree = ast.parse(source.read_text(), filename=str(source))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"eval", "exec", "compile", "__import__"}, (source, node.lineno)
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not {"pickle", "marshal", "shelve"} & {n.split(".")[0] for n in names}, source
    for script in package.rglob("*.lua"):
        code = re.sub(r"--[^\n]*", "", script.read_text())
        assert not re.search(r"\b(loadstring|load|dofile|loadfile)\s*\(", code), script
