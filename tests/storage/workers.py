"""Work for the processes of the concurrency tests (spawned: module-level, picklable)."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from ketenradar.services.synth import synthetic_chain
from ketenradar.storage import SqliteStore


def chain_of(name: str, n_items: int = 200, seed: int = 0) -> Any:
    """Return a small synthetic chain stored under ``name``."""
    from dataclasses import replace

    return replace(synthetic_chain(n_items, seed=seed), name=name)


def import_chains(workspace: str, name: str, times: int, seed: int, start: Any) -> dict[str, Any]:
    """Store the chain ``times`` times under ``name``; return the versions got, or the traceback."""
    try:
        store = SqliteStore(Path(workspace))
        chain = chain_of(name, seed=seed)
        start.wait(timeout=120)
        return {"versions": [store.save_chain(chain).version for _ in range(times)]}
    except BaseException:
        return {"error": traceback.format_exc()}


def list_chains(workspace: str, start: Any, stop: Any) -> dict[str, Any]:
    """List the stored chains until ``stop`` is set; return how often, or the traceback."""
    try:
        store = SqliteStore(Path(workspace))
        start.wait(timeout=120)
        listed = 0
        while not stop.is_set() or listed == 0:
            for version in store.list_chains():
                assert version.n_items > 0 and version.n_bom > 0, version
            listed += 1
        return {"listed": listed}
    except BaseException:
        return {"error": traceback.format_exc()}


def load_chain(workspace: str, name: str, start: Any) -> dict[str, Any]:
    """Load the latest version of ``name`` once ``start`` lets go; return its frames, or the traceback."""
    try:
        store = SqliteStore(Path(workspace))
        start.wait(timeout=120)
        chain = store.load_chain(name)
        return {"frames": (chain.items, chain.bom, chain.sourcing)}
    except BaseException:
        return {"error": traceback.format_exc()}
