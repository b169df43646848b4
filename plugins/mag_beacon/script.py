"""The beacon script: theme/static/js/beacon.js, minified into the output at build time."""

from __future__ import annotations

import functools
import gzip
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import rjsmin

from mag_core.files import write_atomically

SOURCE = Path("static") / "js" / "beacon.js"  # inside the theme
# Inside THEME_STATIC_DIR, named by its content like the theme's CSS and JS
# (mag_assets): a page of one release never runs another release's beacon while
# a publish switches releases, and the web server may cache it for a year.
OUTPUT_NAME = "js/beacon.min.{digest}.js"
SIZE_LIMIT = 1200  # bytes after minifying and gzip -9


def source_path(settings: Mapping[str, Any]) -> Path:
    return Path(settings["THEME"]) / SOURCE


@functools.lru_cache(maxsize=8)  # every generator of a build asks for the same script
def minify(source: str) -> bytes:
    return rjsmin.jsmin(source).encode("utf-8")


def gzipped_size(data: bytes) -> int:
    """Size as `gzip -9` sends it (no file name, no time stamp in the header)."""
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def build(settings: Mapping[str, Any]) -> tuple[bytes, str]:
    """The minified script and a short digest of it (to version its URL)."""
    data = minify(source_path(settings).read_text(encoding="utf-8"))
    return data, hashlib.sha256(data).hexdigest()[:10]


def site_path(settings: Mapping[str, Any], digest: str) -> str:
    """The script's site-relative URL; its file is written at the same path in the output."""
    return f"{settings['THEME_STATIC_DIR']}/{OUTPUT_NAME.format(digest=digest)}"


def write(data: bytes, output: str | Path, src: str) -> None:
    """Write via a temporary name, so a reader never gets half a script."""
    write_atomically(Path(output) / src, data)
