"""The web rendition and poster frames, as ffmpeg command lines (through ffmpeg-python)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ffmpeg as ffmpeg_python

from .colour import sized_picture
from .model import Probe
from .shortcut import compile_output, fit
from .sync import output_fps, timed_audio, timed_video


def web_size(probe: Probe, config: Mapping[str, Any]) -> tuple[int, int]:
    """The source's shape inside the rendition box, turned to match a portrait source.

    A phone's 1080x1920 becomes 720x1280, not 404x720: the box bounds the long
    and the short side, so portrait video is as sharp as landscape.
    """
    width, height = probe.display_size
    box_w, box_h = config["max_width"], config["max_height"]
    if height > width:
        box_w, box_h = min(box_w, box_h), max(box_w, box_h)
    return fit(width, height, box_w, box_h)


def web_frames(probe: Probe, config: Mapping[str, Any]) -> tuple[float, int]:
    """(frame rate, frame count) of the web rendition: the whole source on a constant grid."""
    fps = output_fps(probe, config)
    return fps, max(1, round(probe.duration * fps))


def web_args(
    exe: str, source: Path, target: Path, probe: Probe, config: Mapping[str, Any]
) -> list[str]:
    """H.264 + AAC, at most the configured box, CRF quality, a standard constant frame rate.

    Picture and sound are both cut to the container's duration (the longer
    stream's), so they end together: a short stream is padded, not the other cut.
    """
    width, height = web_size(probe, config)
    fps, frames = web_frames(probe, config)
    clip = ffmpeg_python.input(str(source))
    video = timed_video(clip["v:0"], fps, frames)
    video = sized_picture(video, probe, width, height).filter("setsar", 1)
    outputs = [video]
    if probe.audio_codec:
        outputs.append(timed_audio(clip["a:0"], frames / fps))
    return compile_output(exe, outputs, target, config)


def frame_args(
    exe: str, source: Path, target: Path, at: float, size: tuple[int, int], *, probe: Probe | None
) -> list[str]:
    """One frame at ``at`` seconds as PNG (input seeking: decodes from the keyframe before)."""
    stream = ffmpeg_python.input(str(source), ss=f"{at:.3f}")["v:0"]
    stream = sized_picture(stream, probe, *size).filter("setsar", 1)
    compiled = stream.output(str(target), vframes=1, f="image2", vcodec="png").compile(cmd=exe)
    return [exe, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *compiled[1:]]
