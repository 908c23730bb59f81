"""``ketenradar demo``: the showcase report on the shipped data."""

from __future__ import annotations

from pathlib import Path

import click

from ketenradar.cli import cli
from ketenradar.cli.options import report_options
from ketenradar.locale import _, use_language


@cli.command()
@report_options
def demo(out_dir: Path, lang: str | None) -> None:
    """Write the report on the shipped data to OUT: index.html (offline), report.pdf and report.xlsx."""
    from ketenradar.reports.demo import run_demo  # matplotlib is loaded only when a report is drawn

    with use_language(lang) as language:
        index = run_demo(out_dir, language, progress=lambda m: click.echo(f"  {m} ...", err=True))
        click.echo(_("report written to {path}").format(path=index))
