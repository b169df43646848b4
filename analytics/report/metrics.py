"""Per-article figures: readers, 閲覧率, 読了率, engaged time, video, formats, newsletter, time.

Read from the engine's tables (tables.py): one GROUP BY each, so the figures
cost the same whether a period has a thousand readers or a hundred thousand.
docs/report/reading.md defines every figure.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import duckdb

from .site import Site
from .tables import ALL_FORMATS, VIDEO_FORMATS


@dataclass
class Usage:
    """The site's totals: page views, readers, and page views per day and per hour."""

    views: int = 0
    readers: int = 0
    previews: int = 0  # page views that played a preview loop (home, lists): not video plays
    daily: Counter = field(default_factory=Counter)  # (date, article or "") -> page views
    hourly: Counter = field(default_factory=Counter)  # hour of day -> page views


def usage(connection: duckdb.DuckDBPyConnection) -> Usage:
    """The totals from one pass over the views, grouped by hour and article; the days and
    hours of day then sum that small table (a few thousand hours) instead of the views."""
    ((readers,),) = connection.execute("SELECT count(*) FROM readers").fetchall()
    connection.execute(
        "CREATE TEMP TABLE usage_hours AS SELECT bucket, coalesce(article, '') AS article, "
        "sum(pageviews) AS pageviews, count(*) AS views, count(preview_quartile) AS previews "
        "FROM views GROUP BY bucket, article"
    )
    try:
        views, previews = connection.execute(
            "SELECT coalesce(sum(views), 0), coalesce(sum(previews), 0) FROM usage_hours"
        ).fetchall()[0]
        result = Usage(views=int(views), readers=readers, previews=int(previews))
        for day, article, count in connection.execute(
            "SELECT h.day, u.article, sum(u.pageviews) "
            "FROM usage_hours AS u JOIN hours AS h USING (bucket) GROUP BY 1, 2"
        ).fetchall():
            result.daily[day, article] = int(count)
        for hour, count in connection.execute(
            "SELECT h.hour, sum(u.pageviews) "
            "FROM usage_hours AS u JOIN hours AS h USING (bucket) GROUP BY 1"
        ).fetchall():
            result.hourly[hour] = int(count)
    finally:
        connection.execute("DROP TABLE usage_hours")
    return result


@dataclass
class ArticleStats:
    article: str
    title: str = ""
    audience: tuple[str, ...] = ()
    minutes: int | None = None
    readers: int = 0
    pageviews: int = 0
    view_rate: float | None = None  # 閲覧率: readers / headcount
    text_readers: int = 0
    read_through: int = 0
    read_rate: float | None = None  # 読了率
    engaged_ms: int = 0
    article_views: int = 0
    plays: Counter = field(default_factory=Counter)
    done: Counter = field(default_factory=Counter)
    mix: Counter = field(default_factory=Counter)  # format -> readers who took it in
    newsletter_views: int = 0
    newsletter_readers: int = 0

    @property
    def avg_engaged_s(self) -> float | None:
        return self.engaged_ms / self.readers / 1000 if self.readers else None

    def play_rate(self, fmt: str) -> float | None:
        """視聴率: views that played ``fmt`` per view of the article page."""
        if not self.article_views:
            return None
        return self.plays[fmt] / self.article_views

    def completion(self, fmt: str) -> float | None:
        return self.done[fmt] / self.plays[fmt] if self.plays[fmt] else None


_ARTICLES = f"""
SELECT article, count(*), sum(pageviews), sum(engaged_ms), coalesce(sum(article_views), 0),
    sum(newsletter), count(*) FILTER (WHERE newsletter > 0),
    count(*) FILTER (WHERE has_article), count(*) FILTER (WHERE has_article AND fin_article),
    {", ".join(f"sum(plays_{fmt}), sum(done_{fmt})" for fmt in VIDEO_FORMATS)},
    {", ".join(f"count(*) FILTER (WHERE has_{fmt})" for fmt in ALL_FORMATS)}
FROM uses GROUP BY article
"""  # noqa: S608 - format names from the registry
# The audience the pages announced, for articles the site does not know: the last seen
# (by reader, then view: a struct compares field by field, like a list, but is cheaper).
_AUDIENCES = """
SELECT article, arg_max(audience, (reader, view)) FROM views
WHERE article <> '' AND audience <> '' GROUP BY article
"""


def article_stats(
    connection: duckdb.DuckDBPyConnection,
    pages: dict[tuple[str, str], tuple[str | None, int | None]],
    site: Site,
    headcount: int | None,
) -> list[ArticleStats]:
    audiences = dict(connection.execute(_AUDIENCES).fetchall())
    stats = []
    for row in connection.execute(_ARTICLES).fetchall():
        figures = [int(value) for value in row[1:]]
        article = ArticleStats(row[0], **_named(figures))
        videos, mixes = (
            figures[8 : 8 + 2 * len(VIDEO_FORMATS)],
            figures[8 + 2 * len(VIDEO_FORMATS) :],
        )
        for number, fmt in enumerate(VIDEO_FORMATS):
            article.plays[fmt] += videos[2 * number]
            article.done[fmt] += videos[2 * number + 1]
        article.mix.update({fmt: n for fmt, n in zip(ALL_FORMATS, mixes, strict=True) if n})
        _describe(article, pages, audiences.get(article.article, ""), site, headcount)
        stats.append(article)
    return sorted(stats, key=lambda row: (-row.readers, row.article))


def _named(figures: list[int]) -> dict:
    readers, pageviews, engaged, article_views, newsletter, newsletter_readers = figures[:6]
    return {
        "readers": readers,
        "pageviews": pageviews,
        "engaged_ms": engaged,
        "article_views": article_views,
        "newsletter_views": newsletter,
        "newsletter_readers": newsletter_readers,
        "text_readers": figures[6],
        "read_through": figures[7],
    }


def _describe(
    row: ArticleStats, pages: dict, announced: str, site: Site, headcount: int | None
) -> None:
    """Title, audience and reading time from the site, and the rates."""
    path, minutes = pages.get((row.article, "article"), (None, None))
    page = site.find(row.article, "article", path)
    row.title = page.title if page else ""
    row.minutes = minutes
    intended = page.audience if page and page.audience else ()
    row.audience = intended or tuple(announced.split())
    if headcount:
        row.view_rate = row.readers / headcount
    if row.text_readers and row.minutes is not None:
        row.read_rate = row.read_through / row.text_readers
