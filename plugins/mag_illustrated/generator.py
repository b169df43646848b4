"""The illustrated generator: variant pages, covers, share cards, and publishing."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from pelican.generators import Generator

from mag_core import ContentError, add_format, report
from mag_core.cache import Cache, cache_root, publish_file
from mag_core.contents import articles_with_pages
from mag_core.frontmatter import line_of

from . import settings as illustrated_settings
from .cards import share_card, title_cover
from .images import ImageMaker, is_raster
from .state import BuildState, state_of
from .variant import load_variant

logger = logging.getLogger(__name__)


def maker_for(settings) -> ImageMaker:
    """One ImageMaker per build, shared by the signal handlers and the generator."""
    state = state_of(settings)
    if "maker" not in state.tools:
        config = illustrated_settings.read(settings)
        state.tools["maker"] = ImageMaker(config, Cache(cache_root(settings)), state)
    return state.tools["maker"]


def _category(article) -> str:
    return str(getattr(article, "category", "") or "")


def share_base_url(settings) -> str:
    """Absolute site address for og:image and og:url (chat previews need absolute URLs)."""
    for candidate in (settings.get("SITEURL"), settings.get("FEED_DOMAIN")):
        if candidate and "://" in candidate:
            return candidate.rstrip("/")
    return ""


class IllustratedGenerator(Generator):
    def generate_context(self) -> None:
        self.config = illustrated_settings.read(self.settings)
        maker = maker_for(self.settings)
        articles = articles_with_pages(self.context)
        # Title covers fill the lists' holes: only articles that are in a list get one.
        listed = {id(article) for article in self.context.get("articles", [])}
        shades = {name: n for n, name in enumerate(sorted({_category(a) for a in articles}))}
        for article in articles:
            self._cover(article, maker)
            covered = getattr(article, "cover_image", None)
            if self.config["title_covers"] and not covered and id(article) in listed:
                site, shade = self.settings["SITENAME"], shades[_category(article)]
                article.title_cover = title_cover(maker, article, site, shade)
            if self.config["share_cards"]:
                article.share_card = share_card(maker, article, self.settings["SITENAME"])
        self.variants = []
        for article in articles:
            if article.metadata.get("illustrated"):
                self._variant(article, maker)
        self.context["SHARE_BASE_URL"] = share_base_url(self.settings)

    def _cover(self, article, maker: ImageMaker) -> None:
        cover = str(article.metadata.get("cover") or "").strip().lstrip("/")
        if not cover or not is_raster(cover):
            return
        path = Path(self.settings["PATH"]) / cover
        try:
            if not path.is_file():
                raise ContentError(
                    article.source_path,
                    f"Cover: {cover!r} not found",
                    line=line_of(article.source_path, "cover"),
                )
            article.cover_image = maker.image_set(path, cover)
        except ContentError as error:
            report(error, self.settings)

    def _variant(self, article, maker: ImageMaker) -> None:
        try:
            variant = load_variant(article, maker, self.config, self.settings)
        except ContentError as error:
            report(error, self.settings)
            return
        article.illustrated = variant
        add_format(article, "illustrated", variant.url)
        self.variants.append((article, variant))

    def generate_output(self, writer) -> None:
        template = self.get_template(self.config["template"])
        for article, variant in self.variants:
            writer.write_file(
                variant.save_as,
                template,
                self.context,
                article=article,
                illustrated=variant,
                panel_sizes=self.config["panel_sizes"],
                page_name=variant.url.rstrip("/"),
                url=variant.url,
                relative_urls=self.settings["RELATIVE_URLS"],
            )
        publish_all(state_of(self.settings), Path(self.output_path))


def publish_all(state: BuildState, output: Path) -> None:
    """Link every derivative and cleaned original into the output, then say what was done."""
    for relative, cached in state.published.items():
        publish_file(cached, output / relative)
    for static, cached in state.statics:  # save_as read now: {attach} may have moved it
        publish_file(cached, output / static.save_as)
    if state.encoded:
        logger.info(
            "mag_illustrated: encoded %d images (%d reused from the cache) in %.1f s",
            state.encoded,
            state.reused,
            time.perf_counter() - state.started,
        )
