"""What Pelican's readers made of each source file, kept in memory between saves.

Reading (Markdown to HTML, front matter to metadata) is most of a build's
context work: on 1,000 articles a pass over unchanged files takes about a fifth
of the time a pass that reads them does. Pelican's own content cache pickles the
same data to disk and loads the whole pickle in every new generator, which costs
more than it saves on a long-lived server; this keeps it in memory instead.

The cache sits at Pelican's reader layer, not the generator layer, on purpose:
every pass still builds fresh ``Article`` objects and sends every signal, so
plugins see exactly what they see in a full build.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from pelican.readers import Readers

Stamp = tuple[int, int]


def stamp_of(path: str) -> Stamp | None:
    """Modification time and size: an editor's save changes at least one of them."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


def _fresh(metadata: dict[str, Any]) -> dict[str, Any]:
    """A copy whose lists and dicts a plugin may change without changing the kept one."""
    return {
        key: (type(value)(value) if isinstance(value, (list, dict, set)) else value)
        for key, value in metadata.items()
    }


class ReadStore:
    """(content, metadata) per source file and the stamp it was read at."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[Stamp, tuple[str, dict[str, Any]]]] = {}
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        self.reads = 0  # files actually parsed: what the tests and benchmark count

    def get(self, path: str) -> tuple[str, dict[str, Any]] | None:
        with self._lock:
            self._seen.add(path)
            kept = self._kept.get(path)
        if kept is None or kept[0] != stamp_of(path):
            return None
        content, metadata = kept[1]
        return content, _fresh(metadata)

    def put(self, path: str, data: tuple[str, dict[str, Any]]) -> None:
        stamp = stamp_of(path)
        if stamp is None:
            return
        content, metadata = data
        with self._lock:
            self.reads += 1
            self._kept[path] = (stamp, (content, _fresh(metadata)))

    def forget(self, paths) -> None:
        """Re-read these next time even if their stamp looks the same.

        File times tick in steps of a few milliseconds; two saves of the same
        size within one step would otherwise look unchanged.
        """
        with self._lock:
            for path in paths:
                self._kept.pop(str(path), None)

    def start_pass(self) -> None:
        with self._lock:
            self._seen.clear()

    def end_pass(self) -> None:
        """Forget files no generator asked for in the pass just ended (deleted or moved)."""
        with self._lock:
            for path in set(self._kept) - self._seen:
                del self._kept[path]

    def clear(self) -> None:
        """After a settings change: what a reader makes of a file may have changed."""
        with self._lock:
            self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)


class MemoryReaders(Readers):
    """Pelican's readers with their per-file cache in a :class:`ReadStore`."""

    def __init__(self, settings: dict[str, Any], store: ReadStore) -> None:
        super().__init__(settings)
        self.store = store

    def get_cached_data(self, filename, default=None):
        kept = self.store.get(filename)
        return default if kept is None else kept

    def cache_data(self, filename, data) -> None:
        self.store.put(filename, data)

    def save_cache(self) -> None:
        """Nothing goes to disk: the store lives as long as the preview server."""
