"""``ketenradar procure``: score and rank bids on price, delivery, origin risk and NL/EU content (F18)."""

from __future__ import annotations

from pathlib import Path

import click

from ketenradar.cli import cli, settings_of
from ketenradar.cli.i18n import option
from ketenradar.cli.options import PATH, catalogue_of, catalogue_option, store_of, workspace_option
from ketenradar.cli.output import emit_csv, emit_json, emit_table, format_option
from ketenradar.errors import ConfigError
from ketenradar.locale import N_, _, format_number


def parse_named_numbers(text: str, flag: str) -> dict[str, float]:
    """Parse ``NAME=NUMBER,NAME=NUMBER`` (``--weights``, ``--level-weights``) into a mapping."""
    values: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        try:
            if not sep or not name.strip():
                raise ValueError
            number = float(value)
        except ValueError:
            raise ConfigError(
                _("{flag}: {part!r} is not NAME=NUMBER (e.g. {example})").format(
                    flag=flag,
                    part=part,
                    example="price=0.5,origin_risk=0.4" if flag == "--weights" else "product=1,material=2",
                )
            ) from None
        if name.strip() in values:
            raise ConfigError(_("{flag}: {name!r} is given twice").format(flag=flag, name=name.strip()))
        values[name.strip()] = number
    if not values:
        raise ConfigError(_("{flag}: no weights given").format(flag=flag))
    return values


@cli.group()
def procure() -> None:
    """Procurement: bids scored on price, delivery, origin risk and NL/EU content."""


@procure.command()
@click.argument("bids", type=PATH)
@option(
    "--weights",
    help="Criterion weights, e.g. price=0.5,origin_risk=0.4 (names: price, delivery_days, "
    "origin_risk, nl_eu_content; names left out weigh 0; normalised to sum 1) "
    "[default: price=0.4,delivery_days=0.2,origin_risk=0.3,nl_eu_content=0.1].",
)
@option(
    "--level-weights",
    help="Weights of the origin levels, e.g. product=1,component=1,material=2 (names left out "
    "weigh 0; normalised to sum 1) [default: equal].",
)
@option(
    "--part-weighting",
    type=click.Choice(["quantity", "count"]),
    default="quantity",
    show_default=True,
    help="For a bid with a chain: weigh its parts by quantity per platform, or count each part once.",
)
@workspace_option
@catalogue_option
@format_option
@click.pass_context
def evaluate(
    ctx: click.Context,
    bids: Path,
    weights: str | None,
    level_weights: str | None,
    part_weighting: str,
    workspace: Path | None,
    catalogue_file: Path | None,
    fmt: str,
) -> None:
    """Score and rank bids; show the geopolitical premium and where the ranking flips.

    BIDS is a workbook (.xlsx with sheets bids and origin), a folder with bids.csv and
    origin.csv, or JSON. A bid's chain is a chain workbook (a path relative to the folder of
    the bids file) or the name of a stored chain.
    """
    from ketenradar.services.procurement import check_weights, evaluate_bids

    criterion = (
        check_weights(parse_named_numbers(weights, "--weights"), "criteria", "--weights") if weights else None
    )
    levels = (
        check_weights(parse_named_numbers(level_weights, "--level-weights"), "levels", "--level-weights")
        if level_weights
        else None
    )
    catalogue = catalogue_of(catalogue_file)
    result = evaluate_bids(
        bids,
        catalogue,
        store=store_of(workspace),
        weights=criterion,
        level_weights=levels,
        country_weights=settings_of(ctx).country_risk.weights,
        part_weighting="count" if part_weighting == "count" else "quantity",
    )
    if fmt == "json":
        emit_json(result.to_json())
        return
    if fmt == "csv":
        emit_csv(result.table())
        return
    weights_text = ", ".join(f"{k} {format_number(v, 2)}" for k, v in result.weights.items())
    emit_table(
        result.table(),
        [
            ("rank", N_("rank"), 0),
            ("bid", N_("bid"), -1),
            ("price", N_("price"), 0),
            ("delivery_days", N_("delivery (days)"), 0),
            ("origin_risk", N_("origin risk"), 3),
            ("nl_eu_content", N_("NL/EU content"), 2),
            ("score", N_("score"), 3),
            ("premium_pct", N_("premium (%)"), 1),
            ("risk_reduction", N_("risk reduction"), 3),
            ("origin_weight_to_win", N_("origin weight to win"), 2),
        ],
        title=_("Bids ranked by score (cheapest bid: {bid})").format(bid=result.cheapest_bid),
        caption=_(
            "Weights {weights}. Each criterion is scaled 0..1 across the bids (1 = best); a missing "
            "value adds 0. Premium and risk reduction are against the cheapest bid; origin weight to "
            "win is the weight on origin risk nearest the current one at which the bid would rank "
            "first (the other weights keeping their proportions); — = never."
        ).format(weights=weights_text),
        limit=None,
    )
    sweep = result.sweep_table()
    if len(sweep):
        emit_table(
            sweep,
            [
                ("origin_weight", N_("weight on origin risk"), 2),
                ("first", N_("first"), -1),
                ("ranking", N_("ranking"), -1),
            ],
            title=_("Weight sweep: the ranking as the weight on origin risk grows"),
            caption=_("The ranking flips at origin-risk weights {flips}.").format(
                flips=", ".join(format_number(f, 3) for f in result.sweep.flips) if result.sweep else ""
            )
            if result.sweep is not None and len(result.sweep.flips)
            else _("The first place does not change."),
            limit=None,
        )
    for note in result.notes:
        click.secho(note, err=True, fg="yellow")
