"""What the built site says about each article page: title, reading time, audience, media.

The report reads the build's manifest (``_mag/manifest.json``, written by every
build: mag_core.manifest), not the pages' HTML, so a change of wording in a
template cannot change its figures. A page is found by (article id, format), as
the beacon names it, or by URL path for events of a page the manifest names by
another format.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mag_core.manifest import read_manifest

logger = logging.getLogger(__name__)


@dataclass
class SitePage:
    path: str  # site-relative URL path: "/2026/judges-talk/"
    article: str | None = None
    format: str | None = None
    title: str = ""
    minutes: int | None = None
    audience: tuple[str, ...] = ()
    videos: set[str] = field(default_factory=set)  # "video", "short"
    series: str = ""  # the article's Series: name ("" when none)


def pages_of(entry: dict[str, Any]) -> list[SitePage]:
    """The pages of one article of the manifest."""
    return [
        SitePage(
            path="/" + page["url"].lstrip("/"),
            article=entry["id"],
            format=page["format"],
            title=page.get("title") or "",
            minutes=page.get("minutes"),
            audience=tuple(entry.get("audience") or ()),
            videos=set(entry.get("media") or ()) if page["format"] == "article" else set(),
            series=entry.get("series") or "",
        )
        for page in entry.get("pages", ())
    ]


class Site:
    """The article pages of a built site, found by (article, format) or by URL path."""

    def __init__(self, pages: list[SitePage]) -> None:
        self.pages = pages
        self.by_id = {(p.article, p.format): p for p in pages if p.article}
        self.by_path = {p.path: p for p in pages}

    @classmethod
    def read(cls, folder: str | Path | None) -> Site:
        if folder is None:
            return cls([])
        folder = Path(folder)
        if not folder.is_dir():
            raise FileNotFoundError(
                f"analytics: no built site at {folder}/ (run 'invoke build', or pass --site)"
            )
        pages = [page for entry in read_manifest(folder)["articles"] for page in pages_of(entry)]
        logger.info("analytics.report: %d article pages in %s", len(pages), folder)
        return cls(pages)

    def find(self, article: str | None, fmt: str | None, path: str | None) -> SitePage | None:
        """The page of ``article`` in ``fmt``, else the page whose URL ends ``path``.

        Matching the end of the path lets a site served under a prefix (/mag/2026/x/)
        still find its pages (/2026/x/).
        """
        page = self.by_id.get((article, fmt))
        if page or not path:
            return page
        parts = path.split("/")
        for start in range(1, len(parts)):
            page = self.by_path.get("/" + "/".join(parts[start:]))
            if page:
                return page
        return None
