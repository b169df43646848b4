"""A preview server on loopback for the tests: the site, its HTTP server, optionally its watcher."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

from conftest import ROOT, run_pelican
from preview import PreviewServer, Site
from preview.watch import watch

ARTICLE = """Title: {title}
Date: 2026-11-{day:02d} 09:00
Category: 新規事業
Tags: 対談, 動画
{extra}
{body}
"""


def article(title: str, day: int = 20, extra: str = "", body: str = "") -> str:
    body = body or "新規事業の取り組みを紹介します。" * 12
    return ARTICLE.format(title=title, day=day, extra=extra, body=body)


def overrides(content: Path, output: Path, **more) -> dict:
    """What conftest.run_pelican gives a full build, so both make the same site."""
    return {
        "PATH": str(content),
        "OUTPUT_PATH": str(output),
        "THEME": str(ROOT / "theme"),
        "MAG_CACHE_PATH": str(output.parent / "cache"),
        **more,
    }


def open_site(content: Path, output: Path, **more) -> Site:
    site = Site(ROOT / "pelicanconf.py", overrides(content, output, **more))
    site.rebuild()
    return site


def full_build(content: Path, output: Path, **more) -> Path:
    shutil.rmtree(output, ignore_errors=True)
    settings = overrides(content, output, **more)
    run_pelican(content, output, {k: v for k, v in settings.items() if k != "PATH"})
    return output


def page_of(site: Site, source: Path) -> str:
    """The output name of the article read from ``source``."""
    for name, page in site.snapshot.pages.items():
        subject = page.subject
        if subject is not None and Path(subject.source_path) == source and name.count("/") == 2:
            return name
    raise AssertionError(f"no page for {source}")


class RunningPreview:
    def __init__(self, site: Site, watching: bool) -> None:
        self.site = site
        self.server = PreviewServer(site, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.server.serve_forever, daemon=True)]
        ready = threading.Event()
        if watching:
            args = (site, self.stop, self.stop.set, ready)
            self.threads.append(threading.Thread(target=watch, args=args, daemon=True))
        for thread in self.threads:
            thread.start()
        if watching and not ready.wait(timeout=60):
            raise RuntimeError("the preview's watcher did not start")

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
