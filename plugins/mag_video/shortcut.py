"""The highlight short cut: segments seeked to, cut on frames, joined, captions burned in.

Each segment is its own input with ``-ss`` before ``-i``: ffmpeg seeks to the
nearest keyframe and decodes only from there, so the cost follows the length
of the cut, not of the source; the decoder then drops the frames before the
seek point. Each piece's picture is placed by its timestamps on the output's
frame grid and cut to an exact number of frames, its sound to the same length
(sync.py), so joins stay frame-accurate and in sync on variable-frame-rate video.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import ffmpeg as ffmpeg_python

from .colour import sized_picture
from .model import Probe, Segment
from .retime import Piece
from .settings import ASPECTS
from .sync import timed_audio, timed_video

# Extra source read after each segment, so its last frames are real ones (tpad
# repeats the last frame only where the source itself ends).
_READ_MARGIN = 0.5


def plan(segments: Sequence[Segment], fps: float, duration: float) -> list[Piece]:
    """Segments snapped to whole frames of the output frame rate."""
    last_frame = math.floor(duration * fps + 1e-6)
    pieces = []
    for segment in segments:
        first = round(segment.start * fps)
        end = min(round(segment.end * fps), last_frame)
        pieces.append(Piece(first / fps, max(1, end - first), fps))
    return pieces


def output_size(probe: Probe, aspect: str, config: Mapping[str, Any]) -> tuple[int, int, bool]:
    """(width, height, crop) of the short cut.

    16:9 fits the source into the rendition box; 9:16 crops the centre and fills
    a portrait box, upscaling if need be, so burned-in captions are drawn at a
    resolution that stays sharp on a phone.
    """
    box_w, box_h = config["max_width"], config["max_height"]
    src_w, src_h = probe.display_size
    ratio_w, ratio_h = ASPECTS[aspect]
    if ratio_w >= ratio_h:
        width, height = fit(src_w, src_h, box_w, box_h)
        return width, height, False
    height = max(box_w, box_h)
    width = _even(height * ratio_w / ratio_h)
    return width, height, True


def fit(width: int, height: int, box_w: int, box_h: int) -> tuple[int, int]:
    """Largest even size of the same shape inside the box, never upscaled."""
    scale = min(1.0, box_w / width, box_h / height)
    return _even(width * scale), _even(height * scale)


def short_args(
    exe: str,
    source: Path,
    target: Path,
    *,
    pieces: Sequence[Piece],
    probe: Probe,
    size: tuple[int, int, bool],
    ass_path: Path | None,
    config: Mapping[str, Any],
) -> list[str]:
    width, height, crop = size
    fade = config["join_fade"]
    streams = []
    for piece in pieces:
        clip = ffmpeg_python.input(
            str(source), ss=f"{piece.start:.6f}", t=f"{piece.seconds + _READ_MARGIN:.6f}"
        )
        streams.append(timed_video(clip["v:0"], piece.fps, piece.frames))
        if probe.audio_codec:
            streams.append(_faded_audio(clip["a:0"], piece.seconds, fade))
    joined = ffmpeg_python.concat(*streams, v=1, a=1 if probe.audio_codec else 0).node
    video = joined[0]
    if crop:
        video = video.filter("crop", f"ih*{width}/{height}", "ih")
    video = sized_picture(video, probe, width, height).filter("setsar", 1)
    if ass_path is not None:
        fonts_dir = ass_path.parent / "fonts"
        video = video.filter("ass", filename=str(ass_path), fontsdir=str(fonts_dir))
    outputs = [video, joined[1]] if probe.audio_codec else [video]
    return compile_output(exe, outputs, target, config)


def _faded_audio(audio, seconds: float, fade: float):
    """The piece's audio, cut to the video's length, faded in and out so joins do not click."""
    audio = timed_audio(audio, seconds)
    fade = min(fade, seconds / 4)
    if fade <= 0:
        return audio
    audio = audio.filter("afade", t="in", st=0, d=f"{fade:.3f}")
    return audio.filter("afade", t="out", st=f"{seconds - fade:.6f}", d=f"{fade:.3f}")


def compile_output(exe: str, outputs: list, target: Path, config: Mapping[str, Any]) -> list[str]:
    """H.264 (yuv420p, High) + stereo AAC in MP4 with the index first (+faststart).

    ``ac 2``: 5.1 phone and camera sound is mixed down, mono is sent to both sides.
    """
    options = {
        "c:v": "libx264",
        "crf": config["crf"],
        "preset": config["preset"],
        "pix_fmt": "yuv420p",
        "profile:v": "high",
        "movflags": "+faststart",
        "f": "mp4",
    }
    if len(outputs) > 1:
        options.update({"c:a": "aac", "b:a": config["audio_bitrate"], "ac": 2})
    compiled = ffmpeg_python.output(*outputs, str(target), **options).compile(cmd=exe)
    # Global options first, as ffmpeg expects them.
    return [exe, "-hide_banner", "-nostdin", "-loglevel", "warning", "-y", *compiled[1:]]


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)
