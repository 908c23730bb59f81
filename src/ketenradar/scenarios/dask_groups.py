"""Monte Carlo on a Dask cluster: the draws' year groups simulated on workers, as in process.

Imported only when a scheduler is asked for, so Dask is needed only then (``pip install
'ketenradar[dask]'``). The draws (seeded per block) are drawn and grouped here; each worker
prepares the chain once per chunk of groups and returns each group's days lost per platform
and member. A group is simulated the same way wherever it runs, so the result equals the
in-process run bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from ketenradar._types import FloatArray, IntArray
from ketenradar.errors import KetenradarError
from ketenradar.locale import _
from ketenradar.model.chain import Chain
from ketenradar.model.refinements import Refinements
from ketenradar.model.scenario import Scenario

__all__ = ["CHUNKS_PER_WORKER", "LOCAL", "run_groups"]

# The scheduler value that starts a local cluster of worker processes.
LOCAL = "dask"
# Chunks of groups per worker: more even out slow and fast groups, fewer prepare the chain less.
CHUNKS_PER_WORKER = 2


def run_groups(
    scheduler: str,
    chain: Chain,
    scenario: Scenario,
    world_shares: pd.DataFrame,
    refinements: Refinements | None,
    offsets: IntArray,
    days: Sequence[IntArray],
    progress: Callable[[int, int], None] | None = None,
    *,
    workers: int | None = None,
) -> list[FloatArray]:
    """Simulate the year groups on Dask workers; return their losses in group order.

    The groups are dealt round-robin into chunks (a few per worker, so that slow and fast
    groups even out); each chunk prepares the chain once on its worker.
    """
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as error:  # pragma: no cover - depends on the installation
        raise KetenradarError(
            _("--scheduler needs Dask: install it with pip install 'ketenradar[dask]'")
        ) from error

    from ketenradar.scenarios.montecarlo import chunk_losses

    cluster = None
    if scheduler == LOCAL:
        import dask

        # The workers' sampling profiler slows a loop of small NumPy calls noticeably.
        with dask.config.set({"distributed.worker.profile.enabled": False}):
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
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        n_chunks = max(1, min(len(offsets), CHUNKS_PER_WORKER * n_workers))
        chunks = [np.arange(c, len(offsets), n_chunks) for c in range(n_chunks)]
        shared = client.scatter([chain, scenario, world_shares, refinements], broadcast=True)
        futures = [
            client.submit(
                chunk_losses, *shared, offsets[chunk], [days[g] for g in chunk.tolist()], pure=False
            )
            for chunk in chunks
        ]
        position = {future.key: n for n, future in enumerate(futures)}
        lost: list[FloatArray | None] = [None] * len(offsets)
        for done, future in enumerate(as_completed(futures), start=1):
            chunk = chunks[position[future.key]]
            for g, group_lost in zip(chunk.tolist(), future.result(), strict=True):
                lost[g] = group_lost
            if progress is not None:
                progress(done, len(futures))
        return [group_lost for group_lost in lost if group_lost is not None]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
