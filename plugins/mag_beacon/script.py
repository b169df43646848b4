"""The beacon script: theme/static/js/beacon.js, minified into the output at build time."""

from __future__ import annotations

import functools
import gzip
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import rjsmin

SOURCE = Path("static") / "js" / "beacon.js"  # inside the theme
OUTPUT_NAME = "js/beacon.min.js"  # inside THEME_STATIC_DIR
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


def output_path(settings: Mapping[str, Any], output: str | Path) -> Path:
    return Path(output) / settings["THEME_STATIC_DIR"] / OUTPUT_NAME


def site_path(settings: Mapping[str, Any], digest: str) -> str:
    """The script's site-relative URL, versioned so browsers never run a stale copy."""
    return f"{settings['THEME_STATIC_DIR']}/{OUTPUT_NAME}?v={digest}"


def write(data: bytes, target: Path) -> None:
    """Write via a temporary name, so a reader never gets half a script."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.part")
    temporary.write_bytes(data)
    temporary.replace(target)
