"""Where design points run: in this process, a local process pool, or a Dask cluster.

Each executor yields results as they complete (in any order) and keeps only a bounded
number of points in flight, so an interrupt loses little work and cancels the rest.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any

from sim.errors import SimulationError

CONNECT_TIMEOUT_S = 20


class InlineExecutor:
    """Runs every item in the calling process (``--workers 1``; easiest to debug)."""

    workers = 1
    description = "in-process"

    def map_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        for item in items:
            yield fn(item)

    def close(self) -> None:
        return None


class PoolExecutor:
    """A local process pool of ``workers`` processes (spawned, so no state leaks in)."""

    def __init__(self, workers: int):
        self.workers = workers
        self.description = f"local process pool, {workers} workers"
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_ignore_interrupts)

    def map_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        pending = iter(items)
        running = set()
        limit = 2 * self.workers
        try:
            while True:
                for item in pending:
                    running.add(self._pool.submit(fn, item))
                    if len(running) >= limit:
                        break
                if not running:
                    return
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        finally:
            for future in running:
                future.cancel()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class DaskExecutor:
    """Points run as tasks on a Dask cluster (``--scheduler tcp://host:8786``)."""

    def __init__(self, address: str):
        try:
            from distributed import Client
        except ImportError:
            raise SimulationError("--scheduler needs Dask: pip install 'einsim[distributed]'") from None
        try:
            self._client = Client(address, timeout=f"{CONNECT_TIMEOUT_S}s")
        except (OSError, TimeoutError) as exc:
            raise SimulationError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        self._owns_client = True
        self.workers = max(1, sum(w.get("nthreads", 1) for w in self._client.scheduler_info()["workers"].values()))
        self.description = f"Dask scheduler {address}, {self.workers} worker threads"

    def map_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        from distributed import as_completed

        pending = iter(items)
        limit = 2 * self.workers
        first = [self._client.submit(fn, item, pure=False) for _, item in zip(range(limit), pending, strict=False)]
        if not first:
            return
        queue = as_completed(first)
        try:
            for future in queue:
                result = future.result()
                future.release()
                nxt = next(pending, None)
                if nxt is not None:
                    queue.add(self._client.submit(fn, nxt, pure=False))
                yield result
        finally:
            for future in queue.futures:
                future.cancel()

    def close(self) -> None:
        if self._owns_client:
            self._client.close()


def _ignore_interrupts() -> None:
    """Pool workers leave Ctrl-C to the parent, which stores what finished and cancels the rest."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def make_executor(workers: int | None, scheduler: str | None):
    if scheduler:
        return DaskExecutor(scheduler)
    count = workers or multiprocessing.cpu_count()
    return InlineExecutor() if count <= 1 else PoolExecutor(count)
