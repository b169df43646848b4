"""A preview server on loopback for the tests: the site, its HTTP server, optionally its watcher."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from preview import PreviewServer, Site
from preview.watch import watch


class RunningPreview:
    def __init__(self, site: Site, watching: bool) -> None:
        self.site = site
        self.server = PreviewServer(site, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.server.serve_forever, daemon=True)]
        if watching:
            args = (site, self.stop, self.stop.set)
            self.threads.append(threading.Thread(target=watch, args=args, daemon=True))
        for thread in self.threads:
            thread.start()

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
        for thread in self.threads[1:]:
            thread.join(timeout=30)


def serving() -> Iterator:
    """Body of a ``serve_preview`` fixture: yields serve(site, watching=False), closes them all."""
    running: list[RunningPreview] = []

    def _serve(site: Site, watching: bool = False) -> RunningPreview:
        running.append(RunningPreview(site, watching))
        return running[-1]

    yield _serve
    for preview in running:
        preview.close()
