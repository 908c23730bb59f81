"""Chain -> sparse matrix ``A`` with its label index and topological levels."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ketenradar._types import IntArray
from ketenradar.errors import CyclicChain
from ketenradar.model.chain import Chain
from ketenradar.model.index import LabelIndex, StringArray, string_array
from ketenradar.model.vocabulary import CHAIN_STAGES
from ketenradar.network.graph import find_cycle, topological_levels

__all__ = ["ChainMatrix", "SourcingArrays", "build_chain_matrix", "level_ordered"]


@dataclass(frozen=True, slots=True)
class SourcingArrays:
    """The chain's sourcing rows as arrays: one entry per row, in row order.

    ``item``, ``stage`` (in ``stages``) and ``country`` (in ``countries``) are integer codes,
    −1 where a row has none; ``supplier`` is the supplier's name as text, ``""`` where none is
    given (only compared, never looked up, so it is not encoded). ``grouped`` lists the rows
    by item, stage and country (stable), the order every per-item concentration reads them in;
    sorted once here, it is not sorted again for each computation on the chain.
    """

    item: IntArray
    stage: IntArray
    country: IntArray
    share: np.ndarray
    supplier: StringArray
    tier: np.ndarray
    countries: pd.Index
    grouped: IntArray
    stages: tuple[str, ...] = CHAIN_STAGES

    def stage_code(self, stage: str) -> int:
        """Return the code of a stage name."""
        return self.stages.index(stage)

    def country_codes(self, iso3: Iterable[str]) -> IntArray:
        """Return the codes of the given countries; countries absent from the chain are left out."""
        codes: IntArray = self.countries.get_indexer(list(iso3))
        return codes[codes >= 0].astype(np.intp)


@dataclass(frozen=True, slots=True)
class ChainMatrix:
    """The chain as matrices.

    ``A[c, p]`` is the quantity of child ``c`` per unit of parent ``p`` (CSR, n × n);
    ``down`` is the parent → child pattern (CSR, rows are parents). ``level`` is the longest
    distance from a root; ``order`` lists positions by level and ``level_bounds[k]`` is where
    level ``k`` starts in ``order``; ``rank[i]`` is item ``i``'s place in ``order``. The walks
    level by level read ``A_level`` (``A[order][:, order]``) and ``down_level`` (``down[order]``,
    columns still positions), where every level is a block of consecutive rows. ``kind`` and
    ``material`` are the items' columns as text (``""`` for no material); ``material_ids`` are
    the distinct materials sorted (with ``""`` if some item has none) and ``material_code``
    each item's position in them.
    """

    index: LabelIndex
    A: sp.csr_matrix
    down: sp.csr_matrix
    level: IntArray
    order: IntArray
    level_bounds: IntArray
    rank: IntArray
    A_level: sp.csr_matrix
    down_level: sp.csr_matrix
    kind: StringArray
    material: StringArray
    material_code: IntArray
    material_ids: np.ndarray
    platforms: IntArray
    sourcing: SourcingArrays

    @property
    def n(self) -> int:
        """Number of items."""
        return len(self.index)

    def level_rows(self, k: int) -> IntArray:
        """Return the positions of the items at level ``k``."""
        return self.order[self.level_bounds[k] : self.level_bounds[k + 1]]

    @property
    def depth(self) -> int:
        """Number of levels."""
        return len(self.level_bounds) - 1


def level_ordered(A: sp.csr_matrix, order: IntArray, rank: IntArray) -> sp.csr_matrix:
    """Return ``A[order][:, order]`` in the layout SciPy gives it, with one row permutation.

    Renumbering the columns keeps each row's entries in their order, as SciPy's column
    indexing does, at the cost of one pass instead of several.
    """
    renumbered = sp.csr_matrix((A.data, rank[A.indices].astype(A.indices.dtype), A.indptr), shape=A.shape)
    ordered: sp.csr_matrix = renumbered[order]
    return ordered


def build_chain_matrix(chain: Chain) -> ChainMatrix:
    """Build the sparse matrices of a chain; raise CyclicChain if an item is inside itself.

    The bom and sourcing rows name their items by row (``chain.item_codes()``: the readers and
    the store hand them over, a chain without them is looked up once), so no id is hashed here;
    the string columns are encoded in Arrow.
    """
    # Codes handed over come from a reader or the store, which refuse repeated ids; ids looked
    # up here are checked (a look-up would silently take the first of two equal ids).
    handed_over = chain.codes is not None
    codes = chain.item_codes()
    items = chain.items
    index = LabelIndex.of(items["id"], known_unique=handed_over)
    n = len(index)
    parent, child = (np.asarray(c, dtype=np.intp) for c in (codes.parent, codes.child))
    quantity = chain.bom["quantity"].to_numpy(dtype=np.float64)
    down = sp.csr_matrix((quantity, (parent, child)), shape=(n, n))
    # The transpose of down's canonical layout is the layout A gets from (child, parent) pairs.
    A = down.T.tocsr()
    level = topological_levels(parent, child, n, pattern=down)
    if (level < 0).any():
        cycle = find_cycle(parent, child, np.flatnonzero(level < 0))
        raise CyclicChain([str(index.labels[i]) for i in cycle])
    order = np.argsort(level, kind="stable").astype(np.intp)
    bounds = np.searchsorted(level[order], np.arange(level.max() + 2)).astype(np.intp)
    rank = np.empty(n, dtype=np.intp)
    rank[order] = np.arange(n)
    kind = string_array(items["kind"])
    material = string_array(items["material"]).fillna("")
    material_code, material_ids = pd.factorize(material, sort=True)
    sourcing = chain.sourcing
    country_code, countries = pd.factorize(string_array(sourcing["country"]), sort=True)
    stage_code, stage_names = pd.factorize(string_array(sourcing["stage"]))
    stage_of_name = np.r_[pd.Index(CHAIN_STAGES).get_indexer(np.asarray(stage_names, dtype=object)), -1]
    item = np.asarray(codes.sourcing_item, dtype=np.intp)
    # A stage outside the vocabulary (or none) is -1, as a lookup of its name gives.
    stage = stage_of_name[stage_code].astype(np.intp)
    country = country_code.astype(np.intp)
    # Stage -1 sorts first within its item, as it did when the concentration sorted the rows.
    composite = (item.astype(np.int64) * len(CHAIN_STAGES) + stage) * max(len(countries), 1) + country
    arrays = SourcingArrays(
        item=item,
        stage=stage,
        country=country,
        grouped=np.argsort(composite, kind="stable").astype(np.intp),
        share=sourcing["share"].to_numpy(dtype=np.float64),
        supplier=string_array(sourcing["supplier"]).fillna(""),
        tier=sourcing["tier"].to_numpy(dtype=np.float64),
        countries=pd.Index(np.asarray(countries, dtype=object), dtype=object),
    )
    return ChainMatrix(
        index=index,
        A=A,
        down=down,
        level=level,
        order=order,
        level_bounds=bounds,
        rank=rank,
        A_level=level_ordered(A, order, rank),
        down_level=down[order],
        kind=kind,
        material=material,
        material_code=material_code.astype(np.intp),
        material_ids=np.asarray(material_ids, dtype=object),
        platforms=np.flatnonzero(kind == "platform").astype(np.intp),
        sourcing=arrays,
    )
