"""Instant preview: save to updated page served, first start, and memory, against full rebuilds.

The baseline is what ``invoke livereload`` did before the preview server: a
whole Pelican run of the same site in the same process, measured in the same
run. A save is timed as an editor's browser sees it: from the file write,
through the watcher, the pass, the "reload" event and the page's render, to the
response that carries the new text.
"""

from __future__ import annotations

import contextlib
import gc
import http.client
import io
import json
import logging
import resource
import statistics
import tempfile
import threading
import time
from pathlib import Path

from .corpus import write_corpus
from .timing import paired_median_seconds, report

SAVES = 20
# Absolute targets of issue 22, in seconds, by corpus size.
SAVE_TARGETS = {1000: 1.0, 5000: 1.5}


def _rss_mb() -> float:
    """Resident memory of this process now (Linux), in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 1e6


class Browser:
    """What the injected script does: listen for the reload event, then fetch the page."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.events = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.events.request("GET", "/__mag_preview/events")
        self.stream = self.events.getresponse()
        self.version = self._next_event()["version"]

    def _next_event(self) -> dict:
        while True:
            line = self.stream.readline().decode("utf-8")
            if not line:
                raise RuntimeError("the preview closed its event stream")
            if line.startswith("data: "):
                return json.loads(line[len("data: ") :])

    def reloaded(self, path: str) -> tuple[str, bool]:
        """The page at ``path`` after the next reload event, and whether the pass had ended."""
        while True:
            event = self._next_event()
            if event["version"] != self.version:
                self.version = event["version"]
                return self.get(path), not event["building"]

    def get(self, path: str) -> str:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        connection.request("GET", path)
        body = connection.getresponse().read().decode("utf-8")
        connection.close()
        return body

    def close(self) -> None:
        self.events.close()


def _save_to_served(browser: Browser, source: Path, path: str, marker: str) -> tuple[float, float]:
    """Seconds from writing ``marker`` into ``source`` to the first reloaded page that shows
    it, and to the page after the pass (the whole site up to date)."""
    text = source.read_text(encoding="utf-8")
    start = time.perf_counter()
    source.write_text(f"{text}\n{marker}\n", encoding="utf-8")
    shown = None
    while True:
        page, done = browser.reloaded(path)
        if shown is None and marker in page:
            shown = time.perf_counter() - start
        if done and shown is not None:
            return shown, time.perf_counter() - start


def _saves(site, source: Path) -> list[tuple[float, float]]:
    """SAVES timed saves of ``source`` through a running preview server and its watcher."""
    from preview import PreviewServer
    from preview.watch import watch

    server = PreviewServer(site, "127.0.0.1", 0)
    stop, ready = threading.Event(), threading.Event()
    threads = [
        threading.Thread(target=server.serve_forever, daemon=True),
        threading.Thread(target=watch, args=(site, stop, stop.set, ready), daemon=True),
    ]
    for thread in threads:
        thread.start()
    ready.wait(timeout=120)
    name = next(
        name
        for name, page in site.snapshot.pages.items()
        if page.subject is not None and page.subject.source_path == str(source)
    )
    browser = Browser(server.server_address[1])
    try:
        browser.get(f"/{name}")
        path = f"/{name}"
        return [
            _save_to_served(browser, source, path, f"保存{n}回目の追記。") for n in range(SAVES)
        ]
    finally:
        browser.close()
        stop.set()
        server.shutdown()
        server.server_close()


def _same_as_full_build(site, built: Path) -> None:
    """Issue 22's equality on the benchmark's corpus: every page and file, before any save."""
    from preview.compare import differences

    found = differences(site, built)
    pages = len(site.names())
    verdict = "all equal" if not found else f"DIFFERENT: {', '.join(found[:5])}"
    print(f"  same as the full build: {pages} pages and every other file, {verdict}", flush=True)


def run(root: Path, options: dict) -> None:
    from pelican import Pelican
    from pelican.settings import read_settings

    from preview import Site

    logging.getLogger("pelican").setLevel(logging.ERROR)
    articles, runs = int(options.get("articles", 1000)), max(int(options.get("runs", 3)), 3)
    settings_file = root / "pelicanconf.py"
    with tempfile.TemporaryDirectory(prefix="mag-bench-preview-") as folder:
        work = Path(folder)
        content = write_corpus(work / "content", articles)
        base = {"PATH": str(content), "THEME": str(root / "theme")}

        def full_build():
            override = {**base, "OUTPUT_PATH": str(work / "full")}
            with contextlib.redirect_stdout(io.StringIO()):  # Pelican's "Done: ..." line
                Pelican(read_settings(str(settings_file), override=override)).run()

        def first_start():
            Site(settings_file, {**base, "OUTPUT_PATH": str(work / "first")}).rebuild()

        print(
            f"corpus: {articles} Japanese articles, {SAVES} saves, {runs} full builds", flush=True
        )
        full_build()  # warm-up: caches filled, as on an editor's machine
        gc.collect()
        after_full = _rss_mb()
        started, full = paired_median_seconds(first_start, full_build, runs)
        report(f"preview first start, {articles} articles", started, full, target=1.0)

        site = Site(settings_file, {**base, "OUTPUT_PATH": str(work / "live")})
        site.rebuild()
        _same_as_full_build(site, work / "full")
        timed = _saves(site, content / "articles" / f"article-{articles // 2:05d}.md")
        seconds = [shown for shown, _ in timed]
        save = statistics.median(seconds)
        report(f"preview save -> page served, {articles} articles", save, full)
        target = SAVE_TARGETS.get(articles)
        if target is not None:
            verdict = "met" if save <= target else "MISSED"
            print(f"  save median {save:.3f}s, target <= {target:.2f}s: {verdict}", flush=True)
        whole = statistics.median(whole for _, whole in timed)
        agreed = f"{site.quick_exact} of {site.quick_shown}"
        spread = f"min {min(seconds):.3f}s, max {max(seconds):.3f}s"
        print(
            f"  saves: {spread}; whole site up to date after {whole:.3f}s (median); "
            f"first pages equal to the pass's: {agreed}",
            flush=True,
        )
        gc.collect()
        kept = f"{len(site.store)} sources, {len(site.names())} pages kept"
        print(
            f"  memory: {after_full:.0f} MB after a full build, "
            f"{_rss_mb():.0f} MB while previewing ({kept})",
            flush=True,
        )
