"""The report as a PDF: the same HTML on A4 through WeasyPrint, with contents and page numbers.

The print stylesheet (``templates/print.css``) turns the report's navigation into a table of
contents whose page numbers WeasyPrint fills in (CSS ``target-counter``), repeats each table's
header row on every page and sizes the charts, which are static drawings, to the text column.
The page label ("page 3 of 40") is in the report's language, read from the HTML's ``lang``.
Nothing is fetched: a report is self-contained, and a reference to anything outside it is
dropped rather than loaded.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
from functools import cache
from importlib.resources import files
from pathlib import Path

from ketenradar.errors import OutputRefused
from ketenradar.locale import DEFAULT_LANGUAGE, LANGUAGES, Language, _, use_language

__all__ = ["print_stylesheet", "render_pdf", "report_language", "write_pdf"]

_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2})", re.IGNORECASE)
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"(\{page\}|\{pages\})")

# Declarations WeasyPrint's HTML styling does not know but that are right where they stand: the
# SVG charts' presentation properties (its SVG renderer draws them), the screen stylesheet's
# scrolling (replaced by the print stylesheet) and the browsers' print colour hint (WeasyPrint
# prints backgrounds anyway). Thousands of such warnings would bury real ones.
_EXPECTED_UNKNOWN = frozenset(
    {
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-opacity",
        "stroke-width",
        "text-anchor",
        "overflow-x",
        "position",
        "print-color-adjust",
        "-webkit-print-color-adjust",
    }
)


class _ExpectedNoise(logging.Filter):
    """Drop WeasyPrint's warnings about what the report does on purpose; keep every other one."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Return False for an expected warning (see :data:`_EXPECTED_UNKNOWN`), True otherwise."""
        message = str(record.msg)
        if message.startswith("Ignored `") and record.args and isinstance(record.args, tuple):
            return str(record.args[0]).lower() not in _EXPECTED_UNKNOWN
        return True


_NOISE = _ExpectedNoise()


def report_language(html: str) -> Language:
    """Return the language named by the document's ``<html lang>``, or the default one."""
    found = _LANG.search(html)
    code = found.group(1).lower() if found else ""
    return next((lang for lang in LANGUAGES if lang == code), DEFAULT_LANGUAGE)


def _css_string(text: str) -> str:
    """Quote ``text`` as a CSS string; ``<`` is escaped so that it cannot end the style element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", "\\a ")
    return f'"{escaped}"'


def _page_label() -> str:
    """Return the CSS ``content`` value of the page label ("page 3 of 40") in the active language."""
    parts = _PLACEHOLDER.split(_("Page {page} of {pages}"))
    counters = {"{page}": "counter(page)", "{pages}": "counter(pages)"}
    return " ".join(counters.get(part) or _css_string(part) for part in parts if part)


@cache
def _base_stylesheet() -> str:
    return files("ketenradar.reports").joinpath("templates/print.css").read_text(encoding="utf-8")


def print_stylesheet(lang: Language) -> str:
    """Return the print stylesheet with the page label in ``lang``."""
    with use_language(lang):
        label = _page_label()
    return f"{_base_stylesheet()}\n@page {{ @bottom-right {{ content: {label}; }} }}\n"


def _with_print_style(html: str, css: str) -> str:
    """Return ``html`` with ``css`` as its last stylesheet, so that it wins over the screen style."""
    style = f'<style media="print">\n{css}</style>\n'
    found = _HEAD_END.search(html)
    if found is None:  # no head: the style opens the document, where a parser puts it in the head
        return style + html
    return html[: found.start()] + style + html[found.start() :]


def render_pdf(html: str) -> bytes:
    """Return the PDF of a report's HTML document (A4, contents, page numbers, static charts)."""
    # Imported here: WeasyPrint loads pango, which only writing a PDF needs.
    import weasyprint  # type: ignore[import-untyped]
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    logging.getLogger("weasyprint").addFilter(_NOISE)  # once: the same filter is not added twice
    document = _with_print_style(html, print_stylesheet(report_language(html)))
    # Only data: URIs are loaded: a report is self-contained, and rendering must never reach out.
    fetcher = URLFetcher(allowed_protocols=("data",))
    pdf = weasyprint.HTML(string=document, url_fetcher=fetcher, media_type="print").write_pdf()
    return bytes(pdf)  # without a target WeasyPrint returns the document's bytes


def write_pdf(html: str, out: Path) -> Path:
    """Render a report's HTML to a PDF at ``out``, written beside it and renamed when complete."""
    target = Path(out).absolute()
    if target.is_symlink():
        target = target.resolve()  # write where the link points, keep the link
    if target.is_dir():
        raise OutputRefused(_("{path} is a folder; expected a file name ending in .pdf").format(path=out))
    content = render_pdf(html)  # rendered first: a failure leaves no file and the old one intact
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = _reserve_beside(target)
    try:
        temporary.write_bytes(content)
        if target.is_file():
            shutil.copymode(target, temporary)
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return Path(out)


def _reserve_beside(target: Path) -> Path:
    """Create a new hidden file beside ``target`` (same file system, so the rename is atomic)."""
    for _attempt in range(100):
        candidate = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            # Created with the usual permissions (the umask applies): it becomes the user's file.
            os.close(os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(f"no free temporary name beside {target}")
