"""Who speaks a cue, and the speaker's name shown on screen when the speaker changes.

A speaker comes from ``<v Name>``, or from a ``Name:`` / ``Name：`` prefix at the
start of a line, but only when the editor listed ``Name`` (front matter
``Speakers:`` or ``MAG_CAPTIONS["speakers"]``). Guessing from any word before a
colon made "Remember" and an audio description (「白い箱に言葉が浮かび上がる:」)
into speakers.

Web players do not show ``<v>`` names (Chromium draws only the text), so the
published captions carry the name as text when the speaker changes, the way
the burned-in captions of the short cut do; one function decides both.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from .cuetext import Leaf

if TYPE_CHECKING:
    from .captions import Cue

# When the published captions name the speaker.
LABEL_MODES = ("change", "always", "never")
# How Speakers: separates names: commas and Japanese commas (names may hold spaces).
_NAME_SEPARATORS = re.compile(r"[,、，]")


def speaker_list(value: object) -> tuple[str, ...]:
    """Names from a ``Speakers:`` value ('大川, 松本' or a list), blanks dropped."""
    if value is None:
        return ()
    items = value if isinstance(value, (list, tuple)) else _NAME_SEPARATORS.split(str(value))
    return tuple(dict.fromkeys(name.strip() for name in map(str, items) if name.strip()))


def runs(leaves: list[Leaf], names: tuple[str, ...]) -> list[tuple[str | None, list[Leaf]]]:
    """Consecutive leaves of one voice; voiceless lines may start a listed speaker's run."""
    out: list[tuple[str | None, list[Leaf]]] = []
    for leaf in leaves:
        if out and out[-1][0] == leaf.voice:
            out[-1][1].append(leaf)
        else:
            out.append((leaf.voice, [leaf]))
    if not names:
        return out
    named: list[tuple[str | None, list[Leaf]]] = []
    for voice, run in out:
        named += [(voice, run)] if voice else _split_by_prefix(run, names)
    return named


def _split_by_prefix(run: list[Leaf], names: tuple[str, ...]):
    """A voiceless run cut at each line that starts with a listed name and a colon."""
    out: list[tuple[str | None, list[Leaf]]] = [(None, [])]
    for line in _lines(run):
        name, rest = _cut_prefix(line, names)
        if name:
            out.append((name, rest))
        else:
            out[-1][1].extend(line)
    return [(voice, leaves) for voice, leaves in out if leaves]


def _lines(run: list[Leaf]) -> list[list[Leaf]]:
    """Leaves split at line breaks; each line ends with its own "\\n" leaf."""
    lines: list[list[Leaf]] = [[]]
    for leaf in run:
        pieces = leaf.text.split("\n")
        for index, piece in enumerate(pieces):
            if piece:
                lines[-1].append(replace(leaf, text=piece))
            if index < len(pieces) - 1:
                lines[-1].append(replace(leaf, text="\n"))
                lines.append([])
    return [line for line in lines if line]


def _cut_prefix(line: list[Leaf], names: tuple[str, ...]) -> tuple[str | None, list[Leaf]]:
    index = next((i for i, leaf in enumerate(line) if leaf.text.strip()), None)
    if index is None or line[index].in_rt:
        return None, line
    match = _prefix_pattern(names).match(line[index].text)
    if not match:
        return None, line
    rest = replace(line[index], text=line[index].text[match.end() :])
    return match["name"], [rest, *line[index + 1 :]]


@lru_cache(maxsize=64)  # one pattern per speaker list; a site has a few
def _prefix_pattern(names: tuple[str, ...]) -> re.Pattern:
    longest_first = sorted(names, key=len, reverse=True)
    alternatives = "|".join(re.escape(name) for name in longest_first)
    return re.compile(rf"^\s*(?P<name>{alternatives})\s*[:：]\s*")


def with_speaker_labels(cues: Sequence[Cue], mode: str, template: str) -> list[Cue]:
    """Cues whose runs start with the speaker's name (``template``: '{name}：').

    ``mode``: "change" names a speaker when someone else spoke last (a run
    without a voice continues the last speaker, as in transcripts), "always"
    names every voiced run, "never" leaves the cues as they are.
    """
    if mode == "never":
        return list(cues)
    labelled, previous = [], None
    for cue in cues:
        parts = []
        for part in cue.parts:
            if part.voice and (mode == "always" or part.voice != previous):
                label = template.replace("{name}", part.voice)
                escaped = html.escape(label, quote=False)
                parts.append(replace(part, text=label + part.text, html=escaped + part.html))
            else:
                parts.append(part)
            previous = part.voice or previous
        labelled.append(replace(cue, parts=tuple(parts)))
    return labelled
