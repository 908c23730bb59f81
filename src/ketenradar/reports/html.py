"""A self-contained, offline HTML report built from sections; tables come from one Jinja macro.

Every value is formatted for the report's language (:mod:`ketenradar.locale`) before it reaches
the template, and the template escapes it: no HTML is built from strings here.

Charts: a figure holds its static SVG (drawn by :mod:`.charts`, what the PDF prints) and, when
given, its Plotly figure as JSON (built by :mod:`.interactive`) in a ``<script
type="application/json">`` beside an empty ``div.chart-interactive``. A report with such a
figure carries plotly.js once, inlined from the installed ``plotly`` package, and a small
script that draws every chart with ``Plotly.newPlot`` and then hides its SVG on screen. Without
JavaScript (WeasyPrint, a browser with scripts off) the SVG stays: the PDF is unchanged.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ketenradar.errors import OutputRefused
from ketenradar.locale import N_, _, current_language, format_number, format_percent, yes_no
from ketenradar.model.vocabulary import label
from ketenradar.reports.interactive import plotly_script

__all__ = [
    "REPORT_MARKER",
    "CapturedTable",
    "Section",
    "TableColumn",
    "chart_config",
    "chart_json",
    "check_report_dir",
    "collect_tables",
    "figure",
    "render_report",
    "render_table",
    "write_report_dir",
]


@dataclass(frozen=True, slots=True)
class TableColumn:
    """One column of a report table.

    ``header`` is an English msgid (translated when rendered); ``digits`` the number of
    decimals (-1: text); ``percent`` shows a fraction as a percentage; ``vocabulary`` names the
    vocabulary whose codes the column holds (shown as words); ``verbatim`` marks ids, names and
    other data that are shown as given, never translated.
    """

    column: str
    header: str
    digits: int = -1
    percent: bool = False
    vocabulary: str | None = None
    verbatim: bool = False


@dataclass(frozen=True, slots=True)
class Section:
    """One section of a report: a title, text, tables and charts as HTML, and its source note.

    ``source_note`` holds one or more sentences (each its own element); ``notes`` are remarks
    in the report's language; ``quotes`` are texts from the user's or shipped files (a
    scenario's name and description), shown as given.
    """

    id: str
    title: str
    intro: str
    blocks: tuple[Markup, ...]
    source_note: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())
    quotes: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class CapturedTable:
    """A table as a report showed it, for the workbook: its values, columns and notes.

    ``frame`` holds the shown columns in order (raw values, not formatted); ``headers`` the
    column labels in the report's language; ``section`` and ``source_note`` are filled in by
    the report once the section that made the table is complete.
    """

    frame: pd.DataFrame
    columns: tuple[TableColumn, ...]
    headers: tuple[str, ...]
    caption: str
    section: str = ""
    source_note: tuple[str, ...] = ()


# The tables rendered while a collector is active (see :func:`collect_tables`); None: not collecting.
_COLLECTED: ContextVar[list[CapturedTable] | None] = ContextVar("ketenradar_report_tables", default=None)


@contextmanager
def collect_tables() -> Iterator[list[CapturedTable]]:
    """Record every table :func:`render_table` renders inside the ``with`` block into the list yielded."""
    collected: list[CapturedTable] = []
    token = _COLLECTED.set(collected)
    try:
        yield collected
    finally:
        _COLLECTED.reset(token)


@dataclass(frozen=True, slots=True)
class _Cell:
    text: str
    css: str
    missing: bool
    verbatim: bool


@dataclass(frozen=True, slots=True)
class _Row:
    cells: tuple[_Cell, ...]
    css: str


@dataclass(frozen=True, slots=True)
class _TableView:
    headers: tuple[str, ...]
    rows: tuple[_Row, ...]
    caption: str
    highlight: str
    missing_title: str


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("ketenradar.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _cell(value: object, column: TableColumn) -> _Cell:
    css = "num" if column.digits >= 0 else "txt"
    if _is_missing(value):
        return _Cell("", css, True, False)
    if isinstance(value, bool | np.bool_):
        return _Cell(yes_no(bool(value)), css, False, False)
    if isinstance(value, int | float | np.integer | np.floating) and column.digits >= 0:
        number = float(value)
        text = (
            format_percent(number, column.digits) if column.percent else format_number(number, column.digits)
        )
        return _Cell(text, css, False, False)
    if column.vocabulary is not None:
        return _Cell(label(column.vocabulary, str(value)), css, False, False)
    return _Cell(str(value), css, False, column.verbatim)


def render_table(
    frame: pd.DataFrame,
    columns: Sequence[TableColumn],
    *,
    caption: str = "",
    row_class: Sequence[str] | None = None,
    highlight: str = "",
) -> Markup:
    """Render a frame as an HTML table in the active language; missing values show as a marked dash.

    ``row_class`` gives a CSS class per row (``flag`` highlights it); ``highlight`` says in
    words what a highlighted row means and is printed under the table.
    """
    shown = frame[[c.column for c in columns]]
    records = shown.to_numpy(dtype=object)
    rows = tuple(
        _Row(
            tuple(_cell(value, column) for value, column in zip(record, columns, strict=True)),
            row_class[i] if row_class is not None else "",
        )
        for i, record in enumerate(records)
    )
    view = _TableView(
        headers=tuple(_(c.header) for c in columns),
        rows=rows,
        caption=caption,
        highlight=highlight if row_class is not None and any(row_class) else "",
        missing_title=_("not available in the sources"),
    )
    collected = _COLLECTED.get()
    if collected is not None:
        collected.append(CapturedTable(shown.copy(), tuple(columns), view.headers, caption))
    macro = _environment().get_template("table.html.j2").module.table  # type: ignore[attr-defined]
    return Markup(macro(view))


def figure(svg: str, caption: str, *, interactive: Mapping[str, Any] | None = None) -> Markup:
    """Wrap an inline SVG chart (drawn by ketenradar, trusted) with its caption, and its Plotly figure.

    ``interactive`` is a Plotly figure as a JSON-able dict (``{"data": [...], "layout": {...}}``,
    optionally ``"config"``, see :mod:`.interactive`); the report draws it on screen in place of
    the SVG, which stays for print and the PDF.
    """
    macro = _environment().get_template("table.html.j2").module.figure  # type: ignore[attr-defined]
    data = None if interactive is None else Markup(chart_json(interactive))
    return Markup(macro(Markup(svg), caption, data))


def _plain(value: Any) -> Any:
    """Return a NumPy scalar or array as the Python value JSON knows; refuse anything else."""
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON-able in a chart: {type(value).__name__}")


def chart_json(figure: Mapping[str, Any]) -> str:
    """Return a Plotly figure as JSON that is safe inside a ``<script>`` element of the page.

    ``<``, ``>`` and ``&`` are written as JSON escapes, so no text of the figure (a label
    reading ``</script>``) can end the element; a NaN is refused (a missing value is null).
    """
    text = json.dumps(figure, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=_plain)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# The texts of plotly.js's mode bar and notes, translated through the catalogue (Plotly's own
# words are its English texts). Left out: buttons the report never shows (3D, drawing, cloud).
_PLOTLY_TEXTS = (
    N_("Autoscale"),
    N_("Box Select"),
    N_("Compare data on hover"),
    N_("Double-click on legend to isolate one trace"),
    N_("Double-click to zoom back out"),
    N_("Download plot"),
    N_("Download plot as JSON"),
    N_("Download plot as a PNG"),
    N_("Image download succeeded"),
    N_("JSON download succeeded"),
    N_("Lasso Select"),
    N_("Pan"),
    N_("Preparing image - this may take a few seconds"),
    N_("Reset"),
    N_("Reset axes"),
    N_("Reset view"),
    N_("Reset views"),
    N_("Show closest data on hover"),
    N_("Sorry, there was a problem downloading your JSON file!"),
    N_("Sorry, there was a problem downloading your image!"),
    N_("Toggle Spike Lines"),
    N_("Toggle show closest data on hover"),
    N_("Zoom"),
    N_("Zoom in"),
    N_("Zoom out"),
)


def chart_config() -> dict[str, Any]:
    """Return the Plotly config of every chart of a report, its mode bar in the active language.

    No Plotly logo, charts follow the page's width, and no button or link that sends anything
    anywhere (the cloud and Chart Studio ones are off; an image download is made in the page).
    """
    lang = current_language()
    return {
        "displaylogo": False,
        "responsive": True,
        "showLink": False,
        "showSendToCloud": False,
        "showEditInChartStudio": False,
        "plotlyServerURL": "",
        "locale": lang,
        "locales": {lang: {"dictionary": {text: _(text) for text in _PLOTLY_TEXTS}}},
    }


# WeasyPrint's HTML parser (tinyhtml5) appends each piece of an element's text to the text
# before it, which is quadratic: one 4.8 MB script added about 9 s to every PDF. In parts of
# this size it costs a fraction of a second; the page joins the parts and runs them as one.
_LIBRARY_PART = 1 << 16
# The markup that marks a figure as interactive (escaped text or JSON cannot produce it).
_INTERACTIVE_MARK = 'class="chart-interactive"'


@dataclass(frozen=True, slots=True)
class _ChartAssets:
    config: Markup
    library: tuple[Markup, ...]


@cache
def _library_parts() -> tuple[str, ...]:
    """Return plotly.js in parts; refuse a library that could end its script element early."""
    script = plotly_script()
    lowered = script.lower()
    if "</script" in lowered or "<!--" in lowered:
        raise RuntimeError("plotly.min.js contains '</script' or '<!--': it cannot be inlined as it is")
    return tuple(script[i : i + _LIBRARY_PART] for i in range(0, len(script), _LIBRARY_PART))


def _chart_assets(sections: Sequence[Section]) -> _ChartAssets | None:
    """Return plotly.js and the chart config when a section has an interactive figure, else None."""
    if not any(_INTERACTIVE_MARK in block for s in sections for block in s.blocks):
        return None
    return _ChartAssets(
        config=Markup(chart_json(chart_config())),
        library=tuple(Markup(part) for part in _library_parts()),
    )


def render_report(title: str, subtitle: str, footer: str, sections: Sequence[Section], lang: str) -> str:
    """Render the sections into one HTML document that needs no network (plotly.js inlined once if needed)."""
    template = _environment().get_template("report.html.j2")
    return template.render(
        title=title,
        subtitle=subtitle,
        footer=footer,
        sections=sections,
        lang=lang,
        contents=_("Contents"),
        charts=_chart_assets(sections),
    )


REPORT_MARKER = ".ketenradar-report"


def write_report_dir(out_dir: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write all files of a report into ``out_dir`` at once; a failure leaves the old one intact.

    The files are written into a new folder first and swapped in only when complete.
    ``out_dir`` may be new, empty, or an earlier ketenradar report (it holds the marker file
    :data:`REPORT_MARKER`, which lists the files ketenradar wrote); any other folder is
    refused with :class:`~ketenradar.errors.OutputRefused` before anything is written. Only
    files ketenradar wrote are ever replaced or removed.
    """
    out_dir = Path(out_dir).absolute()
    old_files = check_report_dir(out_dir)
    names = sorted(files)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # A new folder is built beside the target; for an existing one, inside it (same file system,
    # and it works for the current folder, whose parent may not be writable).
    staging = _new_folder(out_dir.parent if old_files is None else out_dir, out_dir.name)
    try:
        for relative, content in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        if old_files is None:
            _write_marker(staging, names)
            staging.rename(out_dir)
        else:
            _swap_into(staging, out_dir, names, old_files)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out_dir / "index.html"


def check_report_dir(out_dir: Path) -> list[str] | None:
    """Check that a report may be written to ``out_dir``; return the files of the report there.

    Returns None for a folder that does not exist yet, the files ketenradar wrote for an
    empty folder (none) or an earlier report, and raises OutputRefused for a file or a folder
    with other files, naming the folder and what to do. Nothing is changed.
    """
    out_dir = Path(out_dir).absolute()
    if not out_dir.exists():
        return None
    if not out_dir.is_dir():
        raise OutputRefused(
            _("{path} is a file, not a folder: choose a folder for the report").format(path=out_dir)
        )
    found = {
        path.relative_to(out_dir).as_posix()
        for path in out_dir.rglob("*")
        if not path.is_dir() and not path.relative_to(out_dir).parts[0].startswith(_STAGING_PREFIX)
    }
    if not found:
        return []
    written = _read_marker(out_dir) if REPORT_MARKER in found else None
    if written is None:
        raise OutputRefused(
            _(
                "{path} is not empty and is not a ketenradar report (it holds {files}): nothing was "
                "written; choose a new or empty folder for the report"
            ).format(path=out_dir, files=_some(found))
        )
    others = sorted(found - set(written) - {REPORT_MARKER})
    if others:
        raise OutputRefused(
            _(
                "{path} holds an earlier ketenradar report and files ketenradar did not write "
                "({files}): nothing was written; move those files away or choose another folder"
            ).format(path=out_dir, files=_some(others))
        )
    return written


_STAGING_PREFIX = ".ketenradar-new-"


def _some(names: Iterable[str], shown: int = 3) -> str:
    """Return the first few names, and "…" when there are more."""
    ordered = sorted(names)
    return ", ".join(ordered[:shown]) + (", …" if len(ordered) > shown else "")


def _new_folder(parent: Path, name: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=f"{_STAGING_PREFIX}{name}-", dir=parent))
    folder.chmod(0o755)  # mkdtemp makes it private; a report folder is meant to be shared
    return folder


def _write_marker(folder: Path, names: Sequence[str], staging: Path | None = None) -> None:
    """Write the marker listing ``names``; through ``staging`` (same file system) it appears at once."""
    document = {"ketenradar_report": 1, "files": sorted(names)}
    draft = (staging or folder) / REPORT_MARKER
    draft.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    if staging is not None:
        draft.replace(folder / REPORT_MARKER)


def _read_marker(folder: Path) -> list[str] | None:
    """Return the files an earlier report's marker lists, or None if it is not ketenradar's."""
    try:
        document = json.loads((folder / REPORT_MARKER).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    names = document.get("files") if isinstance(document, dict) else None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return None
    return [n for n in names if n and not Path(n).is_absolute() and ".." not in Path(n).parts]


def _swap_into(staging: Path, out_dir: Path, names: Sequence[str], old_files: Sequence[str]) -> None:
    """Move a complete report into an existing folder, replacing only the files of the old one.

    The marker lists old and new files while the files move, so that a run stopped halfway
    leaves a folder the next run recognises and replaces.
    """
    _write_marker(out_dir, sorted({*names, *old_files}), staging)
    for relative in names:
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        (staging / relative).replace(target)
    for relative in sorted(set(old_files) - set(names)):
        (out_dir / relative).unlink(missing_ok=True)
        for parent in (out_dir / relative).parents:
            if parent == out_dir or not parent.is_dir() or any(parent.iterdir()):
                break
            parent.rmdir()
    _write_marker(out_dir, names, staging)
