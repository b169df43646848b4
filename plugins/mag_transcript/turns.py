"""Cues -> turns of one speaker -> timed paragraphs.

A cue may hold several voices (``Cue.parts``); each becomes a piece. A piece
with no voice continues the current speaker, as Japanese transcripts name the
speaker once (「山田：」) and not on every caption. A new paragraph starts on a
speaker change, after a pause longer than ``pause`` seconds, and, in a long
monologue, at the first sentence end past ``paragraph_chars`` characters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from mag_core.captions import Cue

from .cleanup import clean_html
from .joining import join, separator, unbreak_html, unbreak_text, visible
from .model import Highlight, Paragraph, Piece, Run, Turn

SENTENCE_ENDS = tuple("。！？!?.」")


def pieces_from_cues(
    cues: Sequence[Cue], highlights: Sequence[Highlight] = (), fillers: Iterable[str] | None = None
) -> list[Piece]:
    """One piece per voice per cue; ``fillers`` (ケバ取り) when clean-up is on."""
    fillers = tuple(fillers) if fillers is not None else None
    pieces = []
    speaker = None
    for cue in cues:
        highlight = _highlight_of(cue, highlights)
        for part in cue.parts:
            speaker = part.voice or speaker
            markup = unbreak_html(part.html)
            text = unbreak_text(part.text)
            if fillers is not None:
                markup = clean_html(markup, fillers)
                text = visible(markup).strip()
            if text:
                pieces.append(Piece(cue.start, cue.end, speaker, text, markup, cue.id, highlight))
    return pieces


def _highlight_of(cue: Cue, highlights: Sequence[Highlight]) -> Highlight | None:
    """The highlight a cue belongs to: its middle lies inside the segment."""
    middle = (cue.start + cue.end) / 2
    return next((h for h in highlights if h.start <= middle < h.end), None)


def build_turns(pieces: Sequence[Piece], pause: float, paragraph_chars: int) -> list[Turn]:
    """Group pieces into turns and paragraphs."""
    turns: list[Turn] = []
    current: list[Piece] = []
    for piece in pieces:
        if not current:
            current = [piece]
        elif piece.speaker != current[-1].speaker:
            _close(turns, current)
            turns.append(Turn(piece.speaker))
            current = [piece]
        elif _breaks_paragraph(current, piece, pause, paragraph_chars):
            _close(turns, current)
            current = [piece]
        else:
            current.append(piece)
    _close(turns, current)
    return turns


def _breaks_paragraph(
    current: list[Piece], piece: Piece, pause: float, paragraph_chars: int
) -> bool:
    previous = current[-1]
    if piece.start - previous.end > pause:
        return True
    if paragraph_chars <= 0 or not previous.text.endswith(SENTENCE_ENDS):
        return False
    return sum(len(p.text) for p in current) >= paragraph_chars


def _close(turns: list[Turn], pieces: list[Piece]) -> None:
    """Make ``pieces`` a paragraph of the last turn (the first one when there is none)."""
    if not pieces:
        return
    if not turns:
        turns.append(Turn(pieces[0].speaker))
    turns[-1].paragraphs.append(make_paragraph(pieces))


def make_paragraph(pieces: Sequence[Piece]) -> Paragraph:
    """Join pieces into runs that are each inside or outside one highlight."""
    groups: list[list[Piece]] = []
    for piece in pieces:
        if groups and groups[-1][-1].highlight == piece.highlight:
            groups[-1].append(piece)
        else:
            groups.append([piece])
    paragraph = Paragraph(pieces[0].start, pieces[-1].end)
    for group in groups:
        text, markup = join([(p.text, p.html) for p in group])
        gap = separator(paragraph.text, text)
        paragraph.text += gap + text
        paragraph.runs.append(Run(gap + markup, group[0].highlight))
    return paragraph


def number_and_mark(turns: Iterable[Turn]) -> None:
    """Number the paragraphs; the first run of each highlight carries the short-cut link."""
    seen: set[int] = set()
    number = 0
    for turn in turns:
        for paragraph in turn.paragraphs:
            number += 1
            paragraph.number = number
            for run in paragraph.runs:
                if run.highlight and run.highlight.index not in seen:
                    seen.add(run.highlight.index)
                    run.opens_highlight = True
