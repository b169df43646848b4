"""What a page tells the beacon: data attributes on its <script> tag."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mag_core import formats_of

_SEGMENT = re.compile(r"[a-z][a-z0-9_-]{0,31}")


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
            attributes["data-audience"] = " ".join(audiences(article)) or None
        return attributes


def current_format(article: Any, output_file: str) -> str | None:
    """Which of the article's formats this page is, from formats_of (the one list of them)."""
    folder = output_file.removesuffix("index.html")
    for fmt in formats_of(article):
        url = fmt.url.split("#", 1)[0]
        if url in (output_file, folder):
            return fmt.id
    return None


def audiences(article: Any) -> list[str]:
    """The segment ids of ``Audience: busy, light`` (a list if another plugin parsed it)."""
    value = getattr(article, "audience", None) or ""
    items = value.replace(",", " ").split() if isinstance(value, str) else [str(v) for v in value]
    return [item for item in (i.strip().lower() for i in items) if _SEGMENT.fullmatch(item)]
