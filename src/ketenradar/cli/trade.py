"""``ketenradar trade``: concentration of world trade in defence-relevant product groups."""

from __future__ import annotations

from pathlib import Path

import click

from ketenradar.cli import cli
from ketenradar.cli.output import emit_csv, emit_json, emit_table, format_option, working
from ketenradar.jsonable import json_records


@cli.group()
def trade() -> None:
    """Trade-flow concentration (Comtrade- or BACI-style files) and the report's product groups."""


@trade.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--hs-digits",
    type=click.Choice(["2", "4", "6"]),
    default="6",
    show_default=True,
    help="Aggregate product codes to this many HS digits.",
)
@click.option(
    "--top",
    type=click.IntRange(1, 50),
    default=5,
    show_default=True,
    help="Largest exporters listed per product code and year.",
)
@format_option
def concentration(file: Path, hs_digits: str, top: int, fmt: str) -> None:
    """Show exporter shares, HHI, regions, Dutch import dependence and change between years."""
    from ketenradar.trade import analyse_trade, load_flows, trade_document  # DuckDB on demand

    with working(f"reading {file}"):
        result = analyse_trade(load_flows(file), int(hs_digits), top)
    if fmt == "json":
        emit_json(trade_document(result, str(file)))
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
        title="Exporter concentration per product code and year (first 40)",
        caption=f"Source: {file}. HHI = Σ exporter share²; regions: UN M49 continents, China apart.",
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
            title="Dutch import dependence",
        )


@trade.command()
@format_option
def groups(fmt: str) -> None:
    """Show the source report's regional shares for its eleven defence HS product groups (2022)."""
    from ketenradar.trade import product_groups

    table = product_groups()
    if fmt == "json":
        emit_json(
            {
                "product_groups": json_records(table),
                "source": "TNO/Comtrade 2022 as cited in Berenschot (2024)",
            }
        )
        return
    if fmt == "csv":
        emit_csv(table)
        return
    emit_table(
        table,
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
        title="World production value by region, 11 defence product groups",
        caption="Source: TNO/Comtrade 2022 as cited in Berenschot (2024); column labels as printed "
        "(the report's note: Africa and North America may be swapped).",
    )
