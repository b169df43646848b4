"""mag_core: what every plugin of the magazine shares.

One error type for bad content, settings read over defaults, the per-build
problem list that stops a strict build, and the front-matter checks.
"""

from __future__ import annotations

from pelican import signals

from . import frontmatter, problems
from .errors import BuildStopped, ContentError, SettingsError
from .frontmatter import declare_keys
from .settings import is_strict, plugin_settings

__all__ = [
    "BuildStopped",
    "ContentError",
    "SettingsError",
    "declare_keys",
    "is_strict",
    "plugin_settings",
    "report",
]

report = problems.report


def check_front_matter(generators) -> None:
    settings = generators[0].settings if generators else {}
    for error in frontmatter.check_generators(generators):
        problems.report(error, settings)


def register() -> None:
    declare_keys("audience", "cover", "series", "part")
    signals.initialized.connect(problems.reset)
    signals.all_generators_finalized.connect(check_front_matter)
    # get_writer is sent after every all_generators_finalized handler and
    # before the first page is written: the last moment to stop a strict build.
    signals.get_writer.connect(problems.stop_if_any)
