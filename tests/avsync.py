"""Sources that make A/V drift measurable, and the measurement, for the sync tests.

A source is dark and silent except at known instants ("marks"), where the
picture flashes white and the sound beeps at 1 kHz, both for 0.1 s. Frames are
dropped irregularly (three interleaved patterns, about 19 of every 30 kept), so
the container's nominal rate is not the real one, as on phone and browser
recordings. Measuring a published file gives the times the flashes and beeps
start there, read from the decoded frames' own timestamps and from the sound's
samples, and when each stream ends.
"""

from __future__ import annotations

import itertools
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from videoclips import FFMPEG, generate

RATE = 30  # the camera's rate before frames are dropped
MARK_SECONDS = 0.1
# kind -> (container suffix, video encoder options, audio encoder options, seconds
# the sound track starts after the picture, as when a camera or a browser's
# recorder opens the microphone late)
CONTAINERS = {
    "mp4-h264-aac": (".mp4", ["-c:v", "libx264", "-preset", "ultrafast"], ["-c:a", "aac"], 0),
    "mov-h264-pcm": (
        ".mov",
        ["-c:v", "libx264", "-preset", "ultrafast"],
        ["-c:a", "pcm_s16le"],
        0,
    ),
    "webm-vp8-vorbis": (
        ".webm",
        ["-c:v", "libvpx", "-deadline", "realtime", "-b:v", "200k"],
        ["-c:a", "libvorbis"],
        0,
    ),
    "webm-vp9-opus": (
        ".webm",
        ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-b:v", "200k"],
        ["-c:a", "libopus"],
        0,
    ),
    # A browser's MediaRecorder: VP8/Opus, written live, so the file states no duration.
    "webm-recorder-no-duration": (
        ".webm",
        ["-c:v", "libvpx", "-deadline", "realtime", "-b:v", "200k", "-live", "1"],
        ["-c:a", "libopus"],
        0,
    ),
    "mp4-sound-starts-late": (
        ".mp4",
        ["-c:v", "libx264", "-preset", "ultrafast"],
        ["-c:a", "aac"],
        0.4,
    ),
}


def kept(frame: int) -> bool:
    """The irregular drop pattern: a frame survives unless one of three cycles hits it."""
    return not (frame % 7 == 3 or frame % 11 == 5 or frame % 5 == 2)


def make_sync_source(path: Path, kind: str, marks: tuple[float, ...], seconds: float = 7.0) -> Path:
    """A variable-frame-rate clip with a flash and a beep at each of ``marks``."""
    for mark in marks:
        # The flash's first frame must survive, or the source itself is late.
        assert kept(round(mark * RATE)), f"mark {mark} falls on a dropped frame"
    suffix, video_codec, audio_codec, late = CONTAINERS[kind]
    lit = "+".join(f"between(T,{m:.3f},{m + MARK_SECONDS - 0.001:.3f})" for m in marks)
    # A late sound track is written from its own time 0 and placed by -itsoffset.
    tone = "+".join(f"between(t,{m - late:.3f},{m - late + MARK_SECONDS:.3f})" for m in marks)
    drop = "*".join(f"not(eq(mod(n\\,{a})\\,{b}))" for a, b in ((7, 3), (11, 5), (5, 2)))
    video = (
        f"color=c=black:size=160x90:rate={RATE}:duration={seconds},"
        f"geq=lum='if({lit},235,24)':cb=128:cr=128,select='{drop}'"
    )
    audio = f"aevalsrc='0.7*sin(2*PI*1000*t)*({tone})':s=48000:d={seconds - late}"
    target = path.with_suffix(suffix)
    generate(
        "-f",
        "lavfi",
        "-i",
        video,
        "-itsoffset",
        str(late),
        "-f",
        "lavfi",
        "-i",
        audio,
        "-fps_mode",
        "vfr",
        "-pix_fmt",
        "yuv420p",
        *video_codec,
        *audio_codec,
        str(target),
    )
    return target


@dataclass(frozen=True)
class Timeline:
    """Where marks start in a file, in seconds of its own timeline."""

    flashes: list[float]
    beeps: list[float]
    video_end: float
    audio_end: float
    audio_start: float
    frame_seconds: float  # the longest gap between two frames

    def offsets(self) -> list[float]:
        """Sound minus picture at each mark (positive: the sound is late)."""
        assert len(self.flashes) == len(self.beeps), (self.flashes, self.beeps)
        return [beep - flash for flash, beep in zip(self.flashes, self.beeps, strict=True)]


_FRAME = re.compile(r"pts_time:(-?[\d.e-]+)\s.*?duration_time:([\d.e-]+).*?mean:\[(\d+)")
_AUDIO = re.compile(r"pts_time:(-?[\d.e-]+)\s.*?rate:(\d+)\s+nb_samples:(\d+)")
_SOUND_START = re.compile(r"silence_end: (-?[\d.]+)")


def measure(path: Path) -> Timeline:
    """Flash and beep onsets, and stream ends, of a published (or source) file."""
    result = subprocess.run(
        [
            FFMPEG,
            "-hide_banner",
            "-nostdin",
            "-i",
            str(path),
            "-filter_complex",
            "[0:v:0]scale=16:16,showinfo[v];"
            "[0:a:0]ashowinfo,silencedetect=n=-26dB:d=0.03,anullsink",
            "-map",
            "[v]",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        check=True,
    )
    log = result.stderr.decode("utf-8", "replace")
    frames = [
        (float(t), float(d), int(y))
        for t, d, y in _FRAME.findall("\n".join(_lines(log, "Parsed_showinfo")))
    ]
    chunks = _AUDIO.findall("\n".join(_lines(log, "Parsed_ashowinfo")))
    pairs = list(itertools.pairwise(frames))
    flashes = [t for (_, _, before), (t, _d, y) in pairs if y > 128 >= before]
    gaps = [later[0] - earlier[0] for earlier, later in pairs]
    last_t, last_rate, last_samples = chunks[-1]
    audio_end = float(last_t) + int(last_samples) / int(last_rate)
    # silencedetect also ends a silence at the end of the stream: that is no beep.
    beeps = [float(t) for t in _SOUND_START.findall(log) if float(t) < audio_end - 0.02]
    return Timeline(
        flashes=flashes,
        beeps=beeps,
        video_end=frames[-1][0] + frames[-1][1],
        audio_end=audio_end,
        audio_start=float(chunks[0][0]),
        frame_seconds=max(gaps),
    )


def _lines(log: str, name: str) -> list[str]:
    return [line for line in log.splitlines() if name in line]
