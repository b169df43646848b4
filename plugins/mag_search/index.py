"""Run Pagefind's extended build (it segments Japanese) over a finished site."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Sequence
from pathlib import Path

logger = logging.getLogger(__name__)


class SearchIndexError(RuntimeError):
    """Pagefind failed or is not installed."""


def pagefind_executable() -> Path:
    """The extended Pagefind binary; the plain one cannot segment Japanese."""
    try:
        import pagefind_bin_extended
    except ImportError:
        raise SearchIndexError(
            "mag_search: Pagefind's extended build is missing; install 'pagefind[extended]'"
        ) from None
    return Path(pagefind_bin_extended.get_executable())


def build_index(output_path: str | Path, exclude_selectors: Sequence[str] = ()) -> Path:
    """Write ``pagefind/`` into ``output_path``; return its folder."""
    command = [str(pagefind_executable()), "--site", str(output_path), "--silent"]
    for selector in exclude_selectors:
        command += ["--exclude-selectors", selector]
    logger.debug("mag_search: %s", " ".join(command))
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SearchIndexError(
            f"mag_search: Pagefind failed ({result.returncode}): {result.stderr.strip()}"
        )
    return Path(output_path) / "pagefind"
