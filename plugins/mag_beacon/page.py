"""What a page tells the beacon: data attributes on its <script> tag."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mag_core import formats_of
from mag_core.audiences import audiences_of


@dataclass(frozen=True)
class Beacon:
    """The template global ``mag_beacon`` (None when no collector is configured)."""

    src: str  # site-relative URL of the minified script
    endpoint: str
    site: str
    script: bytes  # the minified script, written into the output at the end
    opt_out_slug: str

    def attributes(self, article: Any = None, output_file: str = "") -> dict[str, str | None]:
        """data-* attributes for the page; the xmlattr filter escapes them and drops None."""
        attributes: dict[str, str | None] = {"data-endpoint": self.endpoint, "data-site": self.site}
        if article is not None:
            attributes["data-article"] = article.slug
            attributes["data-format"] = current_format(article, output_file)
            attributes["data-audience"] = " ".join(audiences_of(article)) or None
        return attributes


def current_format(article: Any, output_file: str) -> str | None:
    """Which of the article's formats this page is, from formats_of (the one list of them)."""
    folder = output_file.removesuffix("index.html")
    for fmt in formats_of(article):
        url = fmt.url.split("#", 1)[0]
        if url in (output_file, folder):
            return fmt.id
    return None
