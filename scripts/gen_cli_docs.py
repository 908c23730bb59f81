"""Write docs/cli.md (English) and docs/cli.nl.md (Dutch) from the commands' --help.

With --check, fail if either file is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ketenradar.cli import cli
from ketenradar.cli.i18n import click_in_language
from ketenradar.locale import use_language

DOCS = Path(__file__).resolve().parent.parent / "docs"
TARGETS = {"en": DOCS / "cli.md", "nl": DOCS / "cli.nl.md"}
HEADINGS = {
    "en": (
        "Command-line reference",
        "Generated from `--help` by `scripts/gen_cli_docs.py`; CI checks that it is current.",
    ),
    "nl": (
        "Opdrachtregel (naslag)",
        "Gemaakt uit `--lang nl --help` door `scripts/gen_cli_docs.py`; CI controleert dat het bij is.",
    ),
}


def _commands(group: click.Group, prefix: list[str]) -> list[tuple[list[str], click.Command]]:
    found: list[tuple[list[str], click.Command]] = [(prefix, group)]
    for name in sorted(group.commands):
        command = group.commands[name]
        path = [*prefix, name]
        if isinstance(command, click.Group):
            found.extend(_commands(command, path))
        else:
            found.append((path, command))
    return found


def render(lang: str = "en") -> str:
    """Return the CLI reference as Markdown in ``lang``."""
    title, note = HEADINGS[lang]
    parts = [f"# {title}", "", note, ""]
    with use_language(lang), click_in_language():
        for path, command in _commands(cli, ["ketenradar"]):
            with click.Context(
                command, info_name=" ".join(path), terminal_width=88, max_content_width=88
            ) as ctx:
                help_text = command.get_help(ctx)
            parts += [f"## `{' '.join(path)}`", "", "```text", help_text, "```", ""]
    return "\n".join(parts)


def main() -> int:
    """Write or check the references."""
    stale = []
    for lang, target in TARGETS.items():
        text = render(lang)
        if "--check" in sys.argv:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(target.name)
        else:
            target.write_text(text, encoding="utf-8")
    if stale:
        print(f"{', '.join(stale)} out of date: run python scripts/gen_cli_docs.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
