"""``ketenradar measures``: the measure catalogue, matched measures and ranked effects (F16)."""

from __future__ import annotations

from pathlib import Path

import click

from ketenradar.cli import cli
from ketenradar.cli.chains import chain_and_scenario_options
from ketenradar.cli.i18n import option
from ketenradar.cli.options import FILE, catalogue_of, catalogue_option, store_of, workspace_option
from ketenradar.cli.output import TABLE_ROWS, emit_csv, emit_json, emit_table, format_option
from ketenradar.locale import N_, _


def _measure_catalogue_option(function: click.decorators.FC) -> click.decorators.FC:
    """Add ``--measure-catalogue FILE``: a CSV of added or re-rated measures."""
    return option(
        "--measure-catalogue",
        "measure_catalogue_file",
        type=FILE,
        default=None,
        help="CSV of measures to add or re-rate (measure_id, measure, actor, type, impact, "
        "time_horizon, investment, complexity); empty cells keep the report's values.",
    )(function)


def _combine(_ctx: click.Context, _param: click.Parameter, value: str | None) -> list[str] | None:
    """Split ``--combine id1,id2`` (or ``all``) into ids."""
    if value is None:
        return None
    ids = [part.strip() for part in value.split(",") if part.strip()]
    if not ids:
        raise click.BadParameter(_("measure ids separated by commas, or all"))
    return ids


@cli.group()
def measures() -> None:
    """Mitigation measures: the report's catalogue, measures matched to a chain, ranked effects."""


@measures.command(name="list")
@option(
    "--chain",
    "chain_ref",
    default=None,
    metavar="WORKBOOK|NAME",
    help="Match measures to this chain's findings.",
)
@option(
    "--scenario",
    "scenario_file",
    default=None,
    metavar="FILE|ID",
    help="With --chain: a scenario for the shortfall rule (a file or a shipped scenario id).",
)
@option(
    "--rules",
    "rules_file",
    type=FILE,
    default=None,
    help="Matching rules (YAML or JSON) instead of the shipped ones.",
)
@_measure_catalogue_option
@workspace_option
@catalogue_option
@format_option
def list_measures(
    chain_ref: str | None,
    scenario_file: str | None,
    rules_file: Path | None,
    measure_catalogue_file: Path | None,
    workspace: Path | None,
    catalogue_file: Path | None,
    fmt: str,
) -> None:
    """List the measure catalogue with the report's ratings and the shares of companies taking them.

    With --chain, the findings on the chain (single-country processing, shortfalls, substitutable
    materials, unknown upstream, ownership) and the catalogue measures that apply to each.
    """
    from ketenradar.services.measures import match_measures, measure_catalogue

    if chain_ref is None:
        result = measure_catalogue(measure_catalogue_file)
        if fmt == "json":
            emit_json(result.to_json())
            return
        if fmt == "csv":
            emit_csv(result.measures)
            return
        emit_table(
            result.measures,
            [
                ("measure_id", N_("id"), -1),
                ("actor", N_("actor"), -1),
                ("type", N_("type"), -1),
                ("measure", N_("measure"), -1),
                ("impact", N_("impact"), -1),
                ("time_horizon", N_("time horizon"), -1),
                ("investment", N_("investment"), -1),
                ("complexity", N_("complexity"), -1),
                ("effort", N_("effort"), 0),
            ],
            title=_("Measure catalogue (Berenschot 2024)"),
            caption=_(
                "Effort = investment + complexity (low 1, medium 2, high 3); an empty rating is "
                "one the report does not give."
            ),
            limit=None,
        )
        emit_table(
            result.taken,
            [
                ("rank", N_("rank"), 0),
                ("measure", N_("measure"), -1),
                ("pct_companies", N_("% of companies"), 0),
            ],
            title=_("Measures taken by NLDTIB companies (% of respondents, several answers possible)"),
            limit=None,
        )
        return
    from ketenradar.services.chains import open_chain
    from ketenradar.services.scenarios import load_scenario

    catalogue = catalogue_of(catalogue_file)
    opened = open_chain(chain_ref, store_of(workspace), catalogue)
    loaded = load_scenario(scenario_file, catalogue) if scenario_file is not None else None
    matched = match_measures(
        opened, catalogue, scenario=loaded, rules_file=rules_file, catalogue_file=measure_catalogue_file
    )
    if fmt == "json":
        emit_json(matched.to_json())
        return
    if fmt == "csv":
        emit_csv(matched.applicable)
        return
    findings = matched.findings.copy()
    grouped = matched.applicable.groupby(["rule", "item", "stage", "country"], sort=False, dropna=False)[
        "measure_id"
    ].agg(lambda ids: ", ".join(sorted(str(i) for i in ids if isinstance(i, str))))
    findings["measures"] = [
        grouped.get((r, i, s, c), "")
        for r, i, s, c in zip(
            findings["rule"], findings["item"], findings["stage"], findings["country"], strict=True
        )
    ]
    findings["evaluated"] = [_("yes") if e else _("no: data missing") for e in findings["evaluated"]]
    emit_table(
        findings,
        [
            ("rule", N_("rule"), -1),
            ("item", N_("item"), -1),
            ("stage", N_("stage"), -1),
            ("country", N_("country"), -1),
            ("value", N_("value"), 2),
            ("evaluated", N_("evaluated"), -1),
            ("measures", N_("applicable measures"), -1),
        ],
        title=_("Findings on {chain} and the measures that apply").format(chain=matched.chain.name),
        caption=_(
            "Rules and thresholds: see docs/methodology/measures.md; a rule the data do not allow "
            "to check is listed as not evaluated."
        ),
        limit=TABLE_ROWS,
    )


@measures.command()
@chain_and_scenario_options
@option(
    "--measures",
    "measures_file",
    type=FILE,
    required=True,
    help="Measures file (YAML or JSON): add_supplier, add_stock, substitute, remove_country.",
)
@option(
    "--combine",
    default=None,
    metavar="ID,ID|all",
    callback=_combine,
    help="Also apply these measures together (ids separated by commas, or all).",
)
@option(
    "--draws",
    type=click.IntRange(min=1),
    default=None,
    help="Monte Carlo: mean days lost over this many simulated years.",
)
@option("--seed", type=int, default=0, show_default=True, help="Random seed of the Monte Carlo draws.")
@option(
    "--save-as",
    "save_as",
    default=None,
    metavar="NAME",
    help="Store the changed chain (combined set, or all measures) under this name.",
)
@_measure_catalogue_option
@workspace_option
@catalogue_option
@format_option
def rank(
    scenario_file: str,
    chain_ref: str,
    measures_file: Path,
    combine: list[str] | None,
    draws: int | None,
    seed: int,
    save_as: str | None,
    measure_catalogue_file: Path | None,
    workspace: Path | None,
    catalogue_file: Path | None,
    fmt: str,
) -> None:
    """Measures ranked by the platform-days lost they avoid under a scenario, per euro where costed.

    Each measure changes a copy of the chain and the scenario is re-run: availability by the
    baseline rule and days lost over 365 days (or the Monte Carlo mean with --draws). The stored
    chain is never changed; --save-as stores the changed chain as a new version.
    """
    from ketenradar.services.chains import open_chain
    from ketenradar.services.measures import rank_measures_on_chain, save_changed_chain
    from ketenradar.services.scenarios import load_scenario

    catalogue = catalogue_of(catalogue_file)
    loaded = load_scenario(scenario_file, catalogue)
    store = store_of(workspace)
    opened = open_chain(chain_ref, store, catalogue)
    result = rank_measures_on_chain(
        opened,
        loaded,
        catalogue,
        measures_file,
        combine=combine,
        draws=draws,
        seed=seed,
        catalogue_file=measure_catalogue_file,
    )
    if save_as is not None:
        version = save_changed_chain(result, store, save_as, catalogue)
        click.echo(
            _("stored the changed chain as {name!r} version {version}").format(
                name=version.name, version=version.version
            ),
            err=True,
        )
    if fmt == "json":
        emit_json(result.to_json())
        return
    if fmt == "csv":
        emit_csv(result.measures)
        return
    # Per euro the figures are tiny; the table shows them per million euros (JSON keeps per euro).
    shown = result.measures.assign(per_million=result.measures["loss_avoided_per_eur"] * 1e6)
    emit_table(
        shown,
        [
            ("rank", N_("rank"), 0),
            ("id", N_("measure"), -1),
            ("kind", N_("kind"), -1),
            ("item", N_("item"), -1),
            ("loss_avoided", N_("platform-days avoided"), 2),
            ("cost_eur", N_("cost (EUR)"), 0),
            ("per_million", N_("avoided per million EUR"), 3),
            ("impact", N_("impact"), 0),
            ("effort", N_("effort"), 0),
        ],
        title=_("Measures ranked under {scenario}").format(scenario=loaded.scenario.name),
        caption=_(
            "Ranked by platform-days avoided per euro where a cost is given, then by platform-days "
            "avoided; ties by impact, effort and id. Impact and effort are the report's ratings of "
            "the catalogue entry named by measure_type."
        ),
        limit=TABLE_ROWS,
    )
    emit_table(
        result.platforms,
        [
            ("measure", N_("measure"), -1),
            ("id", N_("platform"), -1),
            ("availability_before", N_("availability, before"), 3),
            ("availability_after", N_("availability, after"), 3),
            ("days_lost_before", N_("days lost, before"), 2),
            ("days_lost_after", N_("days lost, after"), 2),
        ],
        title=_("Platforms before and after each measure"),
        limit=TABLE_ROWS,
    )
    for note in result.notes:
        click.secho(note["text"], err=True, fg="yellow")
