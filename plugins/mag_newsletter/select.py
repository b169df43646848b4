"""Which finished articles an issue is about: published since a date, or in a series."""

from __future__ import annotations

from collections.abc import Iterable

from .settings import Selection


def series_name(article) -> str:
    return str(article.metadata.get("series") or "").strip()


def select_articles(articles: Iterable, selection: Selection, limit: int) -> list:
    """The articles of the issue, newest first (in reading order for a series), at most limit.

    Both conditions apply when both are given: the parts of a series published
    since the date.
    """
    chosen = [
        article
        for article in articles
        if (selection.since is None or article.date.date() >= selection.since)
        and (not selection.series or series_name(article) == selection.series)
    ]
    if selection.series:
        chosen.sort(key=_reading_order)
    else:
        chosen.sort(key=lambda article: article.date, reverse=True)
    return chosen[:limit]


def _reading_order(article):
    place = getattr(article, "series_place", None)
    return (place.part if place else 10**6, article.date)
