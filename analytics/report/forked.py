"""Run one function in a forked child while this process does something else.

The report's last step has two independent halves: the CSV files (pure Python over
the computed figures, about a second at a million events) and the dashboard. A
forked child shares the computed report without copying or pickling it, so on two
cores the halves overlap. Where fork is not available the
function runs here, first.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)


class Forked:
    """``function(*args)`` started in a child; ``result()`` waits for it and returns it."""

    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        self._process = None
        if "fork" not in multiprocessing.get_all_start_methods():
            self._outcome = _outcome(function, args)
            return
        context = multiprocessing.get_context("fork")
        self._receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_send, args=(sender, function, args))
        self._process.start()
        sender.close()  # the child holds the only sending end: its death ends the pipe

    def result(self) -> Any:
        """The function's value, or its exception raised here."""
        if self._process is not None:
            try:
                self._outcome = self._receiver.recv()
            except EOFError:
                stopped = RuntimeError("the child process stopped without a result")
                self._outcome = (False, stopped)
            finally:
                self._receiver.close()
                self._process.join()
                self._process = None
        ok, value = self._outcome
        if not ok:
            raise value.rebuild() if isinstance(value, _Raised) else value
        return value

    def cancel(self) -> None:
        """Stop the child (this process failed first) and wait for it to end."""
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._receiver.close()
            self._process = None


def _outcome(function: Callable[..., Any], args: tuple) -> tuple[bool, Any]:
    try:
        return True, function(*args)
    except Exception as error:  # any error: handed to the parent, which raises it
        return False, error


def _send(sender, function: Callable[..., Any], args: tuple) -> None:
    ok, value = _outcome(function, args)
    if not ok:
        value = _Raised(value)
    try:
        sender.send((ok, value))
    except Exception:  # not picklable: its text, the parent still fails with it
        logger.debug("analytics.report: the child's outcome cannot be pickled", exc_info=True)
        sender.send((False, _Raised(RuntimeError(f"{value.__class__.__name__}: {value}"))))
    finally:
        sender.close()


class _Raised:
    """An exception sent as class, args and attributes: pickle alone cannot rebuild one
    whose ``__init__`` takes other arguments than its args (ContentError's path, line)."""

    def __init__(self, error: BaseException) -> None:
        self.kind, self.args, self.state = type(error), error.args, dict(vars(error))

    def rebuild(self) -> BaseException:
        error = self.kind.__new__(self.kind)
        error.args = self.args
        error.__dict__.update(self.state)
        return error
