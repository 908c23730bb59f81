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
from ketenradar.model.index import LabelIndex
from ketenradar.model.vocabulary import CHAIN_STAGES
from ketenradar.network.graph import find_cycle, topological_levels

__all__ = ["ChainMatrix", "SourcingArrays", "build_chain_matrix"]


@dataclass(frozen=True, slots=True)
class SourcingArrays:
    """The chain's sourcing rows as integer codes: one entry per row, in row order."""

    item: IntArray
    stage: IntArray
    country: IntArray
    share: np.ndarray
    supplier: IntArray
    tier: np.ndarray
    countries: pd.Index
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
    level ``k`` starts in ``order``.
    """

    index: LabelIndex
    A: sp.csr_matrix
    down: sp.csr_matrix
    level: IntArray
    order: IntArray
    level_bounds: IntArray
    kind: np.ndarray
    material: np.ndarray
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


def build_chain_matrix(chain: Chain) -> ChainMatrix:
    """Build the sparse matrices of a chain; raise CyclicChain if an item is inside itself."""
    index = LabelIndex.of(chain.items["id"])
    n = len(index)
    parent = index.positions(chain.bom["parent"].to_numpy(dtype=object))
    child = index.positions(chain.bom["child"].to_numpy(dtype=object))
    quantity = chain.bom["quantity"].to_numpy(dtype=np.float64)
    A = sp.csr_matrix((quantity, (child, parent)), shape=(n, n))
    down = sp.csr_matrix((quantity, (parent, child)), shape=(n, n))
    level = topological_levels(parent, child, n)
    if (level < 0).any():
        cycle = find_cycle(parent, child, np.flatnonzero(level < 0))
        raise CyclicChain([str(index.labels[i]) for i in cycle])
    order = np.argsort(level, kind="stable").astype(np.intp)
    bounds = np.searchsorted(level[order], np.arange(level.max() + 2)).astype(np.intp)
    kind = chain.items["kind"].to_numpy(dtype=object)
    sourcing = chain.sourcing
    country_code, countries = pd.factorize(sourcing["country"].to_numpy(dtype=object), sort=True)
    supplier_code, _ = pd.factorize(sourcing["supplier"].fillna("").to_numpy(dtype=object))
    named = sourcing["supplier"].fillna("").to_numpy(dtype=object) != ""
    arrays = SourcingArrays(
        item=index.positions(sourcing["item"].to_numpy(dtype=object)),
        stage=pd.Index(CHAIN_STAGES).get_indexer(sourcing["stage"].to_numpy(dtype=object)).astype(np.intp),
        country=country_code.astype(np.intp),
        share=sourcing["share"].to_numpy(dtype=np.float64),
        supplier=np.where(named, supplier_code, -1).astype(np.intp),
        tier=sourcing["tier"].to_numpy(dtype=np.float64),
        countries=pd.Index(countries, dtype=object),
    )
    return ChainMatrix(
        index=index,
        A=A,
        down=down,
        level=level,
        order=order,
        level_bounds=bounds,
        kind=kind,
        material=chain.items["material"].fillna("").to_numpy(dtype=object),
        platforms=np.flatnonzero(kind == "platform").astype(np.intp),
        sourcing=arrays,
    )
