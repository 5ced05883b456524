"""docs/guarantees.md: every statement names a test, and every test it names exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "guarantees.md"
REF = re.compile(r"`((?:R/)?[\w/]+\.py)?::([\w*]+)(?:\[[\w-]+\])?`")


def statements() -> list[str]:
    """The bullet points and table rows after the first '## Every operation' heading."""
    body = DOC.read_text().split("## Every operation", 1)[1]
    items, current = [], None
    for line in body.splitlines():
        if line.startswith(("* ", "| ")) and not set(line) <= set("|- "):
            current = [line]
            items.append(current)
        elif line.startswith("  ") and current is not None:
            current.append(line)
        else:
            current = None
    rows = [" ".join(i) for i in items]
    return [r for r in rows if not r.startswith("| Statement") and not r.startswith("| Setting")
            and not r.startswith("| Call") and not r.startswith("| reads") and not r.startswith("| writes")
            and not r.startswith("| `appendfsync")]


def test_every_statement_names_a_test():
    missing = [s for s in statements() if not REF.search(s) and "storecheck.py" not in s]
    assert missing == []


def test_every_named_test_exists():
    named, current = [], None
    for path, name in REF.findall(DOC.read_text()):
        current = path or current
        named.append((current, name))
    assert len(named) > 30
    for path, name in named:
        file = ROOT / "tests" / path.replace("R/", "reliability/")
        assert file.exists(), path
        if name == "*":
            continue
        functions = {n.name for n in ast.walk(ast.parse(file.read_text())) if isinstance(n, ast.FunctionDef)}
        assert name in functions, f"{path}::{name} is not a test"
