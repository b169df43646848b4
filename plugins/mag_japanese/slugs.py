"""Readable romaji slugs for Japanese titles, categories, tags, authors and series.

Pelican's own slugify goes through unidecode, which reads kanji as Mandarin
(新規事業 -> xin-gui-shi-ye). cutlet reads them as Japanese with a MeCab
dictionary (新規事業 -> shinki-jigyou, 働き方 -> hatarakikata). The project's
reading dictionary (:mod:`.dictionary`) comes first, for the words it reads
wrong and for names such as C++.

A long title is cut between words, never inside one: the romaji is kept as
words (a noun compound with its particles, a verb with its endings), and the
slug takes whole words while they fit (四元数を… never ends in "yon").
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Callable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from mag_core.cache import cache_root
from mag_core.files import write_atomically

from . import settings as japanese_settings
from .dictionary import SYMBOL_NAMES, Readings, load_readings, make_readings
from .words import romaji_words

logger = logging.getLogger(__name__)

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# Particles that end a word ("genba no"); a cut slug does not end with one.
_PARTICLES = frozenset({"no", "wo", "ga", "ni", "de", "to", "wa", "e", "mo", "ya", "kara", "made"})
MEMO_FORMAT = "words1"  # what the memo keeps: romaji words per text


class RomajiMemo:
    """Romaji words kept between builds, in one file in the cache folder.

    Reading a title with the dictionary is the slow part of a slug (and loading
    the dictionary slower still); titles rarely change between two builds. The
    file is named after the versions of the reader and its dictionary, so an
    update reads everything afresh.
    """

    def __init__(self) -> None:
        self.path: Path | None = None
        self.readings: dict[str, list[str]] = {}
        self.changed = False

    def open(self, settings: Mapping[str, Any]) -> None:
        self.path = cache_root(settings) / f"romaji-{MEMO_FORMAT}-{_reader_versions()}.json"
        self.readings, self.changed = {}, False
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError):  # a damaged memo is only a slower build
            logger.warning("mag_japanese: ignoring an unreadable %s", self.path)
            return
        if isinstance(loaded, dict):
            self.readings = {
                text: words
                for text, words in loaded.items()
                if isinstance(words, list) and all(isinstance(word, str) for word in words)
            }

    def words(self, text: str) -> list[str]:
        words = self.readings.get(text)
        if words is None:
            words = self.readings[text] = romaji_words(text)
            self.changed = True
        return words

    def save(self, *_signal_args: Any) -> None:
        if self.path is not None and self.changed:
            write_atomically(self.path, json.dumps(self.readings, ensure_ascii=False))
            self.changed = False


def _reader_versions() -> str:
    names = ("cutlet", "fugashi", "unidic-lite")
    return "-".join(metadata.version(name) for name in names)


romaji_memo = RomajiMemo()
DEFAULT_READINGS = make_readings(SYMBOL_NAMES)  # C++, C#, ...: for callers without settings


@functools.lru_cache(maxsize=16384)
def romaji_slug(
    text: str,
    fallback_prefix: str = "post",
    max_length: int = 60,
    readings: Readings = DEFAULT_READINGS,
) -> str:
    """A lowercase ASCII slug for ``text``, at most ``max_length`` long, cut between words.

    Never empty: a text with nothing to read (only symbols or emoji) gets a
    stable fallback made from a hash of the text, so its URL does not change
    between builds.
    """
    words = [
        slug
        for word in reading_words(unicodedata.normalize("NFKC", text).strip(), readings)
        if (slug := _NOT_SLUG.sub("-", word.lower()).strip("-"))
    ]
    slug = cut_between_words(words, max_length)
    if not slug:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
        slug = f"{fallback_prefix}-{digest}"
    return slug


def reading_words(text: str, readings: Readings) -> list[str]:
    """The romaji words of ``text``: the dictionary's readings first, the analyser's between."""
    words: list[str] = []
    for piece, reading in readings.split(text):
        if reading is not None:
            words.extend(reading.split())  # a space in a reading separates words
        elif piece.strip():
            words.extend(romaji_memo.words(piece.strip()))
    return words


def cut_between_words(words: list[str], max_length: int) -> str:
    """Join slug words with hyphens, keeping whole words while they fit in ``max_length``.

    A particle left at the end of a cut slug goes too. Only a first word longer
    than the limit on its own is cut inside: at a hyphen within it if it has one.
    """
    kept = ""
    for word in words:
        joined = f"{kept}-{word}" if kept else word
        if len(joined) > max_length:
            break
        kept = joined
    else:
        return kept  # everything fits
    if kept:
        # Cut after a particle: "…-genba-no" reads as unfinished, "…-genba" does not.
        head, _, tail = kept.rpartition("-")
        return head if head and tail in _PARTICLES else kept
    cut = words[0].rfind("-", 0, max_length + 1)
    return words[0][: cut if cut > 0 else max_length]


def slug_for(text: str, settings: Mapping[str, Any]) -> str:
    """The slug of ``text`` as this site's settings and reading dictionary make it."""
    return slug_maker(settings)(text)


def slug_maker(settings: Mapping[str, Any]) -> Callable[[str], str]:
    """``slug(text)`` with this site's settings and dictionary, read once for many slugs."""
    config = japanese_settings.read(settings)
    return functools.partial(
        romaji_slug,
        fallback_prefix=config["fallback_slug_prefix"],
        max_length=config["slug_max_length"],
        readings=load_readings(settings, config),
    )


def fix_content_slug(content, slug: Callable[[str], str]) -> None:
    """Replace Pelican's slug unless the editor wrote one (``Slug:`` wins)."""
    if "slug" in content.metadata:
        return
    title = getattr(content, "title", None)
    if title and content.settings.get("SLUGIFY_SOURCE", "title") == "title":
        content.slug = slug(title)


def fix_wrapper_slugs(content, slug: Callable[[str], str]) -> None:
    """Category, tags and authors of one article or page get romaji slugs too."""
    wrappers = []
    if getattr(content, "category", None) is not None:
        wrappers.append(content.category)
    wrappers.extend(getattr(content, "tags", None) or [])
    wrappers.extend(getattr(content, "authors", None) or [])
    for wrapper in wrappers:
        wrapper.slug = slug(wrapper.name)  # Pelican's public setter (URLWrapper.slug)
