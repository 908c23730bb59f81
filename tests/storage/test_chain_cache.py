"""The decoded-chain cache: one decode per stored version, bounded by items, most recent kept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ketenradar.model.chain import Chain
from ketenradar.services.synth import synthetic_chain
from ketenradar.storage import SqliteStore
from ketenradar.storage.chain_cache import ChainCache


def test_a_version_is_decoded_once_and_the_oldest_goes_first() -> None:
    small, other = synthetic_chain(40, seed=1), synthetic_chain(60, seed=2)
    loads: list[str] = []

    def loader(name: str, chain: Chain) -> Callable[[], Chain]:
        def load() -> Chain:
            loads.append(name)
            return chain

        return load

    cache = ChainCache(max_items=len(small.items) + len(other.items))
    assert cache.get("a", loader("a", small)) is small
    assert cache.get("a", loader("a", small)) is small
    assert cache.get("b", loader("b", other)) is other
    assert loads == ["a", "b"]
    # A third chain pushes out the least recently used one ("a"), not "b" just read.
    cache.get("b", loader("b", other))
    cache.get("c", loader("c", small))
    cache.get("b", loader("b", other))
    cache.get("a", loader("a", small))
    assert loads == ["a", "b", "c", "a"]


def test_a_chain_larger_than_the_cache_is_not_kept() -> None:
    chain = synthetic_chain(50, seed=3)
    cache = ChainCache(max_items=10)
    loads: list[int] = []

    def load() -> Chain:
        loads.append(1)
        return chain

    for _ in range(2):
        assert cache.get("big", load) is chain
    assert loads == [1, 1]


def test_the_workspace_reads_each_version_once_and_new_versions_anew(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "w.sqlite")
    first, second = synthetic_chain(40, seed=1), synthetic_chain(40, seed=2)
    store.save_chain(_named(first, "x"))
    one = store.load_chain("x")
    assert store.load_chain("x") is one  # the same decoded version
    store.save_chain(_named(second, "x"))
    two = store.load_chain("x")
    assert two is not one and two.version == 2 and store.load_chain("x", 1) is one
    # A second store on the same file has its own cache, and reads the same data.
    assert SqliteStore(tmp_path / "w.sqlite").load_chain("x").items.equals(two.items)


def _named(chain: Chain, name: str) -> Chain:
    return replace(chain, name=name)
