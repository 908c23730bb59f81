"""``ketenradar trade``: concentration of world trade in defence-relevant product groups."""

from __future__ import annotations

from pathlib import Path

import click

from ketenradar.cli import cli
from ketenradar.cli.i18n import argument, option
from ketenradar.cli.options import FILE
from ketenradar.cli.output import emit_csv, emit_json, emit_table, format_option, working
from ketenradar.locale import N_, _


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
            ("hs", N_("HS"), -1),
            ("year", N_("year"), -1),
            ("total_value", N_("value"), 0),
            ("exporters", N_("exporters"), 0),
            ("hhi", N_("HHI"), 3),
            ("top_exporter", N_("top"), -1),
            ("top_share", N_("top share"), 2),
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
                ("hs", N_("HS"), -1),
                ("year", N_("year"), -1),
                ("nl_imports", N_("NL imports"), 0),
                ("top_partner", N_("top partner"), -1),
                ("top_partner_share", N_("share"), 2),
                ("partner_hhi", N_("HHI"), 3),
                ("third_country_share", N_("third countries"), 2),
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
            ("hs_code", N_("HS"), -1),
            ("description", N_("product group"), -1),
            ("europe_pct", N_("Europe %"), 0),
            ("asia_pct", N_("Asia %"), 0),
            ("china_pct", N_("China %"), 0),
            ("north_america_pct", N_("N. America %"), 0),
            ("africa_pct", N_("Africa %"), 0),
            ("australia_pct", N_("Australia %"), 0),
        ],
        title=_("World production value by region, 11 defence product groups"),
        caption=_(
            "Source: TNO/Comtrade 2022 as cited in Berenschot (2024); column labels as printed "
            "(the report's note: Africa and North America may be swapped)."
        ),
    )
