"""Per-article figures: readers, 閲覧率, 読了率, engaged time, video, formats, newsletter, time.

One pass over the page views fills ``Usage`` (per reader and article, per day and
hour); everything else is read from it. docs/report/reading.md defines every figure.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .load import View
from .site import Site

PAGE_FORMATS = ("article", "transcript", "illustrated")
VIDEO_FORMATS = ("video", "short", "preview")
HOUR_MS = 3_600_000


def _zero_per_video() -> dict[str, int]:
    return dict.fromkeys(VIDEO_FORMATS, 0)


@dataclass(slots=True)
class Use:
    """One reader's use of one article, over the period."""

    pageviews: int = 0
    newsletter: int = 0
    engaged_ms: int = 0
    article_views: int = 0  # page views of the article page itself (where the video is)
    # page format -> [engaged ms summed, deepest scroll]
    pages: dict[str, list[int]] = field(default_factory=dict)
    plays: dict[str, int] = field(default_factory=_zero_per_video)  # views that played
    done: dict[str, int] = field(default_factory=_zero_per_video)  # views played to the end
    # format -> finished (None: cannot be judged), for every format used; Finishing.judge
    finished: dict[str, bool | None] = field(default_factory=dict)


@dataclass(slots=True)
class Reader:
    pageviews: int = 0
    engaged_ms: int = 0
    newsletter: int = 0
    days: set = field(default_factory=set)


@dataclass
class Usage:
    uses: dict[tuple[str, str], Use] = field(default_factory=dict)  # (reader, article)
    readers: dict[str, Reader] = field(default_factory=dict)
    daily: Counter = field(default_factory=Counter)  # (date, article or "") -> page views
    hourly: Counter = field(default_factory=Counter)  # hour of day -> page views
    paths: dict[tuple[str, str], str] = field(default_factory=dict)  # (article, format) -> path
    audiences: dict[str, str] = field(default_factory=dict)  # article -> Audience: from events
    views: int = 0
    previews: int = 0  # page views that played a preview loop (home, lists): not video plays


def collect(views: Iterable[View], zone: dt.tzinfo) -> Usage:
    usage = Usage()
    local: dict[int, tuple[dt.date, int]] = {}  # hour bucket -> (local date, hour)
    for view in views:
        usage.views += 1
        bucket = view.at // HOUR_MS
        if bucket not in local:
            moment = dt.datetime.fromtimestamp(bucket * HOUR_MS / 1000, zone)
            local[bucket] = (moment.date(), moment.hour)
        day, hour = local[bucket]
        reader = usage.readers.get(view.reader) or usage.readers.setdefault(view.reader, Reader())
        reader.pageviews += view.pageviews
        reader.engaged_ms += view.engaged_ms
        reader.newsletter += view.newsletter
        reader.days.add(day)
        usage.daily[day, view.article or ""] += view.pageviews
        usage.hourly[hour] += view.pageviews
        usage.previews += view.preview_quartile is not None
        if view.article:
            _add_use(usage, view)
    return usage


def _add_use(usage: Usage, view: View) -> None:
    key = (view.reader, view.article)
    use = usage.uses.get(key) or usage.uses.setdefault(key, Use())
    use.pageviews += view.pageviews
    use.newsletter += view.newsletter
    use.engaged_ms += view.engaged_ms
    fmt = view.format or "article"
    page = use.pages.get(fmt)
    if page is None:
        use.pages[fmt] = [view.engaged_ms, view.scroll or 0]
        usage.paths.setdefault((view.article, fmt), view.path)
    else:
        page[0] += view.engaged_ms
        page[1] = max(page[1], view.scroll or 0)
    if fmt == "article":
        use.article_views += view.pageviews
    quartiles = (view.video_quartile, view.short_quartile, view.preview_quartile)
    for name, quartile in zip(VIDEO_FORMATS, quartiles, strict=True):
        if quartile is not None:
            use.plays[name] += 1
            use.done[name] += quartile == 100
    if view.audience:
        usage.audiences[view.article] = view.audience


class Finishing:
    """Whether a reader finished a format of an article: the 読了 rule, per page."""

    def __init__(self, usage: Usage, site: Site, config: dict) -> None:
        self.scroll = config["read_scroll"]
        self.fallback_ms = config["min_engaged_s"] * 1000
        self.minutes: dict[tuple[str, str], int | None] = {}
        for (article, fmt), path in usage.paths.items():
            page = site.find(article, fmt, path)
            self.minutes[article, fmt] = page.minutes if page else None

    def reading_ms(self, article: str, fmt: str) -> float | None:
        """The page's reading time; None when the site does not say (so no 読了 is judged)."""
        minutes = self.minutes.get((article, fmt))
        if minutes is not None:
            return minutes * 60_000
        return self.fallback_ms if fmt == "illustrated" else None

    def page_read(self, article: str, fmt: str, engaged_ms: int, scroll: int) -> bool | None:
        needed = self.reading_ms(article, fmt)
        if needed is None:
            return None
        return scroll >= self.scroll and engaged_ms >= needed

    def judge(self, usage: Usage) -> None:
        """Fill every use's ``finished``, once, for all the figures that need it."""
        for (_reader, article), use in usage.uses.items():
            use.finished = self.formats(article, use)

    def formats(self, article: str, use: Use) -> dict[str, bool | None]:
        """Format -> finished (None: cannot be judged) for every format this reader used."""
        result: dict[str, bool | None] = {}
        for fmt, (engaged, scroll) in use.pages.items():
            result[fmt] = self.page_read(article, fmt, engaged, scroll)
        for fmt in VIDEO_FORMATS:
            if use.plays[fmt]:
                result[fmt] = use.done[fmt] > 0
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


def article_stats(
    usage: Usage, site: Site, finishing: Finishing, headcount: int | None
) -> list[ArticleStats]:
    stats: dict[str, ArticleStats] = {}
    for (_reader, article), use in usage.uses.items():
        row = stats.get(article) or stats.setdefault(article, ArticleStats(article))
        row.readers += 1
        row.pageviews += use.pageviews
        row.engaged_ms += use.engaged_ms
        row.article_views += use.article_views
        for fmt in VIDEO_FORMATS:
            row.plays[fmt] += use.plays[fmt]
            row.done[fmt] += use.done[fmt]
        row.newsletter_views += use.newsletter
        row.newsletter_readers += use.newsletter > 0
        for fmt in use.finished:
            row.mix[fmt] += 1
        if "article" in use.finished:
            row.text_readers += 1
            row.read_through += bool(use.finished["article"])
    for row in stats.values():
        _describe(row, usage, site, finishing, headcount)
    return sorted(stats.values(), key=lambda row: (-row.readers, row.article))


def _describe(
    row: ArticleStats, usage: Usage, site: Site, finishing: Finishing, headcount: int | None
) -> None:
    """Title, audience and reading time from the site, and the rates."""
    page = site.find(row.article, "article", usage.paths.get((row.article, "article")))
    row.title = page.title if page else ""
    row.minutes = finishing.minutes.get((row.article, "article"))
    intended = page.audience if page and page.audience else ()
    row.audience = intended or tuple(usage.audiences.get(row.article, "").split())
    if headcount:
        row.view_rate = row.readers / headcount
    if row.text_readers and row.minutes is not None:
        row.read_rate = row.read_through / row.text_readers
