"""mag_search: the Pagefind search index, built from the finished output.

Indexing is a step of its own (``invoke build`` runs it after Pelican), not of
every live-reload rebuild, since it reads the whole site. Set
``MAG_SEARCH = {"index_on_build": True}`` to index at the end of each Pelican run.
"""

from __future__ import annotations

import logging

from pelican import signals

from mag_core import plugin_settings

from .index import DEFAULT_EXCLUDES, build_index

__all__ = ["build_index", "index_site", "register"]

logger = logging.getLogger(__name__)

DEFAULTS = {
    # Index at the end of every Pelican run, not only in `invoke build`.
    "index_on_build": False,
    # Parts of pages left out of the index (navigation repeated on every article).
    "exclude_selectors": list(DEFAULT_EXCLUDES),
}


def index_site(settings, output_path):
    """Index a built site as its settings say (``invoke build`` and ``index_on_build``)."""
    config = plugin_settings(settings, "MAG_SEARCH", DEFAULTS)
    return build_index(output_path, config["exclude_selectors"])


def index_after_build(pelican) -> None:
    if plugin_settings(pelican.settings, "MAG_SEARCH", DEFAULTS)["index_on_build"]:
        index_site(pelican.settings, pelican.output_path)


def register() -> None:
    signals.finalized.connect(index_after_build)
