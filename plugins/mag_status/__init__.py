"""mag_status: unpublished stays unpublished.

Pelican already keeps drafts (``Status: draft``) and hidden articles
(``Status: hidden``) out of its lists and feeds, and pelican-sitemap leaves them
out of the sitemap. What it does not do, and this plugin does:

- a build with ``MAG_STATUS = {"write_drafts": False}`` (publishconf) leaves
  drafts out entirely: no page, no share card, no video rendition, and no file
  only a draft uses (:mod:`.leftout`);
- templates get ``has_page(category_or_tag_or_author)``, so a hidden article
  alone in its category links to no category page that is never written
  (:mod:`.links`).

The templates mark drafts and carry ``noindex`` on every page that is not
published; mag_search leaves ``noindex`` pages out of the search index.
"""

from __future__ import annotations

from pelican import signals

from . import settings as status_settings
from .leftout import drop_draft_articles, drop_draft_only_files, drop_draft_pages
from .links import has_page, note_listed_pages

__all__ = ["has_page", "register"]


def start_build(pelican) -> None:
    """Reject a typo in MAG_STATUS at the start; give templates has_page()."""
    status_settings.read(pelican.settings)
    pelican.settings.setdefault("JINJA_GLOBALS", {})["has_page"] = has_page


def register() -> None:
    signals.initialized.connect(start_build)
    # Before taxonomies and before any other plugin sees the finished articles:
    # a draft left out here gets no share card, no video rendition, no variant.
    signals.article_generator_pretaxonomy.connect(drop_draft_articles)
    signals.article_generator_finalized.connect(note_listed_pages)
    signals.page_generator_finalized.connect(drop_draft_pages)
    signals.static_generator_finalized.connect(drop_draft_only_files)
