"""``ketenradar chain`` and ``ketenradar scenario``: value chains and disruption scenarios."""

from __future__ import annotations

from pathlib import Path

import click

from ketenradar.cli import cli
from ketenradar.cli.i18n import argument, option
from ketenradar.cli.options import FILE, PATH, catalogue_of, catalogue_option, store_of, workspace_option
from ketenradar.cli.output import emit_csv, emit_json, emit_table, format_option, working
from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.ingest.workbook_writer import write_chain, write_template
from ketenradar.locale import N_, _, format_number
from ketenradar.services.chains import (
    SPOF_SHARE_THRESHOLD,
    chain_details,
    chain_exposure,
    list_chains,
    open_chain,
)
from ketenradar.services.scenarios import load_scenario, run_on_chain

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
    """Value chains: template, import, list, show, export, exposure, synth."""


@chain.command()
@argument("out", type=FILE)
def template(out: Path) -> None:
    """Write an empty chain workbook OUT.xlsx with instructions and drop-downs."""
    path = write_template(out, list(catalogue_of(None)))
    click.echo(_("template written to {path}").format(path=path))


@chain.command(name="import")
@argument("workbook", type=PATH)
@option("--name", help="Name to store it under [default: the file name].")
@workspace_option
@catalogue_option
def import_(workbook: Path, name: str | None, workspace: Path | None, catalogue_file: Path | None) -> None:
    """Validate WORKBOOK (.xlsx, CSV folder or .json) and store it as a new version."""
    with working(_("validating {path}").format(path=workbook)):
        chain = read_chain_workbook(workbook, list(catalogue_of(catalogue_file)), name=name)
    with working(_("storing")):
        version = store_of(workspace).save_chain(chain)
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


@chain.command(name="list")
@workspace_option
@format_option
def list_(workspace: Path | None, fmt: str) -> None:
    """List the stored chains (latest version of each)."""
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
    path = write_chain(store_of(workspace).load_chain(name, version), out)
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
@workspace_option
@catalogue_option
@format_option
def exposure(
    chain_ref: str,
    spof_threshold: float,
    workspace: Path | None,
    catalogue_file: Path | None,
    fmt: str,
) -> None:
    """Per platform: material content, country shares per stage, NL/EU/third, weak spots, visibility."""
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
        emit_json(report.to_json())
        return
    if fmt == "csv":
        emit_csv(result.shares.merge(result.coverage, on=["platform", "material", "stage"]))
        return
    table = result.content.merge(result.coverage, on=["platform", "material"])
    top = result.shares.loc[result.shares.groupby(["platform", "material", "stage"])["share"].idxmax()]
    table = table.merge(
        top.rename(columns={"country": "top_country", "share": "top_share"}),
        on=["platform", "material", "stage"],
        how="left",
    )
    table = table.sort_values(["platform", "top_share"], ascending=[True, False])
    emit_table(
        table,
        [
            ("platform", N_("platform"), -1),
            ("material", N_("material"), -1),
            ("quantity", N_("quantity"), 3),
            ("stage", N_("stage"), -1, "stage"),
            ("top_country", N_("top country"), -1),
            ("top_share", N_("share"), 2),
            ("basis", N_("basis"), -1, "basis"),
            ("known_fraction", N_("known"), 2),
        ],
        title=_("Exposure of chain {name!r}: largest supplying country per material and stage").format(
            name=opened.chain.name
        ),
        caption=_(
            "basis chain = the chain's own sourcing; world = EC 2023 global supply shares where "
            "the chain is silent; known = share of the quantity with sourcing in the chain."
        ),
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
    )


@cli.group()
def scenario() -> None:
    """Disruption scenarios on a chain."""


@scenario.command()
@argument("scenario_file", metavar="SCENARIO", type=FILE)
@option("--chain", "chain_ref", required=True, metavar="WORKBOOK|NAME", help="The chain to run it on.")
@workspace_option
@catalogue_option
@format_option
def run(
    scenario_file: Path,
    chain_ref: str,
    workspace: Path | None,
    catalogue_file: Path | None,
    fmt: str,
) -> None:
    """Availability of every item and platform under SCENARIO, with the limiting inputs."""
    catalogue = catalogue_of(catalogue_file)
    loaded = load_scenario(scenario_file, catalogue)
    with working(_("running {scenario!r} on {chain}").format(scenario=loaded.scenario.name, chain=chain_ref)):
        opened = open_chain(chain_ref, store_of(workspace), catalogue)
        report = run_on_chain(opened, loaded, catalogue)
    if fmt == "json":
        emit_json(report.to_json())
        return
    result = report.result
    items = result.items.assign(limited_by=result.items["limited_by"].map(", ".join))
    if fmt == "csv":
        emit_csv(items)
        return
    platforms = result.platforms.assign(limited_by=result.platforms["limited_by"].map(", ".join))
    emit_table(
        platforms,
        [
            ("id", N_("platform"), -1),
            ("availability", N_("availability"), 2),
            ("limited_by", N_("limited by"), -1),
        ],
        title=_("Scenario: {name}").format(name=loaded.scenario.name),
        caption=_("Baseline rule; limited by = items whose own supply sets the platform's availability."),
    )
    hit = items[items["availability"] < 1].sort_values("availability").head(25)
    emit_table(
        hit,
        [
            ("id", N_("item"), -1),
            ("kind", N_("kind"), -1, "kind"),
            ("availability", N_("availability"), 2),
            ("own_availability", N_("own supply"), 2),
            ("limited_by", N_("limited by"), -1),
        ],
        title=_("Most affected items (25 at most)"),
    )


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
    from ketenradar.services.synth import synthetic_chain

    with working(_("generating {n} items").format(n=format_number(n_items, 0))):
        chain = synthetic_chain(n_items, seed=seed, platforms=platforms)
        path = write_chain(chain, out)
    click.echo(
        _("synthetic chain of {items} items, {bom} bom rows written to {path}").format(
            items=len(chain.items), bom=len(chain.bom), path=path
        )
    )
