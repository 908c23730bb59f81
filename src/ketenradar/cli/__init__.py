"""The ``ketenradar`` command line: parse the arguments, call one service, format its result.

Nothing is computed here; the language of every message follows ``--lang`` or ``KETENRADAR_LANG``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from ketenradar import __version__
from ketenradar.cli.hints import hint_for
from ketenradar.cli.i18n import TranslatedGroup, TranslatedOption, click_in_language, option
from ketenradar.errors import KetenradarError
from ketenradar.locale import LANGUAGES, _, reset_language, set_language
from ketenradar.settings import Settings, load_settings

__all__ = ["cli", "main", "settings_of"]

LANGUAGE_VARIABLE = "KETENRADAR_LANG"


class KetenradarGroup(TranslatedGroup):
    """The root group: the language for the whole invocation, and one-line errors (exit code 1)."""

    def main(  # type: ignore[override]
        self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any
    ) -> Any:
        """Run the command line in the language of ``KETENRADAR_LANG`` until ``--lang`` says otherwise."""
        wanted = os.environ.get(LANGUAGE_VARIABLE, "").strip().lower() or "en"
        if wanted not in LANGUAGES:
            click.secho(
                f"error: {LANGUAGE_VARIABLE}={wanted!r} is not a supported language; "
                f"expected one of {', '.join(LANGUAGES)}",
                err=True,
                fg="red",
            )
            raise SystemExit(2)
        token = set_language(wanted)
        try:
            with click_in_language():
                return super().main(args=args, prog_name=prog_name, **extra)
        finally:
            reset_language(token)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; turn ketenradar's errors into one message and exit code 1."""
        try:
            return super().invoke(ctx)
        except KetenradarError as error:
            if ctx.obj is not None and ctx.obj.get("debug"):
                raise
            message = _("error: {message}").format(message=error)
            hint = hint_for(error)
            if hint:
                message += "\n  " + hint
            click.secho(message, err=True, fg="red")
            ctx.exit(1)


def _choose_language(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        set_language(value)
    return value


@click.group(cls=KetenradarGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__, prog_name="ketenradar", help="Show the version and exit.", cls=TranslatedOption
)
@option(
    "--lang",
    type=click.Choice(LANGUAGES),
    is_eager=True,
    expose_value=False,
    callback=_choose_language,
    help="Language of messages, tables and reports [default: $KETENRADAR_LANG or en].",
)
@option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="KETENRADAR_CONFIG",
    help="TOML settings file (weights, WGI years, CRMA limit).",
)
@option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
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


from ketenradar.cli import chains, criticality, demo, examples, reference, sector, survey, trade  # noqa: E402,F401  (registers commands)
