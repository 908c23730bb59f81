"""The ``ketenradar`` command line: parse the arguments, call one service, format its result.

Nothing is computed here; the language of every message follows ``--lang`` or ``KETENRADAR_LANG``.

Start-up is kept short: the root knows its commands from :data:`COMMAND_MODULES` and imports a
command's module (and with it pandas, SciPy, the services ...) only when that command is run or
its help is shown, so ``ketenradar --help``, ``--version`` and a mistyped command answer at once.
"""

from __future__ import annotations

import ast
import importlib
import os
import sys
from collections.abc import Iterator, MutableMapping, Sequence
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ketenradar import __version__
from ketenradar.cli.hints import hint_for
from ketenradar.cli.i18n import (
    TranslatedCommand,
    TranslatedGroup,
    TranslatedOption,
    click_in_language,
    option,
)
from ketenradar.errors import KetenradarError
from ketenradar.locale import DEFAULT_LANGUAGE, LANGUAGES, _, reset_language, set_language, use_language

if TYPE_CHECKING:
    from ketenradar.settings import Settings

__all__ = ["COMMAND_MODULES", "cli", "main", "settings_of"]

LANGUAGE_VARIABLE = "KETENRADAR_LANG"
# Every command and group of the root, and the modules that define it (the first) and add to it.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "chain": ("ketenradar.cli.chains", "ketenradar.cli.examples"),
    "countries": ("ketenradar.cli.reference",),
    "criticality": ("ketenradar.cli.criticality",),
    "audit": ("ketenradar.cli.server_admin",),
    "backup": ("ketenradar.cli.server_admin",),
    "demo": ("ketenradar.cli.demo",),
    "materials": ("ketenradar.cli.reference",),
    "materiel": ("ketenradar.cli.sector",),
    "measures": ("ketenradar.cli.measures",),
    "matrix": ("ketenradar.cli.survey",),
    "monitor": ("ketenradar.cli.monitor",),
    "outlook": ("ketenradar.cli.reference",),
    "ownership": ("ketenradar.cli.sector",),
    "procure": ("ketenradar.cli.procure",),
    "report": ("ketenradar.cli.report",),
    "restore": ("ketenradar.cli.server_admin",),
    "roadmap": ("ketenradar.cli.roadmap",),
    "scenario": ("ketenradar.cli.chains", "ketenradar.cli.refinements"),
    "serve": ("ketenradar.cli.serve",),
    "sources": ("ketenradar.cli.reference",),
    "stockpile": ("ketenradar.cli.stockpile",),
    "survey": ("ketenradar.cli.survey",),
    "trade": ("ketenradar.cli.trade",),
    "user": ("ketenradar.cli.server_admin",),
}


class LazyCommands(MutableMapping[str, click.Command]):
    """The root's commands by name; a command's modules are imported when it is first looked up.

    Iterating gives the names without importing anything (enough for "No such command" and its
    "Did you mean"); looking a name up imports the modules, whose decorators register the
    command in this mapping.
    """

    def __init__(self, modules: dict[str, tuple[str, ...]]) -> None:
        self.modules = dict(modules)
        self.loaded: dict[str, click.Command] = {}

    def __contains__(self, name: object) -> bool:
        return name in self.modules or name in self.loaded

    def __getitem__(self, name: str) -> click.Command:
        # Every module of the name is imported, even when another name's module has already
        # registered this command (chains defines both chain and scenario; others add to them).
        if name in self.modules and not all(m in sys.modules for m in self.modules[name]):
            # In English, as when every module was imported before the language was set: click
            # translates a few words when an object is made (FILE, the metavar of click.Path).
            with use_language(DEFAULT_LANGUAGE):
                for module in self.modules[name]:
                    importlib.import_module(module)
        return self.loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self.loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self.modules.pop(name, None)
        self.loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(self.modules), **dict.fromkeys(self.loaded)})

    def __len__(self) -> int:
        return len(self.modules.keys() | self.loaded.keys())


@cache
def _docstrings(module: str) -> dict[str, str]:
    """Return the docstrings of a module's top-level functions, read from its source, not imported."""
    spec = find_spec(module)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return {}
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    return {
        node.name: docstring
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and (docstring := ast.get_docstring(node))
    }


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

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands with their short help (as click does), importing none of them."""
        listed = [(name, self._listed(ctx, name)) for name in self.list_commands(ctx)]
        shown = [(name, command) for name, command in listed if not command.hidden]
        if shown:
            limit = formatter.width - 6 - max(len(name) for name, _command in shown)
            with formatter.section(_("Commands")):
                formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in shown])

    def _listed(self, ctx: click.Context, name: str) -> click.Command:
        """Return a loaded command, or a stand-in whose help is the docstring of its function.

        The stand-in's help is the command's own text, so it is translated and shortened alike;
        a command whose docstring is not found is imported instead.
        """
        commands = self.commands
        if isinstance(commands, LazyCommands) and name not in commands.loaded:
            docstring = _docstrings(commands.modules[name][0]).get(name)
            if docstring is not None:
                return TranslatedCommand(name, help=docstring)
        command = self.get_command(ctx, name)
        assert command is not None, name
        return command


def _choose_language(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        set_language(value)
    return value


@click.group(
    cls=KetenradarGroup,
    commands=LazyCommands(COMMAND_MODULES),
    context_settings={"help_option_names": ["-h", "--help"]},
)
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
    import logging  # here, not at the top: --help and --version do not need it

    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING)


def settings_of(ctx: click.Context) -> Settings:
    """Return the settings of this invocation (read once from --config)."""
    from ketenradar.settings import load_settings  # pydantic and the risk defaults: on first use

    obj = ctx.find_root().obj
    if "settings" not in obj:
        obj["settings"] = load_settings(obj.get("config_path"))
    settings: Settings = obj["settings"]
    return settings


def main() -> None:
    """Run the command line."""
    cli(prog_name="ketenradar")
