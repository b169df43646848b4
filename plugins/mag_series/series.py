"""Group articles into series and give each article its place in its series."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from mag_core import ContentError
from mag_japanese.slugs import slug_for


@dataclass
class Series:
    name: str
    slug: str
    url: str
    save_as: str
    articles: list = field(default_factory=list)

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class SeriesPlace:
    """Where one article stands in its series, for the article template."""

    series: Series
    part: int  # 1-based position in reading order

    @property
    def previous(self):
        return self.series.articles[self.part - 2] if self.part > 1 else None

    @property
    def next(self):
        articles = self.series.articles
        return articles[self.part] if self.part < len(articles) else None


def part_number(article) -> int | None:
    """The editor's ``Part:`` value, or None when absent."""
    raw = article.metadata.get("part")
    if raw in (None, ""):
        return None
    try:
        return int(str(raw).strip())
    except ValueError:
        raise ContentError(
            article.source_path, f"Part must be a whole number, not {raw!r}", hint="e.g. 'Part: 2'"
        ) from None


def collect_series(articles, url_pattern: str, save_as_pattern: str, settings) -> list[Series]:
    """Series of the given articles, newest first; each sorted by part, then date."""
    grouped: dict[str, list] = defaultdict(list)
    for article in articles:
        name = str(article.metadata.get("series") or "").strip()
        if name:
            grouped[name].append(article)
    all_series = []
    for name, members in grouped.items():
        slug = slug_for(name, settings)  # the site's reading dictionary applies
        members.sort(key=lambda a: (part_number(a) or 10**6, a.date))
        series = Series(
            name=name,
            slug=slug,
            url=url_pattern.format(slug=slug),
            save_as=save_as_pattern.format(slug=slug),
            articles=members,
        )
        for position, article in enumerate(members, start=1):
            article.series_place = SeriesPlace(series, position)
        all_series.append(series)
    all_series.sort(key=lambda s: max(a.date for a in s.articles), reverse=True)
    return all_series
