"""mag_beacon: the analytics beacon on every page, when a collector is configured.

The collector's endpoint comes from ``MAG_BEACON = {"url": ...}`` or the
``MAG_BEACON_URL`` environment variable; with neither, pages carry no beacon.
With one, base.html loads the minified beacon (``defer``) with the page's
article id, format and reader segments as data attributes, and an opt-out page
is added. See docs/analytics.md.
"""

from __future__ import annotations

import logging

from pelican import signals

from . import optout, script, settings
from .page import Beacon

__all__ = ["Beacon", "register"]

logger = logging.getLogger(__name__)

GLOBAL = "mag_beacon"


def configure(pelican) -> None:
    """Read the settings once a build; templates see the result as ``mag_beacon``."""
    config = settings.read(pelican.settings)
    beacon = None
    if config["url"]:
        data, digest = script.build(pelican.settings)
        size = script.gzipped_size(data)
        if size > script.SIZE_LIMIT:
            logger.warning(
                "mag_beacon: the beacon is %d bytes gzipped, over its %d-byte budget",
                size,
                script.SIZE_LIMIT,
            )
        beacon = Beacon(
            src=script.site_path(pelican.settings, digest),
            endpoint=config["url"],
            site=config["site"],
            script=data,
            opt_out_slug=config["opt_out_slug"],
        )
    pelican.settings.setdefault("JINJA_GLOBALS", {})[GLOBAL] = beacon


def _beacon(settings_) -> Beacon | None:
    return settings_.get("JINJA_GLOBALS", {}).get(GLOBAL)


def add_opt_out_page(generator) -> None:
    beacon = _beacon(generator.settings)
    if beacon:
        optout.add_page(generator, beacon.opt_out_slug)


def write_script(pelican) -> None:
    beacon = _beacon(pelican.settings)
    if beacon:
        script.write(beacon.script, script.output_path(pelican.settings, pelican.output_path))


def register() -> None:
    signals.initialized.connect(configure)
    signals.page_generator_finalized.connect(add_opt_out_page)
    signals.finalized.connect(write_script)
