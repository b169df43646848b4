"""Picture and sound kept together on any source: frame timestamps, not the nominal rate.

Phones and browsers record variable frame rate: a WebM may say 30 fps while its
frames average 19, with irregular gaps. Counting frames at the nominal rate (as
the short cut once did) made each segment's picture run ~0.5 s longer than its
sound. Here every stretch of video goes through ffmpeg's ``fps`` filter, which
places frames by their timestamps on a constant grid starting at 0, and is then
cut to an exact number of frames; its sound is cut to the same number of
seconds, padded with silence when the source's sound is short. So each piece's
picture and sound start together and are equally long, and joins cannot drift.
Measured figures: docs/development/video-sync.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import Probe

# Frame rates a publication uses; a source is published at the one it records at.
STANDARD_RATES = (24000 / 1001, 24.0, 25.0, 30000 / 1001, 30.0, 50.0, 60000 / 1001, 60.0)
# A measured average within this share of a standard rate is that rate.
_NEAR = 0.01


def output_fps(probe: Probe, config: Mapping[str, Any]) -> float:
    """The constant frame rate published for ``probe``'s source.

    The source's rate snapped to a standard one (a VFR phone clip averaging
    29.8 fps becomes 29.97, one averaging 26 becomes 30; a 15-fps screen
    recording or a timelapse keeps its own slow rate), then reduced below
    ``max_fps`` by a whole divisor where one exists (59.94 -> 29.97, 50 -> 25),
    so frames are dropped evenly.
    """
    rate = _standard(probe.fps)
    limit = float(config["max_fps"])
    if rate <= limit + 1e-6:
        return rate
    for divisor in (2, 3, 4):
        if rate / divisor <= limit + 1e-6:
            return rate / divisor
    return limit


def _standard(fps: float) -> float:
    nearest = min(STANDARD_RATES, key=lambda rate: abs(rate - fps))
    if abs(nearest - fps) <= nearest * _NEAR:
        return nearest
    if fps < STANDARD_RATES[0]:
        # Repeating frames of a slow recording up to 24 fps would only judder.
        return fps
    return next((rate for rate in STANDARD_RATES if rate > fps and rate.is_integer()), fps)


def timed_video(stream, fps: float, frames: int):
    """Exactly ``frames`` frames at ``fps``, the first at time 0 of the stream.

    ``start_time=0`` makes the grid start where the stream's clock does, so a
    source whose first frame comes late is not pulled earlier against its sound;
    ``tpad`` repeats the last frame when the source's picture ends early.
    """
    return (
        stream.filter("fps", fps=f"{fps:.6f}", start_time=0)
        .filter("tpad", stop=-1, stop_mode="clone")
        .trim(end_frame=frames)
        .setpts("PTS-STARTPTS")
    )


def timed_audio(stream, seconds: float):
    """The sound of the same stretch: from time 0, exactly ``seconds`` long.

    ``aresample`` with ``first_pts=0`` fills a late start and gaps with silence
    (by timestamp, as the picture is placed), ``apad`` a short ending.
    """
    return (
        stream.filter("aresample", **{"async": 1, "first_pts": 0})
        .filter("apad")
        .filter("atrim", start=0, end=f"{seconds:.6f}")
        .filter("asetpts", "PTS-STARTPTS")
    )
