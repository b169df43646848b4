"""The one place that knows an article's formats and their URLs.

Plugins add the formats they make (``add_format``); the format switcher, the
beacon, the feeds and the newsletter read them back (``formats_of``).
"""

from __future__ import annotations

from dataclasses import dataclass

# Format ids are shared with the analytics events and the newsletter.
FORMAT_LABELS = {
    "article": "記事",
    "video": "動画",
    "short": "ショート",
    "transcript": "文字で読む",
    "illustrated": "イラストで見る",
}
FORMAT_ORDER = tuple(FORMAT_LABELS)


@dataclass(frozen=True)
class Format:
    id: str
    label: str
    url: str  # site-relative, like Pelican's article.url (may end in a #fragment)


def add_format(article, format_id: str, url: str) -> None:
    """Record that ``article`` is available as ``format_id`` at ``url``."""
    if format_id not in FORMAT_LABELS:
        raise ValueError(f"unknown format {format_id!r}; known: {', '.join(FORMAT_ORDER)}")
    formats = article.__dict__.setdefault("_mag_formats", {})
    formats[format_id] = url


def formats_of(article) -> list[Format]:
    """Every format of ``article`` in switcher order; the text article always first."""
    extra = getattr(article, "_mag_formats", {})
    urls = {"article": article.url, **extra}
    return [Format(fid, FORMAT_LABELS[fid], urls[fid]) for fid in FORMAT_ORDER if fid in urls]
