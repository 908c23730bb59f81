"""Read the chain workbook (v1) from Excel, a folder of CSV files or JSON, and validate it.

Validation is one pass: every sheet is checked cell by cell, then the cross-sheet checks
(unknown ids, duplicates, cycles, quantities along a path, shares per item and stage) run on
the cells that passed, and all problems are raised together. A chain is returned only when
there are none, so a caller can store it in one transaction. Rows are numbered as the sheet
shows them, blank rows included.

An optional ``materials`` sheet (id, name_en, name_nl, category, note) names materials outside
the catalogue, so a workbook exported with them reads back without a catalogue file.

The sheets are read as text by :mod:`ketenradar.ingest.sheets`; this module checks them.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd

from ketenradar._types import BoolArray, IntArray
from ketenradar.errors import InputFileError, Problem
from ketenradar.ingest.inputs import MATERIAL_COLUMNS, materials_from_table
from ketenradar.ingest.sheets import explain_empty_cells, read_sheets
from ketenradar.ingest.tables import (
    MAX_PROBLEMS,
    ROW,
    CheckedTable,
    Column,
    case_clashes,
    check_frame,
    clip,
    suggest_material,
)
from ketenradar.locale import N_, _
from ketenradar.model.chain import CHAIN_COLUMNS, Chain, ChainCodes
from ketenradar.model.lookup import positions_of_each
from ketenradar.model.material import Material
from ketenradar.model.vocabulary import CHAIN_STAGES, DOMAINS, ITEM_KINDS, RAW_MATERIAL_STAGES
from ketenradar.network.graph import find_cycle, topological_levels
from ketenradar.refdata import known_country_codes

__all__ = [
    "MATERIALS_SHEET",
    "MAX_PATH_QUANTITY",
    "QUANTITY_LIMITS",
    "SHARE_TOLERANCE",
    "SHEETS",
    "chain_from_frames",
    "check_sheets",
    "read_chain_and_materials",
    "read_chain_workbook",
]

SHARE_TOLERANCE = 1e-6
# Quantities multiply along every path of the BOM; outside this range products overflow or
# vanish in floating point long before a real bill of materials needs them.
QUANTITY_LIMITS = (1e-9, 1e9)
# The largest product of quantities along one path from a platform down: far above any real
# requirement, far below the 1.8e308 where a float overflows (the sum over paths must fit too).
MAX_PATH_QUANTITY = 1e100
MATERIALS_SHEET = "materials"

SHEETS: dict[str, list[Column]] = {
    "items": [
        Column("id"),
        Column("name"),
        Column("kind", "choice", choices=ITEM_KINDS),
        Column("domain", "choice", required=False, allow_empty=True, choices=DOMAINS),
        Column("dis_area", required=False, allow_empty=True),
        Column("material", required=False, allow_empty=True),
        Column("unit", required=False, allow_empty=True),
    ],
    "bom": [
        Column("parent"),
        Column("child"),
        Column(
            "quantity",
            "number",
            minimum=0.0,
            exclusive_minimum=True,
            limits=QUANTITY_LIMITS,
            limits_reason=N_(
                "units of child per unit of parent; quantities multiply along the chain, so larger or "
                "smaller ones cannot be computed with: choose another unit"
            ),
        ),
    ],
    "sourcing": [
        Column("item"),
        Column("country", "iso3"),
        Column("share", "number", minimum=0.0, maximum=1.0),
        Column("stage", "choice", required=False, allow_empty=True, choices=CHAIN_STAGES),
        Column("supplier", required=False, allow_empty=True),
        Column("tier", "number", required=False, allow_empty=True, minimum=0.0, maximum=50.0),
        Column("lead_time_days", "number", required=False, allow_empty=True, minimum=0.0),
        Column("stock_days", "number", required=False, allow_empty=True, minimum=0.0),
    ],
}


def read_chain_workbook(path: str | Path, materials: Collection[str], name: str | None = None) -> Chain:
    """Read and validate a chain workbook: ``.xlsx``, a folder of CSV files, or ``.json``.

    ``materials`` are the material ids the catalogue knows (or the catalogue itself, whose
    groups then feed the "did you mean" hints); a material item must use one, or one of the
    workbook's own ``materials`` sheet.
    """
    return read_chain_and_materials(path, materials, name)[0]


def read_chain_and_materials(
    path: str | Path, materials: Collection[str], name: str | None = None
) -> tuple[Chain, tuple[Material, ...]]:
    """Read and validate a chain workbook; return the chain and the new materials of its materials sheet."""
    import pyarrow as pa

    path = Path(path)
    sheets, first_row = read_sheets(path, [*SHEETS, MATERIALS_SHEET], what=N_("a chain workbook"))
    try:
        return _chain_and_materials(
            sheets,
            file=str(path),
            materials=materials,
            name=name or path.stem,
            first_row=first_row,
            release=True,
        )
    finally:
        # Arrow's pool keeps the pages of the text it parsed for its own reuse; the numerical
        # core allocates from the system, so they go back (a national chain: about 0.3 GiB).
        pa.default_memory_pool().release_unused()


def check_sheets(
    sheets: dict[str, pd.DataFrame | None],
    schema: dict[str, list[Column]],
    *,
    file: str,
    unique: dict[str, tuple[str, ...]],
    required_rows: Collection[str],
    first_row: int,
    release: bool = False,
) -> tuple[dict[str, CheckedTable], list[Problem]]:
    """Check every sheet cell by cell; return each sheet's checked table and every problem.

    A missing sheet is a problem and has no table. Empty cells of an Excel sheet that hold a
    formula without a saved value, or lie inside merged cells, are reported as such.
    ``release`` removes each text sheet from ``sheets`` once it is checked, so that a national
    workbook is not held as text and as checked tables at once.
    """
    problems: list[Problem] = []
    tables: dict[str, CheckedTable] = {}
    for sheet, columns in schema.items():
        frame = sheets.pop(sheet, None) if release else sheets.get(sheet)
        if frame is None:
            problems.append(
                Problem(
                    file=file,
                    sheet=sheet,
                    message=_("missing sheet"),
                    expected=_("a sheet {sheet!r} with columns {columns}").format(
                        sheet=sheet, columns=", ".join(c.name for c in columns if c.required)
                    ),
                )
            )
            continue
        checked = check_frame(
            frame,
            columns,
            file=file,
            sheet=sheet,
            countries=known_country_codes(),
            unique=unique.get(sheet, ()),
            allow_empty_table=sheet not in required_rows,
            first_row=first_row,
        )
        found = checked.problems
        if "xlsx" in frame.attrs and any(p.message == _("empty cell") for p in found):
            found = explain_empty_cells(Path(frame.attrs["xlsx"]), sheet, frame.attrs["letters"], found)
        problems.extend(found)
        tables[sheet] = checked
    return tables, problems


def chain_from_frames(
    sheets: dict[str, pd.DataFrame | None],
    *,
    file: str,
    materials: Collection[str],
    name: str,
    first_row: int = 2,
) -> Chain:
    """Validate the sheets (and an optional materials sheet); build the chain or raise every problem."""
    return _chain_and_materials(sheets, file=file, materials=materials, name=name, first_row=first_row)[0]


def _chain_and_materials(
    sheets: dict[str, pd.DataFrame | None],
    *,
    file: str,
    materials: Collection[str],
    name: str,
    first_row: int,
    release: bool = False,
) -> tuple[Chain, tuple[Material, ...]]:
    extra, problems = _workbook_materials(sheets.get(MATERIALS_SHEET), materials, file, first_row)
    known: Collection[str] = materials
    if extra:
        known = {**dict.fromkeys(materials), **dict.fromkeys(m.id for m in extra)}.keys()
    tables, found = check_sheets(
        sheets,
        SHEETS,
        file=file,
        unique={"items": ("id",)},
        required_rows={"items"},
        first_row=first_row,
        release=release,
    )
    items = tables.get("items")
    nothing = items is not None and items.header_ok and items.frame.empty
    if nothing and not problems and all(_is_empty(tables.get(s)) for s in ("bom", "sourcing")):
        # A fresh template: one clear message instead of a list about empty sheets.
        raise InputFileError.single(
            file,
            _("the workbook has no items yet: fill in the items sheet, then bom and sourcing"),
            sheet="items",
            expected=_("at least one item (one row per item)"),
        )
    problems += found
    sourcing = pd.DataFrame()
    codes: ChainCodes | None = None
    if items is not None and items.header_ok and len(items.frame):
        more, sourcing, codes = _cross_checks(
            items,
            _usable_table(tables.get("bom"), "bom"),
            _usable_table(tables.get("sourcing"), "sourcing"),
            known,
            materials,
            file,
        )
        problems += more
    if problems:
        order = {sheet: i for i, sheet in enumerate([*SHEETS, MATERIALS_SHEET])}
        problems.sort(key=lambda p: (order.get(p.sheet or "", -1), p.row or 0))
        raise InputFileError(problems[:MAX_PROBLEMS])
    item_frame, bom = tables["items"].frame, tables["bom"].frame
    chain = Chain(
        name=name,
        items=item_frame[CHAIN_COLUMNS["items"]].reset_index(drop=True),
        bom=bom[CHAIN_COLUMNS["bom"]].reset_index(drop=True),
        sourcing=sourcing[CHAIN_COLUMNS["sourcing"]].reset_index(drop=True),
        source=file,
        codes=codes,
    )
    return chain, extra


def _is_empty(table: CheckedTable | None) -> bool:
    """Whether a sheet is missing or has a header and no rows."""
    return table is None or (table.header_ok and table.frame.empty)


def _workbook_materials(
    frame: pd.DataFrame | None, catalogue: Collection[str], file: str, first_row: int
) -> tuple[tuple[Material, ...], list[Problem]]:
    """Check the optional materials sheet as a catalogue file is checked; return its new materials."""
    if frame is None:
        return (), []
    checked = check_frame(
        frame,
        MATERIAL_COLUMNS,
        file=file,
        sheet=MATERIALS_SHEET,
        unique=("id",),
        allow_empty_table=True,
        first_row=first_row,
    )
    materials, problems = materials_from_table(
        checked, catalogue, source=_("materials sheet of {file}").format(file=file), sheet=MATERIALS_SHEET
    )
    return materials, [*checked.problems, *problems]


def _expand_default_stages(sourcing: pd.DataFrame, is_material: BoolArray) -> tuple[pd.DataFrame, IntArray]:
    """Give every sourcing row a stage: parts default to manufacturing, materials to both raw stages.

    ``is_material`` marks the rows of material items. Returns the expanded rows, in the order
    of the rows they came from (a material row's mining copy before its processing copy), and
    for each the position of its original row.
    """
    no_stage = (sourcing["stage"] == "").to_numpy()
    if not no_stage.any():
        return sourcing, np.arange(len(sourcing), dtype=np.intp)
    keep = np.flatnonzero(~no_stage)
    parts = np.flatnonzero(no_stage & ~is_material)
    raw = np.flatnonzero(no_stage & is_material)
    origin = np.r_[keep, parts, raw, raw]
    stage = pd.Series(
        np.r_[
            sourcing["stage"].to_numpy(dtype=object)[keep],
            np.full(len(parts), "manufacturing", dtype=object),
            *(np.full(len(raw), s, dtype=object) for s in RAW_MATERIAL_STAGES),
        ],
        dtype=sourcing["stage"].dtype,
    )
    order = np.argsort(origin, kind="stable")
    origin = origin[order].astype(np.intp)
    expanded = sourcing.iloc[origin].assign(stage=stage.take(order).to_numpy())
    return expanded, origin


def _cross_checks(
    items: CheckedTable,
    bom: CheckedTable,
    sourcing: CheckedTable,
    known: Collection[str],
    catalogue: Collection[str],
    file: str,
) -> tuple[list[Problem], pd.DataFrame, ChainCodes]:
    """Run the checks across rows and sheets on the cells that passed their own checks.

    Every id of the bom and sourcing is looked up once in the items sheet (``positions_in``);
    the checks work on those integer positions. Returns the problems, the sourcing with its
    default stages expanded and the item positions the chain is built with.
    """
    frame = items.frame
    id_ok = items.ok("id")
    clash, problems = case_clashes(frame, "id", id_ok, file=file, sheet="items")
    kind_ok = items.ok("kind")
    problems += _check_items(frame, kind_ok, known, catalogue, file)
    # An id names the first row that has it; a later duplicate or a case clash names nothing.
    names_item = id_ok & ~clash
    kind_of = np.where(kind_ok, frame["kind"].to_numpy(dtype=object), "")
    parent, child, item = positions_of_each(
        [bom.frame["parent"], bom.frame["child"], sourcing.frame["item"]], frame["id"]
    )
    problems += _check_references(bom, sourcing, parent, child, item, frame["id"], file)
    problems += _check_bom(
        bom, _only(parent, names_item), _only(child, names_item), frame["id"], kind_of, file
    )
    typed = names_item & kind_ok
    found, expanded, expanded_item = _check_sourcing(sourcing, _only(item, typed), kind_of, file)
    return [*problems, *found], expanded, ChainCodes(parent, child, expanded_item)


def _only(positions: IntArray, usable: BoolArray) -> IntArray:
    """Return the positions, with −1 where the row they point at is not usable."""
    found = positions >= 0
    return np.where(found & usable[np.where(found, positions, 0)], positions, -1)


def _usable_table(table: CheckedTable | None, sheet: str) -> CheckedTable:
    """Return a sheet's checked table, or an empty one for a missing sheet or unusable header."""
    if table is not None and table.header_ok:
        return table
    columns = SHEETS[sheet]
    return check_frame(
        pd.DataFrame(columns=[c.name for c in columns]), columns, file="", sheet=sheet, allow_empty_table=True
    )


def _rows(frame: pd.DataFrame) -> np.ndarray:
    rows: np.ndarray = frame[ROW].to_numpy()
    return rows


def _problem_rows(
    frame: pd.DataFrame,
    mask: np.ndarray,
    column: str,
    message: str,
    expected: str,
    file: str,
    sheet: str,
) -> list[Problem]:
    if not mask.any():
        return []
    rows = _rows(frame)[mask]
    values = frame[column].to_numpy()[mask]
    return [
        Problem(
            file=file,
            sheet=sheet,
            row=int(r),
            column=column,
            message=message,
            value=clip(v),
            expected=expected,
        )
        for r, v in zip(rows, values, strict=True)
    ]


def _check_items(
    items: pd.DataFrame, kind_ok: BoolArray, known: Collection[str], catalogue: Collection[str], file: str
) -> list[Problem]:
    is_material = (items["kind"] == "material").to_numpy() & kind_ok
    has_id = (items["material"] != "").to_numpy()
    unknown = is_material & has_id & ~items["material"].isin(list(known)).to_numpy()
    expected = _("a material id of the catalogue (add other materials with a catalogue file)")
    return [
        *_problem_rows(
            items,
            is_material & ~has_id,
            "material",
            _("material item without a material id"),
            _("the material's id, e.g. gallium"),
            file,
            "items",
        ),
        *(
            Problem(
                file=file,
                sheet="items",
                row=int(r),
                column="material",
                message=_("unknown material id") + suggest_material(str(v), catalogue),
                value=clip(v),
                expected=expected,
            )
            for r, v in zip(_rows(items)[unknown], items["material"][unknown], strict=True)
        ),
        *_problem_rows(
            items,
            kind_ok & ~is_material & has_id,
            "kind",
            _("wrong kind on a material row"),
            _("kind 'material' for a row that names a material (or leave 'material' empty)"),
            file,
            "items",
        ),
    ]


def _check_references(
    bom: CheckedTable,
    sourcing: CheckedTable,
    parent: IntArray,
    child: IntArray,
    item: IntArray,
    ids: pd.Series,
    file: str,
) -> list[Problem]:
    """Check that bom and sourcing name items of the items sheet, and that bom rows do not repeat.

    ``parent``, ``child`` and ``item`` are the positions of the named ids in ``ids`` (−1: none).
    """
    expected = _("an id from the items sheet")
    problems: list[Problem] = []
    frame = bom.frame
    for column, positions in (("parent", parent), ("child", child)):
        unknown = bom.ok(column) & (positions < 0)
        problems += _unknown_items(frame, unknown, column, ids, expected, file, "bom")
    unknown = sourcing.ok("item") & (item < 0)
    problems += _unknown_items(sourcing.frame, unknown, "item", ids, expected, file, "sourcing")
    both = bom.ok("parent", "child")
    duplicated = np.zeros(len(frame), dtype=bool)
    if (parent[both] >= 0).all() and (child[both] >= 0).all():
        # Known ids: the same text is the same position, and pairs of integers hash fast.
        pair = parent[both].astype(np.int64) * max(len(ids), 1) + child[both]
        duplicated[both] = pd.Series(pair).duplicated().to_numpy()
    else:
        duplicated[both] = frame[both].duplicated(["parent", "child"]).to_numpy()
    problems += _problem_rows(
        frame,
        duplicated,
        "child",
        _("the same parent and child appear twice"),
        _("one row per parent and child (add the quantities)"),
        file,
        "bom",
    )
    return problems


def _unknown_items(
    frame: pd.DataFrame,
    unknown: BoolArray,
    column: str,
    ids: pd.Series,
    expected: str,
    file: str,
    sheet: str,
) -> list[Problem]:
    """Report unknown item ids, suggesting the item whose id differs only in case."""
    if not unknown.any():
        return []
    by_lower = {str(i).lower(): str(i) for i in ids[ids != ""].unique()}
    problems = []
    for row, value in zip(_rows(frame)[unknown], frame[column][unknown], strict=True):
        other = by_lower.get(str(value).lower())
        hint = "; " + _("did you mean {item!r}?").format(item=other) if other else ""
        problems.append(
            Problem(
                file=file,
                sheet=sheet,
                row=int(row),
                column=column,
                message=_("unknown item id") + hint,
                value=clip(value),
                expected=expected,
            )
        )
    return problems


def _check_bom(
    bom: CheckedTable,
    parent_all: IntArray,
    child_all: IntArray,
    ids: pd.Series,
    kind_of: np.ndarray,
    file: str,
) -> list[Problem]:
    """Check the BOM's structure on the rows whose parent and child are known items.

    ``parent_all``/``child_all`` are each row's item positions in ``ids`` (−1 where the id
    names no usable item); ``kind_of`` gives each item's kind ("" where the kind cell failed).
    """
    frame = bom.frame
    usable = bom.ok("parent", "child") & (parent_all >= 0) & (child_all >= 0)
    material_parent = usable & (kind_of[np.maximum(parent_all, 0)] == "material")
    problems = _problem_rows(
        frame,
        material_parent,
        "parent",
        _("a material item has components"),
        _("a raw material as a leaf (no bom rows with it as parent)"),
        file,
        "bom",
    )
    self_loop = usable & (parent_all == child_all)
    problems += _problem_rows(
        frame,
        self_loop,
        "child",
        _("an item contains itself"),
        _("a child different from its parent"),
        file,
        "bom",
    )
    edges = usable & ~self_loop
    parent, child = parent_all[edges], child_all[edges]
    levels = topological_levels(parent, child, len(ids))
    unplaced = np.flatnonzero(levels < 0)
    if unplaced.size:
        cycle = find_cycle(parent, child, unplaced)
        names = [str(ids.iloc[i]) for i in cycle]
        edge = edges & (parent_all == cycle[0]) & (child_all == cycle[1])
        problems.append(
            Problem(
                file=file,
                sheet="bom",
                row=int(_rows(frame)[edge][0]),
                column="child",
                message=_("the bill of materials has a cycle: {cycle}").format(
                    cycle=" → ".join(clip(n, 40) for n in names)
                ),
                expected=_("an acyclic bill of materials (no item inside itself)"),
            )
        )
        return problems
    quantity_ok = edges & bom.ok("quantity")
    problems += _check_path_quantities(frame, quantity_ok, parent_all, child_all, levels, ids, file)
    return problems


def _largest_log_products(
    parent: np.ndarray, child: np.ndarray, log_q: np.ndarray, levels: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return per node the largest sum of log quantities over paths from a root, and its last edge.

    One compiled shortest-path pass, linear in the edges whatever the depth: with the levels as
    a potential, the costs ``c·(level[child] − level[parent]) − log_q`` are non-negative for
    ``c`` above every ``log_q`` (each edge goes down at least one level), and along any path
    from a root they add up to ``c·level[node] − Σ log_q``; the shortest path is the largest
    product.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    # A (parent, child) pair listed twice (refused elsewhere) counts once, with its larger quantity.
    pairs = pd.DataFrame({"parent": parent, "child": child, "log_q": log_q, "edge": np.arange(len(parent))})
    pairs = pairs.sort_values("log_q", ascending=False, kind="stable").drop_duplicates(["parent", "child"])
    parent, child = pairs["parent"].to_numpy(), pairs["child"].to_numpy()
    log_q, edge = pairs["log_q"].to_numpy(), pairs["edge"].to_numpy()
    c = max(float(log_q.max()), 0.0) + 1.0
    cost = c * (levels[child] - levels[parent]) - log_q
    roots = np.flatnonzero(levels == 0)
    source = n  # a node above every root, joined at no cost
    graph = csr_matrix(
        (
            np.r_[cost, np.zeros(len(roots))] + 1e-300,  # explicit entries even at cost 0
            (np.r_[parent, np.full(len(roots), source)], np.r_[child, roots]),
        ),
        shape=(n + 1, n + 1),
    )
    distance, predecessor = dijkstra(graph, indices=source, return_predecessors=True)
    reached = np.isfinite(distance[:n])
    best = np.where(reached, c * levels - distance[:n], 0.0)
    best[levels == 0] = 0.0
    # The edge into each node on its best path, as a position in (parent, child).
    edge_of = pd.Series(edge, index=pd.MultiIndex.from_arrays([parent, child]))
    previous = predecessor[:n]
    has_edge = (previous >= 0) & (previous != source)
    via = np.full(n, -1, dtype=np.intp)
    nodes = np.flatnonzero(has_edge)
    via[nodes] = edge_of.reindex(pd.MultiIndex.from_arrays([previous[nodes], nodes])).to_numpy(dtype=np.intp)
    return best, via


def _check_path_quantities(
    frame: pd.DataFrame,
    usable: BoolArray,
    parent_all: np.ndarray,
    child_all: np.ndarray,
    levels: np.ndarray,
    ids: pd.Series,
    file: str,
) -> list[Problem]:
    """Refuse a BOM whose quantities multiply to more than MAX_PATH_QUANTITY along some path.

    The largest product in log space (:func:`_largest_log_products`); skipped when even the
    largest quantity to the power of the depth stays below the limit.
    """
    if not usable.any():
        return []
    log_q = np.log10(frame["quantity"].to_numpy(dtype=np.float64)[usable])
    limit = np.log10(MAX_PATH_QUANTITY)
    depth = int(levels.max()) if levels.size else 0
    if max(float(log_q.max()), 0.0) * depth <= limit:
        return []
    parent, child = parent_all[usable], child_all[usable]
    positions = np.flatnonzero(usable)
    best, via = _largest_log_products(parent, child, log_q, levels, len(ids))
    worst = int(np.argmax(best))
    if best[worst] <= limit:
        return []
    path_edges: list[int] = []
    node = worst
    while via[node] >= 0 and len(path_edges) <= depth:
        path_edges.append(int(via[node]))
        node = int(parent[via[node]])
    path_edges.reverse()
    names = [str(ids.iloc[parent[path_edges[0]]]), *(str(ids.iloc[child[e]]) for e in path_edges)]
    if len(names) > 8:  # a path of thousands of items: its ends say where it is
        names = [*names[:3], "…", *names[-3:]]
    return [
        Problem(
            file=file,
            sheet="bom",
            row=int(_rows(frame)[positions[path_edges[-1]]]),
            column="quantity",
            message=_("the quantities along {path} multiply to 1e{power}, more than {limit:g}").format(
                path=" → ".join(clip(n, 40) for n in names), power=int(best[worst]), limit=MAX_PATH_QUANTITY
            ),
            expected=_("quantities whose product from a platform down stays within {limit:g}").format(
                limit=MAX_PATH_QUANTITY
            )
            + " "
            + _("(choose larger units for the small parts)"),
        )
    ]


def _check_sourcing(
    sourcing: CheckedTable, item: IntArray, kind_of: np.ndarray, file: str
) -> tuple[list[Problem], pd.DataFrame, IntArray]:
    """Check stages, share sums and duplicates on the sourcing rows whose cells passed.

    ``item`` is each row's item position (−1 where the id names no item with a known kind).
    Returns the problems, the usable rows with their default stages expanded (every row when
    there is no problem, so the caller reuses it for the chain) and their item positions.
    """
    frame = sourcing.frame
    placed = sourcing.ok("item", "stage") & (item >= 0)
    is_material = (item >= 0) & (kind_of[np.maximum(item, 0)] == "material")
    problems = _problem_rows(
        frame,
        placed & is_material & (frame["stage"] == "manufacturing").to_numpy(),
        "stage",
        _("a raw material cannot be sourced at manufacturing, only at mining or processing"),
        _("mining, processing or empty (both)"),
        file,
        "sourcing",
    )
    # An item with a refused share or stage would sum wrongly: leave it to the cell problem.
    refused = sourcing.ok("item") & ~sourcing.ok("share", "stage")
    usable = placed & sourcing.ok("share")
    if refused.any():
        usable &= ~frame["item"].isin(frame["item"][refused].unique()).to_numpy()
    rows_used = np.flatnonzero(usable)
    expanded, origin = _expand_default_stages(frame.iloc[rows_used], is_material[rows_used])
    expanded_item = item[rows_used][origin]
    stage_code = pd.Index(CHAIN_STAGES).get_indexer(expanded["stage"]).astype(np.int64)
    group = expanded_item.astype(np.int64) * len(CHAIN_STAGES) + stage_code
    keys, first, inverse = np.unique(group, return_index=True, return_inverse=True)
    sums = np.bincount(inverse, weights=expanded["share"].to_numpy(dtype=np.float64), minlength=len(keys))
    rows = _rows(expanded)
    # Groups in the order they first appear, as the messages have always been listed.
    for position in np.argsort(first, kind="stable"):
        total = float(sums[position])
        if abs(total - 1.0) <= SHARE_TOLERANCE:
            continue
        diff = total - 1.0
        at = int(first[position])
        problems.append(
            Problem(
                file=file,
                sheet="sourcing",
                row=int(rows[at]),
                column="share",
                message=(
                    _("shares of item {item!r} at stage {stage} sum to {total}, {diff} more than 1")
                    if diff > 0
                    else _("shares of item {item!r} at stage {stage} sum to {total}, {diff} less than 1")
                ).format(
                    item=clip(expanded["item"].iloc[at], 40),
                    stage=expanded["stage"].iloc[at],
                    total=f"{total:.6g}",
                    diff=f"{abs(diff):.6g}",
                ),
                expected=_("shares per item and stage summing to 1 (±{tolerance})").format(
                    tolerance=f"{SHARE_TOLERANCE:g}"
                ),
            )
        )
    keyed_rows = placed & sourcing.ok("country")
    if keyed_rows.all() and usable.all():
        keyed, keyed_item = expanded, expanded_item
    else:
        keyed_at = np.flatnonzero(keyed_rows)
        keyed, keyed_origin = _expand_default_stages(frame.iloc[keyed_at], is_material[keyed_at])
        keyed_item = item[keyed_at][keyed_origin]
    duplicated = _repeated_rows(keyed_item, keyed, ("stage", "country", "supplier"))
    problems += _problem_rows(
        keyed,
        duplicated,
        "country",
        _("the same item, stage, country and supplier appear twice"),
        _("one row per supplier (add the shares)"),
        file,
        "sourcing",
    )
    return problems, expanded, expanded_item


def _repeated_rows(item: IntArray, frame: pd.DataFrame, columns: tuple[str, ...]) -> BoolArray:
    """Mark the rows whose item position and text in ``columns`` repeat an earlier row's.

    The position stands for the item's id; each text column becomes small integer codes
    (Arrow's dictionary encoding), and the codes combine into one integer key per row.
    """
    import pyarrow as pa

    key = item.astype(np.int64)
    span = max(int(key.max(initial=0)) + 1, 1)
    for column in columns:
        text = pa.array(frame[column].array, from_pandas=True)
        if isinstance(text, pa.ChunkedArray):  # one dictionary for the whole column
            text = text.combine_chunks()
        encoded = text.dictionary_encode()
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        width = max(len(encoded.dictionary), 1)
        if span * width >= 2**62:  # too many combinations for one integer: let pandas hash the texts
            repeated_text: BoolArray = frame.assign(_item=item).duplicated(["_item", *columns]).to_numpy()
            return repeated_text
        key = key * width + codes
        span *= width
    repeated: BoolArray = pd.Series(key).duplicated().to_numpy()
    return repeated
