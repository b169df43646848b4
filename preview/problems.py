"""Problems a preview pass found, with the file and line an editor can go to.

Pelican and the plugins report bad content through logging (a dev build warns
and goes on), so a pass listens to the log of its own thread; an exception that
stops a pass is turned into problems the same way.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mag_core import BuildStopped, ContentError

TEMPLATE_SUFFIXES = {".html", ".xml", ".txt"}


@dataclass(frozen=True)
class Problem:
    file: str  # as the source named it: content-relative or absolute
    line: int | None
    message: str
    error: bool  # an error (the page may be missing), not only a warning

    @property
    def where(self) -> str:
        if not self.file:
            return ""
        shown = display_path(self.file)
        return f"{shown}:{self.line}" if self.line else shown

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    def names(self, paths: Iterable[str]) -> bool:
        """Is this about one of ``paths`` (absolute)? Sources name files either way."""
        if not self.file:
            return False
        return any(path == self.file or path.endswith("/" + self.file) for path in paths)

    def to_json(self) -> dict:
        return {"where": self.where, "message": self.message, "error": self.error}


def display_path(path: str | Path) -> str:
    """``path`` as an editor types it: relative to the folder the preview runs in, if inside."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def from_exception(error: BaseException) -> list[Problem]:
    """The problems an exception carries: content errors with their lines, template lines."""
    if isinstance(error, BuildStopped):
        return [problem for inner in error.errors for problem in from_exception(inner)]
    if isinstance(error, ContentError):
        text = f"{error.message} ({error.hint})" if error.hint else error.message
        return [Problem(error.path, error.line, text, True)]
    # Jinja's syntax errors and Python's carry file and line; an error raised
    # while a template runs has the template's line in its traceback.
    file = getattr(error, "filename", None) or ""
    line = getattr(error, "lineno", None)
    if not file:
        file, line = _template_frame(error)
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    return [Problem(str(file), line if isinstance(line, int) else None, message, True)]


def _template_frame(error: BaseException) -> tuple[str, int | None]:
    """The innermost template line in ``error``'s traceback (Jinja maps frames to templates)."""
    found: tuple[str, int | None] = ("", None)
    for frame, line in traceback.walk_tb(error.__traceback__):
        if Path(frame.f_code.co_filename).suffix in TEMPLATE_SUFFIXES:
            found = (frame.f_code.co_filename, line)
    return found


def from_record(record: logging.LogRecord) -> list[Problem]:
    error = record.levelno >= logging.ERROR
    args = record.args if isinstance(record.args, tuple) else ()
    for arg in args:
        if isinstance(arg, ContentError):
            return [Problem(arg.path, arg.line, _content_text(arg), error)]
    if record.exc_info and record.exc_info[1] is not None:
        inner = from_exception(record.exc_info[1])
        named = next((str(arg) for arg in args if _looks_like_path(arg)), "")
        if named and not any(problem.file for problem in inner):
            text = f"{record.getMessage()}: {inner[0].message}"
            return [Problem(named, None, text, error)]
        return inner
    named = next((str(arg) for arg in args if _looks_like_path(arg)), "")
    return [Problem(named, None, record.getMessage(), error)]


def _content_text(error: ContentError) -> str:
    return f"{error.message} ({error.hint})" if error.hint else error.message


def _looks_like_path(value: object) -> bool:
    return isinstance(value, (str, Path)) and Path(str(value)).suffix in {".md", ".html", ".rst"}


class _Collector(logging.Handler):
    def __init__(self, thread: int) -> None:
        super().__init__(logging.WARNING)
        self.thread = thread
        self.problems: list[Problem] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.problems.extend(from_record(record))


@contextmanager
def collected() -> Iterator[list[Problem]]:
    """Problems logged by this thread inside the ``with`` block."""
    handler = _Collector(threading.get_ident())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler.problems
    finally:
        root.removeHandler(handler)


def unique(problems: Iterable[Problem]) -> list[Problem]:
    """One line per problem: Pelican and a plugin may report the same file twice."""
    seen: dict[tuple, Problem] = {}
    for problem in problems:
        seen.setdefault((problem.where, problem.message), problem)
    return list(seen.values())
