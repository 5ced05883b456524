"""The notebook report runner, and the shape of the committed notebooks."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from confkit import report

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def tiny_notebook(path: Path) -> Path:
    nb = new_notebook(cells=[
        new_markdown_cell("# Tiny\n\nA chart of a line."),
        new_code_cell("SLOPE = 1", metadata={"tags": ["parameters"]}),
        new_code_cell("%matplotlib inline\nfrom matplotlib.figure import Figure\n"
                      "fig = Figure(figsize=(2, 2))\nfig.subplots().plot([0, 1], [0, SLOPE])\nfig",
                      metadata={"confkit": {"chart": "A line"}}),
        new_code_cell("print(SLOPE * 10)"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_inject_parameters_follows_the_parameters_cell(tmp_path):
    nb = nbformat.read(tiny_notebook(tmp_path / "t.ipynb"), as_version=4)
    report.inject_parameters(nb, {"SLOPE": 3, "NAME": "x"})
    assert nb.cells[2].metadata["tags"] == ["injected-parameters"]
    assert "SLOPE = 3\nNAME = 'x'" in nb.cells[2].source
    report.inject_parameters(nb, {"SLOPE": 4})  # replaces, does not stack
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and injected[0].source.endswith("SLOPE = 4")
    with pytest.raises(ValueError):
        report.inject_parameters(new_notebook(cells=[new_code_cell("x = 1")]), {"x": 2})


def test_build_writes_notebook_html_chart_and_index(tmp_path):
    source = tiny_notebook(tmp_path / "01_tiny.ipynb")
    out = tmp_path / "build"
    done = []
    result = report.build([source], out, {"SLOPE": 7}, on_done=done.append)
    executed = nbformat.read(out / "notebooks" / "01_tiny.ipynb", as_version=4)
    assert executed.cells[-1].outputs[0]["text"] == "70\n"  # ran with the injected value
    assert [p.name for p in result.notebooks[0].charts] == ["01_tiny-a-line.png"]
    assert (out / "charts" / "01_tiny-a-line.png").read_bytes().startswith(b"\x89PNG")
    assert "Tiny" in (out / "html" / "01_tiny.html").read_text()
    index = (out / "index.html").read_text()
    assert "charts/01_tiny-a-line.png" in index and "html/01_tiny.html" in index and "SLOPE = 7" in index
    assert done == result.notebooks
    assert nbformat.read(source, as_version=4).cells[2].get("outputs") == []  # source untouched


def test_value_parses_literals():
    assert report._value("2000") == 2000
    assert report._value("False") is False
    assert report._value("2030-01-14T09:07:00+00:00") == "2030-01-14T09:07:00+00:00"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebooks_are_parameterised_and_self_describing(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    imports = "EXPORTS = " in tagged[0].source  # a notebook on exported files rather than synthetic data
    for name in ("EXPORTS", "TZ", "CLOCK_START") if imports else ("SEED", "N_USERS", "N_MEETINGS", "DAYS",
                                                                   "CLOCK_START", "PROGRESS"):
        assert f"{name} = " in tagged[0].source
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.get("outputs") is not None and c.execution_count for c in code), "commit executed notebooks"
    assert not any("NBVAL_IGNORE_OUTPUT" in c.source or "NBVAL_SKIP" in c.source for c in code)
    assert not any(o.get("output_type") == "error" for c in code for o in c.outputs)
    assert not any(o.get("name") == "stderr" for c in code for o in c.outputs)
    assert "time.sleep" not in "".join(c.source for c in code)
    assert str(ROOT) not in path.read_text(), "outputs must not depend on where the project is checked out"


def test_analysis_notebooks_have_at_least_four_charts():
    charts = {p.stem: len(report.charts(nbformat.read(p, as_version=4))) for p in NOTEBOOKS}
    assert [p.stem[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05"]
    assert charts["03_join_time_analysis"] >= 4 and charts["04_message_activity"] >= 4
    assert charts["05_your_meetings"] >= 4


def test_pages_fetch_nothing_from_outside_and_index_says_what_ran(tmp_path):
    from datetime import datetime, timezone

    source = tiny_notebook(tmp_path / "01_tiny.ipynb")
    out = tmp_path / "build"
    report.build([source], out, {"SLOPE": 2}, built=datetime(2030, 1, 2, 3, 4, tzinfo=timezone.utc))
    page = (out / "html" / "01_tiny.html").read_text()
    assert "<script src=" not in page and "mathjax" not in page.lower() and "require.js" not in page
    index = (out / "index.html").read_text()
    assert "<h2>Tiny</h2>" in index and "A chart of a line." in index
    assert "2030-01-02 03:04 UTC" in index
    assert "SLOPE = 2</code> (set for this report)" in index


def test_default_out_keeps_each_parameter_set_apart():
    assert report.default_out({}) == Path("build")
    assert report.default_out({"N_USERS": 2000, "N_MEETINGS": 300}) == Path("build/report-n-users-2000-n-meetings-300")


def test_import_works_without_the_notebook_tools(tmp_path):
    """A base install has no nbformat/nbclient/nbconvert: importing the module works,
    and using it names the extra to install."""
    import subprocess
    import sys

    blocker = tmp_path / "nbformat"
    blocker.mkdir()
    (blocker / "__init__.py").write_text("raise ImportError('not installed', name='nbformat')\n")
    code = ("import confkit.report as r\nfrom confkit.errors import MissingDependencyError\n"
            "try:\n    r.to_html(None)\nexcept MissingDependencyError as e:\n    print(e)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={"PYTHONPATH": str(tmp_path), "PATH": ""})
    assert "pip install 'confkit[notebooks]'" in done.stdout
