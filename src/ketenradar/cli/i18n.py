"""The command line in the user's language: help texts, click's own messages, the --lang option.

Help texts are written in English in the commands and translated when shown, from the same
catalogue as everything else. click marks its own messages for gettext's global domain; while a
command runs, :func:`click_in_language` routes them to ketenradar's catalogue instead, so that
"Usage:" and "Missing argument" follow ``--lang`` too. The messages listed in
:data:`CLICK_MESSAGES` are the ones translated; any other click message stays English.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from ketenradar.locale import N_, ngettext, translate

__all__ = [
    "CLICK_MESSAGES",
    "TranslatedArgument",
    "TranslatedCommand",
    "TranslatedGroup",
    "TranslatedOption",
    "argument",
    "click_in_language",
    "help_text",
    "option",
]

F = TypeVar("F", bound=Callable[..., Any])


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair (as click passes it to ``ngettext``) for the catalogue."""
    return singular, plural


# click's messages that a user of ketenradar meets; marked here so they enter the catalogue.
CLICK_MESSAGES: tuple[str | tuple[str, str], ...] = (
    N_("Usage:"),
    N_("[OPTIONS]"),
    N_("COMMAND [ARGS]..."),
    N_("Options"),
    N_("Commands"),
    N_("Positional arguments"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing command."),
    N_("Missing {param_type}"),
    N_("Missing parameter: {param_name}"),
    N_("No such command {name!r}."),
    N_("No such option {name!r}."),
    N_("Option {name!r} does not take a value."),
    N_plural("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
    N_plural("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    N_plural("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Invalid value: {message}"),
    N_("{value!r} is not {choice}."),
    N_("{value!r} is not one of {choices}."),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is not readable."),
    N_("{name} {filename!r} is not writable."),
    N_("file"),
    N_("directory"),
    N_("path"),
    N_("default: {default}"),
    N_("env var: {var}"),
    N_("required"),
    N_("Aborted!"),
    N_("%(prog)s, version %(version)s"),
)
# The click modules that bind gettext's functions at import time.
_CLICK_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.termui",
    "click.types",
    "click.utils",
)


@contextmanager
def click_in_language() -> Iterator[None]:
    """Translate click's own messages with ketenradar's catalogue inside the block."""
    saved: list[tuple[Any, str, Any]] = []
    for name in _CLICK_MODULES:
        module = importlib.import_module(name)
        for attribute, replacement in (("_", translate), ("ngettext", ngettext)):
            if hasattr(module, attribute):
                saved.append((module, attribute, getattr(module, attribute)))
                setattr(module, attribute, replacement)
    try:
        yield
    finally:
        for module, attribute, original in reversed(saved):
            setattr(module, attribute, original)


def help_text(text: str | None) -> str | None:
    """Return a help text (a docstring or an option's help) in the active language."""
    if not text:
        return text
    return translate(inspect.cleandoc(text))


class _Swap:
    """Show an object's ``help`` in the active language for the duration of one call."""

    def __init__(self, target: Any) -> None:
        self.target = target
        self.original = target.help

    def __enter__(self) -> None:
        self.target.help = help_text(self.original)

    def __exit__(self, *_exc: object) -> None:
        self.target.help = self.original


class TranslatedCommand(click.Command):
    """A command whose help, short help and help option follow the active language."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write the translated help text."""
        with _Swap(self):
            super().format_help_text(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        """Return the translated short help."""
        with _Swap(self):
            return super().get_short_help_str(limit)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        """Return the usage line's pieces with click's placeholders in the active language."""
        placeholders = {"[OPTIONS]", "COMMAND [ARGS]..."}
        return [translate(p) if p in placeholders else p for p in super().collect_usage_pieces(ctx)]

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        """Return the help option with its help in the active language."""
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = translate("Show this message and exit.")
        return option


class TranslatedGroup(TranslatedCommand, click.Group):
    """A group whose own help and whose commands' help follow the active language."""

    command_class = TranslatedCommand
    group_class = type  # subgroups are of the same class


class TranslatedOption(click.Option):
    """An option whose help follows the active language."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        """Return the option's help line, translated."""
        with _Swap(self):
            return super().get_help_record(ctx)


class TranslatedArgument(click.Argument):
    """A positional argument whose help follows the active language."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str]:
        """Return the argument's help line, translated."""
        with _Swap(self):
            return super().get_help_record(ctx)


def option(*param_decls: str, **attrs: Any) -> Callable[[F], F]:
    """Add an option whose help is translated (``click.option`` with :class:`TranslatedOption`)."""
    return click.option(*param_decls, cls=TranslatedOption, **attrs)


def argument(*param_decls: str, **attrs: Any) -> Callable[[F], F]:
    """Add a positional argument whose help is translated."""
    return click.argument(*param_decls, cls=TranslatedArgument, **attrs)
