"""``ketenradar chain`` and ``ketenradar scenario``: value chains and disruption scenarios."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ketenradar.cli import cli
from ketenradar.cli.i18n import argument, option
from ketenradar.cli.options import (
    FILE,
    PATH,
    catalogue_of,
    catalogue_option,
    refinement_options,
    store_of,
    workspace_option,
)
from ketenradar.cli.output import (
    CELL_ITEMS,
    TABLE_ROWS,
    binary_stdout,
    bounded_list,
    emit_csv,
    emit_json,
    emit_parquet,
    emit_table,
    format_option,
    progress,
    working,
)
from ketenradar.locale import N_, _, format_number

# Everything heavy is imported by the commands that use it; defaults come from a light module.
from ketenradar.model.defaults import SPOF_SHARE_THRESHOLD

# --table of `chain exposure`: its value → the key of ChainExposure.detail_tables().
EXPOSURE_TABLES = {
    "exposure": "",
    "single-points": "single_points",
    "branches": "branches",
    "concentration": "concentration",
}

if TYPE_CHECKING:
    from ketenradar.model.chain import Chain
    from ketenradar.model.material import Material, MaterialCatalogue
    from ketenradar.services.refinements import LoadedRefinements

_VERSION_TABLE = [
    ("version", N_("version"), -1),
    ("created_at", N_("stored"), -1),
    ("n_items", N_("items"), 0),
    ("n_bom", N_("bom rows"), 0),
    ("n_sourcing", N_("sourcing rows"), 0),
    ("source", N_("source"), -1),
]


@cli.group()
def chain() -> None:
    """Value chains: example, template, import, list, show, export, exposure, synth."""


@chain.command()
@argument("out", type=FILE)
def template(out: Path) -> None:
    """Write an empty chain workbook OUT.xlsx with instructions and drop-downs."""
    from ketenradar.ingest.workbook_writer import write_template

    path = write_template(out, list(catalogue_of(None)))
    click.echo(_("template written to {path}").format(path=path))


@chain.command(name="import")
@argument("workbook", type=PATH)
@option("--name", help="Name to store it under [default: the file name].")
@workspace_option
@catalogue_option
def import_(workbook: Path, name: str | None, workspace: Path | None, catalogue_file: Path | None) -> None:
    """Validate WORKBOOK (.xlsx, CSV folder or .json) and store it as a new version.

    Materials beyond the shipped catalogue that the chain uses (from --catalogue or the
    workbook's own materials sheet) are stored with it, so an export re-imports without them.
    """
    from ketenradar.ingest.workbook import read_chain_and_materials

    catalogue = catalogue_of(catalogue_file)
    with working(_("validating {path}").format(path=workbook)):
        chain, sheet_materials = read_chain_and_materials(workbook, list(catalogue), name=name)
    with working(_("storing")):
        version = store_of(workspace).save_chain(
            chain, materials=_extra_materials(chain, catalogue, sheet_materials)
        )
    click.echo(
        _(
            "stored {name!r} version {version}: {items} items, {bom} bom rows, {sourcing} sourcing rows"
        ).format(
            name=version.name,
            version=version.version,
            items=version.n_items,
            bom=version.n_bom,
            sourcing=version.n_sourcing,
        )
    )


def _extra_materials(
    chain: Chain, catalogue: MaterialCatalogue, sheet_materials: Sequence[Material]
) -> list[Material]:
    """Return the materials the chain uses that ketenradar does not ship, to store with it."""
    from ketenradar.services.materials import defence_catalogue

    used = set(chain.items["material"])
    shipped = set(defence_catalogue())
    from_catalogue = [m for m in catalogue.values() if m.id in used and m.id not in shipped]
    known = {m.id for m in from_catalogue}
    return [*from_catalogue, *(m for m in sheet_materials if m.id in used and m.id not in known)]


@chain.command(name="list")
@workspace_option
@format_option
def list_(workspace: Path | None, fmt: str) -> None:
    """List the stored chains (latest version of each)."""
    from ketenradar.services.chains import list_chains

    listing = list_chains(store_of(workspace))
    if fmt == "json":
        emit_json(listing.to_json())
        return
    rows = listing.frame()
    if fmt == "csv":
        emit_csv(rows)
    elif rows.empty:
        click.echo(_("no stored chains; add one with `ketenradar chain import WORKBOOK --name NAME`"))
    else:
        emit_table(rows, [("name", N_("name"), -1), *_VERSION_TABLE], title=_("Stored chains"))


@chain.command()
@argument("name")
@workspace_option
@format_option
def show(name: str, workspace: Path | None, fmt: str) -> None:
    """Show a stored chain: versions, items per kind, platforms and materials."""
    from ketenradar.services.chains import chain_details

    details = chain_details(store_of(workspace), name)
    if fmt == "json":
        emit_json(details.to_json())
        return
    frame = details.to_frame()
    if fmt == "csv":
        emit_csv(frame)
        return
    emit_table(frame, _VERSION_TABLE, title=_("Chain {name!r}").format(name=name))
    click.echo(
        _("items per kind: {kinds}").format(
            kinds=", ".join(f"{k} {v}" for k, v in details.items_per_kind.items())
        )
    )
    click.echo(_("platforms: {ids}").format(ids=", ".join(details.platforms)))
    click.echo(_("materials: {ids}").format(ids=", ".join(details.materials)))


@chain.command()
@argument("name")
@argument("out", type=PATH)
@option("--version", "version", type=int, help="Version to export [default: latest].")
@workspace_option
def export(name: str, out: Path, version: int | None, workspace: Path | None) -> None:
    """Write a stored chain to OUT: .xlsx, .json, or a folder of CSV files."""
    from ketenradar.ingest.workbook_writer import write_chain

    store = store_of(workspace)
    path = write_chain(store.load_chain(name, version), out, materials=store.chain_materials(name, version))
    click.echo(_("chain {name!r} written to {path}").format(name=name, path=path))


@chain.command()
@argument("chain_ref", metavar="WORKBOOK|NAME")
@option(
    "--spof-threshold",
    type=click.FloatRange(0.5, 1.0),
    default=SPOF_SHARE_THRESHOLD,
    show_default=True,
    help="A material stage this much from one country is a single point of failure.",
)
@option(
    "--detail",
    type=click.Choice(["none", "items"]),
    default="none",
    show_default=True,
    help="items: add the per-item tables to the JSON (why each single point fails, every branch, "
    "every item's concentration); millions of rows on a national chain.",
)
@option(
    "--table",
    "table_name",
    type=click.Choice(list(EXPOSURE_TABLES)),
    default="exposure",
    show_default=True,
    help="The table --format csv or parquet writes: the shares per platform, material and stage, "
    "or one of the per-item tables.",
)
@workspace_option
@catalogue_option
@format_option(parquet=True)
def exposure(
    chain_ref: str,
    spof_threshold: float,
    detail: str,
    table_name: str,
    workspace: Path | None,
    catalogue_file: Path | None,
    fmt: str,
) -> None:
    """Per platform: material content, country shares per stage, NL/EU/third, weak spots, visibility."""
    from ketenradar.reports.formatting import supplier_label
    from ketenradar.services.chains import chain_exposure, open_chain

    catalogue = catalogue_of(catalogue_file)
    with working(_("computing exposure of {chain}").format(chain=chain_ref)):
        opened = open_chain(chain_ref, store_of(workspace), catalogue)
        report = chain_exposure(opened, catalogue, spof_threshold)
    result = report.result
    if not result.platforms:
        click.secho(
            _(
                "chain {name!r} has no item of kind 'platform': exposure is computed per "
                "platform, so there is nothing to show (mark the top items as platforms)"
            ).format(name=opened.chain.name),
            err=True,
            fg="yellow",
        )
    if fmt == "json":
        with working(_("writing the JSON document")):
            report.write_json(binary_stdout(), detail=detail == "items")
        return
    if fmt in ("csv", "parquet"):
        if table_name == "exposure":
            frame = result.shares.merge(result.coverage, on=["platform", "material", "stage"])
        else:
            frame = report.detail_tables()[EXPOSURE_TABLES[table_name]]
        (emit_csv if fmt == "csv" else emit_parquet)(frame)
        return
    table = report.split_table().sort_values(
        ["platform", "top_share"], ascending=[True, False], kind="stable", na_position="last"
    )
    shown = table.head(TABLE_ROWS)
    shown = shown.assign(
        top=[supplier_label(c, s) for c, s in zip(shown["top_country"], shown["top_share"], strict=True)]
    )
    emit_table(
        shown,
        [
            ("platform", N_("platform"), -1),
            ("material", N_("material"), -1),
            ("quantity", N_("quantity"), 3),
            ("stage", N_("stage"), -1, "stage"),
            ("top", N_("top country"), -1),
            ("NL", N_("NL"), 2),
            ("EU+EEA", N_("EU+EEA"), 2),
            ("third", N_("third"), 2),
            ("hhi", N_("HHI"), 2),
            ("basis", N_("basis"), -1, "basis"),
            ("known_fraction", N_("known"), 2),
        ],
        title=_("Exposure of chain {name!r}: largest supplying country per material and stage").format(
            name=opened.chain.name
        ),
        caption=_(
            "basis chain = the chain's own sourcing; world = EC 2023 global supply shares where "
            "the chain is silent; known = share of the quantity with sourcing in the chain; "
            "NL / EU+EEA / third = the shares by origin; HHI = Σ country share²."
        ),
        limit=TABLE_ROWS,
        total=len(table),
    )
    points = result.single_points
    if not points.empty:
        emit_table(
            points,
            [
                ("platform", N_("platform"), -1),
                ("item", N_("item"), -1),
                ("stage", N_("stage"), -1, "stage"),
                ("country", N_("country"), -1),
                ("share", N_("share"), 2),
                ("reason", N_("reason"), -1),
            ],
            title=_("Single points of failure"),
            limit=TABLE_ROWS,
        )
    nodes = result.node_hhi
    if not nodes.empty:
        emit_table(
            nodes.nlargest(TABLE_ROWS, "hhi", keep="first"),
            [
                ("item", N_("item"), -1),
                ("stage", N_("stage"), -1, "stage"),
                ("countries", N_("countries"), 0),
                ("top_country", N_("top country"), -1),
                ("top_share", N_("share"), 2),
                ("hhi", N_("HHI"), 2),
            ],
            title=_("Concentration of each item's own sourcing (most concentrated first)"),
            caption=_("HHI = Σ country share² over the item's suppliers at that stage; 1 = one country."),
            limit=TABLE_ROWS,
            total=len(nodes),
        )
    emit_table(
        result.visibility,
        [
            ("platform", N_("platform"), -1),
            ("deepest_known_tier", N_("deepest known tier"), 0),
            ("levels", N_("levels"), 0),
            ("material_quantity_known_fraction", N_("material quantity with known sourcing"), 2),
        ],
        title=_("Visibility"),
        limit=TABLE_ROWS,
    )


F = TypeVar("F", bound=Callable[..., Any])


def refinements_of(
    catalogue: MaterialCatalogue, alternatives_file: Path | None, substitutes_file: Path | None
) -> LoadedRefinements | None:
    """Return the alternatives and substitutes to simulate with, or None when no file is given."""
    if alternatives_file is None and substitutes_file is None:
        return None
    from ketenradar.services.refinements import load_refinements

    return load_refinements(catalogue, alternatives_file, substitutes_file)


def chain_and_scenario_options(function: F) -> F:
    """Add ``--chain`` and ``--scenario`` (a file or a library id), both required (stockpile, measures)."""
    function = option(
        "--scenario",
        "scenario_file",
        required=True,
        metavar="FILE|ID",
        help="A scenario file (.yaml, .yml or .json) or the id of a shipped scenario.",
    )(function)
    return option(
        "--chain", "chain_ref", required=True, metavar="WORKBOOK|NAME", help="The chain to run it on."
    )(function)


def scenario_on_chain(function: F) -> F:
    """Add the SCENARIO argument (a file or a library id) and ``--chain`` of the scenario commands."""
    function = option(
        "--chain", "chain_ref", required=True, metavar="WORKBOOK|NAME", help="The chain to run it on."
    )(function)
    return argument("scenario_file", metavar="SCENARIO")(function)


@cli.group()
def scenario() -> None:
    """Disruption scenarios on a chain."""


@scenario.command(name="list")
@format_option
def scenario_list(fmt: str) -> None:
    """List the shipped reference scenarios: export controls, sanctions and hypothetical disruptions."""
    import pandas as pd

    from ketenradar.services.provenance import provenance
    from ketenradar.services.scenarios import library_record, scenario_library

    library = scenario_library()
    if fmt == "json":
        # The records of the shipped files, so that a listing says which versions it showed.
        used = provenance([], {}, [library_record(s.id) for s in library])
        emit_json({"scenarios": [s.to_json() for s in library], "provenance": used.to_json()})
        return
    rows = pd.DataFrame(
        [s.to_json() for s in library], columns=["id", "name", "source", "shocks", "description"]
    )
    if fmt == "csv":
        emit_csv(rows)
        return
    emit_table(
        rows,
        [
            ("id", N_("id"), -1),
            ("name", N_("name"), -1),
            ("source", N_("source"), -1),
            ("shocks", N_("shocks"), 0),
        ],
        title=_("Scenario library"),
        caption=_(
            "Run one with `ketenradar scenario run ID --chain ...`; a scenario file path is also accepted."
        ),
    )


@scenario.command()
@scenario_on_chain
@workspace_option
@catalogue_option
@format_option
def run(
    scenario_file: str,
    chain_ref: str,
    workspace: Path | None,
    catalogue_file: Path | None,
    fmt: str,
) -> None:
    """Availability of every item and platform under SCENARIO, with the limiting inputs.

    SCENARIO is a scenario file (.yaml, .yml or .json) or the id of a shipped scenario
    (see `ketenradar scenario list`).
    """
    from ketenradar.reports.formatting import sentence
    from ketenradar.services.chains import open_chain
    from ketenradar.services.scenarios import load_scenario, run_on_chain

    catalogue = catalogue_of(catalogue_file)
    loaded = load_scenario(scenario_file, catalogue)
    with working(_("running {scenario!r} on {chain}").format(scenario=loaded.scenario.name, chain=chain_ref)):
        opened = open_chain(chain_ref, store_of(workspace), catalogue)
        report = run_on_chain(opened, loaded, catalogue)
    if fmt == "json":
        emit_json(report.to_json())
        return
    result = report.result
    if fmt == "csv":
        items = result.items
        emit_csv(items.assign(limited_by=items["limited_by"].map(", ".join)))
        return
    platforms = result.platform_summary(CELL_ITEMS)
    platforms["limited_by"] = [
        bounded_list(ids, total=count)
        for ids, count in zip(platforms["limited_by"], platforms["limited_by_count"], strict=True)
    ]
    emit_table(
        platforms,
        [
            ("id", N_("platform"), -1),
            ("availability", N_("availability"), 2),
            ("limited_by", N_("limited by"), -1),
        ],
        title=_("Scenario: {name}").format(name=loaded.scenario.name),
        caption=_("Baseline rule; limited by = items whose own supply sets the platform's availability."),
        limit=TABLE_ROWS,
    )
    emit_table(
        result.most_affected(TABLE_ROWS),
        [
            ("id", N_("item"), -1),
            ("kind", N_("kind"), -1, "kind"),
            ("availability", N_("availability"), 2),
            ("own_availability", N_("own supply"), 2),
            ("limited_by", N_("limited by"), -1),
        ],
        title=_("Most affected items (lowest availability first)"),
        limit=TABLE_ROWS,
        total=result.n_affected,
    )
    for note in report.notes:
        click.secho(sentence(note.text()), err=True, fg="yellow")


@scenario.command()
@scenario_on_chain
@option(
    "--horizon",
    "horizon_days",
    type=click.IntRange(min=1),
    default=365,
    show_default=True,
    help="Number of days to simulate.",
)
@refinement_options
@workspace_option
@catalogue_option
@format_option
def simulate(
    scenario_file: str,
    chain_ref: str,
    horizon_days: int,
    alternatives_file: Path | None,
    substitutes_file: Path | None,
    workspace: Path | None,
    catalogue_file: Path | None,
    fmt: str,
) -> None:
    """Daily platform output under SCENARIO over time, with item stocks and buffered supply rows.

    SCENARIO is a scenario file (.yaml, .yml or .json) or the id of a shipped scenario
    (see `ketenradar scenario list`). With --alternatives or --substitutes, alternative
    suppliers come in after their ramp-up and substitutes after qualification.
    """
    from ketenradar.reports.formatting import sentence
    from ketenradar.services.chains import open_chain
    from ketenradar.services.scenarios import load_scenario
    from ketenradar.services.simulation import simulate_on_chain

    catalogue = catalogue_of(catalogue_file)
    loaded = load_scenario(scenario_file, catalogue)
    refinements = refinements_of(catalogue, alternatives_file, substitutes_file)
    with working(
        _("simulating {scenario!r} on {chain} over {days} days").format(
            scenario=loaded.scenario.name, chain=chain_ref, days=horizon_days
        )
    ):
        opened = open_chain(chain_ref, store_of(workspace), catalogue)
        report = simulate_on_chain(opened, loaded, catalogue, horizon_days, refinements)
    if fmt == "json":
        emit_json(report.to_json())
        return
    result = report.result
    if fmt == "csv":
        emit_csv(result.daily())
        return
    emit_table(
        result.platforms,
        [
            ("id", N_("platform"), -1),
            ("days_lost", N_("days lost"), 1),
            ("stockout_day", N_("first stockout day"), 0),
            ("min_output", N_("minimum output"), 2),
            ("first_short", N_("first stock to run out"), -1),
        ],
        title=_("Scenario over {days} days: {name}").format(days=horizon_days, name=loaded.scenario.name),
        caption=_(
            "Days lost = Σ (1 − daily output); first stockout day = first day output is below 1 "
            "(day 0 is the first day); stocks are not refilled."
        ),
        limit=TABLE_ROWS,
    )
    for note in report.notes:
        click.secho(sentence(note.text()), err=True, fg="yellow")


@scenario.command()
@scenario_on_chain
@option(
    "--draws",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Number of simulated years.",
)
@option("--seed", type=int, default=0, show_default=True, help="Random seed (same seed, same numbers).")
@option(
    "--scheduler",
    metavar="dask|ADDRESS",
    help="Run the draws on Dask: 'dask' for a local cluster, or a scheduler's address (same numbers).",
)
@refinement_options
@workspace_option
@catalogue_option
@format_option
def montecarlo(
    scenario_file: str,
    chain_ref: str,
    draws: int,
    seed: int,
    scheduler: str | None,
    alternatives_file: Path | None,
    substitutes_file: Path | None,
    workspace: Path | None,
    catalogue_file: Path | None,
    fmt: str,
) -> None:
    """Distribution of platform-days lost over simulated years of SCENARIO, with shock probabilities.

    SCENARIO is a scenario file (.yaml, .yml or .json) or the id of a shipped scenario
    (see `ketenradar scenario list`).
    """
    from ketenradar.reports.formatting import sentence
    from ketenradar.services.chains import open_chain
    from ketenradar.services.scenarios import load_scenario
    from ketenradar.services.simulation import montecarlo_on_chain

    catalogue = catalogue_of(catalogue_file)
    loaded = load_scenario(scenario_file, catalogue)
    refinements = refinements_of(catalogue, alternatives_file, substitutes_file)
    opened = open_chain(chain_ref, store_of(workspace), catalogue)
    # The number of year groups is known only once drawn: the bar resizes then.
    with progress(_("simulating years")) as advance:
        report = montecarlo_on_chain(
            opened, loaded, catalogue, draws, seed, advance, refinements=refinements, scheduler=scheduler
        )
    if fmt == "json":
        emit_json(report.to_json())
        return
    platforms = report.result.platforms
    if fmt == "csv":
        emit_csv(platforms)
        return
    emit_table(
        platforms,
        [
            ("id", N_("platform"), -1),
            ("mean_days_lost", N_("mean days lost"), 1),
            ("p50", N_("median"), 1),
            ("p90", N_("90th percentile"), 1),
            ("p95", N_("95th percentile"), 1),
            ("p99", N_("99th percentile"), 1),
            ("p_loss", N_("probability of loss"), 2),
        ],
        title=_("Monte Carlo over {draws} years (seed {seed}): {name}").format(
            draws=draws, seed=seed, name=loaded.scenario.name
        ),
        caption=_(
            "Days lost per simulated year; percentiles by linear interpolation; probability of "
            "loss = share of years with any loss. Contributions per shock: --format json."
        ),
        limit=TABLE_ROWS,
    )
    for note in report.notes:
        click.secho(sentence(note.text()), err=True, fg="yellow")


@chain.command()
@option("--items", "n_items", type=click.IntRange(min=10), required=True, help="Number of items.")
@option("--seed", type=int, default=0, show_default=True, help="Random seed (same seed, same chain).")
@option(
    "--platforms",
    type=click.IntRange(min=1),
    help="Number of platforms [default: items/10,000, 1..100].",
)
@argument("out", type=PATH)
def synth(n_items: int, seed: int, platforms: int | None, out: Path) -> None:
    """Write a synthetic chain (tiered, shared components, sourcing from world shares) to OUT."""
    from ketenradar.ingest.workbook_writer import write_chain
    from ketenradar.services.synth import synthetic_chain

    with working(_("generating {n} items").format(n=format_number(n_items, 0))):
        chain = synthetic_chain(n_items, seed=seed, platforms=platforms)
        path = write_chain(chain, out)
    click.echo(
        _("synthetic chain of {items} items, {bom} bom rows written to {path}").format(
            items=len(chain.items), bom=len(chain.bom), path=path
        )
    )
