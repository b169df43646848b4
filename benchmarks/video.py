"""mag_video against bare ffmpeg: pipeline overhead, seeking, and a no-change rebuild.

- overhead: our web rendition + short cut (probe, posters and cache included)
  against the same ffmpeg command lines run bare, in the same run; plus x-realtime at 720p;
- seeking: the same 30-s cut from a 10-min and from a 1-min source (cost must follow the cut);
- rebuild: a site with videos built again with nothing changed, against the same site
  without videos; counts the ffmpeg processes the rebuild starts (must be 0).
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from .corpus import write_corpus
from .timing import median_seconds, pelican_process, report

SPEAKERS = ("大川", "松本")
CAPTIONS = "WEBVTT\n\n" + "".join(
    f"c{n}\n00:00:{n:02d}.000 --> 00:00:{n + 1:02d}.500\n<v {SPEAKERS[n // 2 % 2]}>"
    f"審査で見ているのは課題の解像度です（{n}）。\n\n"
    for n in range(0, 11, 2)
)


def run(root: Path, options: dict) -> None:
    runs = max(1, min(int(options.get("runs", 3)), 3))
    with tempfile.TemporaryDirectory(prefix="mag-bench-video-") as folder:
        work = Path(folder)
        _overhead(work, runs)
        _seeking(work, runs)
        _rebuild(root, work, runs)


def _ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _generate(*args: str) -> None:
    """Run ffmpeg quietly to make a benchmark's source."""
    subprocess.run([_ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def _source(path: Path, seconds: int, size: str) -> Path:
    """testsrc2 + a tone at a low bitrate, a keyframe every 10 s (like a camera export)."""
    _generate(
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=size={size}:rate=25:duration={seconds}",
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=300:duration={seconds}",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-crf",
        "32",
        "-g",
        "250",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-b:a",
        "64k",
        "-shortest",
        str(path),
    )
    return path


def _article(work: Path, source: Path, highlights: str):
    """A video article as the plugin sees it, with a fresh cache folder each run."""
    from mag_video.sources import VideoFrontMatter

    captions = work / "bench.ja.vtt"
    captions.write_text(CAPTIONS, encoding="utf-8")
    return VideoFrontMatter(
        article=work / "bench.md",
        video=source,
        captions=captions,
        highlights=highlights,
        highlights_line=None,
        poster_time=None,
        poster_image=None,
        poster_line=None,
        aspect="16:9",
    )


def _overhead(work: Path, runs: int) -> None:
    from mag_video import pipeline

    seconds = 12
    source = _source(work / "hd.mp4", seconds, "1280x720")
    front = _article(work, source, "c2, c6..c8")
    cache = work / "overhead-cache"
    settings = {"PATH": str(work), "MAG_CACHE_PATH": str(cache), "MAG_VIDEO": {"progress": "off"}}
    recorded: list[list[str]] = []
    real_run = pipeline.run

    def recording_run(args, progress=None):
        result = real_run(args, progress)
        recorded.append(_keep_inputs(args, work / f"kept{len(recorded)}"))
        return result

    def ours() -> None:
        shutil.rmtree(cache, ignore_errors=True)
        recorded.clear()
        pipeline.run = recording_run
        try:
            pipeline.Renderer(settings).render(front, "bench/index.html")
        finally:
            pipeline.run = real_run

    scratch = work / "bare"

    def bare() -> None:
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir()
        for number, args in enumerate(recorded):
            target = scratch / f"out{number}{Path(args[-1]).suffix}"
            subprocess.run([*args[:-1], str(target)], check=True)

    # Interleaved (ours, bare, ours, bare, ...) so load from other work on the
    # machine falls on both alike.
    ours_times, bare_times = [], []
    for _ in range(runs):
        ours_times.append(median_seconds(ours, 1))
        bare_times.append(median_seconds(bare, 1))
    ours_seconds, bare_seconds = statistics.median(ours_times), statistics.median(bare_times)
    print(f"ffmpeg commands per render: {len(recorded)} (web, short cut, poster frames)")
    report("web rendition + short cut vs bare ffmpeg", ours_seconds, bare_seconds, target=1.15)
    web = next(args for args in recorded if "-ss" not in args)
    web_seconds = median_seconds(
        lambda: subprocess.run([*web[:-1], str(scratch / "web.mp4")], check=True), runs
    )
    print(
        f"web rendition at 720p: {seconds / web_seconds:.2f}x realtime "
        f"({seconds} s of video in {web_seconds:.2f} s)",
        flush=True,
    )


def _keep_inputs(args: list[str], keep: Path) -> list[str]:
    """The command with its temporary captions folder copied somewhere that stays."""
    kept = []
    for arg in args:
        match = re.search(r"fontsdir=([^:\[;,]+)/fonts", arg)
        if match and not keep.exists():
            shutil.copytree(match.group(1), keep, symlinks=True)
        kept.append(arg.replace(match.group(1), str(keep)) if match else arg)
    return kept


def _seeking(work: Path, runs: int) -> None:
    """The same 30-s cut (three 10-s pieces) from a 1-min and a 10-min source."""
    from mag_video.model import Segment
    from mag_video.probe import parse_probe
    from mag_video.settings import DEFAULTS
    from mag_video.shortcut import output_size, plan, short_args
    from mag_video.sync import output_fps
    from mag_video.tools import run_probe

    short = _source(work / "one-minute.mp4", 60, "640x360")
    listing = work / "ten.txt"
    listing.write_text(f"file '{short}'\n" * 10, encoding="utf-8")
    long = work / "ten-minutes.mp4"
    _generate("-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", str(long))
    config = {**DEFAULTS, "max_width": 640, "max_height": 360}
    timings = {}
    for source in (short, long):
        info = parse_probe(run_probe(_ffmpeg(), source), source)
        starts = [info.duration * share for share in (0.1, 0.5, 0.8)]
        segments = [Segment(start + 1.3, start + 11.3) for start in starts]
        pieces = plan(segments, output_fps(info, config), info.duration)
        size = output_size(info, "16:9", config)
        target = work / f"cut-{source.stem}.mp4"
        args = short_args(
            _ffmpeg(),
            source,
            target,
            pieces=pieces,
            probe=info,
            size=size,
            ass_path=None,
            config=config,
        )
        timings[source] = median_seconds(lambda args=args: subprocess.run(args, check=True), runs)
    print(f"sources: {60} s and {600} s, 640x360; cut: 3 x 10 s", flush=True)
    report("30-s cut from a 10-min vs a 1-min source", timings[long], timings[short], target=1.3)


def _rebuild(root: Path, work: Path, runs: int) -> None:
    """A rebuild with nothing changed: no ffmpeg, and about the time of a text-only build."""
    text_only = write_corpus(work / "text" / "content", 40)
    with_video = work / "video" / "content"
    shutil.copytree(text_only, with_video)
    clip = _source(work / "clip.mp4", 6, "320x180")
    (with_video / "media").mkdir()
    for number in range(3):
        shutil.copy(clip, with_video / "media" / f"talk{number}.mp4")
        (with_video / "media" / f"talk{number}.ja.vtt").write_text(CAPTIONS, encoding="utf-8")
        (with_video / "articles" / f"talk{number}.md").write_text(
            f"Title: 動画対談 {number}\nDate: 2026-11-2{number} 09:00\nCategory: 新規事業\n"
            f"Video: media/talk{number}.mp4\nCaptions: media/talk{number}.ja.vtt\n"
            f"Highlights: c2, c6..c8\n\n対談の本文です。\n",
            encoding="utf-8",
        )
    log = work / "ffmpeg-calls.log"
    wrapper = work / "ffmpeg"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{_ffmpeg()}" "$@"\n')
    wrapper.chmod(0o755)
    conf = work / "benchconf.py"
    conf.write_text(
        "from pelican.settings import get_settings_from_file\n"
        f"globals().update(get_settings_from_file({str(root / 'pelicanconf.py')!r}))\n"
        f"MAG_CACHE_PATH = {str(work / 'site-cache')!r}\n"
        f"MAG_VIDEO = {{'ffmpeg': {str(wrapper)!r}, 'progress': 'off'}}\n",
        encoding="utf-8",
    )

    def build(content: Path) -> None:
        pelican_process(content, conf, content.parent / "output", root)

    build(with_video)  # fills the cache
    log.unlink(missing_ok=True)
    videos = median_seconds(lambda: build(with_video), runs)
    started = len(log.read_text().splitlines()) if log.exists() else 0
    text = median_seconds(lambda: build(text_only), runs)
    print(f"site: 40 text articles + 3 video articles; ffmpeg processes in rebuilds: {started}")
    report("no-change rebuild with videos vs text-only build", videos, text, target=1.1)
