"""Hashed names of theme files: worked out from the theme's bytes, written after the build.

No state is kept between the two steps: the template helper and the copy both
derive the name from the same source file, so `pelican -r` and livereload
always agree with what is on disk.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from jinja2 import pass_context

from mag_core import SettingsError
from mag_core.cache import file_digest
from mag_core.files import write_atomically

logger = logging.getLogger(__name__)

HASHED_TYPES = (".css", ".js")
DIGEST_CHARS = 12


def hashed_name(name: str, digest: str) -> str:
    """``css/main.css`` -> ``css/main.<digest>.css``."""
    path = PurePosixPath(name)
    return str(path.with_name(f"{path.stem}.{digest[:DIGEST_CHARS]}{path.suffix}"))


def static_sources(settings: Mapping[str, Any]) -> Iterator[tuple[str, Path]]:
    """(name inside THEME_STATIC_DIR, source file) of the theme's CSS and JS.

    Later THEME_STATIC_PATHS win, as in Pelican's own copy.
    """
    theme = Path(settings["THEME"])
    found: dict[str, Path] = {}
    for entry in settings.get("THEME_STATIC_PATHS", ["static"]):
        source = theme / entry
        if source.is_file():
            found[source.name] = source
        elif source.is_dir():
            for path in sorted(source.rglob("*")):
                if path.is_file() and path.suffix in HASHED_TYPES:
                    found[path.relative_to(source).as_posix()] = path
    yield from found.items()


def source_of(settings: Mapping[str, Any], name: str) -> Path | None:
    """The theme file Pelican copies to ``THEME_STATIC_DIR/name`` (a few stat calls)."""
    theme = Path(settings["THEME"])
    for entry in reversed(settings.get("THEME_STATIC_PATHS", ["static"])):
        source = theme / entry
        candidate = source / name if source.is_dir() else source
        if candidate.is_file() and (source.is_dir() or source.name == name):
            return candidate
    return None


@pass_context
def theme_asset(context, name: str) -> str:
    """The site-relative URL of theme file ``name`` (e.g. ``css/main.css``), hashed."""
    source = source_of(context, name)
    if source is None or source.suffix not in HASHED_TYPES:
        known = ", ".join(sorted(dict(static_sources(context))))
        raise SettingsError(f"mag_assets: the theme has no CSS or JS file {name!r}; known: {known}")
    return f"{context['THEME_STATIC_DIR']}/{hashed_name(name, file_digest(source))}"


def write_hashed_copies(pelican) -> None:
    """Beside each CSS and JS file Pelican copied, the same bytes under the hashed name."""
    settings = pelican.settings
    folder = Path(pelican.output_path) / settings["THEME_STATIC_DIR"]
    count = 0
    for name, source in static_sources(settings):
        target = folder / hashed_name(name, file_digest(source))
        if not target.is_file():
            write_atomically(target, source.read_bytes())
            count += 1
    logger.debug("mag_assets: %d hashed theme file(s) written", count)
