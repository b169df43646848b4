"""mag_core: what every plugin of the magazine shares.

One error type for bad content, settings read over defaults, the per-build
problem list that stops a strict build, the front-matter checks, and the
template helpers.
"""

from __future__ import annotations

from pelican import signals

from . import frontmatter, problems
from .errors import BuildStopped, ContentError, SettingsError
from .formats import add_format, formats_of
from .frontmatter import declare_keys
from .settings import is_strict, plugin_settings
from .templating import render_once

__all__ = [
    "BuildStopped",
    "ContentError",
    "SettingsError",
    "add_format",
    "declare_keys",
    "formats_of",
    "is_strict",
    "plugin_settings",
    "report",
]

report = problems.report


def check_front_matter(generators) -> None:
    settings = generators[0].settings if generators else {}
    for error in frontmatter.check_generators(generators):
        problems.report(error, settings)


def add_template_helpers(pelican) -> None:
    """Templates call formats_of(article) for the format switcher, render_once for cards."""
    helpers = pelican.settings.setdefault("JINJA_GLOBALS", {})
    helpers["formats_of"] = formats_of
    helpers["render_once"] = render_once


def forget_stopped_sitemap(_pelican) -> None:
    """Let the sitemap plugin start afresh after a build that was stopped.

    pelican-sitemap remembers the Pelican run it writes for and forgets it only
    in ``finalized``; a strict build stopped by bad content never gets there, so
    in a long-lived process (livereload, tests) every later run would silently
    write no sitemap.
    """
    try:
        from pelican.plugins.sitemap import sitemap
    except ImportError:
        return
    sitemap.generator._main_pelican = None
    sitemap.generator.page_queue = []


def register() -> None:
    declare_keys("audience", "cover")
    signals.initialized.connect(problems.reset)
    signals.initialized.connect(add_template_helpers)
    signals.initialized.connect(forget_stopped_sitemap)
    signals.initialized.connect(render_once.clear)
    signals.all_generators_finalized.connect(check_front_matter)
    # get_writer is sent after every all_generators_finalized handler and
    # before the first page is written: the last moment to stop a strict build.
    signals.get_writer.connect(problems.stop_if_any)
