"""What one build of the plugin made: files to publish and how many images it encoded.

Module state lives for one build only: reset() runs at the start of each run,
because `pelican -r` and livereload reuse one process.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 25


@dataclass
class BuildState:
    # output-relative path -> cached file that goes there
    published: dict[str, Path] = field(default_factory=dict)
    # content-relative sources this plugin publishes itself (Pelican must not copy them raw)
    taken: set[str] = field(default_factory=set)
    # Pelican's static files this plugin publishes cleaned: (Static, cached file)
    statics: list[tuple[Any, Path]] = field(default_factory=list)
    tools: dict[str, Any] = field(default_factory=dict)
    encoded: int = 0
    reused: int = 0
    started: float = field(default_factory=time.perf_counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def publish(self, relative: str, cached: Path) -> None:
        with self.lock:
            self.published[relative.lstrip("/")] = cached

    def count(self, made: bool) -> None:
        with self.lock:
            self._count(made)

    def _count(self, made: bool) -> None:
        if made:
            self.encoded += 1
            if self.encoded % PROGRESS_EVERY == 0:
                logger.info("mag_illustrated: %d images encoded so far", self.encoded)
        else:
            self.reused += 1


STATE = BuildState()


def reset(*_args: Any) -> None:
    global STATE  # noqa: PLW0603 - one fresh record per build
    STATE = BuildState()


def current() -> BuildState:
    return STATE
