"""The project's reading dictionary: readings an editor corrects, used before the analyser.

The morphological dictionary reads most titles right, but not all: 古臭い as
"furu nioi", 日本語 as "nippon go", 四元数 as "yotsumoto suu". An editor fixes
such a word once, in ``content/readings.txt``::

    # word: reading (romaji; a space separates words a long slug may be cut between)
    古臭い: furukusai
    四元数: shigensuu
    Q&A: q and a

Entries also give Latin names whose symbols carry their meaning (C++ is not C):
the defaults below, which the file and ``MAG_JAPANESE["readings"]`` override.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mag_core import ContentError

# Names whose symbols are the name: without them C++ and C# both read "c".
SYMBOL_NAMES = {"C++": "cpp", "C#": "csharp", "F#": "fsharp", ".NET": "dotnet"}
_READING = re.compile(r"^[a-z0-9]+(?:[ -][a-z0-9]+)*$")
_ASCII_WORD_CHAR = "A-Za-z0-9"


@dataclass(frozen=True)
class Readings:
    """Word -> reading, longest word first; hashable, so slugs can be memoised per dictionary."""

    entries: tuple[tuple[str, str], ...]

    def __hash__(self) -> int:
        return self._hash

    @functools.cached_property
    def _hash(self) -> int:  # memoised slugs hash this on every call
        return hash(self.entries)

    @functools.cached_property
    def _pattern(self) -> re.Pattern | None:
        if not self.entries:
            return None
        return re.compile("|".join(_word_pattern(word) for word, _ in self.entries))

    @functools.cached_property
    def _lookup(self) -> dict[str, str]:
        return {word.lower(): reading for word, reading in self.entries}

    def split(self, text: str) -> list[tuple[str, str | None]]:
        """``text`` as pieces: (word, its reading) for dictionary words, (text, None) between."""
        pattern, pieces, start = self._pattern, [], 0
        if pattern is None:
            return [(text, None)]
        lookup = self._lookup
        for match in pattern.finditer(text):
            if match.start() > start:
                pieces.append((text[start : match.start()], None))
            pieces.append((match.group(), lookup[match.group().lower()]))
            start = match.end()
        if start < len(text):
            pieces.append((text[start:], None))
        return pieces


def _word_pattern(word: str) -> str:
    """A Latin name matches whole (C# not inside ABC#) and in any case; Japanese as written."""
    escaped = re.escape(word)
    if not word.isascii():
        return escaped
    before = f"(?<![{_ASCII_WORD_CHAR}])" if word[0].isalnum() else ""
    after = f"(?![{_ASCII_WORD_CHAR}])" if word[-1].isalnum() else ""
    return f"(?i:{before}{escaped}{after})"


def make_readings(entries: Mapping[str, str]) -> Readings:
    normal = {_normal(word): reading for word, reading in entries.items() if _normal(word)}
    ordered = sorted(normal.items(), key=lambda item: (-len(item[0]), item[0]))
    return Readings(tuple(ordered))


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def read_readings_file(path: Path) -> tuple[dict[str, str], list[ContentError]]:
    """``word: reading`` lines, and a ContentError naming the file and line for each bad one."""
    entries: dict[str, str] = {}
    errors: list[ContentError] = []
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _normal(raw)
        if not line or line.startswith("#"):
            continue
        word, colon, reading = line.rpartition(":")
        word, reading = word.strip(), reading.strip().lower()
        if not colon or not word:
            errors.append(
                ContentError(
                    path, f"cannot read {raw.strip()!r}", line=number, hint="write 'word: reading'"
                )
            )
        elif not _READING.match(reading):
            errors.append(
                ContentError(
                    path,
                    f"the reading of {word!r} must be romaji (a-z, 0-9)",
                    line=number,
                    hint="e.g. '古臭い: furukusai'; a space or hyphen separates words",
                )
            )
        else:
            entries[word] = reading
    return entries, errors


def load_readings(settings: Mapping[str, Any], config: Mapping[str, Any]) -> Readings:
    """Defaults, then MAG_JAPANESE["readings"], then the file under the content folder.

    A bad line of the file is left out here; :func:`readings_problems` reports it.
    """
    return _cached_readings(_file_stamp(settings, config), _given(config))[0]


def readings_problems(settings: Mapping[str, Any], config: Mapping[str, Any]) -> list:
    return list(_cached_readings(_file_stamp(settings, config), _given(config))[1])


def _file_stamp(settings: Mapping[str, Any], config: Mapping[str, Any]) -> tuple | None:
    path = Path(settings.get("PATH") or ".") / config["readings_file"]
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path), stat.st_mtime_ns, stat.st_size)


def _given(config: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((config["readings"] or {}).items()))


# Keyed by the file's time and size: every article asks, the file is read once
# per change, and an edit is seen by the next build of a long-lived process.
@functools.lru_cache(maxsize=8)
def _cached_readings(
    stamp: tuple | None, given: tuple[tuple[str, str], ...]
) -> tuple[Readings, tuple[ContentError, ...]]:
    entries = {**SYMBOL_NAMES, **dict(given)}
    errors: list[ContentError] = []
    if stamp is not None:
        from_file, errors = read_readings_file(Path(stamp[0]))
        entries.update(from_file)
    return make_readings(entries), tuple(errors)
