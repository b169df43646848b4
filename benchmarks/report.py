"""Reader report time for a million stored events (target: under 30 s).

The events are made here (20,000 readers, 200 articles, 30 days: page views with
their engagement and video events) and written straight into a SQLite file
through the storage module, with 200 article pages for the reading times; then
``analytics.report`` runs on them as ``invoke report`` would, reading the site,
computing every figure and writing the dashboard and CSV files. Only the report
is timed.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from mag_core.manifest import MANIFEST_PATH, MANIFEST_VERSION

TARGET_SECONDS = 30.0
DAY_MS = 24 * 60 * 60 * 1000
START_MS = 1_790_000_000_000  # a fixed day, so runs compare


def _article(number: int) -> str:
    return f"article-{number:04d}"


def _view(rng: random.Random, reader: int, number: int, articles: int) -> list[dict]:
    """One page view: its pageview, one or two engagement events, maybe a played video."""
    article = _article(int(rng.paretovariate(1.2)) % articles)
    page = rng.choices(("article", "transcript", "illustrated"), (6, 2, 2))[0]
    at = START_MS + rng.randrange(30) * DAY_MS + rng.randrange(DAY_MS)
    common = {
        "received_at": at,
        "v": 1,
        "site": "bench",
        "reader": f"r{reader:08x}",
        "view": f"v{reader:08x}{number:06x}",
        "path": f"/2026/{article}/",
        "article": article,
        "format": page,
    }
    source = "newsletter" if rng.random() < 0.15 else None
    events = [{**common, "type": "pageview", "audience": "busy light", "utm_source": source}]
    for part in range(rng.choice((1, 1, 2))):
        engaged = int(rng.expovariate(1 / 90_000))
        events.append(
            {
                **common,
                "received_at": at + part,
                "type": "engagement",
                "engaged_ms": engaged,
                "scroll": rng.randrange(101),
            }
        )
    if page == "article" and rng.random() < 0.4:
        video = rng.choice(("video", "short"))
        for quartile in (0, 25, 50, 75, 100)[: rng.randrange(1, 6)]:
            events.append(
                {
                    **common,
                    "type": "video",
                    "format": video,
                    "quartile": quartile,
                    "muted": True,
                    "captions": True,
                }
            )
    return events


def make_events(total: int, readers: int = 20_000, articles: int = 200) -> Iterator[dict]:
    """About ``total`` events from a fixed seed (the last page view may run over by a few)."""
    rng = random.Random(8)  # noqa: S311 - reproducible traffic, not secrets
    made = number = 0
    while made < total:
        for event in _view(rng, rng.randrange(readers), number, articles):
            made += 1
            yield event
        number += 1


def write_site(folder: Path, articles: int = 200) -> Path:
    """A built site as the report reads it: the build manifest's articles and pages."""
    entries = []
    for number in range(articles):
        slug, url = _article(number), f"2026/{_article(number)}/"
        minutes = 1 + number % 5
        entries.append(
            {
                "id": slug,
                "title": f"記事 {number}",
                "url": url,
                "audience": ["busy", "light"],
                "formats": [{"id": "article", "url": url}],
                "pages": [
                    {"format": "article", "url": url, "title": f"記事 {number}", "minutes": minutes}
                ],
                "media": {},
            }
        )
    manifest = folder / MANIFEST_PATH
    manifest.parent.mkdir(parents=True)
    data = {"version": MANIFEST_VERSION, "site": "bench", "articles": entries}
    manifest.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return folder


def run(_root: Path, options: dict) -> None:
    from analytics.report.cli import make_report
    from analytics.storage import import_events

    total = int(options.get("events", 1_000_000))
    with tempfile.TemporaryDirectory(prefix="mag-bench-report-") as folder:
        db = Path(folder) / "events.sqlite3"
        start = time.perf_counter()
        stored = import_events(db, make_events(total))
        print(f"corpus: {stored} events stored in {time.perf_counter() - start:.1f}s", flush=True)
        start = time.perf_counter()
        site = write_site(Path(folder) / "site")
        summary = make_report(
            db,
            Path(folder) / "report",
            site=site,
            headcount=20_000,
            settings={"MAG_REPORT": {"site": "bench"}},
        )
        seconds = time.perf_counter() - start
        verdict = "met" if seconds < TARGET_SECONDS else "MISSED"
        print(
            f"report: {summary.views} page views of {summary.readers} readers, "
            f"{len(summary.articles)} articles in {seconds:.1f}s  "
            f"target < {TARGET_SECONDS:.0f}s: {verdict}",
            flush=True,
        )
