"""Group commit: events are written in batches, and acknowledged only once committed.

Request handlers hand a row to ``BatchWriter.submit`` and await the returned
future. One thread takes everything queued, stores it in one transaction and
only then resolves the futures, so a 202 always means "on disk". While a batch
commits, new events queue up and go into the next one: under load the batches
grow and the cost of a commit is shared by many events.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Mapping
from typing import Any

from .storage import Storage

logger = logging.getLogger(__name__)

_STOP = object()


class Overloaded(RuntimeError):
    """More events are waiting than the writer may hold; the client should retry later."""


class BatchWriter:
    def __init__(self, storage: Storage, *, max_batch: int = 2000, max_waiting: int = 20000):
        self.storage = storage
        self.max_batch = max_batch
        self.max_waiting = max_waiting
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="analytics-writer", daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._thread.start()

    def submit(self, row: Mapping[str, Any]) -> asyncio.Future:
        """A future that completes when ``row`` is committed (or fails with the error)."""
        if self._queue.qsize() >= self.max_waiting:
            raise Overloaded("too many events waiting to be written")
        future = self._loop.create_future()
        self._queue.put((row, future))
        return future

    @property
    def waiting(self) -> int:
        return self._queue.qsize()

    def stop(self) -> None:
        """Write what is queued, then end the thread."""
        self._queue.put(_STOP)
        self._thread.join()
        self.storage.close()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            batch = [self._queue.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if _STOP in batch:
                stopping = True
                batch = [item for item in batch if item is not _STOP]
            if batch:
                self._write(batch)

    def _write(self, batch: list[tuple[Mapping[str, Any], asyncio.Future]]) -> None:
        error: BaseException | None = None
        try:
            self.storage.insert_many(row for row, _ in batch)
        except Exception as exc:  # reported to every waiting request as a 503
            logger.exception("analytics: could not store %d events", len(batch))
            error = exc
        futures = [future for _, future in batch]
        # One hop into the event loop per batch, not per event.
        self._loop.call_soon_threadsafe(_settle, futures, error)


def _settle(futures: list[asyncio.Future], error: BaseException | None) -> None:
    for future in futures:
        if future.done():  # the client went away; the event is stored all the same
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)
