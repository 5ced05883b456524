"""The report check catches what a reader would trip over (needs Chromium; skipped
where it is not installed)."""

from __future__ import annotations

import pytest

from confkit import reportcheck

try:
    reportcheck.find_browser()
    import selenium  # noqa: F401
except (reportcheck.BrowserMissingError, ImportError):
    pytest.skip("Chromium, chromedriver or Selenium not installed", allow_module_level=True)

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def test_a_clean_page_passes_and_each_fault_is_named(tmp_path):
    (tmp_path / "dot.png").write_bytes(PNG)
    (tmp_path / "index.html").write_text("<!doctype html><title>ok</title><img src='dot.png' alt='dot'>")
    pages = {
        "outside.html": "<img src='http://127.0.0.1:9/x.png' alt='x'>",
        "missing.html": "<img src='nothere.png' alt='x'>",
        "console.html": "<script>console.error('boom')</script>",
        "wide.html": "<div style='width:3000px'>wide</div>",
    }
    (tmp_path / "html").mkdir()
    for name, body in pages.items():
        (tmp_path / "html" / name).write_text(f"<!doctype html><title>t</title>{body}")
    (tmp_path / "html" / "dot.png").write_bytes(PNG)
    # HTML that is not a report page (a virtual environment's package files) is not opened.
    stray = tmp_path / "check-min" / "venv" / "lib" / "stray.html"
    stray.parent.mkdir(parents=True)
    stray.write_text("<script>console.error('not a report page')</script>")
    found, problems = reportcheck.check(tmp_path, screenshots=tmp_path / "shots")
    by_page: dict[str, list[str]] = {}
    for problem in problems:
        by_page.setdefault(problem.page.name, []).append(problem.what)
    assert "index.html" not in by_page
    assert any(w.startswith("outside request: http://127.0.0.1:9/x.png") for w in by_page["outside.html"])
    assert any(w.startswith("image did not load") for w in by_page["missing.html"])
    assert any("boom" in w for w in by_page["console.html"])
    assert any("px wide" in w for w in by_page["wide.html"])
    assert stray not in found
    assert len(found) == 5 and (tmp_path / "shots" / "index.png").read_bytes().startswith(b"\x89PNG")
