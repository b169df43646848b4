"""mag_assets: the theme's CSS and JS under content-hashed names.

Templates write ``{{ SITEURL }}/{{ theme_asset('css/main.css') }}`` and get
``theme/css/main.<hash>.css``; after the build the hashed copies are written
next to the files Pelican copies from the theme. A changed stylesheet gets a
new name, so

- a page of one release never loads the stylesheet of another while a publish
  switches releases (the old names are carried one release longer), and
- the web server may tell browsers to keep hashed files for a year
  (``Cache-Control: immutable``; docs/operations/releases.md).

Images, video and search files already have hashed names; this does the same
for the theme's own files. The hash is the file's SHA-256 (the project's one
file digest), so the name is the same in every build of the same bytes.
"""

from __future__ import annotations

from pelican import signals

from .hashing import theme_asset, write_hashed_copies

__all__ = ["register", "theme_asset"]


def add_template_helper(pelican) -> None:
    pelican.settings.setdefault("JINJA_GLOBALS", {})["theme_asset"] = theme_asset


def register() -> None:
    signals.initialized.connect(add_template_helper)
    signals.finalized.connect(write_hashed_copies)
