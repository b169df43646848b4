"""What mag_video attaches to an article (``article.video``) for the templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mag_core.captions import Cue


@dataclass(frozen=True)
class Segment:
    """A part of the source kept in the short cut, in source seconds."""

    start: float
    end: float
    cue_ids: tuple[str, ...] = ()

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class ShortCut:
    url: str  # site-relative, like article.url
    captions_url: str
    poster_url: str
    duration: float
    segments: list[Segment]
    width: int = 0
    height: int = 0
    aspect: str = "16:9"
    preview: bool = True  # shown as a muted looping preview on lists
    poster_webp_url: str = ""  # the poster as WebP (the JPEG stays as the fallback)


@dataclass(frozen=True)
class VideoInfo:
    url: str
    captions_url: str | None
    poster_url: str
    poster_webp_url: str
    width: int
    height: int
    duration: float
    cues: list[Cue] = field(default_factory=list)
    captions_path: Path | None = None
    short: ShortCut | None = None
    mime: str = "video/mp4"


@dataclass(frozen=True)
class Probe:
    """What ffmpeg says about a source file (kept in the cache as JSON)."""

    duration: float
    width: int
    height: int
    fps: float
    video_codec: str
    audio_codec: str | None
    rotation: int = 0
    # As ffmpeg names them ("tv"/"pc", "bt709", "arib-std-b67"...); "" when untagged.
    color_range: str = ""
    color_matrix: str = ""
    color_primaries: str = ""
    color_transfer: str = ""

    @property
    def display_size(self) -> tuple[int, int]:
        """Width and height as shown (ffmpeg applies rotation metadata)."""
        if self.rotation % 180:
            return self.height, self.width
        return self.width, self.height
