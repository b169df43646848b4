"""Line breaking for Japanese titles drawn into images.

Breaks fall between phrases (a word with the particles and endings that follow
it), never before closing punctuation such as 。、）」 and never after an opening
bracket (the kinsoku rules of Japanese typesetting).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from mag_core.kinsoku import NO_LINE_END as NO_END
from mag_core.kinsoku import NO_LINE_START as NO_START

# Parts of speech that belong to the word before them (unidic's first level).
_ATTACHED = frozenset({"助詞", "助動詞", "接尾辞"})


@functools.lru_cache(maxsize=1)
def _tagger():
    import fugashi  # loading the dictionary is slow: only when a card is drawn

    return fugashi.Tagger()


def phrases(text: str) -> list[str]:
    """``text`` cut where a line may break; each piece keeps its leading space."""
    pieces: list[str] = []
    previous_pos = ""
    for word in _tagger()(text):
        surface, space, pos = word.surface, word.white_space, word.feature.pos1
        joins = (
            pieces
            and not space
            and (
                surface[0] in NO_START
                or pieces[-1][-1] in NO_END
                or pos in _ATTACHED
                or (pos == previous_pos == "名詞")
            )
        )
        if joins:
            pieces[-1] += surface
        else:
            pieces.append(space + surface)
        previous_pos = pos
    return pieces


def characters(text: str) -> list[str]:
    """``text`` cut between characters, keeping the kinsoku rules."""
    pieces: list[str] = []
    for char in text:
        if pieces and (char in NO_START or pieces[-1][-1] in NO_END or char == " "):
            pieces[-1] += char
        else:
            pieces.append(char)
    return pieces


def wrap(text: str, width_of: Callable[[str], float], max_width: float) -> list[str]:
    """Lines of ``text`` no wider than ``max_width`` (as measured by ``width_of``)."""
    units: list[str] = []
    for phrase in phrases(" ".join(text.split())):
        units += characters(phrase) if width_of(phrase.strip()) > max_width else [phrase]
    lines: list[str] = []
    line = ""
    for unit in units:
        candidate = line + unit if line else unit.lstrip()
        if line and width_of(candidate.rstrip()) > max_width:
            lines.append(line.rstrip())
            line = unit.lstrip()
        else:
            line = candidate
    if line.strip():
        lines.append(line.rstrip())
    return lines
