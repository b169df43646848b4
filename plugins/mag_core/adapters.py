"""Where the magazine must reach into another package's internals, and why.

Each function here works around a bug or a missing hook upstream; it is the only
place that touches those internals, so an upgrade has one file to check.
"""

from __future__ import annotations


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
