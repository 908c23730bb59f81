"""A self-contained, offline HTML report built from sections; tables come from one Jinja macro.

Every value is formatted for the report's language (:mod:`ketenradar.locale`) before it reaches
the template, and the template escapes it: no HTML is built from strings here.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ketenradar.locale import _, format_number, format_percent, yes_no
from ketenradar.model.vocabulary import label

__all__ = [
    "Section",
    "TableColumn",
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
    records = frame[[c.column for c in columns]].to_numpy(dtype=object)
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
    macro = _environment().get_template("table.html.j2").module.table  # type: ignore[attr-defined]
    return Markup(macro(view))


def figure(svg: str, caption: str) -> Markup:
    """Wrap an inline SVG chart (drawn by ketenradar, trusted) with its caption."""
    macro = _environment().get_template("table.html.j2").module.figure  # type: ignore[attr-defined]
    return Markup(macro(Markup(svg), caption))


def render_report(title: str, subtitle: str, footer: str, sections: Sequence[Section], lang: str) -> str:
    """Render the sections into one HTML document that needs no network."""
    template = _environment().get_template("report.html.j2")
    return template.render(
        title=title,
        subtitle=subtitle,
        footer=footer,
        sections=sections,
        lang=lang,
        contents=_("Contents"),
    )


def write_report_dir(out_dir: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write all files of a report into ``out_dir`` at once; a failure leaves the old one intact.

    The files are written into a temporary sibling folder first, which then replaces
    ``out_dir``: readers never see a half-written report.
    """
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; a report folder is meant to be shared
        for relative, content in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        old = None
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}-old-{os.getpid()}")
            out_dir.rename(old)
        staging.rename(out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir / "index.html"
