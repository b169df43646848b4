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

A server database (``storage.slow_commits``: PostgreSQL) is the exception: its
COMMIT waits milliseconds for another process and its disk, so it runs on a thread of
its own, one batch at a time, and the requests read meanwhile make the next batch.

A batch that fails is tried again event by event, so one event the database
refuses costs no other event its 202: before, a single lone surrogate in a
referrer failed the whole transaction and every request in it got a 503. An
event that fails on its own is answered 400 when the fault is in the event (the
database cannot take its values; the reason names the value that breaks the
validator's own rule for text, schema.storable_text, when one does) and 503 when
it is in the storage. When the storage itself is unavailable (the file gone),
nothing is tried again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from .schema import Invalid, storable_text
from .storage import Storage, Unavailable

if TYPE_CHECKING:
    from .postgres import PostgresStorage

logger = logging.getLogger(__name__)

LOG_EVERY = 10.0  # seconds between log lines about events refused for an unavailable database


class BatchWriter:
    def __init__(self, storage: Storage | PostgresStorage) -> None:
        self.storage = storage
        self._pending: list[tuple[Mapping[str, Any], asyncio.Future]] = []
        self._scheduled: asyncio.Handle | None = None
        self._refused = 0  # events refused since the last log line about it
        self._next_log = 0.0
        # A server database's COMMIT waits on another process and its disk (milliseconds):
        # it runs on a thread of its own, one batch at a time, while the loop goes on
        # reading requests into the next batch. SQLite's stays in the loop (see above).
        self._thread = ThreadPoolExecutor(1) if storage.slow_commits else None
        self._in_flight: asyncio.Future | None = None

    def submit(self, row: Mapping[str, Any]) -> asyncio.Future:
        """A future that completes when ``row`` is committed (or fails with the error)."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._pending.append((row, future))
        if self._scheduled is None and self._in_flight is None:
            self._scheduled = loop.call_soon(self._write)
        return future

    @property
    def waiting(self) -> int:
        return len(self._pending)

    def _write(self) -> None:
        self._scheduled = None
        batch, self._pending = self._pending, []
        if not batch:
            return
        if self._thread is None:
            self._answer(batch, self._store(batch))
            return
        loop = asyncio.get_running_loop()
        self._in_flight = loop.run_in_executor(self._thread, self._store, batch)
        self._in_flight.add_done_callback(lambda done: self._stored(batch, done))

    def _stored(self, batch: list, done: asyncio.Future) -> None:
        """A batch's commit on the thread ended: answer it, and start the next one."""
        self._in_flight = None
        error = asyncio.CancelledError() if done.cancelled() else done.exception()
        self._answer(batch, [error] * len(batch) if error else done.result())
        if self._pending and self._scheduled is None:
            self._scheduled = asyncio.get_running_loop().call_soon(self._write)

    def _store(self, batch: list) -> list[Exception | None]:
        """Store a batch: per event, None (committed) or the error to answer with."""
        try:
            self.storage.insert_many(row for row, _ in batch)
        except Unavailable as error:  # every event would fail the same way
            self._unavailable(len(batch), error)
            return [error] * len(batch)
        except Exception as error:  # answered per event below
            if len(batch) == 1:
                return [self._blame(batch[0][0], error)]
            logger.warning("analytics: a batch of %d events failed (%s)", len(batch), error)
            return [self._one(row) for row, _ in batch]
        return [None] * len(batch)

    @staticmethod
    def _answer(batch: list, errors: list[Exception | None]) -> None:
        for (_, future), error in zip(batch, errors, strict=True):
            if future.done():  # the client went away; the event is stored all the same
                continue
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)

    def _unavailable(self, count: int, error: Unavailable) -> None:
        """Log refused events at most every LOG_EVERY seconds: at 1,000 a second, one line a batch
        would bury everything else in the log."""
        self._refused += count
        now = time.monotonic()
        if now >= self._next_log:
            logger.error("analytics: %d events refused (503): %s", self._refused, error)
            self._refused = 0
            self._next_log = now + LOG_EVERY

    def _one(self, row: Mapping[str, Any]) -> Exception | None:
        """Store one event in a transaction of its own: None, or the error to answer with."""
        try:
            self.storage.insert_many((row,))
        except Exception as error:  # the error is the answer
            return self._blame(row, error)
        return None

    def _blame(self, row: Mapping[str, Any], error: Exception) -> Exception:
        """Invalid (400) when the event's own values were refused, else the storage error (503)."""
        refused = (UnicodeError, ValueError, OverflowError, *self.storage.DATA_ERRORS)
        if isinstance(error, refused):
            logger.warning("analytics: an event could not be stored (%s): %r", error, row)
            reason = _unstorable(row) or f"the event cannot be stored ({type(error).__name__})"
            return Invalid(reason)
        logger.error("analytics: could not store an event: %s", error)
        return error

    async def close(self) -> None:
        """Write what is pending (after the batch in flight, if any), then close the storage."""
        while self._in_flight is not None or self._pending:
            if self._scheduled is not None:  # written here instead
                self._scheduled.cancel()
                self._scheduled = None
            if self._in_flight is not None:
                await asyncio.wait([self._in_flight])  # its callback answers it first
                continue
            batch, self._pending = self._pending, []
            if self._thread is None:
                self._answer(batch, self._store(batch))
            else:
                loop = asyncio.get_running_loop()
                self._answer(batch, await loop.run_in_executor(self._thread, self._store, batch))
        if self._scheduled is not None:
            self._scheduled.cancel()
        if self._thread is not None:
            self._thread.shutdown()
        self.storage.close()


def _unstorable(row: Mapping[str, Any]) -> str | None:
    """Which value breaks the validator's rule for text (schema.storable_text), if one does."""
    for name, value in row.items():
        if isinstance(value, str):
            try:
                storable_text(value)
            except Invalid as error:
                return f"field {name!r}: {error}"
    return None
