"""Per segment: which formats its readers finish, which articles reached it, and for each
article whether the segments named in its ``Audience:`` were reached."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import duckdb

from mag_core.formats import FORMAT_ORDER

from .metrics import ArticleStats
from .tables import ALL_FORMATS


@dataclass
class FormatResult:
    segment: str
    format: str
    used: int = 0  # reader × article pairs that took the article in this format
    judged: int = 0  # of those, how many could be judged (reading time known)
    finished: int = 0

    @property
    def rate(self) -> float | None:
        return self.finished / self.judged if self.judged else None


def segment_formats(connection: duckdb.DuckDBPyConnection, order: list[str]) -> list[FormatResult]:
    """Per segment and format: uses, those that could be judged, those finished.

    The magazine's formats come first for every segment; a format outside them
    (the preview loop) follows, in the order its first use is met (by reader, view).
    """
    results = {(s, f): FormatResult(s, f) for s in order for f in FORMAT_ORDER}
    for segment, fmt, used, judged, finished, _first in sorted(
        _format_rows(connection), key=lambda row: row[5]
    ):
        result = results.get((segment, fmt)) or results.setdefault(
            (segment, fmt), FormatResult(segment, fmt)
        )
        result.used, result.judged, result.finished = used, judged, finished
    return list(results.values())


def _format_rows(connection) -> list[tuple]:
    """(segment, format, used, judged, finished, first [reader, view]) of each format used.

    One join of ``uses`` and ``readers`` for every format (a FILTER per format),
    instead of one join per format: a join costs far more than the counts.
    """
    figures = ", ".join(
        f"count(*) FILTER (WHERE u.has_{fmt}), count(u.fin_{fmt}) FILTER (WHERE u.has_{fmt}), "
        f"count(*) FILTER (WHERE u.has_{fmt} AND u.fin_{fmt}), "
        f"min([u.reader, u.first_view]) FILTER (WHERE u.has_{fmt})"
        for fmt in ALL_FORMATS
    )
    rows = []
    for segment, *values in connection.execute(
        f"SELECT r.segment, {figures} FROM uses AS u JOIN readers AS r USING (reader) "  # noqa: S608
        "WHERE r.segment IS NOT NULL GROUP BY r.segment"
    ).fetchall():
        for number, fmt in enumerate(ALL_FORMATS):
            used, judged, finished, first = values[4 * number : 4 * number + 4]
            if used:  # a segment that never used the format had no row for it
                rows.append((segment, fmt, used, judged, finished, first))
    return rows


@dataclass
class Reach:
    article: str
    title: str
    segment: str
    intended: bool  # the segment is in the article's Audience:
    readers: int  # readers of the segment who opened the article (any format)
    size: int  # readers in the segment
    reach: float | None  # readers / size
    lift: float | None  # share of the article's readers in the segment / the segment's share
    reached: bool | None  # for intended segments: reach >= audience_reach


def audience_reach(
    connection: duckdb.DuckDBPyConnection,
    articles: list[ArticleStats],
    segments: dict[str, str | None],
    order: list[str],
    threshold: float,
) -> list[Reach]:
    sizes = Counter(segment for segment in segments.values() if segment)
    everyone = sum(sizes.values())
    by_article: dict[str, Counter] = defaultdict(Counter)
    for article, segment, count in connection.execute(
        "SELECT u.article, r.segment, count(*) FROM uses AS u JOIN readers AS r USING (reader) "
        "WHERE r.segment IS NOT NULL GROUP BY 1, 2"
    ).fetchall():
        by_article[article][segment] = count
    rows = []
    for stats in articles:
        counts = by_article[stats.article]
        total = sum(counts.values())
        for segment in dict.fromkeys([*order, *stats.audience]):
            size, readers = sizes[segment], counts[segment]
            reach = readers / size if size else None
            lift = (readers / total) / (size / everyone) if total and size else None
            intended = segment in stats.audience
            reached = (reach is not None and reach >= threshold) if intended else None
            rows.append(
                Reach(
                    stats.article,
                    stats.title,
                    segment,
                    intended,
                    readers,
                    size,
                    reach,
                    lift,
                    reached,
                )
            )
    return rows
