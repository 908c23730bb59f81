"""``ketenradar chain`` and ``ketenradar scenario``: value chains and disruption scenarios."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any, TypeVar

import click
import pandas as pd

from ketenradar import refdata
from ketenradar.chains import (
    analyse_exposure,
    analyse_scenario,
    exposure_document,
    open_chain,
    scenario_document,
)
from ketenradar.cli import cli
from ketenradar.cli.output import emit_csv, emit_json, emit_table, format_option, working
from ketenradar.ingest.inputs import read_material_catalogue
from ketenradar.ingest.scenario_file import read_scenario
from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.ingest.workbook_writer import write_chain, write_template
from ketenradar.model.material import MaterialCatalogue
from ketenradar.network.exposure import SPOF_SHARE_THRESHOLD
from ketenradar.storage import ChainVersion, SqliteStore, default_workspace_path

F = TypeVar("F", bound=Callable[..., Any])
_file = click.Path(dir_okay=False, path_type=Path)
_any = click.Path(path_type=Path)


def workspace_option(function: F) -> F:
    """Add ``--workspace PATH`` (default $KETENRADAR_WORKSPACE or the user's data folder)."""
    return click.option(
        "--workspace",
        type=_file,
        default=None,
        help="SQLite workspace file [default: $KETENRADAR_WORKSPACE or "
        "~/.local/share/ketenradar/workspace.sqlite].",
    )(function)


def catalogue_option(function: F) -> F:
    """Add ``--catalogue FILE`` for materials beyond the EU list."""
    return click.option(
        "--catalogue",
        "catalogue_file",
        type=_file,
        help="CSV of extra materials (id, name_en, ...); the shipped extras "
        "(aramid, UHMWPE, nitric acid, CL-20, ceramics) are always known.",
    )(function)


def _catalogue(catalogue_file: Path | None) -> MaterialCatalogue:
    catalogue = refdata.load_materials().with_materials(refdata.load_defence_materials_extra())
    if catalogue_file is not None:
        catalogue = catalogue.with_materials(read_material_catalogue(catalogue_file, catalogue))
    return catalogue


def _store(workspace: Path | None) -> SqliteStore:
    return SqliteStore(workspace or default_workspace_path())


@cli.group()
def chain() -> None:
    """Value chains: template, import, list, show, export, exposure, synth."""


@chain.command()
@click.argument("out", type=_file)
def template(out: Path) -> None:
    """Write an empty chain workbook OUT.xlsx with instructions and drop-downs."""
    catalogue = _catalogue(None)
    path = write_template(out, list(catalogue), list(refdata.known_country_codes()))
    click.echo(f"template written to {path}")


@chain.command(name="import")
@click.argument("workbook", type=_any)
@click.option("--name", help="Name to store it under [default: the file name].")
@workspace_option
@catalogue_option
def import_(workbook: Path, name: str | None, workspace: Path | None, catalogue_file: Path | None) -> None:
    """Validate WORKBOOK (.xlsx, CSV folder or .json) and store it as a new version."""
    with working(f"validating {workbook}"):
        chain = read_chain_workbook(workbook, list(_catalogue(catalogue_file)), name=name)
    with working("storing"):
        version = _store(workspace).save_chain(chain)
    click.echo(
        f"stored {version.name!r} version {version.version}: {version.n_items} items, "
        f"{version.n_bom} bom rows, {version.n_sourcing} sourcing rows"
    )


@chain.command(name="list")
@workspace_option
@format_option
def list_(workspace: Path | None, fmt: str) -> None:
    """List the stored chains (latest version of each)."""
    rows = pd.DataFrame(
        [_version_dict(v) for v in _store(workspace).list_chains()],
        columns=[f.name for f in fields(ChainVersion)],
    )
    if fmt == "json":
        emit_json({"chains": rows.to_dict(orient="records")})
    elif fmt == "csv":
        emit_csv(rows)
    elif rows.empty:
        click.echo("no stored chains; add one with `ketenradar chain import WORKBOOK --name NAME`")
    else:
        emit_table(
            rows,
            [("name", "name", -1), *_VERSION_TABLE],
            title="Stored chains",
        )


_VERSION_TABLE = [
    ("version", "version", -1),
    ("created_at", "stored", -1),
    ("n_items", "items", 0),
    ("n_bom", "bom rows", 0),
    ("n_sourcing", "sourcing rows", 0),
    ("source", "source", -1),
]


def _version_dict(version: ChainVersion) -> dict[str, object]:
    return asdict(version)


@chain.command()
@click.argument("name")
@workspace_option
@format_option
def show(name: str, workspace: Path | None, fmt: str) -> None:
    """Show a stored chain: versions, items per kind, platforms and materials."""
    store = _store(workspace)
    versions = [_version_dict(v) for v in store.versions(name)]
    chain = store.load_chain(name)
    kinds = chain.items["kind"].value_counts().to_dict()
    materials = sorted(set(chain.items.loc[chain.items["kind"] == "material", "material"]))
    document = {
        "name": name,
        "versions": versions,
        "items_per_kind": kinds,
        "platforms": chain.platform_ids,
        "materials": materials,
    }
    if fmt == "json":
        emit_json(document)
        return
    frame = pd.DataFrame(versions)
    if fmt == "csv":
        emit_csv(frame)
        return
    emit_table(
        frame,
        _VERSION_TABLE,
        title=f"Chain {name!r}",
    )
    click.echo("items per kind: " + ", ".join(f"{k} {v}" for k, v in kinds.items()))
    click.echo("platforms: " + ", ".join(chain.platform_ids))
    click.echo("materials: " + ", ".join(materials))


@chain.command()
@click.argument("name")
@click.argument("out", type=_any)
@click.option("--version", "version", type=int, help="Version to export [default: latest].")
@workspace_option
def export(name: str, out: Path, version: int | None, workspace: Path | None) -> None:
    """Write a stored chain to OUT: .xlsx, .json, or a folder of CSV files."""
    path = write_chain(_store(workspace).load_chain(name, version), out)
    click.echo(f"chain {name!r} written to {path}")


@chain.command()
@click.argument("chain_ref", metavar="WORKBOOK|NAME")
@click.option(
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
    catalogue = _catalogue(catalogue_file)
    with working(f"computing exposure of {chain_ref}"):
        chain = open_chain(chain_ref, _store(workspace), catalogue)
        result = analyse_exposure(chain, catalogue, spof_threshold)
    if not result.platforms:
        click.secho(
            f"chain {chain.name!r} has no item of kind 'platform': exposure is computed per "
            "platform, so there is nothing to show (mark the top items as platforms)",
            err=True,
            fg="yellow",
        )
    if fmt == "json":
        emit_json(exposure_document(chain, result))
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
            ("platform", "platform", -1),
            ("material", "material", -1),
            ("quantity", "quantity", 3),
            ("stage", "stage", -1),
            ("top_country", "top country", -1),
            ("top_share", "share", 2),
            ("basis", "basis", -1),
            ("known_fraction", "known", 2),
        ],
        title=f"Exposure of chain {chain.name!r}: largest supplying country per material and stage",
        caption="basis chain = the chain's own sourcing; world = EC 2023 global supply shares where "
        "the chain is silent; known = share of the quantity with sourcing in the chain.",
    )
    points = result.single_points
    if not points.empty:
        emit_table(
            points,
            [
                ("platform", "platform", -1),
                ("item", "item", -1),
                ("stage", "stage", -1),
                ("country", "country", -1),
                ("share", "share", 2),
                ("reason", "reason", -1),
            ],
            title="Single points of failure",
        )
    emit_table(
        result.visibility,
        [
            ("platform", "platform", -1),
            ("deepest_known_tier", "deepest known tier", 0),
            ("levels", "levels", 0),
            ("material_quantity_known_fraction", "material quantity with known sourcing", 2),
        ],
        title="Visibility",
    )


@cli.group()
def scenario() -> None:
    """Disruption scenarios on a chain."""


@scenario.command()
@click.argument("scenario_file", metavar="SCENARIO", type=_file)
@click.option("--chain", "chain_ref", required=True, metavar="WORKBOOK|NAME", help="The chain to run it on.")
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
    catalogue = _catalogue(catalogue_file)
    spec = read_scenario(scenario_file, list(catalogue))
    with working(f"running {spec.name!r} on {chain_ref}"):
        chain = open_chain(chain_ref, _store(workspace), catalogue)
        result = analyse_scenario(chain, spec, catalogue)
    document = scenario_document(result)
    if fmt == "json":
        emit_json(document)
        return
    items = result.items.assign(limited_by=result.items["limited_by"].map(", ".join))
    if fmt == "csv":
        emit_csv(items)
        return
    platforms = result.platforms.assign(limited_by=result.platforms["limited_by"].map(", ".join))
    emit_table(
        platforms,
        [
            ("id", "platform", -1),
            ("availability", "availability", 2),
            ("limited_by", "limited by", -1),
        ],
        title=f"Scenario: {spec.name}",
        caption="Baseline rule; limited by = items whose own supply sets the platform's availability.",
    )
    hit = items[items["availability"] < 1].sort_values("availability").head(25)
    emit_table(
        hit,
        [
            ("id", "item", -1),
            ("kind", "kind", -1),
            ("availability", "availability", 2),
            ("own_availability", "own supply", 2),
            ("limited_by", "limited by", -1),
        ],
        title="Most affected items (25 at most)",
    )


@chain.command()
@click.option("--items", "n_items", type=click.IntRange(min=10), required=True, help="Number of items.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed (same seed, same chain).")
@click.option(
    "--platforms",
    type=click.IntRange(min=1),
    help="Number of platforms [default: items/10,000, 1..100].",
)
@click.argument("out", type=_any)
def synth(n_items: int, seed: int, platforms: int | None, out: Path) -> None:
    """Write a synthetic chain (tiered, shared components, sourcing from world shares) to OUT."""
    from ketenradar.synth import synthetic_chain

    with working(f"generating {n_items:,} items"):
        chain = synthetic_chain(n_items, seed=seed, platforms=platforms)
        path = write_chain(chain, out)
    click.echo(f"synthetic chain of {len(chain.items)} items, {len(chain.bom)} bom rows written to {path}")
