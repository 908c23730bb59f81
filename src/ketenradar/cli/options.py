"""Options and argument parsers the commands share, and the workspace and catalogue they open."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ketenradar.cli.i18n import option
from ketenradar.errors import ConfigError
from ketenradar.locale import LANGUAGES, _

# The services, storage and settings are imported by the functions that use them: importing
# this module (as every command module does) must not slow down ``--help``.
if TYPE_CHECKING:
    from ketenradar.model.material import MaterialCatalogue
    from ketenradar.storage import SqliteStore

__all__ = [
    "FILE",
    "PATH",
    "catalogue_of",
    "catalogue_option",
    "database_option",
    "disclosure_options",
    "parse_weights",
    "parse_years",
    "store_of",
    "workspace_option",
]

F = TypeVar("F", bound=Callable[..., Any])
FILE = click.Path(dir_okay=False, path_type=Path)
PATH = click.Path(path_type=Path)


def workspace_option(function: F) -> F:
    """Add ``--workspace PATH`` (default $KETENRADAR_WORKSPACE or the user's data folder)."""
    return option(
        "--workspace",
        type=FILE,
        default=None,
        help="SQLite workspace file [default: $KETENRADAR_WORKSPACE or "
        "~/.local/share/ketenradar/workspace.sqlite].",
    )(function)


def database_option(function: F) -> F:
    """Add ``--database URL`` of the observatory server (default $KETENRADAR_DATABASE)."""
    return option(
        "--database",
        "database_url",
        metavar="URL",
        envvar="KETENRADAR_DATABASE",
        default=None,
        help="The observatory server's database: postgresql://USER@HOST/NAME or sqlite:///FILE "
        "[default: $KETENRADAR_DATABASE].",
    )(function)


def catalogue_option(function: F) -> F:
    """Add ``--catalogue FILE`` for materials beyond the EU list."""
    return option(
        "--catalogue",
        "catalogue_file",
        type=FILE,
        help="CSV of extra materials (id, name_en, ...); the shipped extras "
        "(aramid, UHMWPE, nitric acid, CL-20, ceramics) are always known.",
    )(function)


def report_options(function: F) -> F:
    """Add ``--out DIR`` and ``--lang`` of the commands that write a report."""
    function = option(
        "--lang",
        type=click.Choice(LANGUAGES),
        default=None,
        help="Report language [default: the command line's language].",
    )(function)
    return option(
        "--out",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("ketenradar-report"),
        show_default=True,
        help="Folder for the report (new, empty, or an earlier ketenradar report).",
    )(function)


def refinement_options(function: F) -> F:
    """Add ``--alternatives FILE`` and ``--substitutes FILE`` (F15, the refinements over time)."""
    function = option(
        "--substitutes",
        "substitutes_file",
        type=FILE,
        help="Your substitutes (CSV, .xlsx, YAML or JSON); none are shipped.",
    )(function)
    return option(
        "--alternatives",
        "alternatives_file",
        type=FILE,
        help="Your alternative producing countries (CSV, .xlsx, YAML or JSON); a row replaces the "
        "shipped row of the same material or item, stage and country.",
    )(function)


def disclosure_options(function: F) -> F:
    """Add ``--unsuppressed``, ``--min-companies`` and ``--max-dominance`` (the disclosure rules)."""
    from ketenradar.model.defaults import DISCLOSURE_MAX_DOMINANCE, DISCLOSURE_MIN_COMPANIES

    for decorator in reversed(
        [
            option(
                "--unsuppressed",
                is_flag=True,
                help="Show every cell without disclosure control (not for publication).",
            ),
            option(
                "--min-companies",
                type=click.IntRange(1),
                default=DISCLOSURE_MIN_COMPANIES,
                show_default=True,
                help="Suppress cells with fewer companies than this.",
            ),
            option(
                "--max-dominance",
                type=click.FloatRange(0, 1),
                default=DISCLOSURE_MAX_DOMINANCE,
                show_default=True,
                help="Suppress cells where one company holds more than this share of the FTE.",
            ),
        ]
    ):
        function = decorator(function)
    return function


def catalogue_of(catalogue_file: Path | None) -> MaterialCatalogue:
    """Return the EU list with the shipped extras and those of the user's file."""
    from ketenradar.ingest.inputs import read_material_catalogue
    from ketenradar.services.materials import defence_catalogue

    catalogue = defence_catalogue()
    if catalogue_file is not None:
        catalogue = catalogue.with_materials(read_material_catalogue(catalogue_file, catalogue))
    return catalogue


def store_of(workspace: Path | None) -> SqliteStore:
    """Return the workspace store (the default file unless one is given)."""
    from ketenradar.storage import SqliteStore, default_workspace_path

    return SqliteStore(workspace or default_workspace_path())


def parse_weights(text: str) -> dict[str, float]:
    """Parse ``--weights wgi=0.5,fsi=0.5`` into a weight mapping."""
    from ketenradar.services.countries import normalise_weights

    weights: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        try:
            if not sep:
                raise ValueError
            weights[name.strip()] = float(value)
        except ValueError:
            raise ConfigError(
                _("--weights: {part!r} is not NAME=NUMBER (e.g. wgi=0.5,oecd_crc=0.2,fsi=0.3)").format(
                    part=part
                )
            ) from None
    normalise_weights(weights)
    return weights


def parse_years(text: str) -> tuple[int, ...]:
    """Parse ``--wgi-years 2016-2020`` (or ``2019``, or ``2018,2019``) into a tuple of years."""
    from ketenradar.settings import check_wgi_years

    years: set[int] = set()
    try:
        for part in filter(None, (p.strip() for p in text.split(","))):
            first, _sep, last = part.partition("-")
            years.update(range(int(first), int(last or first) + 1))
    except ValueError:
        raise ConfigError(
            _("--wgi-years: {text!r} is not a year, a range like 2016-2020 or a list").format(text=text)
        ) from None
    try:
        return check_wgi_years(tuple(years))
    except ConfigError as error:
        raise ConfigError(f"--wgi-years: {error} ({text!r})") from None
