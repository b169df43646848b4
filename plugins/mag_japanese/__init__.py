"""mag_japanese: romaji slugs, character-based reading time, sentence-aware summaries."""

from __future__ import annotations

import html
import logging
from collections import defaultdict

from pelican import signals
from pelican.contents import Article, Page

from mag_core import ContentError, report
from mag_core.contents import articles_with_pages

from . import settings as japanese_settings
from .dictionary import readings_problems
from .math import MathExtension
from .prose import prose_paragraphs
from .reading import html_to_text, reading_minutes, summarise
from .slugs import fix_content_slug, fix_wrapper_slugs, romaji_memo, slug_maker

logger = logging.getLogger(__name__)


def on_content(content) -> None:
    """Slugs, reading time and summary for one article or page, as it is read."""
    if not isinstance(content, (Article, Page)):
        return
    config = japanese_settings.read(content.settings)
    slug = slug_maker(content.settings)
    fix_content_slug(content, slug)
    fix_wrapper_slugs(content, slug)
    markup = getattr(content, "_content", "") or ""
    content.reading_time = reading_minutes(
        html_to_text(markup), config["chars_per_minute"], config["words_per_minute"]
    )
    if "summary" not in content.metadata:
        limit = config["summary_length"]
        prose = "\n".join(_opening(prose_paragraphs(markup), limit))
        summary = html.escape(
            summarise(prose, limit, config["sentence_ends"], config["ellipsis"]), quote=False
        )
        # Pelican's summary reads the metadata first (Content.get_summary).
        content.metadata["summary"] = summary


def _opening(paragraphs, limit: int):
    """The first paragraphs, until there is more than enough text to cut a summary from."""
    found = 0
    for paragraph in paragraphs:
        yield paragraph
        found += len(paragraph)
        if found > limit:
            return


def check_unique_slugs(generators) -> None:
    """Two contents with one slug would overwrite each other's page: stop the build."""
    for generator in generators:
        for group in _content_groups(generator):
            by_slug = defaultdict(list)
            for content in group:
                by_slug[(content.slug, getattr(content, "lang", ""))].append(content)
            for (slug, _lang), same in by_slug.items():
                if len(same) > 1:
                    files = " and ".join(str(content.source_path) for content in same)
                    raise ContentError(
                        same[0].source_path,
                        f"slug {slug!r} is used by {files}",
                        hint="give one of them its own 'Slug:' line",
                    )


def _content_groups(generator):
    if hasattr(generator, "articles"):
        yield [*articles_with_pages(generator.context), *generator.translations]
    if hasattr(generator, "pages"):
        yield [
            *generator.pages,
            *generator.translations,
            *generator.hidden_pages,
            *generator.draft_pages,
        ]


def start_build(pelican) -> None:
    """Reject a typo in MAG_JAPANESE when the build starts, not per article; load known readings."""
    config = japanese_settings.read(pelican.settings)
    romaji_memo.open(pelican.settings)
    if config["math"]:
        use_math_extension(pelican.settings)


def use_math_extension(settings) -> None:
    """Add the math extension to the Markdown reader's extensions (once per settings)."""
    markdown = dict(settings.get("MARKDOWN") or {})
    extensions = list(markdown.get("extensions") or [])
    if not any(isinstance(extension, MathExtension) for extension in extensions):
        markdown["extensions"] = [*extensions, MathExtension()]
        settings["MARKDOWN"] = markdown


def check_readings(generator) -> None:
    """Report the reading dictionary's bad lines once a run, before any article is read.

    ``article_generator_init`` is sent once a run (``article_generator_preread`` once a file).
    """
    settings = generator.settings
    for error in readings_problems(settings, japanese_settings.read(settings)):
        report(error, settings)


def register() -> None:
    signals.initialized.connect(start_build)
    signals.article_generator_init.connect(check_readings)
    signals.finalized.connect(romaji_memo.save)
    signals.content_object_init.connect(on_content)
    signals.all_generators_finalized.connect(check_unique_slugs)
