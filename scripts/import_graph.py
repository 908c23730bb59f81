"""Draw the imports between ketenradar's layers as docs/architecture-imports.svg.

Every module under ``src/ketenradar`` is parsed with :mod:`ast`; the package is not imported,
so the script runs without ketenradar's dependencies. A layer is a sub-package (``model``,
``risk``, ``services`` ...), a top-level module (``errors``, ``_types``, ``settings``) or the
package root (``ketenradar/__init__.py``). Each import statement that reaches another layer
counts once; one made inside a function counts too and is marked lazy::

    python scripts/import_graph.py           # write docs/architecture-imports.svg
    python scripts/import_graph.py --check   # exit 1 if the committed SVG is out of date
    python scripts/import_graph.py --print   # layer -> the layers it imports, as text

The drawing places each layer in a row by its dependency depth (module-level imports only),
the layers it imports below it, and routes arrows around the boxes. The same code always gives
the same bytes. Imports against the direction documented in docs/architecture.md are drawn in
red and listed, with file and line, by ``--print``.
"""

from __future__ import annotations

import ast
import itertools
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "ketenradar"
TARGET = ROOT / "docs" / "architecture-imports.svg"
PACKAGE_ROOT = "ketenradar"

# The documented direction (docs/architecture.md): a layer may import layers of a lower rank
# and its peers. Layers not listed here (data-only packages, new layers) are not judged.
RANK: dict[str, int] = {
    "_types": 0,
    "errors": 0,
    "locale": 0,
    "model": 1,
    "refdata": 2,
    "ingest": 2,
    "risk": 2,
    "network": 2,
    "storage": 2,
    "settings": 2,
    "scenarios": 3,
    "mitigation": 3,
    "services": 4,
    "reports": 5,
    "api": 5,
    "server": 5,
    "cli": 6,
    PACKAGE_ROOT: 6,
}
# Imports against the ranks that docs/architecture.md accepts: services.provenance reads the
# root's __version__ inside package_version() (the root imports services at module level).
ACCEPTED = {("services", PACKAGE_ROOT)}
# The pure core never touches files, SQL or settings, so it imports none of these.
PURE = ("risk", "network", "scenarios")
IMPURE = ("refdata", "ingest", "storage", "settings")
FILL: dict[str, str] = {
    "base": "#eeeeee",
    "core": "#dbe9f6",
    "io": "#e2f0d9",
    "services": "#fff2cc",
    "edge": "#fbe4d5",
}
GROUP: dict[str, str] = {
    "_types": "base",
    "errors": "base",
    "locale": "base",
    "model": "core",
    "risk": "core",
    "network": "core",
    "scenarios": "core",
    "mitigation": "core",
    "refdata": "io",
    "ingest": "io",
    "storage": "io",
    "settings": "io",
    "services": "services",
    "reports": "edge",
    "api": "edge",
    "server": "edge",
    "cli": "edge",
    PACKAGE_ROOT: "edge",
}

# Drawing constants, in SVG user units (px).
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
BOX_HEIGHT = 40.0
ROW_GAP = 92.0
MARGIN = 24.0
HEADER = 140.0
PORT_GAP = 22.0
SEPARATION = {("box", "box"): 30.0, ("box", "dummy"): 14.0, ("dummy", "dummy"): 9.0}
GREY, RED, LIGHT = "#555555", "#c0392b", "#a6a6a6"
LEGEND = (
    ("base", "base"),
    ("core", "pure core"),
    ("io", "files, settings, storage"),
    ("services", "services"),
    ("edge", "edges: reports, CLI, public API"),
)


@dataclass(frozen=True, slots=True)
class Link:
    """One step of an arrow between adjacent rows: the node at the other end, and the arrow."""

    node: str
    edge: tuple[str, str]


@dataclass(frozen=True, slots=True)
class ImportSite:
    """One import statement that reaches another layer."""

    path: str
    line: int
    importer: str
    imported: str
    module: str
    lazy: bool


@dataclass(slots=True)
class Edge:
    """All imports from one layer into another."""

    importer: str
    imported: str
    eager: int = 0
    lazy: int = 0

    @property
    def label(self) -> str:
        """Return the arrow label: the count, and how many of them are lazy."""
        if not self.eager:
            return f"{self.lazy} lazy"
        if not self.lazy:
            return str(self.eager)
        return f"{self.eager}+{self.lazy} lazy"


@dataclass(slots=True)
class Node:
    """A box (a layer) or a bend point of a long arrow (a dummy), placed in a row."""

    name: str
    row: int
    width: float
    dummy: bool = False
    x: float = 0.0
    up: list[Link] = field(default_factory=list)
    down: list[Link] = field(default_factory=list)


def module_name(path: Path) -> str:
    """Return the dotted module name of a file under src/ketenradar."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str | None:
    """Return the layer of a ketenradar module (None for a module outside the package)."""
    parts = module.split(".")
    if parts[0] != PACKAGE_ROOT:
        return None
    if len(parts) == 1 or parts[1] not in layers():
        return PACKAGE_ROOT
    return parts[1]


@cache
def layers() -> list[str]:
    """Return every layer: the sub-packages and top-level modules, and the package root."""
    found = {PACKAGE_ROOT}
    for entry in PACKAGE.iterdir():
        if entry.is_dir() and (entry / "__init__.py").exists():
            found.add(entry.name)
        elif entry.suffix == ".py" and entry.name != "__init__.py":
            found.add(entry.stem)
    return sorted(found)


def _imports(tree: ast.Module) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Yield every import statement of a module with whether it sits inside a function."""

    def visit(node: ast.AST, lazy: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield child, lazy
            inner = lazy or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            yield from visit(child, inner)

    yield from visit(tree, False)


def _targets(statement: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """Return the modules an import statement names (submodules where ``from`` names one)."""
    if isinstance(statement, ast.Import):
        return [alias.name for alias in statement.names]
    if statement.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        base = package[: len(package) - statement.level + 1]
        source = ".".join([*base, *([statement.module] if statement.module else [])])
    else:
        source = statement.module or ""
    named = [f"{source}.{alias.name}" for alias in statement.names]
    return [name if name in known_modules() else source for name in named]


@cache
def known_modules() -> frozenset[str]:
    """Return the dotted names of every module of the package."""
    return frozenset(module_name(p) for p in PACKAGE.rglob("*.py"))


def collect() -> list[ImportSite]:
    """Return every import statement between two different layers, in file and line order."""
    sites: list[ImportSite] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        importer = layer_of(module)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for statement, lazy in _imports(tree):
            seen: set[str] = set()
            for target in _targets(statement, module, path.name == "__init__.py"):
                imported = layer_of(target)
                if importer is None or imported is None or imported in (importer, *seen):
                    continue
                seen.add(imported)
                sites.append(
                    ImportSite(
                        path=path.relative_to(ROOT).as_posix(),
                        line=statement.lineno,
                        importer=importer,
                        imported=imported,
                        module=target,
                        lazy=lazy,
                    )
                )
    return sorted(sites, key=lambda s: (s.path, s.line, s.imported))


def edges(sites: list[ImportSite]) -> dict[tuple[str, str], Edge]:
    """Return the imports counted per (importer, imported) layer pair."""
    found: dict[tuple[str, str], Edge] = {}
    for site in sites:
        edge = found.setdefault((site.importer, site.imported), Edge(site.importer, site.imported))
        if site.lazy:
            edge.lazy += 1
        else:
            edge.eager += 1
    return dict(sorted(found.items()))


def against_direction(importer: str, imported: str) -> str | None:
    """Return why an import goes against the documented direction, or None if it does not."""
    if importer in PURE and imported in IMPURE:
        return f"the pure core ({importer}) imports {imported}"
    if (importer, imported) in ACCEPTED:
        return None
    if importer in RANK and imported in RANK and RANK[importer] < RANK[imported]:
        return f"{importer} (rank {RANK[importer]}) imports {imported} (rank {RANK[imported]})"
    return None


def depths(names: list[str], graph: dict[tuple[str, str], Edge]) -> dict[str, int]:
    """Return each layer's dependency depth: 0 imports no layer, else 1 + its deepest import.

    Module-level imports set it; a lazy import lifts the importer above a layer that never
    imports it back. Layers in an import cycle share a depth.
    """
    targets = {n: sorted({b for (a, b), e in graph.items() if a == n and e.eager}) for n in names}
    reach = {n: _reachable(n, targets) for n in names}
    component = {n: min(m for m in names if m == n or (m in reach[n] and n in reach[m])) for n in names}
    depth: dict[str, int] = {}

    def visit(name: str) -> int:
        key = component[name]
        if key not in depth:
            members = [m for m in names if component[m] == key]
            below = [t for m in members for t in targets[m] if component[t] != key]
            depth[key] = 1 + max((visit(t) for t in below), default=-1)
        return depth[key]

    result = {n: visit(n) for n in names}
    # A lazy import (made inside a function, e.g. cli → api) still puts the importer above the
    # imported layer when the imported layer never imports it back: relax until stable.
    everything = {n: sorted({b for (a, b) in graph if a == n}) for n in names}
    reaches = {n: _reachable(n, everything) for n in names}
    for _round in range(len(names)):
        changed = False
        for (a, b), edge in sorted(graph.items()):
            if edge.eager or a == b or a not in result or b not in result or a in reaches[b]:
                continue
            if result[a] <= result[b]:
                result[a] = result[b] + 1
                changed = True
                # Whatever imports a at module level sits above it too.
                for (c, d), other in graph.items():
                    if d == a and other.eager and c in result and result[c] <= result[a]:
                        result[c] = result[a] + 1
        if not changed:
            break
    return result


def _reachable(start: str, targets: dict[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(targets[start])
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(targets[name])
    return seen


def _text_width(text: str, size: float) -> float:
    return len(text) * size * 0.6


def _modules(layer: str) -> int:
    if layer == PACKAGE_ROOT:
        return 1
    folder = PACKAGE / layer
    return len(list(folder.rglob("*.py"))) if folder.is_dir() else 1


def _box_lines(layer: str) -> tuple[str, str]:
    if layer == PACKAGE_ROOT:
        return PACKAGE_ROOT, "package root"
    count = _modules(layer)
    if not (PACKAGE / layer).is_dir():
        return layer, "module"
    return f"{layer}/", f"{count} module" + ("s" if count != 1 else "")


class Layout:
    """Rows, order and x positions of the boxes and of the bends of long arrows."""

    def __init__(self, names: list[str], graph: dict[tuple[str, str], Edge]) -> None:
        self.graph = graph
        self.depth = depths(names, graph)
        self.rows = max(self.depth.values()) + 1
        self.nodes: dict[str, Node] = {}
        self.paths: dict[tuple[str, str], list[str]] = {}
        for name in names:
            title, subtitle = _box_lines(name)
            width = max(_text_width(title, 14), _text_width(subtitle, 11)) + 24
            self.nodes[name] = Node(name, self.depth[name], width)
        for (a, b), edge in graph.items():
            self.paths[(a, b)] = self._route(edge)
        for name in names:
            node = self.nodes[name]
            for side, links in (("up", node.up), ("down", node.down)):
                # Labels sit next to the importer, alternating between two heights, so two
                # ports apart must hold the widest label on that side.
                widest = max(
                    (_text_width(graph[k].label, 11) for k in self._labelled(name, side)), default=0.0
                )
                gap = max(PORT_GAP, (widest + 10) / 2)
                node.width = max(node.width, (len(links) + 1) * gap)
        self.order = self._order()
        self._place()

    def _labelled(self, name: str, side: str) -> list[tuple[str, str]]:
        """Return the edges whose label sits on the ``up`` or ``down`` side of a box."""
        return [
            (a, b)
            for (a, b) in self.graph
            if a == name
            and self.depth[a] != self.depth[b]
            and (self.depth[a] > self.depth[b]) == (side == "down")
        ]

    def _route(self, edge: Edge) -> list[str]:
        """Return the node names an arrow passes, top row first, adding dummies between rows."""
        a, b = edge.importer, edge.imported
        high, low = (a, b) if self.depth[a] >= self.depth[b] else (b, a)
        chain = [high]
        for row in range(self.depth[high] - 1, self.depth[low], -1):
            name = f"~{a}>{b}@{row}"
            self.nodes[name] = Node(name, row, 0.0, dummy=True)
            chain.append(name)
        chain.append(low)
        if high != low:
            for upper, lower in itertools.pairwise(chain):
                self.nodes[upper].down.append(Link(lower, (a, b)))
                self.nodes[lower].up.append(Link(upper, (a, b)))
        return chain

    def _crossings(self, order: list[list[str]]) -> int:
        total = 0
        for row in range(self.rows - 1):
            above = {n: i for i, n in enumerate(order[row + 1])}
            here = {n: i for i, n in enumerate(order[row])}
            pairs = [(here[k.node], above[u]) for u in order[row + 1] for k in self.nodes[u].down]
            total += sum(1 for p in pairs for q in pairs if p[0] < q[0] and p[1] > q[1])
        return total

    def _barycentre(self, name: str, downward: bool, position: dict[str, int], current: int) -> float:
        links = self.nodes[name].up if downward else self.nodes[name].down
        if not links:
            return float(current)
        return sum(position[link.node] for link in links) / len(links)

    def _order(self) -> list[list[str]]:
        """Order each row by the barycentre heuristic; keep the order with fewest crossings."""
        order = [sorted(n for n in self.nodes if self.nodes[n].row == row) for row in range(self.rows)]
        best, fewest = [list(r) for r in order], self._crossings(order)
        for sweep in range(24):
            downward = sweep % 2 == 0
            rows = range(self.rows - 2, -1, -1) if downward else range(1, self.rows)
            for row in rows:
                position = {n: i for i, n in enumerate(order[row + 1] if downward else order[row - 1])}
                keys = {n: (self._barycentre(n, downward, position, i), i) for i, n in enumerate(order[row])}
                order[row] = sorted(order[row], key=keys.__getitem__)
            crossings = self._crossings(order)
            if crossings < fewest:
                best, fewest = [list(r) for r in order], crossings
        return best

    def _separation(self, left: str, right: str) -> float:
        a, b = self.nodes[left], self.nodes[right]
        kinds = tuple(sorted(("dummy" if n.dummy else "box") for n in (a, b)))
        return (a.width + b.width) / 2 + SEPARATION[(kinds[0], kinds[1])]

    def _place(self) -> None:
        """Set x so each node sits near its neighbours, keeping the row order and spacing."""
        for row in self.order:
            x = 0.0
            for i, name in enumerate(row):
                if i:
                    x += self._separation(row[i - 1], name)
                self.nodes[name].x = x
        for _ in range(40):
            for row in self.order:
                wanted, weights = [], []
                for name in row:
                    node = self.nodes[name]
                    links = node.up + node.down
                    wanted.append(sum(self.nodes[k.node].x for k in links) / len(links) if links else node.x)
                    weights.append((4.0 if node.dummy else 1.0) * max(len(links), 1))
                offsets = [0.0]
                for i in range(1, len(row)):
                    offsets.append(offsets[-1] + self._separation(row[i - 1], row[i]))
                fitted = _isotonic([w - o for w, o in zip(wanted, offsets, strict=True)], weights)
                for name, value, offset in zip(row, fitted, offsets, strict=True):
                    self.nodes[name].x = value + offset
        left = min(n.x - n.width / 2 for n in self.nodes.values())
        for node in self.nodes.values():
            node.x = round(node.x - left + MARGIN, 1)

    def top(self, row: int) -> float:
        """Return the y of the top of a row's boxes (the deepest row at the top of the picture)."""
        return HEADER + (self.rows - 1 - row) * (BOX_HEIGHT + ROW_GAP)

    def width(self) -> float:
        """Return the width of the picture."""
        return max(n.x + n.width / 2 for n in self.nodes.values()) + MARGIN


def _isotonic(values: list[float], weights: list[float]) -> list[float]:
    """Return the weighted least-squares non-decreasing fit to ``values`` (pool adjacent violators)."""
    blocks: list[list[float]] = []
    for value, weight in zip(values, weights, strict=True):
        blocks.append([value, weight, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            v2, w2, c2 = blocks.pop()
            v1, w1, c1 = blocks.pop()
            blocks.append([(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    fitted: list[float] = []
    for mean, _weight, count in blocks:
        fitted.extend([mean] * int(count))
    return fitted


def _num(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


Ports = dict[tuple[str, str, tuple[str, str]], tuple[float, int]]


def _ports(layout: Layout) -> Ports:
    """Return where each arrow meets each box: (box, side, arrow) -> (x, rank along the side)."""
    ports: Ports = {}
    for name, node in layout.nodes.items():
        if node.dummy:
            continue
        for side, links in (("top", node.up), ("bottom", node.down)):
            ordered = sorted(links, key=lambda k: (layout.nodes[k.node].x, k.edge))
            for i, link in enumerate(ordered):
                offset = (i + 1) * node.width / (len(ordered) + 1) - node.width / 2
                ports[(name, side, link.edge)] = (round(node.x + offset, 1), i)
    return ports


def render(sites: list[ImportSite]) -> str:
    """Return the import graph as SVG text."""
    graph = edges(sites)
    layout = Layout(layers(), graph)
    ports = _ports(layout)
    header = _header()
    legend = sum(19 + _text_width(text, 11) + 16 for _group, text in LEGEND)
    width = max(
        layout.width(), max(_text_width(text, 11) for _size, text in header) + 2 * MARGIN, legend + MARGIN
    )
    height = layout.top(0) + BOX_HEIGHT + MARGIN
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_num(width)}" height="{_num(height)}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" font-family="{FONT}">',
        "<title>ketenradar: imports between layers</title>",
        "<defs>",
        *(
            f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            'markerHeight="7" orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
            for name, colour in (("grey", GREY), ("red", RED), ("light", LIGHT))
        ),
        "</defs>",
        f'<rect width="{_num(width)}" height="{_num(height)}" fill="#ffffff"/>',
    ]
    y = 0.0
    for size, text in header:
        y += size + 5
        weight = ' font-weight="bold"' if size > 11 else ""
        out.append(f'<text x="{_num(MARGIN)}" y="{_num(y)}" font-size="{size}"{weight}>{escape(text)}</text>')
    x = MARGIN
    for group, text in LEGEND:
        out += [
            f'<rect x="{_num(x)}" y="{_num(y + 8)}" width="14" height="12" rx="2" fill="{FILL[group]}" '
            'stroke="#333333" stroke-width="0.6"/>',
            f'<text x="{_num(x + 19)}" y="{_num(y + 18)}" font-size="11">{escape(text)}</text>',
        ]
        x += 19 + _text_width(text, 11) + 16
    labels: list[str] = []
    for key, edge in graph.items():
        out.append(_arrow(layout, ports, edge, layout.paths[key], labels))
    out.extend(labels)
    for name in layers():
        node = layout.nodes[name]
        title, subtitle = _box_lines(name)
        y = layout.top(node.row)
        fill = FILL.get(GROUP.get(name, ""), "#ffffff")
        out += [
            f'<rect x="{_num(node.x - node.width / 2)}" y="{_num(y)}" width="{_num(node.width)}" '
            f'height="{_num(BOX_HEIGHT)}" rx="6" fill="{fill}" stroke="#333333"/>',
            f'<text x="{_num(node.x)}" y="{_num(y + 18)}" font-size="14" font-weight="bold" '
            f'text-anchor="middle">{escape(title)}</text>',
            f'<text x="{_num(node.x)}" y="{_num(y + 33)}" font-size="11" fill="#444444" '
            f'text-anchor="middle">{escape(subtitle)}</text>',
        ]
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _header() -> list[tuple[int, str]]:
    """Return the title and the legend's sentences with their font sizes."""
    return [
        (15, "ketenradar: imports between layers"),
        (11, "Arrow: importer → imported, labelled with the number of import statements."),
        (11, "Dashed: only inside functions (lazy). Light: into the base layer (locale, errors, _types)."),
        (11, "Red: against the direction documented in docs/architecture.md."),
        (11, "Rows: dependency depth by module-level imports."),
        (11, "Generated by scripts/import_graph.py from the code; do not edit."),
    ]


def _arrow(
    layout: Layout,
    ports: Ports,
    edge: Edge,
    chain: list[str],
    labels: list[str],
) -> str:
    """Return one arrow as an SVG path, and add its label (next to the importer) to ``labels``."""
    importer, imported = layout.nodes[edge.importer], layout.nodes[edge.imported]
    if importer.row == imported.row:
        # Layers in one import cycle share a row: an arc over the row joins them.
        y = layout.top(importer.row)
        x1, x2 = importer.x + 6, imported.x - 6
        d = f"M{_num(x1)},{_num(y)} C{_num(x1)},{_num(y - 36)} {_num(x2)},{_num(y - 36)} {_num(x2)},{_num(y)}"
        return _path(edge, d, labels, x1, y - 18)
    points: list[tuple[float, float]] = []
    for i, name in enumerate(chain):
        node = layout.nodes[name]
        top = layout.top(node.row)
        if node.dummy:
            points += [(node.x, top), (node.x, top + BOX_HEIGHT)]
            continue
        key = (edge.importer, edge.imported)
        if i > 0:
            points.append((ports[(name, "top", key)][0], top))
        if i < len(chain) - 1:
            points.append((ports[(name, "bottom", key)][0], top + BOX_HEIGHT))
    if chain[0] == edge.importer:
        stagger = ports[(edge.importer, "bottom", (edge.importer, edge.imported))][1] % 2
        label_y = points[0][1] + 17 + 15 * stagger
    else:
        points.reverse()
        stagger = ports[(edge.importer, "top", (edge.importer, edge.imported))][1] % 2
        label_y = points[0][1] - 7 - 15 * stagger
    parts = [f"M{_num(points[0][0])},{_num(points[0][1])}"]
    for (x1, y1), (x2, y2) in itertools.pairwise(points):
        if x1 == x2 and abs(y2 - y1) == BOX_HEIGHT:
            parts.append(f"L{_num(x2)},{_num(y2)}")
        else:
            mid = (y1 + y2) / 2
            parts.append(f"C{_num(x1)},{_num(mid)} {_num(x2)},{_num(mid)} {_num(x2)},{_num(y2)}")
    return _path(edge, " ".join(parts), labels, points[0][0], label_y)


def _path(edge: Edge, d: str, labels: list[str], label_x: float, label_y: float) -> str:
    """Return the SVG path of an arrow, and add its label centred at (label_x, label_y)."""
    colour, marker, stroke, ink = GREY, "grey", 1.2, GREY
    if against_direction(edge.importer, edge.imported):
        colour, marker, ink = RED, "red", RED
    elif GROUP.get(edge.imported) == "base":
        colour, marker, stroke, ink = LIGHT, "light", 0.9, "#808080"
    dash = ' stroke-dasharray="5,3"' if not edge.eager else ""
    text = escape(edge.label)
    box = _text_width(edge.label, 11) + 6
    labels += [
        f'<rect x="{_num(label_x - box / 2)}" y="{_num(label_y - 10)}" width="{_num(box)}" height="13" '
        f'rx="3" fill="#ffffff" fill-opacity="0.9" stroke="{colour}" stroke-width="0.6"/>',
        f'<text x="{_num(label_x)}" y="{_num(label_y)}" font-size="11" text-anchor="middle" '
        f'fill="{ink}">{text}</text>',
    ]
    return (
        f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="{stroke}"{dash} '
        f'marker-end="url(#arrow-{marker})"><title>{escape(edge.importer)} → {escape(edge.imported)}: '
        f"{text}</title></path>"
    )


def summary(sites: list[ImportSite]) -> str:
    """Return, per layer, the layers it imports with counts, then the imports against the direction."""
    graph = edges(sites)
    depth = depths(layers(), graph)
    lines = ["[depth] layer -> layers it imports (import statements; lazy: inside a function)", ""]
    for name in sorted(layers(), key=lambda n: (-depth[n], n)):
        out = [e for (a, _b), e in graph.items() if a == name]
        text = ", ".join(f"{e.imported} {e.label}" for e in out) or "-"
        lines.append(f"[{depth[name]}] {name:<11} -> {text}")
    wrong = [s for s in sites if against_direction(s.importer, s.imported)]
    accepted = [s for s in sites if (s.importer, s.imported) in ACCEPTED]
    lines += [
        "",
        "against the documented direction:" if wrong else "nothing against the documented direction.",
    ]
    lines += [f"  {_where(s)} ({against_direction(s.importer, s.imported)})" for s in wrong]
    if accepted:
        lines += ["", "accepted exceptions (docs/architecture.md):"]
        lines += [f"  {_where(s)}" for s in accepted]
    return "\n".join(lines)


def _where(site: ImportSite) -> str:
    kind = "lazy " if site.lazy else ""
    return f"{site.path}:{site.line}: {kind}import of {site.module}"


def main() -> int:
    """Write or check the picture; print the summary with --print."""
    sites = collect()
    if "--print" in sys.argv:
        print(summary(sites))
        return 0
    text = render(sites)
    if "--check" in sys.argv:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print(
                "docs/architecture-imports.svg is out of date: run python scripts/import_graph.py",
                file=sys.stderr,
            )
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
