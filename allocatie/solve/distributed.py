"""Run the independent parts of a problem on a Dask cluster.

A national run falls apart into hundreds of municipal parts (see
:mod:`allocatie.solve.split`); scenario sweeps multiply that. Dask spreads the parts
over a local cluster (all cores of this machine) or an existing cluster given by
its scheduler address. The parts are the same whatever runs them, so the plan is
identical to a single-process run — the tests check it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def dask_map(
    scheduler: str | None = None, workers: int | None = None
) -> Iterator[Callable[[Callable[[Any], Any], Iterable[Any]], list[Any]]]:
    """A ``map(fn, items)`` that runs on Dask, for :func:`allocatie.solve.solve`.

    Parameters
    ----------
    scheduler
        Address of an existing scheduler (``tcp://host:8786``); ``None`` starts a
        local cluster for the duration of the ``with`` block.
    workers
        Worker processes of the local cluster (default: one per core).
    """
    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)

    def map_parts(fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        futures = client.map(fn, list(items), pure=False)
        return client.gather(futures)

    try:
        yield map_parts
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
