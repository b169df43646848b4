"""What a saved file means for the preview, and the loop that watches for saves.

Content files are re-read one by one (the store notices which changed); a
template change makes the pass compile that template again; a settings change
drops everything read, since readers depend on the settings; a change to
plugin code cannot be taken into a running process, so the caller restarts it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import watchfiles

from .site import Site

logger = logging.getLogger(__name__)

# Milliseconds of quiet before a batch of changes is taken: an editor's save
# (write, rename, touch) arrives as several events within a few milliseconds.
QUIET_MS = 30
# The watcher wakes this often without changes, to say it is ready and to see ``stop``.
WAKE_MS = 500


@dataclass
class Sources:
    """The folders and files a preview watches, from the site's settings."""

    settings_file: Path
    content: Path
    theme: Path
    code: list[Path] = field(default_factory=list)

    @classmethod
    def of(cls, site: Site) -> Sources:
        settings = site.settings()
        code = [Path(path).absolute() for path in settings.get("PLUGIN_PATHS", [])]
        return cls(
            Path(site.settings_file).absolute(),
            Path(settings["PATH"]).absolute(),
            Path(settings["THEME"]).absolute(),
            code,
        )

    def paths(self) -> list[Path]:
        candidates = [self.settings_file, self.content, self.theme, *self.code]
        return [path for path in candidates if path.exists()]

    def is_code(self, path: Path) -> bool:
        return path.suffix == ".py" and any(path.is_relative_to(root) for root in self.code)


def apply(site: Site, sources: Sources, changed: Iterable[str]) -> bool:
    """Bring ``site`` up to date with ``changed``; False if plugin code changed (restart)."""
    paths = sorted({Path(path).absolute() for path in changed})
    if any(sources.is_code(path) for path in paths):
        return False
    site.rebuild(
        [str(path) for path in paths],
        settings_changed=sources.settings_file in paths,
    )
    return True


def watch(
    site: Site,
    stop: threading.Event,
    on_code_change: Callable[[], None],
    ready: threading.Event | None = None,
) -> None:
    """Rebuild on every save until ``stop`` is set (run it in a thread of its own).

    ``ready`` is set once the watches are in place: a save before that is not seen.
    """
    sources = Sources.of(site)
    batches = watchfiles.watch(
        *sources.paths(),
        stop_event=stop,
        step=QUIET_MS,
        rust_timeout=WAKE_MS,
        yield_on_timeout=True,
    )
    for changes in batches:
        if ready is not None:
            ready.set()
        if changes and not apply(site, sources, (path for _, path in changes)):
            logger.warning("mag_preview: plugin code changed; restarting to load it")
            on_code_change()
            return
