"""Build the Pagefind search index over a finished site, with Japanese made findable.

Pagefind's extended build splits Japanese into words with its own dictionary
when it indexes, but the browser splits the query with a different one
(Intl.Segmenter), so a word the two split differently is never found: 共創ラボ
is indexed as 共創 + ラボ and searched as 共 + 創 + ラボ. Instead, the index
holds Japanese one character a word, and the search page asks for the
characters of a query as an exact phrase, which matches exactly the pages that
contain that run of characters, whatever the dictionaries say.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from mag_core.files import swap_in

logger = logging.getLogger(__name__)

# Scripts written without spaces between words (kanji, kana, CJK symbols excluded).
CJK = "\u3041-\u3096\u30a1-\u30fa\u30fc\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
# A thin space splits words for Pagefind, and the search page can tell it from
# the spaces the text really has when it joins the characters up again.
SEPARATOR = "\u2009"
_CJK_RUN = re.compile(rf"[{CJK}]+")
_MARKUP = re.compile(
    r"(<!--.*?-->|<script\b.*?</script>|<style\b.*?</style>|<[^>]+>)", re.DOTALL | re.IGNORECASE
)


_HTML_OPEN = re.compile(r"<html\b[^>]*>", re.IGNORECASE)
_TITLE = re.compile(r"<title>.*?</title>", re.IGNORECASE | re.DOTALL)
_ROBOTS = re.compile(r"""<meta\b[^>]*\bname\s*=\s*["']?robots\b[^>]*>""", re.IGNORECASE)


class SearchIndexError(RuntimeError):
    """Pagefind failed or is not installed."""


def pagefind_executable() -> Path:
    """The extended Pagefind binary (the plain one knows no Japanese)."""
    try:
        import pagefind_bin_extended
    except ImportError:
        raise SearchIndexError(
            "mag_search: Pagefind's extended build is missing; install 'pagefind[extended]'"
        ) from None
    return Path(pagefind_bin_extended.get_executable())


def _spaced_run(match: re.Match) -> str:
    # Separators on both ends too: 「PoCで」 must give the words PoC and で.
    return SEPARATOR + SEPARATOR.join(match.group()) + SEPARATOR


def space_out_japanese(markup: str) -> str:
    """Put a space between Japanese characters in the text of an HTML page, not in its tags."""
    parts = _MARKUP.split(markup)
    for index in range(0, len(parts), 2):  # even items are text between tags
        parts[index] = _CJK_RUN.sub(_spaced_run, parts[index])
    return "".join(parts)


def is_noindex(markup: str) -> bool:
    """Whether the page's head says ``<meta name="robots" content="noindex">``.

    Drafts and hidden articles carry it. The search index honours it as search
    engines do, so such a page stays out even if a theme marks its text with
    ``data-pagefind-body``.
    """
    head_end = markup.find("</head>")
    for meta in _ROBOTS.finditer(markup, 0, head_end if head_end > 0 else len(markup)):
        if "noindex" in meta.group(0).lower():
            return True
    return False


def indexable_page(markup: str) -> str | None:
    """What Pagefind needs of a page: its language, title and text, Japanese spaced out.

    Navigation, scripts and the head are left out: Pagefind would only parse
    and ignore them. None for a page without ``data-pagefind-body``, or with
    ``noindex``.
    """
    marker = markup.find(" data-pagefind-body")
    if marker < 0 or is_noindex(markup):
        return None
    start = markup.rfind("<", 0, marker)  # the opening tag that carries the marker
    end = markup.find("</main>", start)
    opening = _HTML_OPEN.search(markup)
    title = _TITLE.search(markup)
    return (
        f"<!doctype html>{opening.group(0) if opening else '<html>'}<head><meta charset='utf-8'>"
        f"{title.group(0) if title else ''}</head><body>"
        f"{space_out_japanese(markup[start : end if end > 0 else None])}</body></html>"
    )


def _prepare_pages(site: Path, staging: Path) -> int:
    """Copy the site's indexable pages into ``staging``, made ready for Pagefind."""
    count = 0
    for page in site.rglob("*.html"):
        indexable = indexable_page(page.read_text(encoding="utf-8"))
        if indexable is None:
            continue
        target = staging / page.relative_to(site)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(indexable, encoding="utf-8")
        count += 1
    return count


def _scratch_folder() -> str | None:
    """Memory-backed scratch space when the system has it: the copy is thrown away."""
    shm = "/dev/shm"  # noqa: S108 - TemporaryDirectory makes a private 0700 folder in it
    return shm if os.access(shm, os.W_OK) else None


# Pages mark their text with data-pagefind-body; these parts inside it are not text.
DEFAULT_EXCLUDES = (".format-switcher", ".series-nav", ".article-meta")


def build_index(
    output_path: str | Path, exclude_selectors: Sequence[str] = DEFAULT_EXCLUDES
) -> Path:
    """Write ``pagefind/`` into ``output_path``; return its folder."""
    site = Path(output_path)
    index_dir = site / "pagefind"
    with tempfile.TemporaryDirectory(prefix="mag-search-", dir=_scratch_folder()) as work:
        staging = Path(work) / "site"
        pages = _prepare_pages(site, staging)
        built = Path(work) / "pagefind"
        command = [
            str(pagefind_executable()),
            "--site",
            str(staging),
            "--output-path",
            str(built),
            "--silent",
        ]
        for selector in exclude_selectors:
            command += ["--exclude-selectors", selector]
        logger.debug("mag_search: indexing %d pages: %s", pages, " ".join(command))
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise SearchIndexError(
                f"mag_search: Pagefind failed ({result.returncode}): {result.stderr.strip()}"
            )
        # Copied beside the site, then swapped in: a failed run keeps the previous index.
        fresh = site / ".pagefind.new"
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.copytree(built, fresh)
        swap_in(fresh, index_dir)
    return index_dir
