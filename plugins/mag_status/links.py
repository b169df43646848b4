"""Which category, tag and author pages exist, for templates that link to them.

Pelican writes a category, tag or author page only for those of *published*
articles. A hidden article (or a draft preview) alone in its category would
otherwise link to a page, and a category feed, that is never written, and the
publish check rightly refuses such a release.
"""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context

# Where the set of written category, tag and author pages is kept for one run:
# Pelican's context lives exactly one run and every page's context is a copy of it.
CONTEXT_KEY = "mag_listed_pages"
# The context lists Pelican fills from published articles only: (wrapper, articles) pairs.
_LISTS = ("categories", "tags", "authors")


def note_listed_pages(generator) -> None:
    """Remember the save_as of every category, tag and author page this run writes."""
    listed = {
        wrapper.save_as
        for name in _LISTS
        for wrapper, _articles in generator.context.get(name) or []
        if wrapper.save_as
    }
    generator.context[CONTEXT_KEY] = frozenset(listed)


@pass_context
def has_page(context: Any, wrapper: Any) -> bool:
    """Whether this build writes a page for ``wrapper`` (a category, tag or author).

    Read from the page's own template context (no state of its own), so it is
    right in every run of a long-lived process. A set lookup: every card of
    every list page asks.
    """
    save_as = getattr(wrapper, "save_as", "") if wrapper is not None else ""
    return bool(save_as) and save_as in context.get(CONTEXT_KEY, ())
