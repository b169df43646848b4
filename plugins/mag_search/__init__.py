"""mag_search: the Pagefind search index, built from the finished output.

Indexing is a step of its own (``invoke build`` runs it after Pelican), not of
every live-reload rebuild, since it reads the whole site. Set
``MAG_SEARCH = {"index_on_build": True}`` to index at the end of each Pelican run.
"""

from __future__ import annotations

import logging

from pelican import signals

from mag_core import plugin_settings

from .index import build_index

__all__ = ["build_index", "register"]

logger = logging.getLogger(__name__)

DEFAULTS = {
    "index_on_build": False,
    # Pages mark their text with data-pagefind-body; these parts inside it are not text.
    "exclude_selectors": [".format-switcher", ".series-nav", ".article-meta"],
}


def index_after_build(pelican) -> None:
    config = plugin_settings(pelican.settings, "MAG_SEARCH", DEFAULTS)
    if config["index_on_build"]:
        build_index(pelican.output_path, config["exclude_selectors"])


def register() -> None:
    signals.finalized.connect(index_after_build)
