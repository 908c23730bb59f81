"""Write docs/cli.md from the commands' --help; with --check, fail if the file is out of date."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ketenradar.cli import cli

TARGET = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


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


def render() -> str:
    """Return the CLI reference as Markdown."""
    parts = [
        "# Command-line reference",
        "",
        "Generated from `--help` by `scripts/gen_cli_docs.py`; CI checks that it is current.",
        "",
    ]
    for path, command in _commands(cli, ["ketenradar"]):
        with click.Context(command, info_name=" ".join(path), terminal_width=88, max_content_width=88) as ctx:
            help_text = command.get_help(ctx)
        parts += [f"## `{' '.join(path)}`", "", "```text", help_text, "```", ""]
    return "\n".join(parts)


def main() -> int:
    """Write or check the reference."""
    text = render()
    if "--check" in sys.argv:
        if not TARGET.exists() or TARGET.read_text() != text:
            print("docs/cli.md is out of date: run python scripts/gen_cli_docs.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
