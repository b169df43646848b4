"""What one build of the plugin made: files to publish and how many images it encoded.

The record lives on the run's Build (mag_core.build), so `pelican -r` and
livereload, which reuse one process, start every run with a fresh one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mag_core.build import build_of

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


def state_of(settings: Mapping[str, Any]) -> BuildState:
    """This run's record (made on first use)."""
    return build_of(settings).state_for("mag_illustrated", BuildState)
