"""Which articles a plugin works on: one rule, so every format reaches the same articles.

Before, the video plugin rendered drafts but not hidden articles, the transcript
and illustrated plugins only published ones, and the Japanese plugin drafts but
not hidden ones: a hidden interview got no player, and its raw source file was
copied as it was. Lists, feeds and the newsletter use Pelican's ``articles``
(published only); everything that gives an article its pages uses this.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Every article that gets its own page in this build: published, hidden (own
# address only) and, where the settings write them, drafts (mag_status).
WITH_PAGES = ("articles", "hidden_articles", "drafts")


def articles_with_pages(context: Mapping[str, Any]) -> list[Any]:
    """The articles of this build that have a page, from the generators' shared context."""
    return [article for name in WITH_PAGES for article in context.get(name) or ()]
