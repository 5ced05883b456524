"""The notebook report: execute the analysis notebooks, export them as HTML and save
their charts as PNG files.

``python -m confkit.report build`` executes ``notebooks/*.ipynb`` in order into a
report folder (executed notebooks, HTML pages, ``charts/*.png`` and an
``index.html``): ``build/`` with the notebooks' own parameters, ``build/report-NAME-VALUE...``
with ``-p`` overrides, or the folder ``--out`` names. ``python -m confkit.report refresh``
re-executes them in place, for when a deliberate change alters their stored outputs.
``-p NAME VALUE`` overrides a value of a notebook's ``parameters`` cell, the way
papermill does (an ``injected-parameters`` cell after it).

The notebooks keep their data in a key namespace of their own (their ``NAMESPACE``
parameter), so building a report never changes other data on the same server. The
pages are self-contained: nothing is fetched from outside when they are opened.
Needs the ``notebooks`` extra (``pip install 'confkit[notebooks]'``).
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
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfkitError, MissingDependencyError

if TYPE_CHECKING:
    import nbformat

TIMEOUT_S = 900
PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
TEMPLATES = Path(__file__).with_name("templates")
TEMPLATE = "confkit-report"  # the lab page without MathJax, require.js or anything else from a CDN


def _tools() -> Any:
    """nbformat, nbclient, nbconvert and jupyter_client, imported on first use so that
    ``import confkit.report`` works on a base install."""
    try:
        import jupyter_client.manager
        import nbclient
        import nbconvert
        import nbformat
    except ImportError as exc:
        raise MissingDependencyError(
            f"the report builder needs the notebooks extra ({exc.name} is missing): "
            "pip install 'confkit[notebooks]'") from exc
    return nbformat, nbclient, nbconvert, jupyter_client.manager


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
    cell = _tools()[0].v4.new_code_cell(source, metadata={"tags": [INJECTED_TAG]})
    cells.insert(where + 1, cell)
    return nb


def execute(path: Path, values: Mapping[str, Any] | None = None, timeout: int = TIMEOUT_S) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in a fresh kernel, in the notebook's folder."""
    nbformat, nbclient, _, manager_module = _tools()
    nb = nbformat.read(path, as_version=4)
    inject_parameters(nb, values or {})
    with tempfile.TemporaryDirectory(prefix="confkit-kernel-") as sockets:
        # The kernel's channels are unix sockets (absolute paths, as the kernel runs in
        # the notebook's folder): nothing listens on the network.
        manager = manager_module.KernelManager(kernel_name="python3", transport="ipc",
                                               ip=str(Path(sockets) / "kernel"))
        client = nbclient.NotebookClient(nb, km=manager, timeout=timeout, record_timing=False,
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
    """The notebook as one self-contained HTML page (styles inline, images embedded)."""
    exporter = _tools()[2].HTMLExporter(template_name=TEMPLATE, extra_template_basedirs=[str(TEMPLATES)])
    body, _ = exporter.from_notebook_node(nb)
    return body


def _title(nb: nbformat.NotebookNode, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, re.MULTILINE)
            if match:
                return match.group(1).strip()
    return fallback


def _summary(nb: nbformat.NotebookNode) -> str:
    """The notebook's opening paragraph (after its title), as plain text."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            text = re.sub(r"^#.*$", "", cell.source, flags=re.MULTILINE).strip()
            paragraph = re.split(r"\n\s*\n", text)[0] if text else ""
            return re.sub(r"[`*]", "", " ".join(paragraph.split()))
    return ""


def parameters(nb: nbformat.NotebookNode) -> dict[str, Any]:
    """The literal values assigned in the notebook's ``parameters`` cell."""
    for cell in nb.cells:
        if PARAMETERS_TAG in cell.get("metadata", {}).get("tags", []):
            values = {}
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    try:
                        values[node.targets[0].id] = ast.literal_eval(node.value)
                    except ValueError:
                        continue
            return values
    return {}


def data_size(values: Mapping[str, Any]) -> str | None:
    """What the synthetic data set of these parameters holds (drawn again, nothing
    written), or None when the parameters do not describe one."""
    from .synth import plan

    try:
        history = plan(users=values["N_USERS"], meetings=values["N_MEETINGS"], days=values["DAYS"],
                       seed=values["SEED"], now=datetime.fromisoformat(values["CLOCK_START"]), progress=False)
    except (KeyError, TypeError, ValueError, ConfkitError):
        return None
    return (f"{len(history.users):,} users, {len(history.meetings):,} meetings, {len(history.instances):,} "
            f"instances, {history.events:,} events, {history.messages:,} messages "
            f"(synthetic, seed {values['SEED']}, {values['DAYS']} days up to {values['CLOCK_START']})")


STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;line-height:1.45}
header{border-bottom:1px solid #ddd;margin-bottom:1.5em}dl{display:grid;grid-template-columns:max-content 1fr;
gap:.2em 1em}dt{font-weight:bold}dd{margin:0}code{background:#f4f4f4;padding:0 .2em}
section{margin-bottom:2.5em}.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(480px,1fr));gap:1em}
figure{margin:0}figure img{width:100%;height:auto;border:1px solid #ddd}figcaption{font-size:small;color:#444}"""


def _index(report: Report, nbs: Mapping[Path, nbformat.NotebookNode], values: Mapping[str, Any],
           built: datetime) -> str:
    out = report.out
    used = {**(parameters(next(iter(nbs.values()))) if nbs else {}), **values}
    size = data_size(used)
    parts = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
             "<meta name='viewport' content='width=device-width, initial-scale=1'>",
             f"<title>confkit report</title><style>{STYLE}</style></head><body><header>",
             "<h1>confkit: meeting data report</h1><dl>",
             "<dt>Parameters</dt><dd>" + ", ".join(
                 f"<code>{html.escape(k)} = {html.escape(repr(v))}</code>" + (" (set for this report)"
                                                                            if k in values else "")
                 for k, v in used.items()) + "</dd>"]
    if size:
        parts.append(f"<dt>Data</dt><dd>{html.escape(size)}</dd>")
    parts.append(f"<dt>Notebooks</dt><dd>{len(report.notebooks)}, "
                 f"{sum(r.seconds for r in report.notebooks):.0f} s in all</dd>")
    parts.append(f"<dt>Built</dt><dd>{built:%Y-%m-%d %H:%M} UTC</dd></dl></header>")
    for result in report.notebooks:
        nb = nbs[result.source]
        title = html.escape(_title(nb, result.source.stem))
        links = []
        if result.html:
            links.append(f"<a href='{result.html.relative_to(out)}'>read the page</a>")
        if result.notebook:
            links.append(f"<a href='{result.notebook.relative_to(out)}'>executed notebook</a>")
        parts.append(f"<section><h2>{title}</h2><p>{html.escape(_summary(nb))}</p>"
                     f"<p>{' · '.join(links)} (ran in {result.seconds:.1f} s)</p>")
        if result.charts:
            parts.append("<div class='charts'>")
            for chart, caption in zip(result.charts, _captions(nb)):
                rel = chart.relative_to(out)
                parts.append(f"<figure><a href='{rel}'><img src='{rel}' alt='{html.escape(caption)}'></a>"
                             f"<figcaption>{html.escape(caption)}</figcaption></figure>")
            parts.append("</div>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _captions(nb: nbformat.NotebookNode) -> list[str]:
    """Chart captions in the order of ``charts``: the title of each chart's figure
    where the text output names one, else the cell's chart name."""
    captions: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        name = cell.metadata.get("confkit", {}).get("chart") or f"figure {len(captions) + 1}"
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                captions.append(name.replace("-", " ").capitalize())
    return captions


def default_out(values: Mapping[str, Any]) -> Path:
    """``build`` for the notebooks' own parameters; a folder of its own under build/
    for each set of overrides, so another scale never overwrites the demo's report."""
    if not values:
        return Path("build")
    return Path("build") / ("report-" + "-".join(_slug(f"{k}-{v}") for k, v in values.items()))


def build(notebooks: Sequence[Path], out: Path, values: Mapping[str, Any] | None = None,
          on_done: Callable[[NotebookResult], None] | None = None,
          built: datetime | None = None) -> Report:
    """Execute ``notebooks`` in order and write, under ``out``: notebooks/NAME.ipynb,
    html/NAME.html, charts/NAME-CHART.png and index.html linking them all, headed by
    the parameters, the data size and ``built`` (default: now)."""
    nbformat = _tools()[0]
    report = Report(out)
    executed_nbs = {}
    for folder in ("notebooks", "html", "charts"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    for source in notebooks:
        started = time.perf_counter()
        nb = execute(source, values)
        seconds = time.perf_counter() - started
        executed_nbs[source] = nb
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
    when = built if built is not None else datetime.now(timezone.utc)
    report.index.write_text(_index(report, executed_nbs, values or {}, when), encoding="utf-8")
    return report


def refresh(notebooks: Iterable[Path], on_done: Callable[[NotebookResult], None] | None = None) -> list[NotebookResult]:
    """Re-execute notebooks in place with their own parameters (after a deliberate
    change in behaviour, so that the stored outputs nbval compares are current)."""
    nbformat = _tools()[0]
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
            cmd.add_argument("--out", type=Path, default=None,
                             help="output folder (default: build/ with the notebooks' own parameters, "
                                  "build/report-NAME-VALUE... with -p)")
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

    try:
        if args.command == "refresh":
            print(f"Re-executing {len(paths)} notebooks in place:")
            refresh(paths, done)
            return 0
        values = {name: _value(value) for name, value in args.parameter}
        out = args.out if args.out is not None else default_out(values)
        print(f"Executing {len(paths)} notebooks into {out}/:")
        report = build(paths, out, values, done)
    except MissingDependencyError as exc:
        print(f"confkit.report: {exc}", file=sys.stderr)
        return 1
    print(f"\nReport (open in a browser): {(out / 'index.html').resolve()}")
    print(f"HTML pages:                 {(out / 'html').resolve()}/")
    print(f"Executed notebooks:         {(out / 'notebooks').resolve()}/")
    print(f"Charts (PNG):               {(out / 'charts').resolve()}/ "
          f"({sum(len(r.charts) for r in report.notebooks)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
