"""Readable romaji slugs for Japanese titles, categories, tags and authors.

Pelican's own slugify goes through unidecode, which reads kanji as Mandarin
(新規事業 -> xin-gui-shi-ye). cutlet reads them as Japanese with a MeCab
dictionary (新規事業 -> shinki-jigyou, 働き方 -> hatarakikata).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from mag_core.cache import cache_root
from mag_core.files import write_atomically

logger = logging.getLogger(__name__)

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@functools.cache
def _romaniser():
    import cutlet  # imported late: loading the dictionary takes a moment

    romaniser = cutlet.Cutlet()
    # "コンテスト" stays "kontesuto": an English spelling would mix languages in one URL.
    romaniser.use_foreign_spelling = False
    return romaniser


class RomajiMemo:
    """Romaji readings kept between builds, in one file in the cache folder.

    Reading a title with the dictionary is the slow part of a slug (and loading
    the dictionary slower still); titles rarely change between two builds. The
    file is named after the versions of the reader and its dictionary, so an
    update reads everything afresh.
    """

    def __init__(self) -> None:
        self.path: Path | None = None
        self.readings: dict[str, str] = {}
        self.changed = False

    def open(self, settings: Mapping[str, Any]) -> None:
        self.path = cache_root(settings) / f"romaji-{_reader_versions()}.json"
        self.readings, self.changed = {}, False
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError):  # a damaged memo is only a slower build
            logger.warning("mag_japanese: ignoring an unreadable %s", self.path)
            return
        if isinstance(loaded, dict):
            self.readings = {k: v for k, v in loaded.items() if isinstance(v, str)}

    def reading(self, text: str) -> str:
        romaji = self.readings.get(text)
        if romaji is None:
            romaji = self.readings[text] = _romaniser().romaji(text)
            self.changed = True
        return romaji

    def save(self, *_signal_args: Any) -> None:
        if self.path is not None and self.changed:
            write_atomically(self.path, json.dumps(self.readings, ensure_ascii=False))
            self.changed = False


def _reader_versions() -> str:
    names = ("cutlet", "fugashi", "unidic-lite")
    return "-".join(metadata.version(name) for name in names)


romaji_memo = RomajiMemo()


@functools.lru_cache(maxsize=16384)
def romaji_slug(text: str, fallback_prefix: str = "post", max_length: int = 60) -> str:
    """A lowercase ASCII slug for ``text``; never empty.

    A text with nothing to read (only symbols or emoji) gets a stable fallback
    made from a hash of the text, so its URL does not change between builds.
    """
    normalised = unicodedata.normalize("NFKC", text).strip()
    slug = ""
    if normalised:
        romaji = romaji_memo.reading(normalised)
        slug = _shorten(_NOT_SLUG.sub("-", romaji.lower()).strip("-"), max_length)
    if not slug:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
        slug = f"{fallback_prefix}-{digest}"
    return slug


def _shorten(slug: str, max_length: int) -> str:
    """Cut ``slug`` to ``max_length`` at a hyphen, so no word is cut in half."""
    if len(slug) <= max_length:
        return slug
    cut = slug.rfind("-", 0, max_length + 1)
    return slug[: cut if cut > 0 else max_length]


def fix_content_slug(content, fallback_prefix: str, max_length: int) -> None:
    """Replace Pelican's slug unless the editor wrote one (``Slug:`` wins)."""
    if "slug" in content.metadata:
        return
    title = getattr(content, "title", None)
    if title and content.settings.get("SLUGIFY_SOURCE", "title") == "title":
        content.slug = romaji_slug(title, fallback_prefix, max_length)


def fix_wrapper_slugs(content, fallback_prefix: str, max_length: int) -> None:
    """Category, tags and authors of one article or page get romaji slugs too."""
    wrappers = []
    if getattr(content, "category", None) is not None:
        wrappers.append(content.category)
    wrappers.extend(getattr(content, "tags", None) or [])
    wrappers.extend(getattr(content, "authors", None) or [])
    for wrapper in wrappers:
        if wrapper._slug_from_name:  # an explicit slug set elsewhere wins
            wrapper._slug = romaji_slug(wrapper.name, fallback_prefix, max_length)
