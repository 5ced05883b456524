"""The notebook report: execute the analysis notebooks, export them as HTML and save
their charts as PNG files.

``python -m confkit.report build`` executes ``notebooks/*.ipynb`` in order into
``build/`` (executed notebooks, HTML pages, ``charts/*.png`` and an ``index.html``);
``python -m confkit.report refresh`` re-executes them in place, for when a deliberate
change alters their stored outputs. ``-p NAME VALUE`` overrides a value of a
notebook's ``parameters`` cell, the way papermill does (an ``injected-parameters``
cell after it).
"""

from __future__ import annotations

import argparse
import ast
import base64
import html
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbconvert import HTMLExporter

TIMEOUT_S = 900
PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"


@dataclass(frozen=True)
class NotebookResult:
    """One executed notebook and what was written for it."""

    source: Path
    seconds: float
    notebook: Path | None = None
    html: Path | None = None
    charts: tuple[Path, ...] = ()


@dataclass
class Report:
    out: Path
    index: Path | None = None
    notebooks: list[NotebookResult] = field(default_factory=list)


def inject_parameters(nb: nbformat.NotebookNode, values: Mapping[str, Any]) -> nbformat.NotebookNode:
    """Put ``values`` in a cell tagged ``injected-parameters`` right after the cell
    tagged ``parameters`` (replacing an earlier injected cell)."""
    cells = [c for c in nb.cells if INJECTED_TAG not in c.get("metadata", {}).get("tags", [])]
    nb.cells = cells
    if not values:
        return nb
    where = next((i for i, c in enumerate(cells) if PARAMETERS_TAG in c.get("metadata", {}).get("tags", [])), None)
    if where is None:
        raise ValueError("the notebook has no cell tagged 'parameters'")
    source = "# Parameters\n" + "\n".join(f"{name} = {value!r}" for name, value in values.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": [INJECTED_TAG]})
    cells.insert(where + 1, cell)
    return nb


def execute(path: Path, values: Mapping[str, Any] | None = None, timeout: int = TIMEOUT_S) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in a fresh kernel, in the notebook's folder."""
    nb = nbformat.read(path, as_version=4)
    inject_parameters(nb, values or {})
    with tempfile.TemporaryDirectory(prefix="confkit-kernel-") as sockets:
        # The kernel's channels are unix sockets (absolute paths, as the kernel runs in
        # the notebook's folder): nothing listens on the network.
        manager = KernelManager(kernel_name="python3", transport="ipc", ip=str(Path(sockets) / "kernel"))
        client = NotebookClient(nb, km=manager, timeout=timeout, record_timing=False,
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute()
        finally:  # the client leaves a kernel it did not create running
            if manager.has_kernel:
                manager.shutdown_kernel()
    return nb


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def charts(nb: nbformat.NotebookNode) -> list[tuple[str, bytes]]:
    """The PNG images a notebook displayed, named by the cell's ``confkit.chart``
    metadata (or numbered), in order."""
    found: list[tuple[str, bytes]] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        images = [o["data"]["image/png"] for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
        name = cell.metadata.get("confkit", {}).get("chart") or f"figure-{len(found) + 1}"
        for i, image in enumerate(images):
            found.append((_slug(name) + (f"-{i + 1}" if len(images) > 1 else ""), base64.b64decode(image)))
    return found


def to_html(nb: nbformat.NotebookNode) -> str:
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    return body


def _title(nb: nbformat.NotebookNode, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, re.MULTILINE)
            if match:
                return match.group(1).strip()
    return fallback


def _index(report: Report, titles: Mapping[Path, str], values: Mapping[str, Any]) -> str:
    out = report.out
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>confkit report</title>",
             "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
             "figure{display:inline-block;width:320px;margin:8px;vertical-align:top}"
             "figure img{width:100%;border:1px solid #ddd}figcaption{font-size:small}</style></head><body>",
             "<h1>confkit: meeting data report</h1>"]
    if values:
        parts.append("<p>Parameters: " + ", ".join(f"<code>{html.escape(k)} = {html.escape(repr(v))}</code>"
                                                   for k, v in values.items()) + "</p>")
    for result in report.notebooks:
        title = html.escape(titles[result.source])
        links = []
        if result.html:
            links.append(f"<a href='{result.html.relative_to(out)}'>HTML</a>")
        if result.notebook:
            links.append(f"<a href='{result.notebook.relative_to(out)}'>notebook</a>")
        parts.append(f"<h2>{title}</h2><p>{' · '.join(links)} ({result.seconds:.1f} s)</p>")
        for chart in result.charts:
            rel = chart.relative_to(out)
            parts.append(f"<figure><a href='{rel}'><img src='{rel}' alt='{html.escape(chart.stem)}'></a>"
                         f"<figcaption>{html.escape(chart.stem)}</figcaption></figure>")
    parts.append("</body></html>")
    return "\n".join(parts)


def build(notebooks: Sequence[Path], out: Path, values: Mapping[str, Any] | None = None,
          on_done: Callable[[NotebookResult], None] | None = None) -> Report:
    """Execute ``notebooks`` in order and write, under ``out``: notebooks/NAME.ipynb,
    html/NAME.html, charts/NAME-CHART.png and index.html linking them all."""
    report = Report(out)
    titles = {}
    for folder in ("notebooks", "html", "charts"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    for source in notebooks:
        started = time.perf_counter()
        nb = execute(source, values)
        seconds = time.perf_counter() - started
        titles[source] = _title(nb, source.stem)
        executed = out / "notebooks" / source.name
        nbformat.write(nb, executed)
        page = out / "html" / f"{source.stem}.html"
        page.write_text(to_html(nb), encoding="utf-8")
        pngs = []
        for name, data in charts(nb):
            png = out / "charts" / f"{source.stem}-{name}.png"
            png.write_bytes(data)
            pngs.append(png)
        result = NotebookResult(source, seconds, executed, page, tuple(pngs))
        report.notebooks.append(result)
        if on_done:
            on_done(result)
    report.index = out / "index.html"
    report.index.write_text(_index(report, titles, values or {}), encoding="utf-8")
    return report


def refresh(notebooks: Iterable[Path], on_done: Callable[[NotebookResult], None] | None = None) -> list[NotebookResult]:
    """Re-execute notebooks in place with their own parameters (after a deliberate
    change in behaviour, so that the stored outputs nbval compares are current)."""
    results = []
    for source in notebooks:
        started = time.perf_counter()
        nb = execute(source)
        nbformat.write(nb, source)
        result = NotebookResult(source, time.perf_counter() - started, source)
        results.append(result)
        if on_done:
            on_done(result)
    return results


def _value(text: str) -> Any:
    """A parameter value: a Python literal if it parses as one, else the text."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def main(argv: Sequence[str] | None = None) -> int:
    summary = " ".join(__doc__.split("\n\n")[0].split())  # the first paragraph, whole
    top = argparse.ArgumentParser(prog="python -m confkit.report", description=summary)
    sub = top.add_subparsers(dest="command", required=True)
    for name, help_text in (("build", "execute the notebooks into a report folder"),
                            ("refresh", "re-execute the notebooks in place")):
        cmd = sub.add_parser(name, help=help_text)
        cmd.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
        if name == "build":
            cmd.add_argument("--out", type=Path, default=Path("build"), help="output folder (default: build)")
            cmd.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                             metavar=("NAME", "VALUE"), help="override a parameter, e.g. -p N_USERS 2000")
    args = top.parse_args(argv)
    paths = args.notebooks or sorted(Path("notebooks").glob("*.ipynb"))
    if not paths:
        print("no notebooks found (run from the project folder or name them)", file=sys.stderr)
        return 2

    def done(result: NotebookResult) -> None:
        extra = f", {len(result.charts)} charts" if result.charts else ""
        print(f"  {result.source.name}: {result.seconds:.1f} s{extra}", flush=True)

    if args.command == "refresh":
        print(f"Re-executing {len(paths)} notebooks in place:")
        refresh(paths, done)
        return 0
    values = {name: _value(value) for name, value in args.parameter}
    print(f"Executing {len(paths)} notebooks into {args.out}/:")
    report = build(paths, args.out, values, done)
    print(f"\nReport (open in a browser): {(args.out / 'index.html').resolve()}")
    print(f"HTML pages:                 {(args.out / 'html').resolve()}/")
    print(f"Executed notebooks:         {(args.out / 'notebooks').resolve()}/")
    print(f"Charts (PNG):               {(args.out / 'charts').resolve()}/ "
          f"({sum(len(r.charts) for r in report.notebooks)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
