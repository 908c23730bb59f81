"""The ``ketenradar`` command line: thin commands over the library."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import click

from ketenradar import __version__
from ketenradar.errors import KetenradarError
from ketenradar.settings import Settings, load_settings

__all__ = ["cli", "main"]


class _Group(click.Group):
    """A click group that turns ketenradar's errors into one message and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KetenradarError as error:
            if ctx.obj is not None and ctx.obj.get("debug"):
                raise
            click.secho(f"error: {error}", err=True, fg="red")
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ketenradar")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="KETENRADAR_CONFIG",
    help="TOML settings file (weights, WGI years, CRMA limit).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, debug: bool) -> None:
    """ketenradar: critical raw materials, country risk and value chains for defence."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    ctx.obj["config_path"] = config_path
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING)


def settings_of(ctx: click.Context) -> Settings:
    """Return the settings of this invocation (read once from --config)."""
    obj = ctx.find_root().obj
    if "settings" not in obj:
        obj["settings"] = load_settings(obj.get("config_path"))
    settings: Settings = obj["settings"]
    return settings


def main() -> None:
    """Run the command line."""
    cli(prog_name="ketenradar")


from ketenradar.cli import chains, criticality, demo, reference, sector, survey, trade  # noqa: E402,F401  (registers commands)
