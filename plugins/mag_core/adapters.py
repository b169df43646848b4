"""Where the magazine must reach into another package's internals, and why.

Each function here works around a bug or a missing hook upstream; it is the only
place that touches those internals, so an upgrade has one file to check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def forget_stopped_sitemap() -> None:
    """Let pelican-sitemap write the sitemap of this run, even after a stopped run.

    Upstream bug (pelican-sitemap 1.2.2, ``SitemapGenerator``): ``init`` (on
    ``get_generators``) remembers the first Pelican it sees in ``_main_pelican``
    and ``finalize`` (on ``finalized``) forgets it and the queued pages. A
    strict build stopped by bad content never reaches ``finalized``, so in a
    long-lived process (livereload, tests, ``pelican -r``) a later run of
    another Pelican instance silently wrote no sitemap, and a run of the same
    one wrote pages queued by the stopped run. There is no public reset; this
    runs on ``get_generators`` before the sitemap plugin's own handler (the
    magazine's plugins are registered first), so every run starts afresh.
    """
    try:
        from pelican.plugins.sitemap import sitemap
    except ImportError:
        return
    sitemap.generator._main_pelican = None
    sitemap.generator.page_queue = []


def after_intrasite_links(content: Any, transform: Callable[[str, str], str]) -> None:
    """Run ``transform(html, siteurl)`` each time Pelican renders ``content`` for a page.

    Missing upstream hook (Pelican 4.12, ``Content._update_content``): Pelican
    resolves ``{static}`` links per page, for the ``siteurl`` of that page (with
    relative URLs a card on ``category/x/`` and on the front page differ), but
    its link pattern knows ``href``/``src``/``poster``… and not ``srcset``, which
    holds several URLs, and no signal is sent when it renders. mag_illustrated's
    ``<picture>`` markup carries placeholders that must be resolved the same way,
    so the one private method is wrapped here, keeping Pelican's own result.
    """
    pelican_update = content._update_content

    def update(text: str, siteurl: str) -> str:
        return transform(pelican_update(text, siteurl), siteurl)

    content._update_content = update
