"""The front matter of a video article, read into paths and times with clear errors.

Every error names the article file and the line of the key that is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mag_core import ContentError
from mag_core.frontmatter import key_lines
from mag_core.speakers import speaker_list

from .settings import ASPECTS

VIDEO_SUFFIXES = {".mp4", ".m4v", ".mov", ".mkv", ".webm"}
CAPTION_SUFFIXES = {".vtt", ".srt"}
_TIME = re.compile(r"^(?:(?:(\d+):)?(\d{1,2}):)?(\d{1,2}(?:\.\d+)?)$")


@dataclass(frozen=True)
class VideoFrontMatter:
    article: Path
    video: Path
    captions: Path | None
    highlights: str
    highlights_line: int | None
    poster_time: float | None
    poster_image: Path | None
    poster_line: int | None
    aspect: str
    speakers: tuple[str, ...] = ()  # Speakers: names a 'Name:' prefix may give


def read_front(article, content_root: Path, default_aspect: str) -> VideoFrontMatter | None:
    metadata: dict[str, Any] = article.metadata
    if not metadata.get("video"):
        return None
    source = Path(article.source_path)
    lines = key_lines(source)

    def error(key: str, message: str, hint: str | None = None) -> ContentError:
        return ContentError(source, message, line=lines.get(key), hint=hint)

    video = _existing(metadata["video"], content_root, source, "Video", error)
    if video.suffix.lower() not in VIDEO_SUFFIXES:
        raise error("video", f"Video: {video.name} is not an mp4, mov, mkv or webm file")
    captions = None
    if metadata.get("captions"):
        captions = _existing(metadata["captions"], content_root, source, "Captions", error)
        if captions.suffix.lower() not in CAPTION_SUFFIXES:
            raise error("captions", f"Captions: {captions.name} is not a .vtt or .srt file")
    poster_time, poster_image = _poster(
        str(metadata.get("poster") or ""), content_root, source, error
    )
    aspect = str(metadata.get("shortaspect") or default_aspect).strip()
    if aspect not in ASPECTS:
        raise error("shortaspect", f"ShortAspect: {aspect!r} is not one of {', '.join(ASPECTS)}")
    return VideoFrontMatter(
        article=source,
        video=video,
        captions=captions,
        highlights=str(metadata.get("highlights") or ""),
        highlights_line=lines.get("highlights"),
        poster_time=poster_time,
        poster_image=poster_image,
        poster_line=lines.get("poster"),
        aspect=aspect,
        speakers=speaker_list(metadata.get("speakers")),
    )


def parse_time(value: str) -> float | None:
    """Seconds from '00:00:12', '1:02.5' or '12'; None when it is not a time."""
    match = _TIME.match(value.strip())
    if not match:
        return None
    hours, minutes, seconds = match.groups()
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds)


def _poster(value: str, content_root: Path, source: Path, error):
    if not value.strip():
        return None, None
    seconds = parse_time(value)
    if seconds is not None:
        return seconds, None
    return None, _existing(value, content_root, source, "Poster", error)


def _existing(value: str, content_root: Path, article: Path, key: str, error) -> Path:
    """A path as editors write it: from the content folder ('media/x.mp4', '{static}/media/x.mp4')
    or from the article's own folder."""
    relative = str(value).strip().replace("{static}", "").lstrip("/")
    for base in (content_root, article.parent):
        candidate = (base / relative).resolve()
        if candidate.is_file():
            return candidate
    raise error(
        key.lower(),
        f"{key}: {relative} not found",
        hint=f"put the file in {content_root.name}/{Path(relative).parent} or fix the path",
    )
