"""The beacon plugin's Pelican side: signals connected by ``mag_beacon.register``."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pelican import signals

from mag_goals.patterns import link_goals_json
from mag_goals.settings import read_goals

from . import optout, script, settings
from .page import Beacon

__all__ = ["Beacon", "beacon_for", "register"]

logger = logging.getLogger(__name__)

GLOBAL = "mag_beacon"  # the template global; None when there is no beacon


def beacon_for(pelican_settings: Mapping[str, Any]) -> Beacon | None:
    """The beacon this build puts on its pages, from the settings and the environment.

    Worked out afresh for every run (cheap: the script is a few kilobytes), so
    `pelican -r` and livereload pick up a changed setting or a changed beacon.js.
    """
    config = settings.read(pelican_settings)
    if not config["url"]:
        return None
    data, digest = script.build(pelican_settings)
    goals = read_goals(pelican_settings)
    return Beacon(
        goals=tuple(goals),
        link_goals=link_goals_json(goals),
        src=script.site_path(pelican_settings, digest),
        endpoint=config["url"],
        site=config["site"],
        script=data,
        opt_out_slug=config["opt_out_slug"],
    )


def check_settings(pelican) -> None:
    """Bad settings stop the build at its start, before anything is read or written."""
    beacon = beacon_for(pelican.settings)
    if beacon:
        size = script.gzipped_size(beacon.script)
        if size > script.SIZE_LIMIT:
            logger.warning(
                "mag_beacon: the beacon is %d bytes gzipped, over its %d-byte budget",
                size,
                script.SIZE_LIMIT,
            )


def add_template_global(generator) -> None:
    generator.env.globals[GLOBAL] = beacon_for(generator.settings)


def add_opt_out_page(generator) -> None:
    beacon = beacon_for(generator.settings)
    if beacon:
        optout.add_page(generator, beacon.opt_out_slug)


def write_script(pelican) -> None:
    beacon = beacon_for(pelican.settings)
    if beacon:
        script.write(beacon.script, pelican.output_path, beacon.src)


def register() -> None:
    signals.initialized.connect(check_settings)
    signals.generator_init.connect(add_template_global)
    signals.page_generator_finalized.connect(add_opt_out_page)
    signals.finalized.connect(write_script)
