"""Tiny generated stand-ins for phone and camera files, each with one real-world trait.

Every clip is 1 s and as small as its trait allows: rotation metadata on a
landscape-coded picture, a 1080x1920 60 fps portrait recording, HEVC 10-bit HDR
(HLG and PQ) graded as BT.2408 says (SDR white at 203 cd/m2), 5.1 and mono
sound, no sound at all, and sound alone.
"""

from __future__ import annotations

from pathlib import Path

from videoclips import generate

# SMPTE colour bars: the HDR clips carry them, converted; published SDR must look like them.
BARS = "smptebars=size=192x108:rate=30:duration=1"
HDR_TRANSFERS = {"hlg": "arib-std-b67", "pq": "smpte2084"}


def _h264(*extra: str) -> list[str]:
    return ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", *extra]


def rotated(path: Path) -> Path:
    """320x180 coded, left half white, shown turned 90 degrees clockwise (a phone held upright)."""
    coded = path.with_name("coded.mp4")
    picture = "color=black:size=320x180:rate=30:d=1,drawbox=x=0:y=0:w=160:h=180:color=white:t=fill"
    generate("-f", "lavfi", "-i", picture, *_h264(), str(coded))
    return held_upright(coded, path)


def held_upright(coded: Path, path: Path) -> Path:
    """``coded`` tagged to be shown a quarter turn clockwise, as a phone held upright records."""
    # ffmpeg's display rotation counts counter-clockwise: -90 is a quarter turn clockwise.
    generate("-display_rotation", "-90", "-i", str(coded), "-c", "copy", str(path))
    return path


def tall_60fps(path: Path) -> Path:
    """1080x1920 at 60 fps with AAC sound, as a phone records portrait video."""
    generate(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=1080x1920:rate=60:duration=1",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:duration=1:sample_rate=48000",
        *_h264("-crf", "35"),
        "-c:a",
        "aac",
        str(path),
    )
    return path


def hdr(path: Path, kind: str, *, bars: str = BARS) -> Path:
    """Colour bars as HEVC Main 10, BT.2020, HLG or PQ, tagged as an iPhone tags them."""
    transfer = HDR_TRANSFERS[kind]
    grade = (
        "setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv,"
        "zscale=t=linear:npl=203,format=gbrpf32le,"
        f"zscale=p=bt2020:t={transfer}:m=bt2020nc:r=tv:npl=203,format=yuv420p10le"
    )
    generate(
        "-f",
        "lavfi",
        "-i",
        bars,
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:duration=1:sample_rate=48000",
        "-vf",
        grade,
        "-c:v",
        "libx265",
        "-preset",
        "ultrafast",
        "-x265-params",
        "log-level=error",
        "-color_primaries",
        "bt2020",
        "-color_trc",
        transfer,
        "-colorspace",
        "bt2020nc",
        "-color_range",
        "tv",
        "-tag:v",
        "hvc1",
        "-c:a",
        "aac",
        str(path),
    )
    return path


def iphone(path: Path) -> Path:
    """All of an iPhone's defaults at once: HEVC 10-bit HLG at 60 fps, held upright.

    Coded 480x270 (a quarter of the iPhone's 1920x1080 each way, to keep the
    test quick) and turned a quarter clockwise.
    """
    coded = hdr(
        path.with_name("iphone-coded.mov"),
        "hlg",
        bars=BARS.replace("size=192x108:rate=30", "size=480x270:rate=60"),
    )
    return held_upright(coded, path)


def full_range(path: Path) -> Path:
    """Colour bars in full range ("yuvj", 0-255), as many Android phones record."""
    generate(
        "-f",
        "lavfi",
        "-i",
        BARS,
        "-vf",
        "scale=out_range=pc",
        *_h264("-color_range", "pc"),
        "-pix_fmt",
        "yuvj420p",
        str(path),
    )
    return path


def bars_reference(path: Path) -> Path:
    """The SDR bars the HDR clips were graded from, as PNG."""
    generate("-f", "lavfi", "-i", BARS, "-frames:v", "1", str(path))
    return path


def with_sound(path: Path, layout: str) -> Path:
    """A small picture with sound in ``layout`` ("5.1" or "mono"): a tone in every channel."""
    tone = f"sine=frequency=440:duration=1:sample_rate=48000,aformat=channel_layouts={layout}"
    generate(
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=160x90:rate=25:duration=1",
        "-f",
        "lavfi",
        "-i",
        tone,
        *_h264(),
        "-c:a",
        "aac",
        str(path),
    )
    return path


def silent(path: Path) -> Path:
    """Picture only, no sound track at all (screen recordings, some cameras)."""
    generate("-f", "lavfi", "-i", "testsrc=size=160x90:rate=25:duration=1", *_h264(), str(path))
    return path


def sound_only(path: Path, *, cover: bool = False) -> Path:
    """AAC sound in an MP4 file, no moving picture (a voice memo or a song exported as .mp4).

    ``cover``: with album art, which ffmpeg lists as a video stream ("attached pic").
    """
    args = ["-f", "lavfi", "-i", "sine=frequency=440:duration=1"]
    if cover:
        art = path.with_name("cover.png")
        generate("-f", "lavfi", "-i", "color=red:size=64x64:d=0.04", "-frames:v", "1", str(art))
        args += ["-i", str(art), "-map", "0:a", "-map", "1:v", "-c:v", "png"]
        args += ["-disposition:v", "attached_pic"]
    generate(*args, "-c:a", "aac", str(path))
    return path
