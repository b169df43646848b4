"""The previewed site: the latest good snapshot, the problems of the last pass, a version.

A pass runs in the watcher's thread while requests are answered from the
snapshot the previous pass left, so a slow pass (a new video being encoded, a
template change rebuilding everything) never blocks a page. A pass that fails
keeps the previous snapshot; a page that a broken file made disappear is still
served as it was last seen, under the overlay that says why.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pelican.settings import read_settings

from . import problems as problem_log
from .build import Snapshot, forget_memos, run_pass
from .problems import Problem
from .quick import quick_pages
from .readers import ReadStore
from .templates import MemoryBytecodeCache

logger = logging.getLogger(__name__)

# Pages last served, kept to show while their source is broken: enough for the
# pages an editor has open, bounded so a long session does not grow.
LAST_SEEN_PAGES = 64


class Site:
    def __init__(self, settings_file: str | Path, overrides: dict[str, Any] | None = None) -> None:
        self.settings_file = str(settings_file)
        self.overrides = dict(overrides or {})
        self.store = ReadStore()
        self.templates = MemoryBytecodeCache()
        self.snapshot: Snapshot | None = None
        self.problems: list[Problem] = []
        self.version = 0
        self.building = False
        self.last_pass_seconds = 0.0
        self.quick_shown = self.quick_exact = 0
        self.edited: set[str] = set()  # absolute paths saved while previewing
        self._pass_lock = threading.Lock()
        self._render_lock = threading.Lock()
        self._changed = threading.Condition()
        self._last_seen: OrderedDict[str, str] = OrderedDict()

    def settings(self) -> dict[str, Any]:
        """Read afresh for every pass: plugins add to the settings when a run starts."""
        settings = read_settings(self.settings_file, override=self.overrides)
        jinja = {**settings["JINJA_ENVIRONMENT"], "bytecode_cache": self.templates}
        settings["JINJA_ENVIRONMENT"] = jinja
        return settings

    def rebuild(self, changed: Iterable[str] = (), *, settings_changed: bool = False) -> None:
        """Run a pass for the files in ``changed``; the store re-reads only those."""
        with self._pass_lock:
            changed = [str(Path(path).absolute()) for path in changed]
            self.edited.update(changed)
            self.store.forget(changed)
            if settings_changed:
                self.store.clear()
            self._announce(building=True)
            started = time.perf_counter()
            quick = self.show_quick(changed)
            snapshot, found = self._run()
            self.last_pass_seconds = time.perf_counter() - started
            shown = [p for p in found if p.error or p.names(self.edited)]
            with self._changed:
                if snapshot is not None:
                    self.snapshot = snapshot
                self.problems = problem_log.unique(shown)
                self.building = False
                self.version += 1
                self._changed.notify_all()
            if quick and snapshot is not None:
                self._check_quick(quick, snapshot)
            self._tell(changed)

    def show_quick(self, changed: list[str]) -> dict[str, str]:
        """Put the saved files' own pages up before the pass (:mod:`preview.quick`)."""
        snapshot = self.snapshot
        if snapshot is None or not changed:
            return {}
        with problem_log.collected() as found:
            try:
                pages = quick_pages(snapshot, changed)
            except Exception:  # only a head start: the pass does it properly
                logger.debug("mag_preview: no quick page", exc_info=True)
                return {}
        if not pages or found:  # a warning while reading: the pass shows it with the page
            return {}
        with self._render_lock:
            try:
                rendered = {name: page.render() for name, page in pages.items()}
            except Exception:  # the pass renders it again and reports why
                return {}
            snapshot.pages.update(pages)
            snapshot.rendered.update(rendered)
        with self._changed:
            self.version += 1
            self._changed.notify_all()
        return rendered

    def _check_quick(self, quick: dict[str, str], snapshot: Snapshot) -> None:
        """Count quick pages the pass made the same (the benchmark reports it)."""
        for name, html in quick.items():
            self.quick_shown += 1
            if name in snapshot.pages and self.page(name)[0] == html:
                self.quick_exact += 1
            else:
                logger.debug("mag_preview: the pass changed the quick page %s", name)

    def _run(self) -> tuple[Snapshot | None, list[Problem]]:
        with self._render_lock:
            forget_memos()
        with problem_log.collected() as found:
            try:
                return run_pass(self.settings(), self.store), found
            except Exception as error:  # shown to the editor; the last good pages stay
                logger.debug("mag_preview: pass failed", exc_info=True)
                return None, [*found, *problem_log.from_exception(error)]

    def _tell(self, changed: Iterable[str]) -> None:
        names = ", ".join(Path(path).name for path in changed) or "the whole site"
        took = f"{self.last_pass_seconds:.2f} s"
        if not self.problems:
            logger.info("mag_preview: updated %s in %s", names, took)
            return
        logger.warning("mag_preview: updated %s in %s, with problems:", names, took)
        for problem in self.problems:
            logger.warning("  %s", problem)

    def _announce(self, *, building: bool) -> None:
        with self._changed:
            self.building = building
            self._changed.notify_all()

    def wait_for_change(self, seen: tuple[int, bool], timeout: float) -> tuple[int, bool]:
        """Block until the (version, building) state differs from ``seen`` or ``timeout`` passes."""
        with self._changed:
            self._changed.wait_for(lambda: (self.version, self.building) != seen, timeout)
            return self.version, self.building

    def page(self, name: str) -> tuple[str | None, list[Problem]]:
        """The HTML of output page ``name`` (``2026/slug/index.html``) and the problems to show.

        None when the site has no such page, unless its source is broken: then
        the page as it was last served.
        """
        snapshot, shown = self.snapshot, list(self.problems)
        entry = snapshot.pages.get(name) if snapshot else None
        if entry is None:
            return (self._last_seen.get(name) if shown else None), shown
        with self._render_lock:
            html = snapshot.rendered.get(name)
            if html is None:
                try:
                    html = snapshot.rendered[name] = entry.render()
                except Exception as error:  # shown to the editor; the last good pages stay
                    found = problem_log.from_exception(error)
                    for problem in found:
                        logger.warning("mag_preview: %s", problem)
                    return self._last_seen.get(name), [*shown, *found]
            self._remember(name, html)
        return html, shown

    def _remember(self, name: str, html: str) -> None:
        self._last_seen[name] = html
        self._last_seen.move_to_end(name)
        while len(self._last_seen) > LAST_SEEN_PAGES:
            self._last_seen.popitem(last=False)

    def feed(self, name: str) -> bool:
        """Write feed ``name`` into the output folder if the site has it (then serve the file)."""
        snapshot = self.snapshot
        if snapshot is None:
            return False
        with self._render_lock:
            return snapshot.write_feed(name)

    def page_exists(self, name: str) -> bool:
        snapshot = self.snapshot
        return snapshot is not None and name in snapshot.pages

    def drafts(self) -> list[tuple[str, str]]:
        snapshot = self.snapshot
        return snapshot.drafts() if snapshot else []

    def names(self) -> list[str]:
        snapshot = self.snapshot
        return sorted(snapshot.pages) if snapshot else []

    @property
    def output(self) -> Path:
        """The folder of static files, media and feeds (also before a first good pass)."""
        if self.snapshot is not None:
            return self.snapshot.output
        return Path(self.settings()["OUTPUT_PATH"])
