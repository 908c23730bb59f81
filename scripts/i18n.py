"""The translation catalogue: extract, merge into the Dutch catalogue, compile, check.

Extracts every message from the code, merges it into the Dutch catalogue, compiles it, and
checks that nothing is missing or out of date::

    python scripts/i18n.py update   # extract -> ketenradar.pot, merge into nl.po, compile nl .mo
    python scripts/i18n.py check    # fail if the catalogue is out of date or a message is untranslated

Messages come from ``_()``, ``N_()`` and ``ngettext()`` calls in ``src/ketenradar`` (Babel's
extractor) and from the help texts of every command, option and argument of the command line
(walked from the click tree, since click keeps them as plain strings).
"""

from __future__ import annotations

import inspect
import io
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "ketenradar"
LOCALE = PACKAGE / "locale"
TEMPLATE = LOCALE / "ketenradar.pot"
LANGUAGES = ("nl",)
# The functions whose string arguments are messages; a report table's header is its second argument.
KEYWORDS = {
    "_": None,
    "N_": None,
    "N_plural": (1, 2),
    "ngettext": (1, 2),
    "translate": None,
    "TableColumn": (2,),
}
# Fixed dates keep the catalogue files byte-stable between runs (git shows what changed).
STAMP = datetime(2026, 1, 1, tzinfo=UTC)
PLACEHOLDER = re.compile(r"\{[a-z_]*[^{}]*\}|%\([a-z_]+\)s")


def _po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "ketenradar.po"


def _mo_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "ketenradar.mo"


def _help_texts(command: click.Command) -> Iterator[str]:
    if command.help:
        yield inspect.cleandoc(command.help)
    if command.short_help:
        yield inspect.cleandoc(command.short_help)
    for param in command.params:
        text = getattr(param, "help", None)
        if text:
            yield inspect.cleandoc(text)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from _help_texts(sub)


def extract() -> Catalog:
    """Return the template catalogue of every message in the code and the command line."""
    from ketenradar.cli import cli

    catalog = Catalog(
        project="ketenradar", charset="utf-8", fuzzy=False, creation_date=STAMP, revision_date=STAMP
    )
    for filename, lineno, message, _comments, context in extract_from_dir(
        PACKAGE, keywords=KEYWORDS, comment_tags=("Translators:",)
    ):
        if not message or (isinstance(message, tuple) and not all(message)):
            continue
        catalog.add(message, locations=[(f"ketenradar/{filename}", lineno)], context=context)
    for text in _help_texts(cli):
        catalog.add(text, locations=[("ketenradar/cli (help)", 0)])
    return catalog


def _po_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, no_location=True, sort_output=True, omit_header=False)
    return buffer.getvalue()


def _mo_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _ids(catalog: Catalog) -> set[object]:
    return {m.id for m in catalog if m.id}


def update() -> int:
    """Write the template, merge it into every language's catalogue and compile them."""
    template = extract()
    TEMPLATE.write_bytes(_po_bytes(template))
    for lang in LANGUAGES:
        path = _po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=lang)
        else:
            catalog = Catalog(locale=lang, project="ketenradar", charset="utf-8", creation_date=STAMP)
        catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
        catalog.revision_date = STAMP
        catalog.fuzzy = False
        catalog.obsolete.clear()
        path.write_bytes(_po_bytes(catalog))
        _mo_path(lang).write_bytes(_mo_bytes(catalog))
        missing = [m.id for m in catalog if m.id and not _translated(m.string)]
        print(f"{lang}: {len(catalog) - 1} messages, {len(missing)} untranslated")
    return 0


def _translated(string: object) -> bool:
    if isinstance(string, tuple | list):
        return all(bool(s) for s in string)
    return bool(string)


def _placeholders(text: object) -> list[str]:
    parts = text if isinstance(text, tuple | list) else (text,)
    return sorted({p for part in parts for p in PLACEHOLDER.findall(str(part))})


def problems() -> list[str]:
    """Return everything that is wrong with the committed catalogues."""
    found: list[str] = []
    template = extract()
    with TEMPLATE.open("rb") as handle:
        committed = read_po(handle)
    new, gone = _ids(template) - _ids(committed), _ids(committed) - _ids(template)
    if new or gone:
        found.append(
            f"{TEMPLATE.name} is out of date ({len(new)} new, {len(gone)} removed messages): "
            "run python scripts/i18n.py update"
        )
        found += [f"  new: {m!r}" for m in sorted(map(str, new))[:20]]
    for lang in LANGUAGES:
        with _po_path(lang).open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        ids = _ids(catalog)
        if ids != _ids(template):
            found.append(f"{lang}: catalogue does not match the code: run python scripts/i18n.py update")
        for message in catalog:
            if not message.id:
                continue
            if message.fuzzy or not _translated(message.string):
                found.append(f"{lang}: untranslated: {message.id!r}")
            elif _placeholders(message.id) != _placeholders(message.string):
                found.append(f"{lang}: placeholders differ in {message.id!r}")
        if not _mo_path(lang).exists() or _mo_path(lang).read_bytes() != _mo_bytes(catalog):
            found.append(f"{lang}: compiled catalogue is stale: run python scripts/i18n.py update")
    return found


def main() -> int:
    """Run ``update`` or ``check``."""
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        return update()
    if command == "check":
        found = problems()
        for line in found:
            print(line, file=sys.stderr)
        return 1 if found else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
