"""What a build prints: one unbroken line per content problem, for people and for CI.

Pelican's own log handler (Rich) wraps at the terminal's width, and at 80
columns when there is no terminal, so a CI log folded ``bad.md:3`` across two
lines and a test's verdict depended on the length of the temporary path. Here a
problem is always one line, ``content/articles/x.md:3: message (hint)``, with
the path relative to the folder the command runs in; a terminal gets colour, a
log gets plain text. Under GitHub Actions each problem is also printed as a
workflow command (``::error file=…,line=…::…``) so it shows on the pull
request's diff; under GitLab CI the problems are written as a Code Quality
report. Both are read from the CI's own variables, as ``git`` and ``pytest``
do: they say where the output goes, not how the site is built.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from .errors import ContentError
from .unread import PELICAN_SKIP_MESSAGES

# A log record that carries a content problem has it under this attribute
# (``logger.warning(..., extra={PROBLEM: error})``).
PROBLEM = "mag_problem"

GITLAB_REPORT = "gl-code-quality-report.json"

_COLOURS = {logging.WARNING: "\033[33m", logging.ERROR: "\033[31m", logging.CRITICAL: "\033[31m"}
_RESET = "\033[0m"


def display_path(path: str | Path, base: Path | None = None) -> str:
    """``path`` relative to ``base`` (the working folder) when inside it, else as given."""
    base = (base or Path.cwd()).resolve()
    absolute = Path(path).resolve()
    try:
        return absolute.relative_to(base).as_posix()
    except ValueError:
        return str(path)


def problem_line(problem: ContentError, base: Path | None = None) -> str:
    """``content/articles/x.md:3: unknown key 'Catgory' (did you mean 'Category'?)``."""
    where = display_path(problem.path, base)
    if problem.line:
        where = f"{where}:{problem.line}"
    text = f"{where}: {problem.message}"
    return f"{text} ({problem.hint})" if problem.hint else text


def github_annotation(problem: ContentError, level: int, base: Path | None = None) -> str:
    """A GitHub Actions workflow command that marks the line on the pull request's diff."""
    kind = "error" if level >= logging.ERROR else "warning"
    properties = f"file={_escape_property(display_path(problem.path, base))}"
    if problem.line:
        properties += f",line={problem.line}"
    message = problem.message + (f" ({problem.hint})" if problem.hint else "")
    return f"::{kind} {properties}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    # The workflow-command syntax: %, CR and LF would end or corrupt the command.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def code_quality_entry(problem: ContentError, level: int, base: Path | None = None) -> dict:
    """One issue of a GitLab Code Quality report (the subset GitLab reads)."""
    path = display_path(problem.path, base)
    description = problem.message + (f" ({problem.hint})" if problem.hint else "")
    fingerprint = hashlib.sha256(f"{path}\0{problem.line}\0{description}".encode()).hexdigest()
    return {
        "description": description,
        "check_name": "mag-content",
        "fingerprint": fingerprint,
        "severity": "major" if level >= logging.ERROR else "minor",
        "location": {"path": path, "lines": {"begin": problem.line or 1}},
    }


class ProblemHandler(logging.Handler):
    """Prints log records as plain lines; content problems as ``file:line: message``.

    It also keeps every problem it printed, so the build can summarise them and
    write a CI report at the end.
    """

    def __init__(self, stream: IO[str], *, colour: bool, github: bool) -> None:
        super().__init__()
        self.stream, self.colour, self.github = stream, colour, github
        self.problems: list[tuple[int, ContentError]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg in PELICAN_SKIP_MESSAGES:
            return  # the build names that file itself, with the reason (mag_core.unread)
        try:
            problem = getattr(record, PROBLEM, None)
            if problem is not None:
                self.problems.append((record.levelno, problem))
                lines = [self._paint(problem_line(problem), record.levelno)]
                if self.github:
                    lines.append(github_annotation(problem, record.levelno))
            else:
                lines = [self._paint(self._plain(record), record.levelno)]
            self.stream.write("\n".join(lines) + "\n")
            self.stream.flush()
        except Exception:  # a broken pipe must not turn a log line into a crash
            self.handleError(record)

    @staticmethod
    def _plain(record: logging.LogRecord) -> str:
        text = record.getMessage()
        if record.exc_info and record.levelno >= logging.ERROR:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        if record.levelno >= logging.WARNING:
            return f"{record.levelname.lower()}: {text}"
        return text

    def _paint(self, text: str, level: int) -> str:
        colour = _COLOURS.get(level) if self.colour else None
        return f"{colour}{text}{_RESET}" if colour else text


def wants_colour(stream: IO[str], environ: Mapping[str, str]) -> bool:
    """Colour on a terminal, plain text in logs (https://no-color.org)."""
    if environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def install(
    level: int = logging.WARNING,
    stream: IO[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> ProblemHandler:
    """Make the root logger print through one :class:`ProblemHandler` (replacing others).

    Called again in the same process (a task that builds, then checks), it
    keeps the handler it installed and the problems that handler has seen.
    """
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, ProblemHandler):
            return handler
    environ = os.environ if environ is None else environ
    stream = stream or sys.stderr
    handler = ProblemHandler(
        stream,
        colour=wants_colour(stream, environ),
        github=environ.get("GITHUB_ACTIONS") == "true",
    )
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Pelican says "Done: Processed …" at INFO: quiet success stays quiet.
    logging.getLogger("pelican").setLevel(max(level, logging.WARNING))
    return handler


def log_problem(log: logging.Logger, problem: ContentError, level: int) -> None:
    """Log a content problem so that :class:`ProblemHandler` prints it as one line."""
    log.log(level, "mag: %s", problem, extra={PROBLEM: problem})


def write_ci_reports(
    problems: list[tuple[int, ContentError]],
    environ: Mapping[str, Any] | None = None,
    folder: Path | None = None,
) -> Path | None:
    """Under GitLab CI, write the problems as a Code Quality report; return its path."""
    environ = os.environ if environ is None else environ
    if environ.get("GITLAB_CI") != "true":
        return None
    report = (folder or Path.cwd()) / GITLAB_REPORT
    entries = [code_quality_entry(problem, level) for level, problem in problems]
    report.write_text(json.dumps(entries, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return report
