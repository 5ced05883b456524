"""pyproject.toml and environment.yml name the same dependencies."""

from __future__ import annotations

import re
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
CONDA_NAMES = {"redis": "redis-py"}  # PyPI name -> conda-forge name where they differ


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!\[;~]", requirement.strip(), maxsplit=1)[0].lower()


def test_environment_yml_lists_every_pyproject_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    for reqs in project["optional-dependencies"].values():
        wanted |= {_name(r) for r in reqs if not r.startswith("confkit")}
    env = (ROOT / "environment.yml").read_text()
    listed = {_name(line.strip()[2:]) for line in env.splitlines() if line.strip().startswith("- ")}
    missing = {n for n in wanted if CONDA_NAMES.get(n, n) not in listed}
    assert not missing, f"environment.yml lacks {sorted(missing)}"
    assert "redis-server" in listed and "hiredis" in listed


def test_constraints_pin_every_direct_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pinned = {_name(line) for line in (ROOT / "constraints.txt").read_text().splitlines() if "==" in line}
    direct = {_name(r) for r in project["dependencies"]}
    for reqs in project["optional-dependencies"].values():
        direct |= {_name(r) for r in reqs if not r.startswith("confkit")}
    assert direct <= pinned, sorted(direct - pinned)


def test_redis_py_uses_the_hiredis_parser(app):
    from redis.utils import HIREDIS_AVAILABLE

    assert HIREDIS_AVAILABLE
    connection = app.stores.activity.connection_pool.get_connection()
    try:
        assert "Hiredis" in type(connection._parser).__name__
    finally:
        app.stores.activity.connection_pool.release(connection)
