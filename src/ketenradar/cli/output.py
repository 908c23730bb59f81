"""Formatting of command results: aligned tables for people, JSON and CSV for programs.

Tables are for people, so they are in the active language (headers, words, decimal comma in
Dutch); JSON and CSV are for programs and keep codes and plain numbers.
"""

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

from ketenradar.cli.i18n import option
from ketenradar.locale import MISSING, _, format_number, yes_no
from ketenradar.model.vocabulary import label

__all__ = [
    "FORMATS",
    "TableSpec",
    "emit_csv",
    "emit_json",
    "emit_table",
    "format_option",
    "missing",
    "working",
]

FORMATS = ("table", "json", "csv")
F = TypeVar("F", bound=Callable[..., Any])
# (frame column, English header, decimals or -1 for text[, vocabulary of the column's codes])
TableSpec = tuple[str, str, int] | tuple[str, str, int, str]


def format_option(function: F) -> F:
    """Add the shared ``--format table|json|csv`` option."""
    return option(
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


def _cell(value: Any, digits: int, vocabulary: str | None) -> str:
    if missing(value):
        return MISSING
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, float) or (isinstance(value, int) and digits >= 0):
        return format_number(value, max(digits, 0))
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    if vocabulary is not None:
        return label(vocabulary, str(value))
    return str(value)


def emit_table(
    frame: pd.DataFrame,
    columns: Sequence[TableSpec],
    *,
    title: str,
    caption: str = "",
) -> None:
    """Print selected columns as an aligned table; headers are English msgids, translated here."""
    console = Console(width=max(Console().width, 120), soft_wrap=False)
    table = Table(title=title, caption=caption, caption_justify="left", header_style="bold")
    for spec in columns:
        table.add_column(_(spec[1]), justify="right" if spec[2] >= 0 else "left", overflow="fold")
    values = frame[[spec[0] for spec in columns]].to_numpy(dtype=object)
    for row in values:
        table.add_row(
            *(
                _cell(value, spec[2], spec[3] if len(spec) > 3 else None)
                for value, spec in zip(row, columns, strict=True)
            )
        )
    console.print(table)
