"""The checks of a chain workbook across rows and sheets, on the cells that passed their own.

Every id of the bom and sourcing is looked up once in the items sheet; the checks (unknown and
repeated ids, materials with components, cycles, the product of quantities along a path, share
sums per item and stage, repeated sourcing rows) then work on those integer positions, and a
located message is built only for a failing row. :mod:`ketenradar.ingest.workbook` reads the
sheets and calls :func:`cross_checks`.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from ketenradar._types import BoolArray, IntArray
from ketenradar.errors import Problem
from ketenradar.ingest.tables import ROW, CheckedTable, case_clashes, clip, suggest_material
from ketenradar.locale import _
from ketenradar.model.chain import ChainCodes
from ketenradar.model.lookup import positions_of_each
from ketenradar.model.vocabulary import CHAIN_STAGES, RAW_MATERIAL_STAGES
from ketenradar.network.graph import find_cycle, topological_levels

__all__ = ["MAX_PATH_QUANTITY", "SHARE_TOLERANCE", "cross_checks"]

SHARE_TOLERANCE = 1e-6
# The largest product of quantities along one path from a platform down: far above any real
# requirement, far below the 1.8e308 where a float overflows (the sum over paths must fit too).
MAX_PATH_QUANTITY = 1e100


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


def cross_checks(
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
