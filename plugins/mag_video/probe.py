"""Duration and streams of a source file, read from ``ffmpeg -i`` (no ffprobe is shipped).

The result is cached as JSON under the file's content key, so a rebuild with
nothing changed does not start ffmpeg to ask again.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path

from mag_core import ContentError
from mag_core.cache import Cache, cache_key

from .model import Probe
from .tools import Ffmpeg, run_probe

_DURATION = re.compile(r"Duration:\s*(\d+):(\d\d):(\d\d(?:\.\d+)?)")
_STREAM = re.compile(r"Stream #\d+:\d+.*?: (Video|Audio): (\w+)(.*)")
_SIZE = re.compile(r"\b(\d{2,5})x(\d{2,5})\b")
_RATE = re.compile(r"([\d.]+)(k?) (fps|tbr)\b")
# "yuv420p10le(tv, bt2020nc/bt2020/arib-std-b67, progressive)", "yuvj420p(pc, bt709)"
_PIXELS = re.compile(r"\b(?:yuv|gbr|rgb|gray|nv)\w*\(([^)]*)\)")
_FIELD_ORDERS = {"progressive", "top first", "bottom first", "top coded first (swapped)"}
_STATS_TIME = re.compile(r"time=(\d+):(\d\d):(\d\d(?:\.\d+)?)")
_ROTATION = re.compile(r"rotation of (-?[\d.]+) degrees")
PROBE_RECIPE = {"step": "probe", "format": 2}


def probe(source: Path, ffmpeg: Ffmpeg, cache: Cache) -> Probe:
    key = cache_key([source], {**PROBE_RECIPE, "ffmpeg": ffmpeg.version})

    def make(temporary: Path) -> None:
        info = parse_probe(run_probe(ffmpeg.exe, source), source)
        if info.duration <= 0:
            info = _with_counted_duration(info, ffmpeg.exe, source)
        temporary.write_text(json.dumps(asdict(info)), encoding="utf-8")

    path, _made = cache.get_or_make(key, ".json", make)
    return Probe(**json.loads(path.read_text(encoding="utf-8")))


def parse_probe(text: str, source: Path) -> Probe:
    """Streams from ffmpeg's report on its input; ContentError when it is not a video."""
    if "Invalid data found when processing input" in text or "Error opening input" in text:
        raise ContentError(
            source,
            "not a video file ffmpeg can read",
            hint="export it again as mp4 (H.264/AAC), mov, mkv or webm",
        )
    video = audio = None
    for match in _STREAM.finditer(text):
        kind, codec, rest = match.groups()
        if kind == "Video" and video is None and "attached pic" not in rest:
            video = (codec, rest)
        elif kind == "Audio" and audio is None:
            audio = codec
    if video is None:
        raise ContentError(
            source,
            "is an audio-only file: it has no video stream"
            if audio
            else "has no video stream ffmpeg can read",
            hint="Video: takes a video file; publish sound alone as a link in the article",
        )
    codec, rest = video
    size = _SIZE.search(rest)
    if not size:
        raise ContentError(source, "ffmpeg reports no picture size for the video stream")
    duration = _DURATION.search(text)
    rotation = _ROTATION.search(text)
    return Probe(
        duration=_seconds(duration) if duration else 0.0,
        width=int(size.group(1)),
        height=int(size.group(2)),
        fps=_frame_rate(rest),
        video_codec=codec,
        audio_codec=audio,
        rotation=round(float(rotation.group(1))) % 360 if rotation else 0,
        **_colours(rest),
    )


def _frame_rate(stream: str) -> float:
    """The rate the camera records at.

    ``fps`` is the average of the frames present; on variable-frame-rate video
    (phones drop frames in low light) it is below the camera's rate, which
    ``tbr`` keeps. Frames are placed by their timestamps anyway (sync.py); this
    only picks the published constant rate.
    """
    rates = {}
    for number, kilo, kind in _RATE.findall(stream):
        rates[kind] = float(number) * (1000 if kilo else 1)
    fps, tbr = rates.get("fps", 0.0), rates.get("tbr", 0.0)
    if fps < tbr <= 120:
        fps = tbr
    return fps if 1 <= fps <= 240 else 25.0


def _colours(stream: str) -> dict[str, str]:
    """Range, matrix, primaries and transfer from the pixel format's parentheses."""
    found = {"color_range": "", "color_matrix": "", "color_primaries": "", "color_transfer": ""}
    match = _PIXELS.search(stream)
    for item in (part.strip() for part in match.group(1).split(",")) if match else ():
        if item in ("tv", "pc"):
            found["color_range"] = item
        elif item in _FIELD_ORDERS or item == "unknown":
            continue
        else:
            names = item.split("/")
            names = [name if name not in ("unknown", "reserved") else "" for name in names]
            matrix, primaries, transfer = names if len(names) == 3 else names[:1] * 3
            found.update(color_matrix=matrix, color_primaries=primaries, color_transfer=transfer)
    return found


def _seconds(match: re.Match | tuple[str, str, str]) -> float:
    hours, minutes, seconds = match if isinstance(match, tuple) else match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _with_counted_duration(info: Probe, exe: str, source: Path) -> Probe:
    """Some files (live recordings, MediaRecorder webm) carry no duration: read through it."""
    import subprocess

    result = subprocess.run(
        [
            exe,
            "-hide_banner",
            "-nostdin",
            "-i",
            str(source),
            "-map",
            "0:v:0",
            "-c",
            "copy",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        check=False,
    )
    times = _STATS_TIME.findall(result.stderr.decode("utf-8", "replace"))
    seconds = _seconds(times[-1]) if times else 0.0
    if seconds <= 0:
        raise ContentError(source, "the video has no length ffmpeg can find")
    return Probe(**{**asdict(info), "duration": seconds})
