"""What the dashboard tests share: a small HTML reader (standard library), the demo workspace, screenshots.

The browser tests save a full-page screenshot of every page they open as a test artefact, in
``test-artifacts/screenshots/<test>-<page>.png`` under the project root (CI keeps the folder).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.services.materials import defence_catalogue
from ketenradar.storage import SqliteStore
from tests.api.support import demo_folder

__all__ = [
    "SCREENSHOTS",
    "Page",
    "demo_workspace",
    "page_slug",
    "read_page",
    "screenshot_path",
]

# The test artefacts' folder: the project root's test-artifacts/screenshots.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class Page(HTMLParser):
    """The visible text, the rows of every table (by the id of its section or table), links and assets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.rows: dict[str, list[list[str]]] = {}
        self.links: list[str] = []
        self.assets: list[str] = []
        self.lang = ""
        self._ids: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._table = ""
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang") or ""
        if tag in ("section", "table") and found.get("id"):
            self._ids.append(str(found["id"]))
        if tag == "table":
            self._table = str(found.get("id") or (self._ids[-1] if self._ids else ""))
            self.rows.setdefault(self._table, [])
        if tag == "tr":
            self._row = []
        if tag in ("td", "th") and self._row is not None:
            self._cell = []
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        if tag in ("script", "link", "img") and (found.get("src") or found.get("href")):
            self.assets.append(str(found.get("src") or found.get("href")))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        if tag == "tr" and self._row is not None:
            self.rows[self._table].append(self._row)
            self._row = None
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    @property
    def plain(self) -> str:
        """Return the visible text with runs of white space as one space."""
        return " ".join(" ".join(self.text).split())


def read_page(html: str) -> Page:
    """Return the parsed page."""
    page = Page()
    page.feed(html)
    page.close()
    return page


def demo_workspace(path: Path) -> Path:
    """Write a workspace holding the shipped demo chain as 'demo'; return its path."""
    chain = read_chain_workbook(demo_folder(), list(defence_catalogue()), name="demo")
    SqliteStore(path).save_chain(chain)
    return path


def page_slug(url: str) -> str:
    """Return a file-name-safe name of a page from its URL or path (``overview`` for ``/``)."""
    path = re.sub(r"^[a-z]+://[^/]+", "", url)
    slug = _UNSAFE.sub("_", path.strip("/").replace("?", "_").replace("=", "-")).strip("_")
    return slug or "overview"


def screenshot_path(test: str, page: str) -> Path:
    """Return ``test-artifacts/screenshots/<test>-<page>.png`` (names made file-safe), creating the folder."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = f"{_UNSAFE.sub('_', test).strip('_')}-{page}"
    return SCREENSHOTS / f"{name[:180]}.png"
