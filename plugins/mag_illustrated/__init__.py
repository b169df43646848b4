"""mag_illustrated: illustration-led variant pages, responsive images and share cards.

- ``Illustrated: illustrations/<name>/`` gives an article a variant page at
  ``<article url>illustrated/`` built from the panels listed in the folder's
  ``panels.md`` (see :mod:`.panels`).
- Every raster image of the content is published upright and without metadata,
  and ``<img>`` in articles and pages becomes a ``<picture>`` with WebP widths.
- Every article gets a 1200×630 share card with its Japanese title, and one
  without a ``Cover:`` a 16:9 title cover (``article.title_cover``) for lists.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from pelican import signals

from mag_core import ContentError, declare_keys, report
from mag_core.build import drop_statics
from mag_core.contents import articles_with_pages

from . import settings as illustrated_settings
from .generator import IllustratedGenerator, maker_for
from .images import is_raster
from .rewrite import rewrite_content
from .state import state_of

__all__ = ["IllustratedGenerator", "register"]


def get_generators(_pelican):
    return IllustratedGenerator


def rewrite_articles(generator) -> None:
    # The one rule for the articles that get pages (hidden ones included), and translations.
    translations = ("translations", "hidden_translations", "drafts_translations")
    extra = (getattr(generator, name) for name in translations)
    _rewrite(generator, articles_with_pages(generator.context), *extra)


def rewrite_pages(generator) -> None:
    groups = ("pages", "translations", "hidden_pages", "draft_pages")
    _rewrite(generator, *(getattr(generator, name) for name in groups))


def _rewrite(generator, *groups) -> None:
    config = illustrated_settings.read(generator.settings)
    maker = maker_for(generator.settings)
    for group in groups:
        for content in group:
            rewrite_content(content, maker, config, generator.settings)


def take_over_images(generator) -> None:
    """Raster static files are published cleaned (no EXIF, upright) instead of copied.

    Panel files and animation frames used by a variant are not published at
    all: the variant publishes what it made from them.
    """
    state = state_of(generator.settings)
    maker = maker_for(generator.settings)
    content_root = Path(generator.path)
    dropped = set()
    for static in generator.staticfiles:
        relative = str(PurePosixPath(Path(static.relative_source_path)))
        if relative in state.taken or is_raster(relative):
            dropped.add(id(static))
        if relative in state.taken or not is_raster(relative):
            continue
        try:
            state.statics.append((static, maker.clean_original(content_root / relative)))
        except ContentError as error:  # never publish what could not be cleaned
            report(error, generator.settings)
    drop_statics(generator, lambda static: id(static) in dropped)


def register() -> None:
    # Featured: true puts an article in the front page's lead (the theme reads it).
    declare_keys("illustrated", "featured")
    signals.article_generator_finalized.connect(rewrite_articles)
    signals.page_generator_finalized.connect(rewrite_pages)
    signals.static_generator_finalized.connect(take_over_images)
    signals.get_generators.connect(get_generators)
