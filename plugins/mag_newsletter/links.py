"""Absolute, campaign-tagged links: every arrival from the email is counted as the newsletter's."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def absolute(site_url: str, url: str) -> str:
    """``url`` (site-relative, like article.url) under ``site_url``; absolute URLs pass."""
    if urlsplit(url).scheme:
        return url
    return f"{site_url.rstrip('/')}/{url.lstrip('/')}"


def campaign_url(url: str, issue: str, segment: str) -> str:
    """``url`` with the utm_* parameters the beacon records, before any #fragment."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if not k.startswith("utm_")]
    query += [
        ("utm_source", "newsletter"),
        ("utm_medium", "email"),
        ("utm_campaign", issue),
        ("utm_content", segment),
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))
