"""Monte Carlo blocks on a Dask cluster: the same blocks and seeds as in process, run on workers.

Imported only when a scheduler is asked for, so Dask is needed only then (``pip install
'ketenradar[dask]'``). Each worker builds the chain's matrix once per block and returns the
block's days lost per variant, draw and platform; the blocks come back in their order, so the
result equals the in-process run bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from ketenradar._types import FloatArray, IntArray
from ketenradar.errors import KetenradarError
from ketenradar.locale import _
from ketenradar.model.chain import Chain
from ketenradar.model.refinements import Refinements
from ketenradar.model.scenario import Scenario

__all__ = ["LOCAL", "run_blocks"]

# The scheduler value that starts a local cluster of worker processes.
LOCAL = "dask"


def run_blocks(
    scheduler: str,
    chain: Chain,
    scenario: Scenario,
    world_shares: pd.DataFrame,
    refinements: Refinements | None,
    blocks: Sequence[IntArray],
    progress: Callable[[int, int], None] | None = None,
    *,
    workers: int | None = None,
) -> list[FloatArray]:
    """Run every block of draws on Dask workers; return their days lost in block order."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as error:  # pragma: no cover - depends on the installation
        raise KetenradarError(
            _("--scheduler needs Dask: install it with pip install 'ketenradar[dask]'")
        ) from error

    from ketenradar.scenarios.montecarlo import block_losses

    cluster = None
    if scheduler == LOCAL:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as error:
            raise KetenradarError(
                _("cannot reach the Dask scheduler at {address}: {error}").format(
                    address=scheduler, error=error
                )
            ) from error
    try:
        shared = client.scatter([chain, scenario, world_shares, refinements], broadcast=True)
        futures = [client.submit(block_losses, *shared, block, pure=False) for block in blocks]
        position = {future.key: n for n, future in enumerate(futures)}
        results: list[FloatArray | None] = [None] * len(futures)
        for done, future in enumerate(as_completed(futures), start=1):
            results[position[future.key]] = future.result()
            if progress is not None:
                progress(done, len(futures))
        return [r for r in results if r is not None]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
