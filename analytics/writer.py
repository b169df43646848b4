"""Group commit: events are written in batches, and acknowledged only once committed.

Request handlers hand a row to ``BatchWriter.submit`` and await the returned
future. Rows are written one batch at a time: the batch's rows go into a
transaction in the event loop's thread, the commit (the disk flush) runs in a
thread of its own, and only when it returns are the batch's futures resolved,
so a 202 always means "on disk". While one batch commits, the next collects
everything that arrives meanwhile: under load the batches grow and one flush
serves many events.

Only the commit leaves the event loop's thread. Binding rows is Python work:
done in another thread it would fight the request handlers for Python's global
lock on every row, which measured several times slower here. The flush needs
no lock, and done in the loop's thread it stalled every request behind it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .storage import Storage

logger = logging.getLogger(__name__)


class BatchWriter:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._pending: list[tuple[Mapping[str, Any], asyncio.Future]] = []
        self._committer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="analytics-commit")
        self._task: asyncio.Task | None = None

    def submit(self, row: Mapping[str, Any]) -> asyncio.Future:
        """A future that completes when ``row`` is committed (or fails with the error)."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._pending.append((row, future))
        if self._task is None:
            # Starts on the loop's next turn, so this turn's requests join the batch.
            self._task = loop.create_task(self._write_all())
        return future

    @property
    def waiting(self) -> int:
        return len(self._pending)

    async def _write_all(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                error: Exception | None = None
                try:
                    self.storage.stage(row for row, _ in batch)
                    await loop.run_in_executor(self._committer, self.storage.commit)
                except Exception as exc:  # reported to every waiting request as a 503
                    logger.exception("analytics: could not store %d events", len(batch))
                    error = exc
                _settle(batch, error)
        finally:
            self._task = None

    async def close(self) -> None:
        """Write what is pending, then close the storage."""
        if self._task is not None:
            await self._task
        if self._pending:
            await self._write_all()
        self._committer.shutdown()
        self.storage.close()


def _settle(batch: list[tuple[Mapping[str, Any], asyncio.Future]], error: Exception | None) -> None:
    for _, future in batch:
        if future.done():  # the client went away; the event is stored all the same
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)
