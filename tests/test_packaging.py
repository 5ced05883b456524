"""pyproject.toml and environment.yml name the same dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

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
    # conda-forge's server binary (found on PATH) and the parser redis-py uses.
    assert "valkey-server" in listed and "hiredis" in listed


def test_declared_python_and_ruff_target_agree():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    minimum = re.fullmatch(r">=\s*3\.(\d+)", config["project"]["requires-python"]).group(1)
    assert config["tool"]["ruff"]["target-version"] == f"py3{minimum}"
    env = (ROOT / "environment.yml").read_text()
    assert f"python>=3.{minimum}" in env


def test_license_is_an_spdx_expression():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"  # the table form is deprecated by setuptools


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
    pool = app.stores.activity.connection_pool
    connection = pool.get_connection()
    try:
        assert "Hiredis" in type(connection._parser).__name__
    finally:
        pool.release(connection)
