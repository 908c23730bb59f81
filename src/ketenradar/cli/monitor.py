"""``ketenradar monitor``: snapshots over time, their differences, alert rules and key figures."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ketenradar.cli import cli, settings_of
from ketenradar.cli.i18n import argument, option
from ketenradar.cli.options import FILE, store_of, workspace_option
from ketenradar.cli.output import (
    TABLE_ROWS,
    TableSpec,
    bounded_list,
    emit_csv,
    emit_json,
    emit_table,
    format_option,
)
from ketenradar.locale import N_, _, format_number
from ketenradar.model.defaults import DIFF_TABLES

# The services are imported by the commands that use them: `ketenradar --help` loads no pandas.
if TYPE_CHECKING:
    import pandas as pd

_DIFF_TITLES = {
    "materials": N_("Materials: indicators that changed"),
    "flags": N_("Materials: flags that changed"),
    "countries": N_("Countries: indicators that changed"),
    "datasets": N_("Reference datasets that changed"),
    "restrictions_added": N_("New export restrictions"),
    "restrictions_removed": N_("Export restrictions no longer listed"),
    "chains": N_("Stored chains affected"),
}
_CHANGE: list[TableSpec] = [
    ("old", N_("old"), 3),
    ("new", N_("new"), 3),
    ("change", N_("change"), 3),
    ("status", N_("status"), -1),
]
_DIFF_COLUMNS: dict[str, list[TableSpec]] = {
    "materials": [
        ("material", N_("material"), -1),
        ("stage", N_("stage"), -1, "stage"),
        ("indicator", N_("indicator"), -1),
        *_CHANGE,
    ],
    "flags": [
        ("material", N_("material"), -1),
        ("flag", N_("flag"), -1),
        ("old", N_("old"), -1),
        ("new", N_("new"), -1),
    ],
    "countries": [("iso3", N_("country"), -1), ("indicator", N_("indicator"), -1), *_CHANGE],
    "datasets": [
        ("dataset", N_("dataset"), -1),
        ("field", N_("field"), -1),
        ("old", N_("old"), -1),
        ("new", N_("new"), -1),
    ],
    "restrictions_added": [
        ("country", N_("country"), -1),
        ("material", N_("material"), -1),
        ("stage", N_("stage"), -1, "stage"),
        ("since", N_("since"), -1),
        ("source", N_("source"), -1),
        ("chains", N_("chains hit"), -1),
    ],
    "chains": [
        ("chain", N_("chain"), -1),
        ("materials", N_("changed materials"), -1),
        ("countries", N_("changed countries"), -1),
    ],
}
_DIFF_COLUMNS["restrictions_removed"] = _DIFF_COLUMNS["restrictions_added"]


@cli.group()
def monitor() -> None:
    """Monitor the indicators over time: snapshots, differences, alerts and key figures."""


@monitor.command()
@option("--name", help="Name of the snapshot (unique) [default: snapshot-N].")
@option(
    "--restrictions",
    "restrictions_file",
    type=FILE,
    help="CSV or YAML of export restrictions (country, material, stage, since, source) to record.",
)
@workspace_option
@format_option
@click.pass_context
def snapshot(
    ctx: click.Context, name: str | None, restrictions_file: Path | None, workspace: Path | None, fmt: str
) -> None:
    """Compute the indicators now and store them in the workspace as a named snapshot."""
    from ketenradar.ingest.monitor_rules import read_restrictions
    from ketenradar.services.materials import AssessmentOptions, defence_catalogue
    from ketenradar.services.monitor import take_snapshot
    from ketenradar.services.provenance import input_file

    settings = settings_of(ctx)
    catalogue = defence_catalogue()
    restrictions = None
    inputs = []
    if restrictions_file is not None:
        restrictions = read_restrictions(restrictions_file, list(catalogue))
        inputs.append(input_file("restrictions", restrictions_file))
    options = AssessmentOptions(
        wgi_years=settings.criticality.wgi_years, crma_limit=settings.outlook.crma_limit
    )
    taken = take_snapshot(
        store_of(workspace),
        name=name,
        catalogue=catalogue,
        options=options,
        weights=settings.country_risk.weights,
        restrictions=restrictions,
        inputs=inputs,
    )
    if fmt == "json":
        emit_json(taken.to_json())
        return
    summary = taken.summary()
    if fmt == "csv":
        import pandas as pd

        emit_csv(pd.DataFrame([summary]))
        return
    click.echo(
        _(
            "stored snapshot {name!r}: {materials} materials, {countries} countries, {datasets} datasets, "
            "{chains} chains, {restrictions} export restrictions"
        ).format(**summary)
    )


@monitor.command(name="list")
@workspace_option
@format_option
def list_(workspace: Path | None, fmt: str) -> None:
    """List the stored snapshots, oldest first."""
    from ketenradar.services.monitor import list_snapshots

    listing = list_snapshots(store_of(workspace))
    if fmt == "json":
        emit_json(listing.to_json())
        return
    rows = listing.frame()
    if fmt == "csv":
        emit_csv(rows)
    elif rows.empty:
        click.echo(_("no stored snapshots; take one with `ketenradar monitor snapshot`"))
    else:
        emit_table(
            rows, [("name", N_("name"), -1), ("created_at", N_("taken"), -1)], title=_("Stored snapshots")
        )


def _cells(frame: pd.DataFrame, *, complete: bool = False) -> pd.DataFrame:
    """Return the frame with tuples of ids as text: bounded lists for tables, all ids for CSV."""
    shown = frame.copy()
    for column in shown.columns:
        if shown[column].map(lambda value: isinstance(value, tuple)).any():
            shown[column] = shown[column].map(
                lambda value: " ".join(value) if complete else bounded_list(list(value))
            )
    return shown


@monitor.command()
@argument("old", required=False)
@argument("new", required=False)
@option(
    "--table",
    "table_name",
    type=click.Choice(DIFF_TABLES),
    default="materials",
    show_default=True,
    help="The table --format csv writes.",
)
@workspace_option
@format_option
def diff(old: str | None, new: str | None, table_name: str, workspace: Path | None, fmt: str) -> None:
    """Show what changed from snapshot OLD to NEW [default: the two latest; OLD alone: OLD to the latest]."""
    from ketenradar.services.monitor import diff_snapshots

    result = diff_snapshots(store_of(workspace), old, new)
    if fmt == "json":
        emit_json(result.to_json())
        return
    if fmt == "csv":
        table = result.tables[table_name]
        emit_csv(_cells(table, complete=True))
        return
    click.echo(
        _("from {old!r} ({old_at}) to {new!r} ({new_at})").format(
            old=result.old.name,
            old_at=result.old.created_at,
            new=result.new.name,
            new_at=result.new.created_at,
        )
    )
    if not any(len(frame) for frame in result.tables.values()):
        click.echo(_("nothing changed"))
        return
    for key in DIFF_TABLES:
        frame = result.tables[key]
        if len(frame):
            emit_table(_cells(frame), _DIFF_COLUMNS[key], title=_(_DIFF_TITLES[key]), limit=TABLE_ROWS)


@monitor.command()
@option("--rules", "rules_file", type=FILE, required=True, help="YAML or JSON file of alert rules.")
@option("--snapshot", "snapshot_name", help="Snapshot to evaluate [default: the latest].")
@workspace_option
@format_option
def alerts(rules_file: Path, snapshot_name: str | None, workspace: Path | None, fmt: str) -> None:
    """Evaluate alert rules on a snapshot against the stored chains."""
    from ketenradar.ingest.monitor_rules import read_alert_rules
    from ketenradar.services.monitor import evaluate_alerts

    rules = read_alert_rules(rules_file)
    report = evaluate_alerts(store_of(workspace), rules, snapshot_name)
    if fmt == "json":
        emit_json(report.to_json())
        return
    if fmt == "csv":
        emit_csv(_cells(report.alerts, complete=True))
        return
    if report.alerts.empty:
        click.echo(_("no alerts on snapshot {name!r}").format(name=report.snapshot.name))
    else:
        emit_table(
            _cells(report.alerts),
            [
                ("rule", N_("rule"), -1),
                ("subject", N_("subject"), -1),
                ("indicator", N_("indicator"), -1),
                ("value", N_("value"), 3),
                ("previous", N_("previous"), 3),
                ("threshold", N_("threshold"), 3),
                ("chains", N_("chains"), -1),
                ("detail", N_("detail"), -1),
            ],
            title=_("Alerts on snapshot {name!r}").format(name=report.snapshot.name),
        )
    for note in report.notes:
        click.echo(note)


def _decimals(value: float) -> int:
    """Return the decimals a key figure is printed with: as many as it has, up to three."""
    return next((d for d in range(3) if abs(value * 10**d - round(value * 10**d)) < 1e-9), 3)


@monitor.command(name="key-figures")
@option(
    "--add",
    "add_file",
    type=FILE,
    help="CSV of later figures to store (metric, year, value, unit, source[, qualifier, note]).",
)
@workspace_option
@format_option
def key_figures(add_file: Path | None, workspace: Path | None, fmt: str) -> None:
    """Show the industry key figures per metric and year, each with its source."""
    from ketenradar.ingest.monitor_rules import read_key_figures
    from ketenradar.services import monitor as service
    from ketenradar.services.provenance import input_file

    store = store_of(workspace)
    if add_file is not None:
        figures = read_key_figures(add_file, service.series_units(store))
        result = service.add_key_figures(store, figures, file=input_file("key_figures", add_file))
    else:
        result = service.key_figures(store)
    if fmt == "json":
        emit_json(result.to_json())
        return
    if fmt == "csv":
        emit_csv(result.figures)
        return
    if add_file is not None:
        click.echo(_("stored {n} key figure(s) from {path}").format(n=result.added, path=add_file))
    shown = result.figures.assign(
        period=result.figures["period"].where(result.figures["period"] != "", _("not given")),
        value=[format_number(v, _decimals(v)) for v in result.figures["value"]],
    )
    emit_table(
        shown,
        [
            ("metric", N_("metric"), -1),
            ("period", N_("year"), -1),
            ("value", N_("value"), -1),
            ("unit", N_("unit"), -1),
            ("qualifier", N_("qualifier"), -1),
            ("source", N_("source"), -1),
            ("origin", N_("origin"), -1),
        ],
        title=_("Industry key figures"),
        limit=None,
    )
    if result.missing:
        click.echo(_("no figures for: {metrics}").format(metrics=", ".join(result.missing)))
