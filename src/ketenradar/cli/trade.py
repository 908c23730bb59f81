"""``ketenradar trade``: concentration of world trade in defence-relevant product groups."""

from __future__ import annotations

from pathlib import Path

import click

from ketenradar.cli import cli
from ketenradar.cli.i18n import argument, option
from ketenradar.cli.options import FILE
from ketenradar.cli.output import emit_csv, emit_json, emit_table, format_option, working
from ketenradar.locale import _


@cli.group()
def trade() -> None:
    """Trade-flow concentration (Comtrade- or BACI-style files) and the report's product groups."""


@trade.command()
@argument("file", type=FILE)
@option(
    "--hs-digits",
    type=click.Choice(["2", "4", "6"]),
    default="6",
    show_default=True,
    help="Aggregate product codes to this many HS digits.",
)
@option(
    "--top",
    type=click.IntRange(1, 50),
    default=5,
    show_default=True,
    help="Largest exporters listed per product code and year.",
)
@format_option
def concentration(file: Path, hs_digits: str, top: int, fmt: str) -> None:
    """Show exporter shares, HHI, regions, Dutch import dependence and change between years."""
    from ketenradar.services.trade import analyse_trade  # DuckDB on demand

    with working(_("reading {path}").format(path=file)):
        result = analyse_trade(file, int(hs_digits), top)
    if fmt == "json":
        emit_json(result.to_json())
        return
    if fmt == "csv":
        emit_csv(result.concentration)
        return
    emit_table(
        result.concentration.head(40),
        [
            ("hs", "HS", -1),
            ("year", "year", -1),
            ("total_value", "value", 0),
            ("exporters", "exporters", 0),
            ("hhi", "HHI", 3),
            ("top_exporter", "top", -1),
            ("top_share", "top share", 2),
        ],
        title=_("Exporter concentration per product code and year (first 40)"),
        caption=_("Source: {path}. HHI = Σ exporter share²; regions: UN M49 continents, China apart.").format(
            path=file
        ),
    )
    if not result.nl_dependence.empty:
        emit_table(
            result.nl_dependence.head(40),
            [
                ("hs", "HS", -1),
                ("year", "year", -1),
                ("nl_imports", "NL imports", 0),
                ("top_partner", "top partner", -1),
                ("top_partner_share", "share", 2),
                ("partner_hhi", "HHI", 3),
                ("third_country_share", "third countries", 2),
            ],
            title=_("Dutch import dependence"),
        )


@trade.command()
@format_option
def groups(fmt: str) -> None:
    """Show the source report's regional shares for its eleven defence HS product groups (2022)."""
    from ketenradar.services.trade import product_groups

    result = product_groups()
    if fmt == "json":
        emit_json(result.to_json())
        return
    if fmt == "csv":
        emit_csv(result.table)
        return
    emit_table(
        result.table,
        [
            ("hs_code", "HS", -1),
            ("description", "product group", -1),
            ("europe_pct", "Europe %", 0),
            ("asia_pct", "Asia %", 0),
            ("china_pct", "China %", 0),
            ("north_america_pct", "N. America %", 0),
            ("africa_pct", "Africa %", 0),
            ("australia_pct", "Australia %", 0),
        ],
        title=_("World production value by region, 11 defence product groups"),
        caption=_(
            "Source: TNO/Comtrade 2022 as cited in Berenschot (2024); column labels as printed "
            "(the report's note: Africa and North America may be swapped)."
        ),
    )
