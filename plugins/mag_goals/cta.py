"""An article's call-to-action: the ``Goal:`` front-matter key and the links it marks.

``Goal: contest-apply`` names one of MAG_GOALS. An unknown id is a content
problem at the key's line. In the article's body, the links that reach that goal
(a link goal's URL pattern; a page goal's page) get ``data-cta="<id>"``, which the
theme styles as a call-to-action; elements with ``data-goal`` are styled so
whatever the Goal: key says. Links are marked when Pelican renders the content,
after it resolved ``{filename}`` links, so a link to a thank-you page written as
``{filename}/pages/thanks.md`` is recognised by its real address.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

from mag_core import ContentError, report
from mag_core.adapters import after_intrasite_links
from mag_core.frontmatter import line_of

from .patterns import matches

KEY = "goal"
_LINK = re.compile(r"<a\b[^>]*>", re.IGNORECASE)
_HREF = re.compile(r"""\shref\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def goal_of(content: Any, goals: Mapping[str, Mapping[str, Any]], settings) -> Mapping | None:
    """The goal ``content``'s front matter names; an unknown one is reported (file:line)."""
    named = str(content.metadata.get(KEY) or "").strip()
    if not named:
        return None
    if named in goals:
        return goals[named]
    known = ", ".join(goals) or "none: MAG_GOALS is empty"
    report(
        ContentError(
            content.source_path,
            f"unknown goal {named!r}",
            line=line_of(content.source_path, KEY),
            hint=f"use a goal id of MAG_GOALS ({known})",
        ),
        settings,
    )
    return None


def mark_on_render(content: Any, goal: Mapping[str, Any]) -> None:
    """Mark the links of ``content`` that reach ``goal`` each time Pelican renders it."""
    if goal["match"] == "button":
        return  # the buttons carry data-goal themselves
    page_url = "/" + content.url

    def mark(markup: str, siteurl: str) -> str:
        if goal["match"] == "link":
            return mark_links(markup, goal, lambda href: href)
        return mark_links(markup, goal, lambda href: site_path(href, siteurl, page_url))

    after_intrasite_links(content, mark)


def site_path(href: str, siteurl: str, page_url: str) -> str:
    """The path from the site's root that a link of a page at ``page_url`` points to."""
    root = siteurl.rstrip("/") + "/"
    if siteurl and href.startswith(root):  # Pelican's own links: {filename}, {static}
        return urlsplit("/" + href[len(root) :]).path
    return urlsplit(urljoin(page_url, href)).path  # written by hand, relative or from /


def mark_links(markup: str, goal: Mapping[str, Any], url_of: Callable[[str], str]) -> str:
    """``markup`` with ``data-cta`` on every <a> whose ``url_of(href)`` matches ``goal``."""

    def one(match: re.Match[str]) -> str:
        tag = match.group()
        href = _HREF.search(tag)
        if not href or "data-cta" in tag:
            return tag
        if not matches(goal, url_of(html.unescape(href.group(1) or href.group(2) or ""))):
            return tag
        return f'{tag[:-1]} data-cta="{html.escape(goal["id"])}">'

    return _LINK.sub(one, markup)


_DATA_GOAL = re.compile(r"""\sdata-goal\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def check_buttons(content: Any, goals: Mapping[str, Mapping[str, Any]], settings) -> None:
    """Every ``data-goal`` of ``content`` must name a button goal of MAG_GOALS."""
    buttons = [goal_id for goal_id, goal in goals.items() if goal["match"] == "button"]
    for found in _DATA_GOAL.finditer(getattr(content, "_content", "") or ""):
        named = html.unescape(found.group(1) or found.group(2) or "")
        if named in buttons:
            continue
        report(
            ContentError(
                content.source_path,
                f"data-goal {named!r} is not a button goal of MAG_GOALS",
                line=_body_line(content.source_path, f"data-goal={named}"),
                hint=f"use one of: {', '.join(buttons) or 'none (add a goal with button: True)'}",
            ),
            settings,
        )


def _body_line(path: str, needle: str) -> int | None:
    """The first line of the source that has ``needle`` (quotes and spaces ignored)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as source:
            for number, line in enumerate(source, 1):
                if needle in re.sub(r"""["'\s]""", "", line):
                    return number
    except OSError:
        pass
    return None
