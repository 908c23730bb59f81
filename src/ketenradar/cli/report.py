"""``ketenradar report``: index.html, report.pdf and report.xlsx, on the demo data or users' chains."""

from __future__ import annotations

from pathlib import Path

import click

from ketenradar.cli import cli
from ketenradar.cli.i18n import option
from ketenradar.cli.options import report_options, store_of, workspace_option
from ketenradar.locale import _, use_language


@cli.command()
@report_options
@option(
    "--chain",
    "chains",
    multiple=True,
    metavar="WORKBOOK|NAME",
    help="A chain to report on (a workbook or a stored chain's name); repeat for several "
    "[default: the shipped example chain].",
)
@option(
    "--survey",
    metavar="NAME|FILE",
    default=None,
    help="A stored survey or a survey file for the sector picture [default: the synthetic demo survey].",
)
@workspace_option
def report(
    out_dir: Path, lang: str | None, chains: tuple[str, ...], survey: str | None, workspace: Path | None
) -> None:
    """Write the report to OUT: index.html (offline), report.pdf and report.xlsx.

    Without --chain the report covers the shipped data and example chain (as `ketenradar demo`).
    With --chain each chain gets its own chain and scenario sections; the foresight and action
    sections, which need inputs a chain does not hold, say what they need instead.
    """
    from ketenradar.reports.demo import run_report  # matplotlib is loaded only when a report is drawn

    with use_language(lang) as language:
        store = store_of(workspace) if chains or survey is not None else None
        index = run_report(
            out_dir,
            language,
            progress=lambda m: click.echo(f"  {m} ...", err=True),
            chains=chains,
            survey=survey,
            store=store,
        )
        click.echo(_("report written to {path}").format(path=index))
