"""The weak spots of a chain: single points of failure and every item's own concentration.

Computed as integer codes over the chain matrix, the sourcing arrays and the requirement
matrix in level order; :class:`WeakSpots` computes on first use what the JSON contract needs
(which items are single points, per platform) and makes the per-item tables of text only when
an edge asks for them (``--detail items``, ``--table``, the report). Used by
:mod:`ketenradar.network.exposure`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, TypeVar, cast

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ketenradar._types import BoolArray, FloatArray, IntArray
from ketenradar.locale import N_, _, format_percent
from ketenradar.model.index import StringArray, take_categorical, take_strings
from ketenradar.model.vocabulary import RAW_MATERIAL_STAGES
from ketenradar.network.build import ChainMatrix, SourcingArrays
from ketenradar.risk.concentration import hhi as herfindahl

__all__ = ["Concentrated", "WeakSpots"]

# Why an item is a single point of failure; ``reason_code`` in results, the words in ``reason``.
_REASONS = {
    "single_supplier": N_("single supplier"),
    "single_country": N_("single country"),
    "concentrated_material": N_("material ≥ {threshold} from one country"),
}


@dataclass(frozen=True, slots=True)
class Concentrated:
    """Per (platform, material) pair of the content table and raw-material stage: its top country.

    ``pairs`` are ``platform · n_materials + material``, sorted (the content table's rows);
    ``flagged`` marks the pairs whose top country supplies at least the threshold; ``country``
    (in ``countries``) and ``share`` are the first country with the largest share and that
    share. Columns follow ``RAW_MATERIAL_STAGES``.
    """

    pairs: IntArray
    n_materials: int
    flagged: BoolArray
    country: IntArray
    share: FloatArray
    countries: pd.Index


@dataclass(frozen=True, slots=True)
class _Concentration:
    """Every (item, stage) with sourcing, and its shares per country, as codes.

    ``pair_share[j]`` is the share of (item, stage, country) pair ``j``, ``pair_group[j]`` its
    (item, stage) and ``pair_country[j]`` its country; ``key_start`` where each (item, stage)
    starts among the pairs. The HHI and the largest country follow from these when the table
    is asked for.
    """

    item: IntArray
    stage: IntArray
    countries: IntArray
    pair_share: FloatArray
    pair_group: IntArray
    pair_country: IntArray
    key_start: IntArray

    def hhi(self) -> FloatArray:
        """Return Σ country share² per (item, stage)."""
        return herfindahl(self.pair_share, self.pair_group, len(self.key_start))

    def top(self) -> tuple[IntArray, FloatArray]:
        """Return the largest country (the first of equals) and its share per (item, stage)."""
        top_share = np.maximum.reduceat(self.pair_share, self.key_start)
        is_top = np.flatnonzero(self.pair_share == top_share[self.pair_group])
        top_pair = is_top[np.r_[True, np.diff(self.pair_group[is_top]) != 0]]
        return self.pair_country[top_pair], top_share


def _node_hhi_frame(matrix: ChainMatrix, found: _Concentration | None) -> pd.DataFrame:
    """Return the node concentration table: item, stage, hhi, countries, top_country, top_share."""
    if found is None:
        empty = np.array([], dtype=object)
        return pd.DataFrame(
            {
                "item": empty,
                "stage": empty,
                "hhi": np.array([], dtype=np.float64),
                "countries": np.array([], dtype=np.intp),
                "top_country": empty,
                "top_share": np.array([], dtype=np.float64),
            }
        )
    src = matrix.sourcing
    top_country, top_share = found.top()
    return pd.DataFrame(
        {
            "item": matrix.index.take(found.item),
            "stage": take_categorical(src.stages, found.stage),
            "hhi": found.hhi(),
            "countries": found.countries,
            # Categorical: a national chain has a million (item, stage) rows and a few countries.
            "top_country": pd.Categorical.from_codes(
                top_country, categories=pd.Index(src.countries, dtype=object)
            ),
            "top_share": top_share,
        },
        copy=False,  # fresh arrays, used nowhere else: a million rows need not be copied again
    )


def _node_concentration(matrix: ChainMatrix) -> tuple[_Concentration | None, _SingleSource]:
    """Country HHI of every item and stage, and the (item, stage) supplied by one country.

    One sort by (item, stage, country) and segment reductions; no hashing of strings.
    """
    src = matrix.sourcing
    if len(src.item) == 0:
        nothing = np.array([], dtype=np.intp)
        return None, _SingleSource(nothing, nothing, nothing, (nothing, nothing, nothing))
    n_stages = len(src.stages)
    key = src.item.astype(np.int64) * n_stages + src.stage
    order = src.grouped  # by key, then country: sorted once when the chain was built
    key_sorted = key[order]
    country_sorted = src.country[order]
    pair_start = np.flatnonzero(np.r_[True, (np.diff(key_sorted) != 0) | (np.diff(country_sorted) != 0)])
    pair_share = np.add.reduceat(src.share[order], pair_start)
    pair_key = key_sorted[pair_start]
    key_start = np.flatnonzero(np.r_[True, np.diff(pair_key) != 0])
    keys = pair_key[key_start]
    pair_group = np.repeat(np.arange(len(key_start)), np.diff(np.r_[key_start, len(pair_key)])).astype(
        np.intp
    )
    n_country = np.diff(np.r_[key_start, len(pair_key)])

    row_start = np.flatnonzero(np.r_[True, np.diff(key_sorted) != 0])
    single_country = n_country == 1
    starts = row_start[single_country]
    sizes = np.diff(np.r_[row_start, len(order)])[single_country]

    item = (keys // n_stages).astype(np.intp)
    stage = (keys % n_stages).astype(np.intp)
    found = _Concentration(
        item=item,
        stage=stage,
        countries=n_country,
        pair_share=pair_share,
        pair_group=pair_group,
        pair_country=country_sorted[pair_start],
        key_start=key_start,
    )
    single = _SingleSource(
        position=item[single_country],
        stage=stage[single_country],
        country=country_sorted[starts],
        rows=(order, starts, sizes),
    )
    return found, single


@dataclass(frozen=True, slots=True)
class _SingleSource:
    """The (item, stage) pairs supplied from one country, by item position then stage.

    ``stage`` indexes the sourcing's stages, ``country`` its countries. ``rows`` says where
    each pair's sourcing rows are: the sourcing's rows in sorted order, and each pair's start
    and count in it (for :meth:`reason`, which only the table needs).
    """

    position: IntArray
    stage: IntArray
    country: IntArray
    rows: tuple[IntArray, IntArray, IntArray]

    def reason(self, src: SourcingArrays) -> IntArray:
        """Return per pair its index in ``_SINGLE_REASONS``: one named supplier, or one country."""
        order, starts, sizes = self.rows
        # One supplier: every row of the (item, stage) names the supplier of the row before it,
        # and the first names one. Comparing neighbours in Arrow needs no codes for the names.
        # The groups' rows one after the other, as the sorted rows have them.
        at = np.repeat(starts - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())
        supplier = src.supplier.take(order[at])
        changed = np.r_[False, np.asarray(supplier[1:] != supplier[:-1], dtype=bool)]
        changes = np.cumsum(changed)
        first = np.cumsum(sizes) - sizes
        one_supplier = (changes[first + sizes - 1] == changes[first]) & np.asarray(
            supplier.take(first) != "", dtype=bool
        )
        reason: IntArray = np.where(one_supplier, 0, 1).astype(np.intp)
        return reason


_SINGLE_REASONS = ("single_supplier", "single_country")


@dataclass(frozen=True, slots=True)
class _SinglePoints:
    """The single points as codes: per row its platform, item and share, and the short codes.

    Row ``r`` takes stage, country and reason from entry ``row[r]`` of ``stage``, ``country``
    and ``reason``; ``used`` marks the entries some row takes.
    """

    platform: IntArray
    item: IntArray
    share: FloatArray
    stage: IntArray
    country: IntArray
    reason: IntArray
    row: IntArray
    used: BoolArray
    countries: pd.Index
    reason_texts: list[str]


def _single_point_pairs(
    matrix: ChainMatrix, X_level: sp.csr_matrix, single: _SingleSource, concentrated: Concentrated
) -> tuple[IntArray, IntArray]:
    """Return (platform, item position) of every single point, a pair possibly more than once.

    What the contract's lists need, without the per-stage rows and their codes that
    :func:`_single_points` makes for the table.
    """
    flagged = single.position
    positions = flagged[np.r_[True, np.diff(flagged) != 0]] if len(flagged) else flagged
    rows = X_level[matrix.rank[positions]]
    platform, item = [rows.indices], [np.repeat(positions, np.diff(rows.indptr))]
    if concentrated.flagged.any():
        hit_item, hit_platform, hit_key = _concentrated_hits(matrix, X_level, concentrated)
        hit = concentrated.flagged[hit_key].any(axis=1)
        platform.append(hit_platform[hit])
        item.append(hit_item[hit])
    return np.concatenate(platform).astype(np.intp), np.concatenate(item).astype(np.intp)


def _concentrated_hits(
    matrix: ChainMatrix, X_level: sp.csr_matrix, concentrated: Concentrated
) -> tuple[IntArray, IntArray, IntArray]:
    """Return every material item of a flagged material in each platform's chain.

    As (item position, platform, row of the content table for that platform and material).
    """
    n_materials = concentrated.n_materials
    wanted_codes = np.unique(concentrated.pairs[concentrated.flagged.any(axis=1)] % n_materials)
    wanted = np.flatnonzero(np.isin(matrix.material_code, wanted_codes) & (matrix.kind == "material"))
    sub = X_level[matrix.rank[wanted]]
    hit_item = np.repeat(wanted, np.diff(sub.indptr))
    hit_platform = sub.indices
    # Every hit's (platform, material) is a row of the content table.
    hit_key = np.searchsorted(
        concentrated.pairs, hit_platform.astype(np.int64) * n_materials + matrix.material_code[hit_item]
    )
    return hit_item, hit_platform, hit_key


def _single_points(
    matrix: ChainMatrix,
    X_level: sp.csr_matrix,
    single: _SingleSource,
    concentrated: Concentrated,
    threshold: float,
) -> _SinglePoints:
    """Single-source items, and raw materials ≥ threshold from one country, per platform.

    Only the flagged items' rows of the requirement matrix are read, and pairs are expanded
    with ``np.repeat`` rather than joined, so the cost follows the number of weak spots.
    """
    src = matrix.sourcing
    flagged = single.position
    first = np.flatnonzero(np.r_[True, np.diff(flagged) != 0]) if len(flagged) else flagged
    positions = flagged[first]
    per_position = np.diff(np.r_[first, len(flagged)])
    rows = X_level[matrix.rank[positions]]
    platforms_per_position = np.diff(rows.indptr)
    # Every (position, platform) pair times every flagged stage of that position: millions of
    # rows, so the index arrays are 32-bit where that suffices (there are at most three
    # stages per entry of X, and two raw-material stages per concentrated entry).
    index = np.int32 if 5 * X_level.nnz + len(flagged) < 2**31 - 1 else np.intp
    pair_position = np.repeat(np.arange(len(positions), dtype=index), platforms_per_position)
    repeat = per_position.astype(index)[pair_position]
    single_row = np.repeat(first.astype(index)[pair_position], repeat)
    # The second and third stage of a position follow its first: add 1 and 2 there only.
    several = np.flatnonzero(repeat > 1)
    if len(several):
        pair_start = (np.cumsum(repeat, dtype=index) - repeat)[several]
        for extra in range(1, int(repeat[several].max())):
            more = repeat[several] > extra
            single_row[pair_start[more] + extra] += extra
    platform = np.repeat(rows.indices, repeat)
    # The flagged (item, stage) rows a single row repeats are taken from their short arrays by
    # ``single_row``; the concentrated rows follow, one row each.
    countries = concentrated.countries  # the chain's countries and the world's
    single_country = countries.get_indexer(src.countries)[single.country]
    emitted = np.repeat(platforms_per_position > 0, per_position)
    parts = {
        "platform": [platform],
        "item": [flagged.astype(index)[single_row]],
        "share": [np.ones(len(single_row))],
    }
    # Codes per short row (stage, country, reason), whether some row takes it, and the rows.
    short = {"stage": [single.stage], "country": [single_country], "reason": [single.reason(src)]}
    taken, rows_of = [emitted], [single_row]

    if concentrated.flagged.any():
        hit_item, hit_platform, hit_key = _concentrated_hits(matrix, X_level, concentrated)
        # Hit by hit, then its flagged stages in stage order, as a join of the hits with the
        # flagged rows (sorted by platform, material and stage name) gives them.
        hit, raw_stage = np.nonzero(concentrated.flagged[hit_key])
        key = hit_key[hit]
        raw_stage_code = np.array([src.stage_code(name) for name in RAW_MATERIAL_STAGES], dtype=np.intp)
        parts["platform"].append(hit_platform[hit])
        parts["item"].append(hit_item[hit].astype(index))
        parts["share"].append(concentrated.share[key, raw_stage])
        short["stage"].append(raw_stage_code[raw_stage])
        short["country"].append(concentrated.country[key, raw_stage])
        short["reason"].append(np.full(len(hit), len(_SINGLE_REASONS)))
        taken.append(np.ones(len(hit), dtype=bool))
        rows_of.append(np.arange(len(flagged), len(flagged) + len(hit), dtype=index))
    reason_texts = [_(_REASONS[code]) for code in _SINGLE_REASONS]
    reason_texts.append(_(_REASONS["concentrated_material"]).format(threshold=format_percent(threshold, 0)))
    stage, country, reason = (np.concatenate(short[name]) for name in ("stage", "country", "reason"))
    return _SinglePoints(
        platform=np.concatenate(parts["platform"]),
        item=np.concatenate(parts["item"]),
        share=np.concatenate(parts["share"]),
        stage=stage,
        country=country,
        reason=reason,
        row=np.concatenate(rows_of),
        used=np.concatenate(taken),
        countries=countries,
        reason_texts=reason_texts,
    )


_REASON_CODES = (*_SINGLE_REASONS, "concentrated_material")


def _single_points_frame(
    matrix: ChainMatrix, points: _SinglePoints, platform_ids: StringArray
) -> pd.DataFrame:
    """Return the single points as a table of text: platform, item, stage, country, share, reason."""
    row, used = points.row, points.used
    return pd.DataFrame(
        {
            "platform": take_strings(platform_ids, points.platform),
            "item": matrix.index.take(points.item),
            "stage": take_categorical(matrix.sourcing.stages, points.stage, row, taken=used),
            "country": take_categorical(points.countries, points.country, row, taken=used),
            "share": points.share,
            "reason": take_categorical(points.reason_texts, points.reason, row, taken=used),
            "reason_code": take_categorical(_REASON_CODES, points.reason, row, taken=used),
        },
        copy=False,  # fresh arrays, used nowhere else: millions of rows need not be copied again
    )


_T = TypeVar("_T")


class WeakSpots:
    """The per-item results, computed as codes on first use and made into text tables when asked.

    Holds what they are computed from (the matrix, X in level order, the flagged materials).
    """

    def __init__(
        self,
        matrix: ChainMatrix,
        X_level: sp.csr_matrix,
        platform_ids: StringArray,
        concentrated: Concentrated,
        threshold: float,
    ) -> None:
        self._matrix, self._X_level, self._platform_ids = matrix, X_level, platform_ids
        self._concentrated, self._threshold = concentrated, threshold
        self._cache: dict[str, Any] = {}

    def _once(self, key: str, make: Callable[[], _T]) -> _T:
        if key not in self._cache:
            self._cache[key] = make()
        return cast(_T, self._cache[key])

    def _concentration(self) -> tuple[_Concentration | None, _SingleSource]:
        return self._once("concentration", lambda: _node_concentration(self._matrix))

    def _points(self) -> _SinglePoints:
        return self._once(
            "points",
            lambda: _single_points(
                self._matrix, self._X_level, self._concentration()[1], self._concentrated, self._threshold
            ),
        )

    def _pairs(self) -> tuple[IntArray, IntArray]:
        return self._once(
            "pairs",
            lambda: _single_point_pairs(
                self._matrix, self._X_level, self._concentration()[1], self._concentrated
            ),
        )

    def compute(self) -> None:
        """Compute what the contract needs now (so that timing the exposure includes it)."""
        self._pairs()

    def node_hhi(self) -> pd.DataFrame:
        """Return the node concentration table."""
        return self._once("node_hhi", lambda: _node_hhi_frame(self._matrix, self._concentration()[0]))

    def single_points(self) -> pd.DataFrame:
        """Return the single points table."""
        return self._once(
            "single_points", lambda: _single_points_frame(self._matrix, self._points(), self._platform_ids)
        )

    def single_point_ids(self) -> tuple[list[str], list[Any]]:
        """Return the platforms with single points and each one's sorted, unique item ids (Arrow)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        pair_platform, pair_item = self._pairs()
        labels = self._matrix.index.arrow
        # Items by their text (as Python sorts it: UTF-8 bytes sort by code point).
        order = pc.sort_indices(labels).to_numpy(zero_copy_only=False)
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        width = max(len(order), 1)
        # Sort and drop repeats: NumPy 2's np.unique hashes when asked for nothing else, which
        # takes seconds for millions of distinct pairs where a sort takes a tenth of one.
        pairs = np.sort(pair_platform.astype(np.int64) * width + rank[pair_item])
        pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if len(pairs) else pairs
        platform = pairs // width
        starts = np.flatnonzero(np.r_[True, platform[1:] != platform[:-1]]) if len(pairs) else pairs
        items = labels.take(pa.array(order[pairs % width]))
        bounds = np.r_[starts, len(pairs)]
        names = take_strings(self._platform_ids, platform[starts]).tolist()
        return [str(n) for n in names], [items.slice(a, b - a) for a, b in pairwise(bounds)]
