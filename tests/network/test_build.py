"""F4: the chain matrix takes the item rows the readers and the store hand over (issue 9)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from ketenradar.model.chain import Chain, ChainCodes
from ketenradar.network.build import build_chain_matrix, level_ordered
from ketenradar.services.synth import synthetic_chain


def _same_csr(a: sp.csr_matrix, b: sp.csr_matrix) -> bool:
    return (
        a.shape == b.shape
        and np.array_equal(a.indptr, b.indptr)
        and np.array_equal(a.indices, b.indices)
        and np.array_equal(a.data, b.data)
    )


def test_f04_codes_handed_over_give_the_matrix_of_the_ids() -> None:
    chain = synthetic_chain(300, seed=4, platforms=3)
    looked_up = build_chain_matrix(chain)
    handed = Chain(
        chain.name,
        chain.items,
        chain.bom,
        chain.sourcing,
        codes=ChainCodes.of(chain.items, chain.bom, chain.sourcing),
    )
    matrix = build_chain_matrix(handed)
    assert _same_csr(matrix.A, looked_up.A)
    assert _same_csr(matrix.down, looked_up.down)
    np.testing.assert_array_equal(matrix.level, looked_up.level)
    np.testing.assert_array_equal(matrix.sourcing.item, looked_up.sourcing.item)


def test_f04_build_reads_the_codes_not_the_ids() -> None:
    # The codes are the item rows; build must not look the ids up again. Codes that send the
    # first bom row to another child show up in the matrix.
    chain = synthetic_chain(300, seed=4, platforms=3)
    codes = ChainCodes.of(chain.items, chain.bom, chain.sourcing)
    child = codes.child.copy()
    moved_to = int(codes.child[1]) if codes.child[1] != codes.child[0] else int(codes.child[2])
    child[0] = moved_to
    matrix = build_chain_matrix(
        Chain(
            chain.name,
            chain.items,
            chain.bom,
            chain.sourcing,
            codes=ChainCodes(codes.parent, child, codes.sourcing_item),
        )
    )
    parent = int(codes.parent[0])
    assert matrix.down[parent, moved_to] == pytest.approx(
        chain.bom["quantity"].to_numpy()[(codes.parent == parent) & (child == moved_to)].sum()
    )


def test_f04_level_order_views_have_scipys_layout() -> None:
    matrix = build_chain_matrix(synthetic_chain(500, seed=9, platforms=4))
    order = matrix.order
    assert _same_csr(matrix.A_level, matrix.A[order][:, order].tocsr())
    assert _same_csr(level_ordered(matrix.A, order, matrix.rank), matrix.A_level)
    assert _same_csr(matrix.down_level, matrix.down[order].tocsr())
    np.testing.assert_array_equal(matrix.rank[order], np.arange(matrix.n))


def test_f04_materials_are_coded_in_sorted_order() -> None:
    chain = synthetic_chain(200, seed=2, platforms=2)
    matrix = build_chain_matrix(chain)
    ids = matrix.material_ids.tolist()
    assert ids == sorted(set(chain.items["material"].fillna("")))
    np.testing.assert_array_equal(
        matrix.material_ids[matrix.material_code], chain.items["material"].fillna("").to_numpy(dtype=object)
    )


def test_f04_repeated_ids_are_refused_when_build_looks_them_up() -> None:
    chain = synthetic_chain(100, seed=1, platforms=2)
    items = pd.concat([chain.items, chain.items.iloc[[5]]], ignore_index=True)
    with pytest.raises(ValueError, match="unique"):
        build_chain_matrix(Chain(chain.name, items, chain.bom, chain.sourcing))
