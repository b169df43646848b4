"""The one object that lives exactly one build: what this run found and remembers.

Pelican runs several builds in one process (``pelican -r``, livereload, tests),
and reuses one settings dict and, under ``-r``, one ``Pelican`` for all of them.
Per-run state in module globals had to be reset on some signal, and the resets
disagreed (one ran on ``initialized``, which ``pelican -r`` sends once). Here a
fresh :class:`Build` is made when each run asks for its generators (the first
signal of every run) and kept in the run's settings under ``MAG_BUILD``; every
plugin reaches it through :func:`build_of` with the settings it already has, so
nothing of one run can leak into the next.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, MutableMapping
from pathlib import Path
from typing import Any, TypeVar

from .cache import publish_file
from .console import log_problem
from .errors import BuildStopped, ContentError
from .settings import is_strict
from .templating import RenderOnce

logger = logging.getLogger(__name__)

BUILD_SETTING = "MAG_BUILD"
State = TypeVar("State")


class Build:
    """The problems, memos and findings of one run, and the rules that use them."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.strict = is_strict(settings)
        self.problems: list[ContentError] = []
        self.render_once = RenderOnce()
        # Cached files (renditions, derivatives) that go into the output when it is
        # finished: (cached file, output-relative destination).
        self.to_publish: list[tuple[Path, str]] = []
        # Sources made into something else (a video into renditions): never copied raw.
        self.consumed: set[str] = set()
        self._states: dict[str, Any] = {}

    def publish(self, cached: Path, destination: str) -> None:
        """Put ``cached`` at ``destination`` in the output when the build is finished."""
        self.to_publish.append((Path(cached), destination.lstrip("/")))

    def consume(self, source: str | Path) -> None:
        """``source`` was made into something else: Pelican must not copy it as it is."""
        self.consumed.add(str(Path(source).resolve()))

    def state_for(self, plugin: str, make: Callable[[], State]) -> State:
        """A plugin's own record of this build (made on first use)."""
        if plugin not in self._states:
            self._states[plugin] = make()
        return self._states[plugin]

    def publish_all(self, output: Path) -> None:
        """Link (or copy) every cached file into the finished output."""
        for cached, destination in self.to_publish:
            publish_file(cached, Path(output) / destination)

    def report(self, error: ContentError) -> None:
        """A content problem: an error that stops a strict build, a warning otherwise."""
        if self.strict:
            log_problem(logger, error, logging.ERROR)
            self.problems.append(error)
        else:
            log_problem(logger, error, logging.WARNING)

    def warn(self, problem: ContentError) -> None:
        """A problem worth fixing that never stops a build (e.g. captions read too fast)."""
        log_problem(logger, problem, logging.WARNING)

    def stop_if_any(self) -> None:
        """Raise once for every problem a strict build found, before a page is written."""
        if self.problems:
            raise BuildStopped(self.problems)


def drop_statics(generator: Any, drop: Callable[[Any], bool]) -> None:
    """Remove the static files ``drop`` picks from what Pelican copies into the output.

    The one rule for every plugin that publishes a source its own way: Pelican
    copies from ``context["staticfiles"]``, which may be a list other than
    ``generator.staticfiles`` once another plugin replaced it, so both go.
    """
    lists = (generator.staticfiles, generator.context.get("staticfiles", []))
    for files in {id(files): files for files in lists}.values():
        files[:] = [static for static in files if not drop(static)]


def start_build(settings: MutableMapping[str, Any]) -> Build:
    """A new build for this run, replacing the last run's."""
    build = Build(settings)
    settings[BUILD_SETTING] = build
    return build


def build_of(settings: Mapping[str, Any]) -> Build:
    """This run's build; outside a run (a plugin function called on its own), a new one."""
    build = settings.get(BUILD_SETTING)
    if build is None:
        build = Build(settings)
        if isinstance(settings, MutableMapping):
            settings[BUILD_SETTING] = build
    return build
