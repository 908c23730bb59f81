"""A self-contained, offline HTML report built from sections."""

from __future__ import annotations

import html
import math
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ketenradar.reports.texts import header

__all__ = ["Section", "TableColumn", "render_report", "render_table", "write_report_dir"]


@dataclass(frozen=True, slots=True)
class TableColumn:
    """One column of a report table: frame column, header, and number of decimals (-1: text)."""

    column: str
    header: str
    digits: int = -1
    percent: bool = False


@dataclass(frozen=True, slots=True)
class Section:
    """One section of a report: a title, text, tables and charts as HTML, and its source note."""

    id: str
    title: str
    intro: str
    blocks: tuple[Markup, ...]
    source_note: str
    notes: tuple[str, ...] = field(default=())


def _format(value: object, column: TableColumn, lang: str = "en") -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return '<span class="missing" title="not available in the sources">—</span>'
    if isinstance(value, bool | np.bool_):
        yes, no = ("ja", "nee") if lang == "nl" else ("yes", "no")
        return yes if value else no
    if isinstance(value, int | float) and column.digits >= 0:
        if column.percent:
            return f"{float(value):.{column.digits}%}"
        return f"{float(value):,.{column.digits}f}"
    return html.escape(str(value))


def render_table(
    frame: pd.DataFrame,
    columns: Sequence[TableColumn],
    *,
    caption: str = "",
    row_class: Sequence[str] | None = None,
    lang: str = "en",
) -> Markup:
    """Render a frame as an HTML table; missing values show as a marked dash."""
    head = "".join(f"<th>{html.escape(header(c.header, lang))}</th>" for c in columns)
    rows = []
    for i, (_, row) in enumerate(frame.iterrows()):
        cls = f' class="{row_class[i]}"' if row_class is not None and row_class[i] else ""
        cells = "".join(
            f'<td class="{"num" if c.digits >= 0 else "txt"}">{_format(row[c.column], c, lang)}</td>'
            for c in columns
        )
        rows.append(f"<tr{cls}>{cells}</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return Markup(
        f'<div class="table-wrap"><table>{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def figure(svg: str, caption: str) -> Markup:
    """Wrap an inline SVG chart with its caption."""
    return Markup(f"<figure>{svg}<figcaption>{html.escape(caption)}</figcaption></figure>")


def render_report(title: str, subtitle: str, footer: str, sections: Sequence[Section], lang: str) -> str:
    """Render the sections into one HTML document that needs no network."""
    env = Environment(
        loader=PackageLoader("ketenradar.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    template = env.get_template("report.html.j2")
    return template.render(title=title, subtitle=subtitle, footer=footer, sections=sections, lang=lang)


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
