"""``ketenradar scenario alternatives``: the alternatives and substitutes a simulation may use."""

from __future__ import annotations

from pathlib import Path

import click

from ketenradar.cli.chains import scenario
from ketenradar.cli.options import catalogue_of, catalogue_option, refinement_options
from ketenradar.cli.output import emit_csv, emit_json, emit_table, format_option
from ketenradar.locale import N_, _

_CSV_COLUMNS = [
    "kind",
    "material",
    "item",
    "stage",
    "country",
    "substitute",
    "application",
    "max_share",
    "lead_time_days",
    "qualification_days",
    "performance_penalty",
    "cost_factor",
    "usable",
    "origin",
    "source",
    "note",
]


@scenario.command()
@refinement_options
@catalogue_option
@format_option
def alternatives(
    alternatives_file: Path | None,
    substitutes_file: Path | None,
    catalogue_file: Path | None,
    fmt: str,
) -> None:
    """List the alternative producing countries and substitutes, with their sources.

    The shipped alternatives are like-minded partners' spare plant capacity (USGS MCS 2025);
    no source gives their ramp-up time, so a simulation uses them only once you give one.
    """
    import pandas as pd

    from ketenradar.reports.formatting import sentence
    from ketenradar.services.refinements import REFERENCE, USER_FILE, load_refinements

    loaded = load_refinements(catalogue_of(catalogue_file), alternatives_file, substitutes_file)
    if fmt == "json":
        emit_json(loaded.to_json())
        return
    found = pd.DataFrame(loaded.alternative_records())
    subs = pd.DataFrame(loaded.substitute_records())
    if fmt == "csv":
        rows = pd.concat(
            [found.assign(kind="alternative"), subs.assign(kind="substitute")], ignore_index=True
        )
        emit_csv(rows.reindex(columns=_CSV_COLUMNS))
        return
    if len(found):
        found["what"] = found["material"].fillna(found["item"])
        found["origin"] = found["origin"].map({REFERENCE: _("shipped"), USER_FILE: _("your file")})
    emit_table(
        found.reindex(
            columns=["what", "stage", "country", "max_share", "lead_time_days", "origin", "source"]
        ),
        [
            ("what", N_("material or item"), -1),
            ("stage", N_("stage"), -1, "stage"),
            ("country", N_("country"), -1),
            ("max_share", N_("max. share"), 4),
            ("lead_time_days", N_("ramp-up (days)"), 0),
            ("origin", N_("origin"), -1),
            ("source", N_("source"), -1),
        ],
        title=_("Alternative producing countries"),
        caption=_(
            "max. share = share of the item's supply the country can take over; reference rows: spare "
            "capacity / world production (USGS MCS 2025), like-minded partners (EU27, EEA, NATO, OECD)."
        ),
        limit=None,
    )
    if len(subs):
        emit_table(
            subs,
            [
                ("material", N_("material"), -1),
                ("substitute", N_("substitute"), -1),
                ("application", N_("application"), -1),
                ("max_share", N_("max. share"), 2),
                ("qualification_days", N_("qualification (days)"), 0),
                ("performance_penalty", N_("performance penalty"), 2),
                ("cost_factor", N_("cost factor"), 2),
                ("source", N_("source"), -1),
            ],
            title=_("Substitutes"),
            limit=None,
        )
    for note in loaded.notes():
        click.secho(sentence(note["text"]), err=True, fg="yellow")
