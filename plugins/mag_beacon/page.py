"""What a page tells the beacon: data attributes on its <script> tag."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mag_core import formats_of
from mag_core.audiences import audiences_of
from mag_goals.patterns import page_goals_of


@dataclass(frozen=True)
class Beacon:
    """The template global ``mag_beacon`` (None when no collector is configured)."""

    src: str  # site-relative URL of the minified script
    endpoint: str
    site: str
    script: bytes  # the minified script, written into the output at the end
    opt_out_slug: str
    goals: tuple[dict[str, Any], ...] = ()  # MAG_GOALS, checked (mag_goals.settings)
    link_goals: str = "[]"  # the link goals as the beacon reads them (mag_goals.patterns)

    def attributes(self, article: Any = None, output_file: str = "") -> dict[str, str | None]:
        """data-* attributes for the page; the xmlattr filter escapes them and drops None."""
        attributes: dict[str, str | None] = {
            "data-endpoint": self.endpoint,
            "data-site": self.site,
            "data-goals": self.link_goals,
            # Page goals are matched here, where the page's own address is known for sure.
            "data-reached": " ".join(page_goals_of(self.goals, page_path(output_file))) or None,
        }
        if article is not None:
            attributes["data-article"] = article.slug
            attributes["data-format"] = current_format(article, output_file)
            attributes["data-audience"] = " ".join(audiences_of(article)) or None
        return attributes


def page_path(output_file: str) -> str:
    """The page's path from the site's root, as page goals are written: /pages/thanks/."""
    return "/" + output_file.removesuffix("index.html")


def current_format(article: Any, output_file: str) -> str | None:
    """Which of the article's formats this page is, from formats_of (the one list of them)."""
    folder = output_file.removesuffix("index.html")
    for fmt in formats_of(article):
        url = fmt.url.split("#", 1)[0]
        if url in (output_file, folder):
            return fmt.id
    return None
