"""Formatting of command results: aligned tables for people, JSON and CSV for programs.

Tables are for people, so they are in the active language (headers, words, decimal comma in
Dutch) and bounded: a long table shows its first rows and says how many more there are, a long
list in a cell its first few ids. JSON and CSV are for programs: complete, with codes and plain
numbers; CSV cells that a spreadsheet would run as a formula are quoted.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar, overload

import click

from ketenradar.cli.i18n import option
from ketenradar.locale import MISSING, _, format_number, yes_no

# pandas, rich and the services are imported by the functions that use them: importing this
# module (as every command module does) must not slow down ``--help``.
if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CELL_ITEMS",
    "FORMATS",
    "MAX_TABLE_ROWS",
    "TABLE_ROWS",
    "TableSpec",
    "bounded_list",
    "emit_csv",
    "emit_json",
    "emit_table",
    "format_option",
    "missing",
    "progress",
    "spreadsheet_safe",
    "working",
]

FORMATS = ("table", "json", "csv")
F = TypeVar("F", bound=Callable[..., Any])
# (frame column, English header, decimals or -1 for text[, vocabulary of the column's codes])
TableSpec = tuple[str, str, int] | tuple[str, str, int, str]
# Rows a table shows where it grows with the chain (chain and scenario commands).
TABLE_ROWS = 20
# No table prints more rows than this; everything is in --format csv or json.
MAX_TABLE_ROWS = 100
# Ids a list in one table cell shows before "… and N more".
CELL_ITEMS = 5
# A text cell starting with one of these runs as a formula in a spreadsheet (OWASP, CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@overload
def format_option(function: F) -> F: ...
@overload
def format_option(*, parquet: bool) -> Callable[[F], F]: ...
def format_option(function: F | None = None, *, parquet: bool = False) -> F | Callable[[F], F]:
    """Add the shared ``--format table|json|csv`` option (``parquet=True``: also ``parquet``)."""

    def decorate(command: F) -> F:
        return option(
            "--format",
            "fmt",
            type=click.Choice([*FORMATS, "parquet"] if parquet else FORMATS),
            default="table",
            show_default=True,
            help="table for people; json, csv or parquet for programs."
            if parquet
            else "table for people; json or csv for programs.",
        )(command)

    return decorate(function) if function is not None else decorate


@contextmanager
def working(message: str) -> Iterator[None]:
    """Show a spinner with ``message`` on stderr while long work runs (only on a terminal)."""
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    with console.status(message):
        yield


@contextmanager
def progress(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """Yield a ``progress(done, total)`` callback drawing a bar on stderr (None off a terminal).

    The total may change while the work runs (e.g. once the distinct shock patterns are known):
    the bar resizes to it.
    """
    if not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=1, label=label, file=sys.stderr) as bar:

        def advance(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        yield advance


def emit_json(document: Any) -> None:
    """Print a JSON document; missing numbers are null, never 0 or NaN."""
    from ketenradar.services.jsonable import dumps

    click.echo(dumps(document, indent=2, ensure_ascii=False))


def emit_csv(frame: pd.DataFrame) -> None:
    """Print a frame as CSV with an empty cell for a missing value, safe to open in a spreadsheet."""
    click.echo(spreadsheet_safe(frame).to_csv(index=False, lineterminator="\n"), nl=False)


def binary_stdout() -> BinaryIO:
    """Return standard output for bytes (text written before is flushed first)."""
    sys.stdout.flush()
    stream: BinaryIO = sys.stdout.buffer
    return stream


def emit_parquet(frame: pd.DataFrame) -> None:
    """Write a frame as Parquet to standard output, which must not be a terminal."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    stream = binary_stdout()
    if stream.isatty():
        raise click.UsageError(
            _("Parquet is a binary format: send it to a file, e.g. ... --format parquet > exposure.parquet")
        )
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), stream)


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the frame with a ``'`` before every text cell a spreadsheet would run as a formula.

    Text starting with ``= + - @``, a tab or a carriage return (the OWASP guidance on CSV
    injection); numbers are left alone, so ``-0.5`` in a number column stays a number.
    """
    import pandas as pd

    safe = frame
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if pd.api.types.is_object_dtype(column.dtype):
            flagged = column.map(_runs_as_formula).to_numpy(dtype=bool)
        elif pd.api.types.is_string_dtype(column.dtype):
            flagged = column.str.startswith(_FORMULA_START).fillna(False).to_numpy(dtype=bool)
        else:
            continue
        if not flagged.any():
            continue
        values = column.to_numpy(dtype=object, copy=True)
        values[flagged] = ["'" + str(value) for value in values[flagged]]
        if safe is frame:
            safe = frame.copy()
        safe.isetitem(position, values)
    return safe


def _runs_as_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(_FORMULA_START)


def bounded_list(values: Sequence[Any], limit: int = CELL_ITEMS, *, total: int | None = None) -> str:
    """Join the first ``limit`` values with commas, then "… and N more" if there are more.

    ``total`` is the length of the whole list when ``values`` holds only its first entries.
    """
    total = len(values) if total is None else total
    shown = ", ".join(map(str, values[:limit]))
    rest = total - min(limit, len(values))
    if rest <= 0:
        return shown
    return _("{shown} … and {n} more").format(shown=shown, n=format_number(rest, 0))


def missing(value: Any) -> bool:
    """Whether a value counts as missing."""
    import pandas as pd

    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _cell(value: Any, digits: int, vocabulary: str | None) -> str:
    if missing(value):
        return MISSING
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, float) or (isinstance(value, int) and digits >= 0):
        return format_number(value, max(digits, 0))
    if isinstance(value, list | tuple):
        return bounded_list(value)
    if vocabulary is not None:
        from ketenradar.model.vocabulary import label

        return label(vocabulary, str(value))
    return str(value)


def emit_table(
    frame: pd.DataFrame,
    columns: Sequence[TableSpec],
    *,
    title: str,
    caption: str = "",
    limit: int | None = MAX_TABLE_ROWS,
    total: int | None = None,
) -> None:
    """Print selected columns as an aligned table; headers are English msgids, translated here.

    At most ``limit`` rows are printed (``None``: all), followed by a line saying how many more
    there are. ``total`` is the whole table's number of rows when the caller passes only its
    first rows. Only the rows printed are formatted.
    """
    from rich.console import Console
    from rich.table import Table

    total = len(frame) if total is None else total
    shown = frame if limit is None else frame.head(limit)
    console = Console(width=max(Console().width, 120), soft_wrap=False)
    table = Table(title=title, caption=caption, caption_justify="left", header_style="bold")
    for spec in columns:
        table.add_column(_(spec[1]), justify="right" if spec[2] >= 0 else "left", overflow="fold")
    values = shown[[spec[0] for spec in columns]].to_numpy(dtype=object)
    for row in values:
        table.add_row(
            *(
                _cell(value, spec[2], spec[3] if len(spec) > 3 else None)
                for value, spec in zip(row, columns, strict=True)
            )
        )
    console.print(table)
    rest = total - len(shown)
    if rest > 0:
        console.print(
            _("… {n} more (use --format csv or json for all)").format(n=format_number(rest, 0)),
            markup=False,
            highlight=False,
        )
