"""What the built site says about each article page: title, reading time, audience, videos.

The report reads the finished HTML (the site folder ``invoke build`` writes), so it
needs no build settings and sees exactly what readers saw. A page tells its
article id, format and audience through the beacon's data attributes; a site
built without a collector lacks them, and its pages are matched to the events
by URL path instead.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

logger = logging.getLogger(__name__)

_MINUTES = re.compile(r"(\d+)\s*分")
# Only pages with an article header can carry an article's reading time.
_MARKERS = ("data-article", "article-title", "illustrated__title")


@dataclass
class SitePage:
    path: str  # site-relative URL path: "/2026/judges-talk/"
    article: str | None = None
    format: str | None = None
    title: str = ""
    minutes: int | None = None
    audience: tuple[str, ...] = ()
    videos: set[str] = field(default_factory=set)  # "video", "short"


class _PageParser(HTMLParser):
    def __init__(self, page: SitePage) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.headers = 0  # depth of <header> elements
        self.capture: str | None = None  # "title" or "minutes" while inside one
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        classes = values.get("class", "").split()
        page = self.page
        if tag == "script" and "data-article" in values:
            page.article = values["data-article"]
            page.format = values.get("data-format") or page.format
            page.audience = tuple(values.get("data-audience", "").split())
        elif tag == "article" and page.format is None:
            page.format = values.get("data-format") or ("article" if "article" in classes else None)
        elif tag == "header":
            self.headers += 1
        elif tag == "video" and values.get("data-format"):
            page.videos.add(values["data-format"])
        elif tag == "h1" and not page.title:
            self.capture, self.text = "title", []
        elif tag == "span" and "reading-time" in classes and self.headers and not page.minutes:
            self.capture, self.text = "minutes", []

    def handle_endtag(self, tag: str) -> None:
        if tag == "header":
            self.headers = max(0, self.headers - 1)
        elif (tag, self.capture) in {("h1", "title"), ("span", "minutes")}:
            text = " ".join("".join(self.text).split())
            if self.capture == "title":
                self.page.title = text
            elif match := _MINUTES.search(text):
                self.page.minutes = int(match.group(1))
            self.capture = None

    def handle_data(self, data: str) -> None:
        if self.capture:
            self.text.append(data)


def read_page(path: Path, url_path: str) -> SitePage | None:
    text = path.read_text(encoding="utf-8", errors="replace")
    if not any(marker in text for marker in _MARKERS):
        return None
    page = SitePage(url_path)
    _PageParser(page).feed(text)
    return page if page.title or page.article else None


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
        pages = []
        for html in sorted(folder.rglob("*.html")):
            relative = html.relative_to(folder).as_posix()
            url = "/" + (
                relative.removesuffix("index.html") if html.name == "index.html" else relative
            )
            page = read_page(html, url)
            if page:
                pages.append(page)
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
