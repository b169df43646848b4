"""Group commit: events are written in batches, and acknowledged only once committed.

Request handlers hand a row to ``BatchWriter.submit`` and await the returned
future. The first row of a batch schedules the write for the event loop's next
turn, so every request read in this turn joins the same transaction; only when
it has been committed are the batch's futures resolved, so a 202 always means
"stored". Waiting a few milliseconds for bigger batches saved CPU but measured
no better at the 99th percentile, and added those milliseconds to every answer.

The write runs in the event loop's thread. A commit that does not wait for the
disk takes a fraction of a millisecond, less than handing it to a thread costs:
a waiting thread needs Python's global lock back to report, and under load the
loop's thread kept winning it, which measured as stalls of tens of milliseconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from .storage import Storage

logger = logging.getLogger(__name__)


class BatchWriter:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._pending: list[tuple[Mapping[str, Any], asyncio.Future]] = []
        self._scheduled: asyncio.Handle | None = None

    def submit(self, row: Mapping[str, Any]) -> asyncio.Future:
        """A future that completes when ``row`` is committed (or fails with the error)."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._pending.append((row, future))
        if self._scheduled is None:
            self._scheduled = loop.call_soon(self._write)
        return future

    @property
    def waiting(self) -> int:
        return len(self._pending)

    def _write(self) -> None:
        self._scheduled = None
        batch, self._pending = self._pending, []
        error: Exception | None = None
        try:
            self.storage.insert_many(row for row, _ in batch)
        except Exception as exc:  # reported to every waiting request as a 503
            logger.exception("analytics: could not store %d events", len(batch))
            error = exc
        for _, future in batch:
            if future.done():  # the client went away; the event is stored all the same
                continue
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)

    async def close(self) -> None:
        """Write what is pending, then close the storage."""
        if self._scheduled is not None:
            self._scheduled.cancel()
        if self._pending:
            self._write()
        self.storage.close()
