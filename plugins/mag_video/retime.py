"""Captions of the short cut: cues clipped to each piece and moved onto the new timeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from mag_core.captions import Cue


@dataclass(frozen=True)
class Piece:
    """A segment as cut: starts on a frame, lasts a whole number of frames."""

    start: float  # source seconds
    frames: int
    fps: float

    @property
    def seconds(self) -> float:
        return self.frames / self.fps

    @property
    def end(self) -> float:
        return self.start + self.seconds


def retime(cues: Sequence[Cue], pieces: Sequence[Piece], min_seconds: float) -> list[Cue]:
    """Cues on the short cut's timeline; remnants shorter than ``min_seconds`` are dropped.

    A cue cut by a segment boundary keeps the part inside; a cue that shows in
    two pieces gets a suffixed id the second time, so ids stay unique.
    """
    retimed: list[Cue] = []
    used: set[str] = set()
    offset = 0.0
    for piece in pieces:
        for cue in cues:
            start, end = max(cue.start, piece.start), min(cue.end, piece.end)
            if end - start < min_seconds - 1e-9:
                continue
            moved = cue.shifted(offset + start - piece.start, offset + end - piece.start)
            retimed.append(replace(moved, id=_unique(cue.id, used)))
        offset += piece.seconds
    return retimed


def _unique(identifier: str | None, used: set[str]) -> str | None:
    if identifier is None:
        return None
    candidate, number = identifier, 2
    while candidate in used:
        candidate, number = f"{identifier}-{number}", number + 1
    used.add(candidate)
    return candidate
