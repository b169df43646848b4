"""Teasers per segment: which articles lead, and which of their formats each segment sees first.

Every format and URL comes from mag_core.formats; this module only orders them
for a segment and finds a picture that fits the format the teaser leads with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from mag_core import formats_of
from mag_core.audiences import audiences_of

from .links import absolute, campaign_url

EMAIL_IMAGE_TYPES = (".jpg", ".jpeg", ".png", ".gif")  # what mail clients show (no WebP, SVG)


@dataclass(frozen=True)
class Link:
    format: str
    label: str
    url: str  # absolute, with the campaign parameters


@dataclass(frozen=True)
class Picture:
    url: str  # absolute
    alt: str
    width: int
    height: int


@dataclass(frozen=True)
class Teaser:
    slug: str
    title: str
    summary: str
    links: tuple[Link, ...]
    picture: Picture | None

    @property
    def lead(self) -> Link:
        return self.links[0]


@dataclass(frozen=True)
class Campaign:
    issue: str
    segment: str
    site_url: str

    def link(self, url: str) -> str:
        return campaign_url(absolute(self.site_url, url), self.issue, self.segment)


def compose(
    articles: Iterable,
    campaign: Campaign,
    order: Sequence[str],
    config: Mapping,
    *,
    reading_order: bool = False,
) -> list:
    """The teasers of one segment's email, the articles meant for it first.

    Ties keep the order of ``articles`` (newest first). A series issue keeps
    its reading order (``reading_order``) for every segment: part 2 before
    part 1 would make no sense to anyone.
    """
    ranked = list(articles)
    if not reading_order:
        ranked.sort(key=lambda article: _rank(article, campaign.segment, order))
    return [teaser(article, campaign, order, config["summary_chars"]) for article in ranked]


def teaser(article, campaign: Campaign, order: Sequence[str], summary_chars: int) -> Teaser:
    formats = ordered_formats(article, order)
    links = tuple(Link(f.id, f.label, campaign.link(f.url)) for f in formats)
    return Teaser(
        slug=article.slug,
        title=str(article.title),
        summary=plain_summary(getattr(article, "summary", ""), summary_chars),
        links=links,
        picture=picture(article, [f.id for f in formats], campaign.site_url),
    )


def ordered_formats(article, order: Sequence[str]) -> list:
    """The article's formats in the segment's order; formats the order leaves out come last."""
    formats = formats_of(article)
    position = {format_id: index for index, format_id in enumerate(order)}
    return sorted(formats, key=lambda f: position.get(f.id, len(order)))


def _rank(article, segment: str, order: Sequence[str]) -> tuple:
    """Meant for the segment, then for everyone (no Audience:), then the rest; then the
    best format on offer.

    An article that names the segment is the one written for it: it leads even
    when newer articles for everyone offer the same first format.
    """
    meant = set(audiences_of(article))
    lead = ordered_formats(article, order)[0].id
    position = order.index(lead) if lead in order else len(order)
    group = 0 if segment in meant else 1 if not meant else 2
    return (group, position)


def plain_summary(summary: Any, limit: int) -> str:
    """The summary as text (Pelican's is HTML), cut at ``limit`` characters."""
    # Only striptags() is used: the result is text, escaped again by the template.
    text = " ".join(Markup(str(summary or "")).striptags().split())  # noqa: S704
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def picture(article, format_ids: Sequence[str], site_url: str) -> Picture | None:
    """A picture of the first format that has one, else the cover, else the share card."""
    candidates = [_format_picture(article, format_id) for format_id in format_ids]
    candidates += [_cover(article), _share_card(article)]
    for found in candidates:
        if found and found.url.lower().endswith(EMAIL_IMAGE_TYPES):
            return Picture(absolute(site_url, found.url), found.alt, found.width, found.height)
    return None


def _format_picture(article, format_id: str) -> Picture | None:
    title = str(article.title)
    video = getattr(article, "video", None)
    if format_id == "short" and video and video.short:
        short = video.short
        return Picture(short.poster_url, f"{title}（ショートの一場面）", short.width, short.height)
    if format_id == "video" and video:
        return Picture(video.poster_url, f"{title}（動画の一場面）", video.width, video.height)
    if format_id == "illustrated":
        variant = getattr(article, "illustrated", None)
        for panel in getattr(variant, "panels", ()):
            if panel.image.src.lower().endswith(EMAIL_IMAGE_TYPES):
                image = panel.image
                return Picture(image.src, panel.alt or title, image.width, image.height)
    return None


def _cover(article) -> Picture | None:
    cover = getattr(article, "cover_image", None)
    return Picture(cover.src, str(article.title), cover.width, cover.height) if cover else None


def _share_card(article) -> Picture | None:
    card = getattr(article, "share_card", None)
    return Picture(card.url, card.alt, card.width, card.height) if card else None
