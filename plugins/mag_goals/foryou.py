"""What a page tells the "for you" script (theme/static/js/for-you.js): data attributes.

The script orders the format switcher and the front page's format rows by the
formats this reader finished before, from their own browser's storage only. The
page gives it the default order, the holdout share, and, on an article's pages,
which format this is and how long it takes to read, so the script can tell when
the reader finished it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mag_beacon.page import current_format  # the one rule for "which format is this page"
from mag_core.formats import FORMAT_ORDER

TEMPLATE_GLOBAL = "mag_for_you"  # None when MAG_FOR_YOU["enabled"] is false
# A page without a reading time of its own (the illustrated variant) counts as finished
# after this much time in view: the report's min_engaged_s default, for the same 読了 idea.
FALLBACK_READ_MS = 10_000


@dataclass(frozen=True)
class ForYou:
    holdout_percent: int

    def attributes(
        self, article: Any = None, output_file: str = "", minutes: int | None = None
    ) -> dict[str, str | None]:
        """data-* attributes of the script tag; the xmlattr filter escapes them and drops None."""
        attributes: dict[str, str | None] = {
            "data-order": " ".join(FORMAT_ORDER),
            "data-holdout": str(self.holdout_percent),
        }
        if article is not None:
            # No article id: the script keys what a reader finished by the page's path.
            attributes["data-format"] = current_format(article, output_file)
            read_ms = minutes * 60_000 if minutes else FALLBACK_READ_MS
            attributes["data-read-ms"] = str(read_ms)
        return attributes
