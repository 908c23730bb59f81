"""``ketenradar demo``: the showcase report on the shipped data."""

from __future__ import annotations

from pathlib import Path

import click

from ketenradar.cli import cli
from ketenradar.reports.texts import LANGUAGES


@cli.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("ketenradar-report"),
    show_default=True,
    help="Folder for the report.",
)
@click.option(
    "--lang", type=click.Choice(LANGUAGES), default="en", show_default=True, help="Report language."
)
def demo(out_dir: Path, lang: str) -> None:
    """Write the national risk picture on the shipped data to OUT/index.html (offline)."""
    from ketenradar.demo import run_demo  # matplotlib is loaded only when a report is drawn

    index = run_demo(out_dir, lang, progress=lambda m: click.echo(f"  {m} ...", err=True))
    click.echo(f"report written to {index}")
