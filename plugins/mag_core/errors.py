"""The one error type for bad content, shared by every plugin of the magazine."""

from __future__ import annotations

from pathlib import Path


class ContentError(Exception):
    """Bad content an editor can fix.

    Carries the file, the line when known, and what to do, so the message can be
    acted on without reading a traceback.
    """

    def __init__(
        self,
        path: str | Path,
        message: str,
        *,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{where}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class BuildStopped(Exception):
    """Raised at the end of a strict build that found content errors: lists them all."""

    exitcode = 1

    def __init__(self, errors: list[ContentError]) -> None:
        self.errors = list(errors)
        # Each problem was printed as it was found: the console shows the summary
        # alone; the full message still lists them for code that only has this.
        self.summary = f"{count_problems(self.errors)}; nothing was published"
        lines = "\n".join(f"  {error}" for error in self.errors)
        super().__init__(f"{self.summary}:\n{lines}")


def count_problems(errors: list[ContentError]) -> str:
    """``2 problems in 2 files``: the summary a stopped build ends with."""
    files = len({error.path for error in errors})
    problems = f"{len(errors)} problem" + ("s" if len(errors) != 1 else "")
    return f"{problems} in {files} file" + ("s" if files != 1 else "")


class SettingsError(ValueError):
    """A plugin setting is unknown or has the wrong shape."""
