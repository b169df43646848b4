"""Per segment: which formats its readers finish, which articles reached it, and for each
article whether the segments named in its ``Audience:`` were reached."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from mag_core.formats import FORMAT_ORDER

from .metrics import ArticleStats, Usage


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


def segment_formats(
    usage: Usage, segments: dict[str, str | None], order: list[str]
) -> list[FormatResult]:
    results = {(s, f): FormatResult(s, f) for s in order for f in FORMAT_ORDER}
    for (reader, _article), use in usage.uses.items():
        segment = segments.get(reader)
        if segment is None:
            continue
        for fmt, finished in use.finished.items():
            result = results.get((segment, fmt)) or results.setdefault(
                (segment, fmt), FormatResult(segment, fmt)
            )
            result.used += 1
            if finished is not None:
                result.judged += 1
                result.finished += finished
    return list(results.values())


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
    usage: Usage,
    articles: list[ArticleStats],
    segments: dict[str, str | None],
    order: list[str],
    threshold: float,
) -> list[Reach]:
    sizes = Counter(segment for segment in segments.values() if segment)
    everyone = sum(sizes.values())
    by_article: dict[str, Counter] = defaultdict(Counter)
    for reader, article in usage.uses:
        segment = segments.get(reader)
        if segment:
            by_article[article][segment] += 1
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
