"""Seeded traffic for the report benchmark, written straight into a collector's SQLite file.

Twenty million events made one by one in Python and inserted through the
storage module took minutes; here whole columns are drawn with numpy from one
seed, expanded from page views to their events, and appended to the
collector's own table (made by ``storage.Storage``) through the ADBC driver's
bulk ingest, in batches. The traffic: readers pick articles by a Pareto law,
read them as article (60 %), transcript or illustrated page over 30 days; each
page view has a pageview event (15 % from the newsletter), one or two
engagement events, and on article pages a played video or short 40 % of the time
(quartile events up to where the reader stopped).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analytics.storage import COLUMNS, Storage

DAY_MS = 24 * 60 * 60 * 1000
START_MS = 1_790_000_000_000  # a fixed day, so runs compare
PAGE_FORMATS = np.array(["article", "transcript", "illustrated"])
VIEWS_PER_BATCH = 500_000
SITE = "bench"
EVENTS_PER_VIEW = 3.22  # 1 pageview, 1.5 engagement, 0.72 video events on average


def article_id(number: int) -> str:
    return f"article-{number:04d}"


def write_events(db: Path, total: int, readers: int, articles: int = 200, seed: int = 8) -> int:
    """About ``total`` events (whole page views) into a new collector file; returns how many."""
    import adbc_driver_sqlite.dbapi as adbc

    Storage(db).close()  # the collector's table, at the current storage version
    rng = np.random.default_rng(seed)
    written = view = 0
    with adbc.connect(str(db)) as connection:
        while written < total:
            views = min(VIEWS_PER_BATCH, max(1, int((total - written) / EVENTS_PER_VIEW)))
            batch = _events(rng, view, views, readers, articles)
            with connection.cursor() as cursor:
                cursor.adbc_ingest("events", batch, mode="append")
            connection.commit()
            written += batch.num_rows
            view += views
    return written


def _events(rng, first_view: int, views: int, readers: int, articles: int) -> pa.Table:
    """The events of ``views`` page views, as one Arrow table with storage.COLUMNS."""
    reader = rng.integers(0, readers, views)
    article = (rng.pareto(1.2, views) + 1).astype(np.int64) % articles
    page = rng.choice(3, views, p=[0.6, 0.2, 0.2])
    at = START_MS + rng.integers(0, 30, views) * DAY_MS + rng.integers(0, DAY_MS, views)
    newsletter = rng.random(views) < 0.15
    engagements = rng.integers(1, 3, views)
    played = (page == 0) & (rng.random(views) < 0.4)
    quartiles = np.where(played, rng.integers(1, 6, views), 0)
    kind = rng.integers(0, 2, views)  # 0: video, 1: short
    per_view = 1 + engagements + quartiles
    owner = np.repeat(np.arange(views), per_view)
    step = np.arange(owner.size) - np.repeat(np.cumsum(per_view) - per_view, per_view)
    is_engagement = (step >= 1) & (step <= engagements[owner])
    is_video = step > engagements[owner]
    n = owner.size
    event_type = np.where(step == 0, 0, np.where(is_engagement, 1, 2))
    video_step = step - 1 - engagements[owner]
    reader_text = _ids("r", reader[owner], 8)
    columns = {
        "received_at": at[owner] + np.where(is_engagement, step, 0),
        "v": np.ones(n, np.int64),
        "type": _pick(["pageview", "engagement", "video"], event_type),
        "site": _pick([SITE], np.zeros(n, np.int64)),
        "reader": reader_text,
        "view": _ids("v", first_view + owner, 10),
        "path": _pick([f"/2026/{article_id(a)}/" for a in range(articles)], article[owner]),
        "article": _pick([article_id(a) for a in range(articles)], article[owner]),
        "format": _format(page[owner], kind[owner], is_video),
        "audience": _masked(_pick(["busy light"], np.zeros(n, np.int64)), step == 0),
        "utm_source": _masked(
            _pick(["newsletter"], np.zeros(n, np.int64)), (step == 0) & newsletter[owner]
        ),
        "engaged_ms": _masked_int(rng.exponential(90_000, n).astype(np.int64), is_engagement),
        "scroll": _masked_int(rng.integers(0, 101, n), is_engagement),
        "quartile": _masked_int(video_step * 25, is_video),
        "muted": _masked_int(np.ones(n, np.int64), is_video),
        "captions": _masked_int(np.ones(n, np.int64), is_video),
    }
    arrays = [columns[name] if name in columns else pa.nulls(n, pa.string()) for name in COLUMNS]
    return pa.table([pa.array(a) if isinstance(a, np.ndarray) else a for a in arrays], COLUMNS)


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Ids the schema accepts ([0-9a-z]{6,32}): a letter and a zero-padded number."""
    text = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, text, "")


def _pick(choices: list[str], index: np.ndarray) -> pa.Array:
    dictionary = pa.DictionaryArray.from_arrays(pa.array(index, pa.int32()), pa.array(choices))
    return dictionary.cast(pa.string())


def _format(page: np.ndarray, kind: np.ndarray, is_video: np.ndarray) -> pa.Array:
    names = ["article", "transcript", "illustrated", "video", "short"]
    return _pick(names, np.where(is_video, 3 + kind, page))


def _masked(values: pa.Array, keep: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(keep), values, pa.scalar(None, pa.string()))


def _masked_int(values: np.ndarray, keep: np.ndarray) -> pa.Array:
    return pa.array(values.astype(np.int64), mask=~keep)
