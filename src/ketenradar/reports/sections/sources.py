"""Section: every shipped dataset with publisher, edition, year, licence and checksum."""

from __future__ import annotations

import pandas as pd

from ketenradar.locale import _, current_language
from ketenradar.reports.context import ReportContext
from ketenradar.reports.html import Section, TableColumn, render_table

__all__ = ["build"]


def build(ctx: ReportContext) -> Section:
    """Build the provenance section."""
    dutch = current_language() == "nl"
    rows = pd.DataFrame(
        [
            {
                "title": (p.title_nl or p.title) if dutch else p.title,
                "publisher": p.publisher,
                "edition": p.edition,
                "year": str(p.year),
                "licence": p.licence,
                "sha": p.sha256[:12],
            }
            for p in ctx.datasets.datasets
        ]
    )
    table = render_table(
        rows,
        [
            TableColumn("title", "dataset"),
            TableColumn("publisher", "publisher", verbatim=True),
            TableColumn("edition", "edition", verbatim=True),
            TableColumn("year", "year", verbatim=True),
            TableColumn("licence", "licence", verbatim=True),
            TableColumn("sha", "sha256", verbatim=True),
        ],
    )
    return Section(
        id="sources",
        title=_("Reference data and provenance"),
        intro=_("Every figure above comes from these datasets, shipped inside ketenradar with a checksum."),
        blocks=(table,),
        source_note=(
            _(
                "Snapshot {snapshot}; SOURCES.md in the package data holds the full provenance and every "
                "transformation."
            ).format(snapshot=ctx.datasets.snapshot),
        ),
    )
