"""The web rendition and poster frames, as ffmpeg command lines (through ffmpeg-python)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ffmpeg as ffmpeg_python

from .model import Probe
from .shortcut import compile_output, fit


def web_size(probe: Probe, config: Mapping[str, Any]) -> tuple[int, int]:
    width, height = probe.display_size
    return fit(width, height, config["max_width"], config["max_height"])


def output_fps(probe: Probe, config: Mapping[str, Any]) -> float:
    return min(probe.fps, float(config["max_fps"]))


def web_args(
    exe: str, source: Path, target: Path, probe: Probe, config: Mapping[str, Any]
) -> list[str]:
    """H.264 + AAC, at most the configured box, CRF quality, the source's frame rate (capped)."""
    width, height = web_size(probe, config)
    clip = ffmpeg_python.input(str(source))
    video = clip["v:0"]
    fps = output_fps(probe, config)
    if fps < probe.fps - 0.01:
        video = video.filter("fps", fps=f"{fps:.6f}")
    if (width, height) != probe.display_size:
        video = video.filter("scale", width, height, flags="lanczos")
    video = video.filter("setsar", 1)
    outputs = [video, clip["a:0"]] if probe.audio_codec else [video]
    return compile_output(exe, outputs, target, config)


def frame_args(exe: str, source: Path, target: Path, at: float, size: tuple[int, int]) -> list[str]:
    """One frame at ``at`` seconds as PNG (input seeking: decodes from the keyframe before)."""
    stream = (
        ffmpeg_python.input(str(source), ss=f"{at:.3f}")["v:0"]
        .filter("scale", size[0], size[1], flags="lanczos")
        .filter("setsar", 1)
    )
    compiled = stream.output(str(target), vframes=1, f="image2", vcodec="png").compile(cmd=exe)
    return [exe, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *compiled[1:]]
