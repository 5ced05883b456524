"""``python -m confkit.reportcheck [FOLDER]``: open every HTML page of a report folder
(default: build) in headless Chromium and fail on what a reader would trip over.

A page fails on a request that failed or that left the machine (anything but
``file:``, ``data:`` and ``blob:``), an image that did not load, an error in the
console, or content wider than the window. ``--screenshots DIR`` saves a PNG of
each page. Needs Chromium and its driver (Debian: ``apt-get install chromium
chromium-driver``) and Selenium (the ``report`` extra); without Chromium it says how
to get it and skips (exit status 0).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfkitError

WINDOW = (1280, 900)
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage")
HOW_TO_GET = ("Chromium and its driver are not installed; on Debian or Ubuntu: "
              "apt-get update && apt-get install -y chromium chromium-driver")


class BrowserMissingError(ConfkitError):
    """Chromium, its driver or Selenium is not installed."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong on one page."""

    page: Path
    what: str

    def __str__(self) -> str:
        return f"{self.page}: {self.what}"


def find_browser() -> tuple[str, str]:
    """Paths of the Chromium binary and of chromedriver."""
    browser = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        raise BrowserMissingError(HOW_TO_GET)
    return browser, driver


@contextmanager
def chromium(window: tuple[int, int] = WINDOW) -> Iterator[Any]:
    """A headless Chromium under Selenium with a fresh profile, logging console
    messages and network events; quit (and its profile removed) on leaving."""
    browser, driver_path = find_browser()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as exc:
        raise BrowserMissingError("the report check needs Selenium: pip install 'confkit[report]'") from exc
    with tempfile.TemporaryDirectory(prefix="confkit-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={window[0]},{window[1]}"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
        try:
            yield driver
        finally:
            driver.quit()


_PAGE_STATE = """
return {
  broken: Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
  width: document.documentElement.scrollWidth,
  window: window.innerWidth,
  height: document.documentElement.scrollHeight,
};
"""


def _network_problems(entries: Sequence[dict[str, Any]]) -> list[str]:
    found, urls = [], {}
    for entry in entries:
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.requestWillBeSent":
            if not params.get("documentURL", "").startswith("file:"):
                continue  # the browser's own pages (its start page), not the report's
            url = params["request"]["url"]
            urls[params["requestId"]] = url
            if not url.startswith(LOCAL_SCHEMES):
                found.append(f"outside request: {url}")
        elif message["method"] == "Network.loadingFailed" and params["requestId"] in urls \
                and not params.get("canceled"):
            found.append(f"failed request: {urls.get(params['requestId'], '?')} ({params.get('errorText')})")
        elif message["method"] == "Network.responseReceived" and params["requestId"] in urls \
                and params["response"].get("status", 200) >= 400:
            found.append(f"failed request: {params['response']['url']} (status {params['response']['status']})")
    return found


def check_page(driver: Any, page: Path, screenshot: Path | None = None) -> list[Problem]:
    """Open one page and list what is wrong with it."""
    driver.get_log("performance")  # drop what earlier pages left
    driver.get_log("browser")
    driver.get(page.resolve().as_uri())
    state = driver.execute_script(_PAGE_STATE)
    problems = [Problem(page, what) for what in _network_problems(driver.get_log("performance"))]
    problems += [Problem(page, f"console {e['level'].lower()}: {e['message']}")
                 for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    problems += [Problem(page, f"image did not load: {src}") for src in state["broken"]]
    if state["width"] > state["window"]:
        problems.append(Problem(page, f"page is {state['width']} px wide, the window {state['window']} px"))
    if screenshot is not None:
        width, height = driver.get_window_size()["width"], driver.get_window_size()["height"]
        driver.set_window_size(width, min(int(state["height"]) + 150, 12_000))
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(screenshot))
        driver.set_window_size(width, height)
    return problems


def report_pages(folder: Path) -> list[Path]:
    """The pages of the report in ``folder`` and of the reports in its subfolders (one
    per parameter set): each ``index.html`` with its ``html/*.html``. Other HTML under
    ``folder`` (a virtual environment's package files, say) is not a report page."""
    roots = [folder, *sorted(d for d in folder.iterdir() if d.is_dir() and (d / "index.html").is_file())]
    return [page for root in roots if (root / "index.html").is_file()
            for page in [root / "index.html", *sorted((root / "html").glob("*.html"))]]


def check(folder: Path, screenshots: Path | None = None) -> tuple[list[Path], list[Problem]]:
    """Check every report page under ``folder``; returns the pages and the problems."""
    pages = report_pages(folder)
    problems: list[Problem] = []
    with chromium() as driver:
        for page in pages:
            shot = screenshots / (page.relative_to(folder).with_suffix(".png").as_posix().replace("/", "-")) \
                if screenshots else None
            problems += check_page(driver, page, shot)
    return pages, problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m confkit.reportcheck", description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=Path("build"))
    parser.add_argument("--screenshots", type=Path, help="save a PNG of every page here")
    args = parser.parse_args(argv)
    if not (args.folder / "index.html").is_file():
        print(f"reportcheck: no report in {args.folder}/ (make demo writes one)", file=sys.stderr)
        return 2
    try:
        pages, problems = check(args.folder, args.screenshots)
    except BrowserMissingError as exc:
        print(f"reportcheck: skipped: {exc}")
        return 0
    for problem in problems:
        print(problem)
    print(f"reportcheck: {len(pages)} pages, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
