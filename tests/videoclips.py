"""Small clips and checks for the video tests: real ffmpeg, a few seconds, 320x180."""

from __future__ import annotations

import io
import os
import re
import stat
import struct
import subprocess
from pathlib import Path

import imageio_ffmpeg
from PIL import Image

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
FPS = 25

CAPTIONS = """WEBVTT

intro
00:00:00.500 --> 00:00:02.000
<v 大川>審査員の大川です。よろしくお願いします。

q1
00:00:02.000 --> 00:00:03.800
<v 松本>松本です。課題の解像度を見ています。

q2
00:00:04.000 --> 00:00:05.600
<v 大川>失敗しても評価は下がりません。
"""


def generate(*args: str) -> None:
    """Run ffmpeg quietly to make a fixture (``generate("-f", "lavfi", "-i", …, out)``)."""
    subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def make_clip(
    path: Path, seconds: float = 6, size: str = "320x180", *, audio: bool = True, numbered=False
) -> Path:
    """testsrc (or frames whose brightness is their number) + a sine tone, keyframes every 2 s."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if numbered:
        # Frame n has luma 16 + 8n (mod 224): a frame's number can be read back from its pixels.
        video = f"color=c=gray:size={size}:rate={FPS}:duration={seconds},format=gray"
        video += ",geq=lum='16+mod(N*8\\,224)'"
    else:
        video = f"testsrc=size={size}:rate={FPS}:duration={seconds}"
    args = ["-f", "lavfi", "-i", video]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
        args += ["-c:a", "aac", "-shortest"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-g", str(2 * FPS), "-pix_fmt", "yuv420p"]
    args += ["-qp", "4", str(path)] if numbered else [str(path)]
    generate(*args)
    return path


def ffmpeg_report(path: Path) -> str:
    result = subprocess.run(
        [FFMPEG, "-hide_banner", "-i", str(path)], capture_output=True, check=False
    )
    return result.stderr.decode("utf-8", "replace")


def codecs(path: Path) -> dict[str, str]:
    """{'video': 'h264 (High)... yuv420p...', 'audio': 'aac ...'} from ffmpeg's report."""
    found = {}
    for kind, rest in re.findall(r"Stream #\d+:\d+.*?: (Video|Audio): (.*)", ffmpeg_report(path)):
        found.setdefault(kind.lower(), rest)
    return found


def video_size(path: Path) -> tuple[int, int]:
    width, height = re.search(r"(\d{2,5})x(\d{2,5})", codecs(path)["video"]).groups()
    return int(width), int(height)


def frame_count(path: Path) -> int:
    result = subprocess.run(
        [FFMPEG, "-hide_banner", "-i", str(path), "-map", "0:v:0", "-f", "null", "-"],
        capture_output=True,
        check=True,
    )
    return int(re.findall(r"frame=\s*(\d+)", result.stderr.decode())[-1])


def top_level_atoms(path: Path) -> list[str]:
    """MP4 boxes in file order; +faststart puts 'moov' before 'mdat'."""
    atoms, data = [], path.read_bytes()
    position = 0
    while position + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[position : position + 8])
        if size == 1:
            size = struct.unpack(">Q", data[position + 8 : position + 16])[0]
        atoms.append(kind.decode("latin-1"))
        if size < 8:
            break
        position += size
    return atoms


def frame_at(path: Path, seconds: float, *, exact_frame: int | None = None) -> Image.Image:
    """A decoded frame as a Pillow image (by time, or by frame number counted from 0)."""
    args = [FFMPEG, "-hide_banner", "-loglevel", "error"]
    if exact_frame is None:
        args += ["-ss", f"{seconds:.3f}", "-i", str(path)]
    else:
        args += ["-i", str(path), "-vf", f"select=eq(n\\,{exact_frame})"]
    args += ["-frames:v", "1", "-f", "image2pipe", "-vcodec", "png", "-"]
    result = subprocess.run(args, capture_output=True, check=True)
    return Image.open(io.BytesIO(result.stdout)).convert("RGB")


def counting_ffmpeg(folder: Path) -> tuple[Path, Path]:
    """A wrapper that logs each start of ffmpeg (one line of arguments) and runs the real one."""
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "ffmpeg-calls.log"
    wrapper = folder / "ffmpeg"
    wrapper.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec "{FFMPEG}" "$@"\n', encoding="utf-8"
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return wrapper, log


def calls(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def article(extra: str = "", title: str = "審査員対談") -> str:
    return f"Title: {title}\nDate: 2026-11-20 09:00\nCategory: 新規事業\n{extra}\n本文です。\n"


VIDEO_FRONT = "Video: media/clip.mp4\nCaptions: media/clip.ja.vtt\nHighlights: intro, q2\n"


def cache_leftovers(cache: Path) -> list[str]:
    """Temporary files a render left behind (there must be none)."""
    return [name for _root, _dirs, files in os.walk(cache) for name in files if ".part" in name]
