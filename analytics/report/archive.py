"""Days past the retention window: the daily summaries (analytics.retention) in the report.

What a summary can answer is what it summed (docs/report/summaries.md): page
views per day and article go into the daily chart and the totals like any other
day; per article and per segment, the sums (page views, engaged time, plays,
読了 judged and read, newsletter views) are shown in a table of their own,
because a reader counted on two days is two 延べ読者 there, never one 読者.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from analytics.storage import is_url

from .metrics import Usage

# Summed per article for the dashboard and archive.csv (retention.FIGURES less views).
SHOWN = (
    "pageviews",
    "readers",
    "engaged_ms",
    "judged",
    "read",
    "plays_video",
    "done_video",
    "plays_short",
    "done_short",
    "newsletter",
)


@dataclass
class Archive:
    days: list[str] = field(default_factory=list)  # the summarised days in the period
    articles: dict[str, Counter] = field(default_factory=dict)  # article -> SHOWN sums
    segments: dict[str, Counter] = field(default_factory=dict)  # segment -> SHOWN sums

    @staticmethod
    def rate(sums: Counter) -> float | None:
        """読了率 of the summarised days: read / judged (uses per reader and day)."""
        return sums["read"] / sums["judged"] if sums["judged"] else None


def read_archive(
    db: str | Path, site: str, since: str | None, until: str | None, usage: Usage
) -> Archive | None:
    """The summaries of ``site`` for days in [since, until]; their page views go into ``usage``.

    None when the database has no summaries (never retired) or the source is not a database.
    """
    if not isinstance(db, str | Path):
        return None
    query = (
        f"SELECT day, article, format, segment, views, {', '.join(SHOWN)} FROM summaries "  # noqa: S608
        "WHERE site = {mark} AND day >= {mark} AND day <= {mark} "
        "ORDER BY day, article, format, segment"
    )
    bounds = (site, since or "0000-00-00", until or "9999-99-99")
    rows = _from_postgres(str(db), query, bounds) if is_url(db) else _from_sqlite(db, query, bounds)
    return _add(rows, usage) if rows else None


def _from_sqlite(db: str | Path, query: str, bounds: tuple) -> list[tuple]:
    connection = sqlite3.connect(f"{Path(db).resolve().as_uri()}?mode=ro", uri=True)
    try:
        present = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'summaries'"
        ).fetchone()
        return connection.execute(query.format(mark="?"), bounds).fetchall() if present else []
    finally:
        connection.close()


def _from_postgres(url: str, query: str, bounds: tuple) -> list[tuple]:
    from analytics import postgres

    with postgres.connect(url) as connection:
        (present,) = connection.execute("SELECT to_regclass('summaries')").fetchone()
        return connection.execute(query.format(mark="%s"), bounds).fetchall() if present else []


def _add(rows: list[tuple], usage: Usage) -> Archive:
    import datetime as dt

    archive = Archive()
    articles: dict[str, Counter] = defaultdict(Counter)
    segments: dict[str, Counter] = defaultdict(Counter)
    for day, article, fmt, segment, views, *sums in rows:
        figures = dict(zip(SHOWN, sums, strict=True))
        if fmt != "article":  # 読了率 is the article page's, as in the report's own table
            figures["judged"] = figures["read"] = 0
        usage.views += views
        usage.daily[dt.date.fromisoformat(day), article] += figures["pageviews"]
        if article:
            articles[article].update(figures)
        segments[segment or "(none)"].update(figures)
    archive.days = sorted({row[0] for row in rows})
    archive.articles = dict(sorted(articles.items(), key=lambda item: -item[1]["pageviews"]))
    archive.segments = dict(segments)
    return archive
