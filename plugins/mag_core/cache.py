"""The project's one content-addressed cache, for video, posters, images and cards.

A cached file's name is a hash of everything that decides its bytes: the input
files' bytes, the recipe (all parameters, as JSON) and the tool versions. So a
rebuild with nothing changed finds every file and runs no encoder, and a change
to any input or parameter makes a new name instead of trusting a stale file.
Files are written under a temporary name and renamed into place, so an
interrupted render never leaves a broken file that a later build would trust.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

CACHE_SETTING = "MAG_CACHE_PATH"
DEFAULT_CACHE = "cache"


def cache_root(settings: Mapping[str, Any]) -> Path:
    """The cache folder: MAG_CACHE_PATH (pelicanconf.py takes $MAG_CACHE_DIR), else ./cache."""
    configured = settings.get(CACHE_SETTING)
    if configured:
        return Path(configured).expanduser().resolve()
    return (Path(settings.get("PATH", ".")).resolve().parent / DEFAULT_CACHE).resolve()


@functools.lru_cache(maxsize=4096)
def _file_digest(path: str, size: int, mtime_ns: int) -> str:  # noqa: ARG001 - memo key
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file's bytes; remembered while its size and mtime stay the same."""
    stat = os.stat(path)
    return _file_digest(str(path), stat.st_size, stat.st_mtime_ns)


def cache_key(inputs: Iterable[str | Path | bytes], recipe: Mapping[str, Any]) -> str:
    """Key for an output made from ``inputs`` (files or bytes) by ``recipe``."""
    digest = hashlib.sha256()
    for item in inputs:
        part = item if isinstance(item, bytes) else file_digest(item).encode()
        digest.update(hashlib.sha256(part).digest())
    digest.update(json.dumps(recipe, sort_keys=True, ensure_ascii=False, default=str).encode())
    return digest.hexdigest()[:32]


class Cache:
    """Files by key under one root folder (``ab/abcdef....suffix``)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path_for(self, key: str, suffix: str) -> Path:
        return self.root / key[:2] / f"{key}{suffix}"

    def get_or_make(self, key: str, suffix: str, make: Callable[[Path], None]) -> tuple[Path, bool]:
        """The cached file for ``key``, made by ``make(temporary_path)`` if missing.

        Returns (path, made). ``make`` writes to the temporary path it is given
        (which keeps ``suffix``, so encoders can pick the format from it).
        """
        target = self.path_for(key, suffix)
        if target.is_file():
            return target, False
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{key}.{os.getpid()}.part{suffix}")
        try:
            make(temporary)
            if not temporary.is_file() or temporary.stat().st_size == 0:
                raise RuntimeError(f"cache: nothing was written for {target.name}")
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        return target, True


def publish_file(source: str | Path, destination: str | Path) -> None:
    """Put a cached file into the output: a hard link when possible, else a copy."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.unlink(missing_ok=True)
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)
