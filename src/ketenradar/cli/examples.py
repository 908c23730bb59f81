"""``ketenradar chain example``: the shipped example chain as a workbook to open, edit and import."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import click

from ketenradar.cli.chains import chain
from ketenradar.cli.i18n import argument
from ketenradar.cli.options import PATH, catalogue_of
from ketenradar.locale import _

# The example of ketenradar's demo report (src/ketenradar/demo_data/chains/).
EXAMPLE_CHAIN = "defence_demo"


@chain.command()
@argument("out", type=PATH)
def example(out: Path) -> None:
    """Write an example chain to OUT.xlsx to edit and import (or to .json, or a CSV folder)."""
    from ketenradar.ingest.workbook import read_chain_workbook
    from ketenradar.ingest.workbook_writer import write_chain, write_template

    catalogue = catalogue_of(None)
    folder = Path(str(resources.files("ketenradar.demo_data") / "chains" / EXAMPLE_CHAIN))
    example_chain = read_chain_workbook(folder, list(catalogue), name=EXAMPLE_CHAIN)
    if out.suffix.lower() == ".xlsx":
        path = write_template(out, list(catalogue), example_chain, example=True)
    else:
        path = write_chain(example_chain, out)
    message = _("example chain written to {path}; store it with: ketenradar chain import {path} --name NAME")
    click.echo(message.format(path=path))
