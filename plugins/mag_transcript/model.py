"""The shape of a transcript: turns of one speaker, made of timed paragraphs."""

from __future__ import annotations

from dataclasses import dataclass, field

from mag_core.captions import clock_parts


@dataclass(frozen=True)
class Highlight:
    """A highlight segment and where it starts in the short cut."""

    index: int
    start: float  # source seconds
    end: float
    short_start: float  # seconds into the short cut

    @property
    def short_fragment(self) -> str:
        return fragment(self.short_start)


@dataclass(frozen=True)
class Piece:
    """What one voice says in one cue, ready to join with its neighbours."""

    start: float
    end: float
    speaker: str | None
    text: str  # plain text
    html: str  # safe HTML from the caption parser
    cue_id: str | None = None
    highlight: Highlight | None = None  # the highlight segment it belongs to


@dataclass
class Run:
    """Consecutive text of a paragraph inside (or outside) one highlight."""

    html: str
    highlight: Highlight | None = None
    opens_highlight: bool = False  # the first run of its highlight: carries the link


@dataclass
class Paragraph:
    start: float
    end: float
    runs: list[Run] = field(default_factory=list)
    text: str = ""
    number: int = 0  # 1-based place in the transcript, for ids

    @property
    def time_label(self) -> str:
        """'1:02' or '1:02:03', as video players show times."""
        return time_label(self.start)

    @property
    def fragment(self) -> str:
        return fragment(self.start)


@dataclass
class Turn:
    """Everything one speaker says before another speaks; the name is shown once."""

    speaker: str | None
    paragraphs: list[Paragraph] = field(default_factory=list)


def fragment(seconds: float) -> str:
    """Seconds for a '#t=' media fragment: '12.5', '3', '0'."""
    return f"{seconds:.3f}".rstrip("0").rstrip(".") or "0"


def time_label(seconds: float) -> str:
    hours, minutes, secs, _ = clock_parts(int(seconds))
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
