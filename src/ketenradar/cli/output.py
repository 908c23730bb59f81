"""Formatting of command results: aligned tables for people, JSON and CSV for programs."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import click
import pandas as pd
from rich.console import Console
from rich.table import Table

__all__ = ["FORMATS", "emit_csv", "emit_json", "emit_table", "format_option", "missing", "working"]

FORMATS = ("table", "json", "csv")
MISSING = "—"
F = TypeVar("F", bound=Callable[..., Any])


def format_option(function: F) -> F:
    """Add the shared ``--format table|json|csv`` option."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="table for people; json or csv for programs.",
    )(function)


@contextmanager
def working(message: str) -> Iterator[None]:
    """Show a spinner with ``message`` on stderr while long work runs (only on a terminal)."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    with console.status(message):
        yield


def emit_json(document: Any) -> None:
    """Print a JSON document; missing numbers are null, never 0 or NaN."""
    click.echo(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False))


def emit_csv(frame: pd.DataFrame) -> None:
    """Print a frame as CSV with an empty cell for a missing value."""
    click.echo(frame.to_csv(index=False, lineterminator="\n"), nl=False)


def missing(value: Any) -> bool:
    """Whether a value counts as missing."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _cell(value: Any, digits: int) -> str:
    if missing(value):
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return str(value)


def emit_table(
    frame: pd.DataFrame,
    columns: Sequence[tuple[str, str, int]],
    *,
    title: str,
    caption: str = "",
) -> None:
    """Print selected columns as an aligned table; ``columns`` holds (column, header, digits)."""
    console = Console(width=max(Console().width, 120), soft_wrap=False)
    table = Table(title=title, caption=caption, caption_justify="left", header_style="bold")
    for _, header, digits in columns:
        table.add_column(header, justify="right" if digits >= 0 else "left", overflow="fold")
    for _, row in frame.iterrows():
        table.add_row(*(_cell(row[c], max(d, 0)) for c, _, d in columns))
    console.print(table)
