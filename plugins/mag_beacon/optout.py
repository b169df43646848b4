"""The opt-out page: a generated page, listed with the site's pages, that stops the beacon.

Its text and buttons are in the theme's opt-out.html template; the buttons set
or clear a flag in the browser's local storage, which the beacon checks first.
"""

from __future__ import annotations

import logging

from pelican.contents import Page

logger = logging.getLogger(__name__)

TITLE = "アクセス解析の停止（オプトアウト）"
TEMPLATE = "opt-out"


def add_page(generator, slug: str) -> Page | None:
    """Add the opt-out page to the pages being written, unless the content has one."""
    existing = [*generator.pages, *generator.hidden_pages]
    if any(page.slug == slug for page in existing):
        logger.info("mag_beacon: the content has a page %r; no opt-out page generated", slug)
        return None
    page = Page(
        "",
        metadata={"title": TITLE, "slug": slug, "template": TEMPLATE},
        settings=generator.settings,
        context=generator.context,
    )
    # generator.pages is also the context's "pages": the footer lists the page too.
    generator.pages.append(page)
    return page
