"""``ketenradar roadmap``: draft a product group's roadmap (routekaart), show it, set a status (F17)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import click

from ketenradar.cli import cli
from ketenradar.cli.i18n import argument, option
from ketenradar.cli.options import FILE, catalogue_of, catalogue_option, store_of, workspace_option
from ketenradar.cli.output import emit_csv, emit_json, emit_table, format_option
from ketenradar.locale import N_, _, format_percent

STATUS_CHOICES = ("planned", "in_progress", "done", "dropped")
# Status codes (JSON, CSV and the file keep the code) in words for the table.
STATUS_WORDS = {
    "planned": N_("planned"),
    "in_progress": N_("in progress"),
    "done": N_("done"),
    "dropped": N_("dropped"),
}
_BAR = 20


def _quarter(value: str | None) -> str | None:
    """Return a quarter ``YYYY-Qn``, refusing anything else."""
    if value is None:
        return None
    text = value.strip().upper()
    if not re.fullmatch(r"\d{4}-Q[1-4]", text):
        raise click.BadParameter(_("a quarter such as 2027-Q1 is expected"))
    return text


def _day(value: str | None) -> dt.date | None:
    """Return a day ``YYYY-MM-DD``, refusing anything else."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(_("a date YYYY-MM-DD is expected")) from None


@cli.group()
def roadmap() -> None:
    """Roadmaps (routekaarten) per product group: draft, show, update the status."""


@roadmap.command()
@option(
    "--chain", "chain_ref", required=True, metavar="WORKBOOK|NAME", help="The chain of the product group."
)
@option(
    "--product-group",
    "product_group",
    required=True,
    help="Name of the product group, e.g. 'military ships'.",
)
@option(
    "--platform",
    "platforms",
    multiple=True,
    metavar="ID",
    help="A platform of the chain in the product group (repeat it; default: every platform).",
)
@option(
    "--scenario",
    "scenario_file",
    metavar="FILE|ID",
    help="A scenario whose platform availability adds risks.",
)
@option("--ranking", "ranking_file", type=FILE, help="The JSON document of `ketenradar measures rank`.")
@option(
    "--start",
    callback=lambda _ctx, _param, value: _quarter(value),
    metavar="YYYY-Qn",
    help="Quarter the default schedule starts in [default: the next quarter].",
)
@option(
    "--out", "out_file", type=FILE, help="YAML file to write (it must not exist yet) [default: print it]."
)
@workspace_option
@catalogue_option
def draft(
    chain_ref: str,
    product_group: str,
    platforms: tuple[str, ...],
    scenario_file: str | None,
    ranking_file: Path | None,
    start: str | None,
    out_file: Path | None,
    workspace: Path | None,
    catalogue_file: Path | None,
) -> None:
    """Draft the roadmap of a product group from the analysis of its chain, as YAML to edit.

    The risks come from the chain's exposure, its outlook and CRMA flags and, with --scenario,
    the platforms' availability; the interventions from --ranking, with owners proposed by
    measure type and dates on the default schedule.
    """
    from ketenradar.ingest.roadmap_file import read_ranking
    from ketenradar.services.chains import open_chain
    from ketenradar.services.provenance import input_file
    from ketenradar.services.roadmap import draft_roadmap, write_roadmap
    from ketenradar.services.scenarios import load_scenario

    catalogue = catalogue_of(catalogue_file)
    opened = open_chain(chain_ref, store_of(workspace), catalogue)
    loaded = load_scenario(scenario_file, catalogue) if scenario_file else None
    ranking = {"measures": read_ranking(ranking_file)} if ranking_file is not None else None
    record = input_file("ranking", ranking_file) if ranking_file is not None else None
    drafted = draft_roadmap(
        opened,
        catalogue,
        product_group,
        ranking,
        platforms=platforms,
        scenario=loaded,
        start=start,
        ranking_record=record,
    )
    if out_file is None:
        click.echo(drafted.to_yaml(), nl=False)
        return
    write_roadmap(drafted.roadmap, out_file)
    r = drafted.roadmap
    click.echo(
        _(
            "Roadmap written to {path}: {risks} risks, {interventions} interventions, "
            "{milestones} milestones."
        ).format(
            path=out_file,
            risks=len(r.risks),
            interventions=len(r.interventions),
            milestones=len(r.milestones),
        )
    )


def _bar(share: float | None) -> str:
    """Return a text progress bar with the percentage, or a dash when nothing counts."""
    if share is None:
        return "—"
    filled = round(share * _BAR)
    return "█" * filled + "░" * (_BAR - filled) + " " + format_percent(share)


@roadmap.command()
@argument("roadmap_file", metavar="FILE", type=FILE)
@format_option
def show(roadmap_file: Path, fmt: str) -> None:
    """Show a roadmap file: its steps, interventions and milestones with owners and status, and the progress.

    Progress is the share done among the interventions and milestones that are not dropped.
    """
    from ketenradar.services.roadmap import show_roadmap

    view = show_roadmap(roadmap_file)
    if fmt == "json":
        emit_json(view.to_json())
        return
    entries = view.entries_frame()
    if fmt == "csv":
        emit_csv(entries)
        return
    r = view.roadmap
    emit_table(
        view.steps_frame(),
        [("title", N_("step"), -1), ("content", N_("content"), -1)],
        title=_("Roadmap {group} (chain {chain})").format(group=r.product_group, chain=r.chain.name),
        limit=None,
    )
    shown = entries.assign(
        status=[_(STATUS_WORDS.get(s, s)) for s in entries["status"]],
        owners=[o.replace(";", ", ") for o in entries["owners"]],
        type=[_("intervention") if t == "intervention" else _("milestone") for t in entries["type"]],
    )
    emit_table(
        shown,
        [
            ("type", N_("type"), -1),
            ("id", N_("id"), -1),
            ("name", N_("name"), -1),
            ("owners", N_("owners"), -1),
            ("start", N_("start"), -1),
            ("due", N_("due"), -1),
            ("status", N_("status"), -1),
            ("loss_avoided", N_("loss avoided"), 1),
        ],
        title=_("Interventions and milestones"),
        caption=_(
            "Loss avoided in platform-days, from the ranking of measures; — where it was not measured."
        ),
    )
    progress = view.progress
    for words, part in (
        (_("interventions"), progress.interventions),
        (_("milestones"), progress.milestones),
        (_("overall"), progress.overall),
    ):
        click.echo(
            _("Progress, {what}: {bar} ({done} of {counted} done, {dropped} dropped)").format(
                what=words,
                bar=_bar(part.share_done),
                done=part.done,
                counted=part.counted,
                dropped=part.dropped,
            )
        )
    for note in r.notes:
        click.echo(note)


@roadmap.command()
@argument("roadmap_file", metavar="FILE", type=FILE)
@argument("item_id", metavar="ITEM_ID")
@option("--set", "status", type=click.Choice(STATUS_CHOICES), required=True, help="The new status.")
@option(
    "--date",
    callback=lambda _ctx, _param, value: _day(value),
    metavar="YYYY-MM-DD",
    help="Date of the change [default: today].",
)
def status(roadmap_file: Path, item_id: str, status: str, date: dt.date | None) -> None:
    """Set the status of one intervention or milestone of a roadmap file (only its status and date change)."""
    from ketenradar.services.roadmap import update_status

    view = update_status(roadmap_file, item_id, status, date)
    share = view.progress.overall.share_done
    click.echo(
        _("{id} is now {status}; progress {progress}.").format(
            id=item_id, status=_(STATUS_WORDS[status]), progress=_bar(share)
        )
    )
