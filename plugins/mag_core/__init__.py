"""mag_core: what every plugin of the magazine shares.

One error type for bad content, settings read over defaults, the per-build
problem list that stops a strict build, the front-matter checks, and the
template helpers.

Importing ``mag_core`` does not import Pelican: the collector and the reader
report use its errors, settings and format ids, and start in a fraction of the
time without Pelican, docutils, Markdown and Jinja2. Pelican's side loads when
Pelican calls :func:`register` (``mag_core.plugin``), and the front-matter
helpers on first use.
"""

from __future__ import annotations

from typing import Any

from .errors import BuildStopped, ContentError, SettingsError
from .formats import add_format, formats_of
from .problems import report
from .settings import is_strict, plugin_settings

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


def __getattr__(name: str) -> Any:
    # PEP 562: ``declare_keys`` lives beside the front-matter checks, which need Pelican.
    if name == "declare_keys":
        from .frontmatter import declare_keys

        return declare_keys
    raise AttributeError(f"module 'mag_core' has no attribute {name!r}")


def register() -> None:
    from .plugin import register as connect_signals

    connect_signals()
