"""Phone and camera files in, correct web video out: rotation, 60 fps portrait, HDR, sound layouts.

Each source is a tiny generated clip with one real-world trait (phoneclips.py);
one real build publishes them all, and each test reads what came out: size,
orientation, frame rate, colour tags and colours, and the sound's channels.
"""

from __future__ import annotations

import array
import re
import subprocess
from pathlib import Path

import phoneclips
import pytest
from PIL import Image, ImageStat
from videoclips import FFMPEG, article, codecs, frame_at

from conftest import run_pelican, write_site
from mag_core import BuildStopped

SOURCES = {
    "rotated": phoneclips.rotated,
    "tall": phoneclips.tall_60fps,
    "hlg": lambda path: phoneclips.hdr(path, "hlg"),
    "pq": lambda path: phoneclips.hdr(path, "pq"),
    "surround": lambda path: phoneclips.with_sound(path, "5.1"),
    "mono": lambda path: phoneclips.with_sound(path, "mono"),
    "silent": phoneclips.silent,
    "fullrange": phoneclips.full_range,
    "iphone": phoneclips.iphone,
}
SETTINGS = {"MAG_VIDEO": {"preset": "ultrafast"}}
# The HLG clip also gets a short cut and a poster, which must be converted too.
EXTRA_FRONT = {
    "hlg": "Highlights: 00:00:00.20-00:00:00.90\nPoster: 00:00:00.50\n",
    "iphone": "Highlights: 00:00:00.20-00:00:00.80\nShortAspect: 9:16\n",
}


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> dict[str, Path]:
    """{name: published video.mp4} for every phone trait, from one build."""
    work = tmp_path_factory.mktemp("phone-sources")
    files = {}
    for name, make in SOURCES.items():
        source = make(work / f"{name}.mov")
        files[f"media/{name}.mov"] = source.read_bytes()
        front = f"Video: media/{name}.mov\n" + EXTRA_FRONT.get(name, "")
        files[f"articles/{name}.md"] = article(front, title=name)
    run_pelican(write_site(work, files), work / "output", SETTINGS)
    found = {}
    for video in (work / "output").glob("2026/*/video.mp4"):
        (name,) = [name for name in SOURCES if video.parent.name.startswith(name)]
        found[name] = video
    assert set(found) == set(SOURCES)
    return found


def picture(path: Path) -> dict:
    """Size, frame rate and colour tags of a file's picture, from ffmpeg's report."""
    report = codecs(path)["video"]
    size = re.search(r"(\d{2,5})x(\d{2,5})", report)
    tags = re.search(r"(yuv\w*)\(([^)]*)\)", report)
    return {
        "size": (int(size.group(1)), int(size.group(2))),
        "fps": float(re.search(r"([\d.]+) fps", report).group(1)),
        "pixels": tags.group(1),
        "tags": [part.strip() for part in tags.group(2).split(",")],
    }


def channel_levels(path: Path) -> list[float]:
    """RMS of each channel of the published sound (16-bit full scale = 1)."""
    layout = codecs(path)["audio"]
    count = 2 if ", stereo," in layout else 1 if ", mono," in layout else 6
    raw = subprocess.run(
        [
            FFMPEG,
            "-hide_banner",
            "-loglevel",
            "error",
            "-i",
            str(path),
            "-map",
            "0:a:0",
            "-f",
            "s16le",
            "-acodec",
            "pcm_s16le",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    samples = array.array("h", raw)
    levels = []
    for channel in range(count):
        values = samples[channel::count]
        levels.append((sum(v * v for v in values) / max(1, len(values))) ** 0.5 / 32768)
    return levels


def test_rotation_metadata_is_applied_portrait_comes_out_upright(published):
    video = published["rotated"]
    assert picture(video)["size"] == (180, 320)
    frame = frame_at(video, 0.5).convert("L")
    top = ImageStat.Stat(frame.crop((0, 0, 180, 150))).mean[0]
    bottom = ImageStat.Stat(frame.crop((0, 170, 180, 320))).mean[0]
    # Turned clockwise, the coded picture's white left half is the top.
    assert top > 200
    assert bottom < 40


def test_tall_60fps_phone_video_keeps_its_shape_at_30fps(published):
    found = picture(published["tall"])
    assert found["size"] == (720, 1280)  # the box bounds the long side, not 404x720
    assert found["fps"] == 30


@pytest.mark.parametrize("kind", ["hlg", "pq"])
def test_hdr_is_published_as_sdr_bt709(published, kind):
    found = picture(published[kind])
    assert found["pixels"] == "yuv420p"  # 8 bit
    assert found["tags"][:2] == ["tv", "bt709"]  # limited range; matrix, primaries, transfer


@pytest.mark.parametrize("name", list(SOURCES))
def test_every_output_is_tagged_bt709_limited_range(published, name):
    assert picture(published[name])["tags"][:2] == ["tv", "bt709"]


def bar_colours(image: Image.Image) -> list[tuple[float, ...]]:
    """Mean RGB in the middle of each of the seven upper colour bars."""
    width, height = image.size
    colours = []
    for index in range(7):
        x = round((index + 0.5) * width / 7)
        patch = image.crop((x - 3, round(height * 0.3), x + 3, round(height * 0.4)))
        colours.append(tuple(ImageStat.Stat(patch).mean))
    return colours


def colour_error(got: list[tuple[float, ...]], want: list[tuple[float, ...]]) -> float:
    return (
        sum(abs(a - b) for g, w in zip(got, want, strict=True) for a, b in zip(g, w, strict=True))
        / 21
    )


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> list[tuple[float, ...]]:
    path = phoneclips.bars_reference(tmp_path_factory.mktemp("bars") / "bars.png")
    with Image.open(path) as image:
        return bar_colours(image.convert("RGB"))


def test_full_range_phone_video_keeps_its_colours(published, reference):
    got = bar_colours(frame_at(published["fullrange"], 0.5))
    assert colour_error(got, reference) < 4


@pytest.mark.parametrize("kind", ["hlg", "pq"])
def test_hdr_bars_look_like_the_sdr_bars_they_were_graded_from(published, reference, kind):
    got = bar_colours(frame_at(published[kind], 0.5))
    assert colour_error(got, reference) < 16  # measured: HLG 10.6, PQ 12.0
    # Not washed out: the red bar stays red.
    red, _green, blue = got[5]
    assert red > 160
    assert max(_green, blue) < 40


def test_hdr_short_cut_and_poster_are_converted_too(published, reference):
    short = published["hlg"].with_name("short.mp4")
    assert picture(short)["tags"][:2] == ["tv", "bt709"]
    assert colour_error(bar_colours(frame_at(short, 0.3)), reference) < 16
    with Image.open(published["hlg"].with_name("poster.jpg")) as poster:
        assert colour_error(bar_colours(poster.convert("RGB")), reference) < 16


def test_iphone_default_hevc_hlg_60fps_upright_comes_out_portrait_sdr_30fps(published, reference):
    found = picture(published["iphone"])
    assert found["size"] == (270, 480)
    assert found["fps"] == 30
    assert found["pixels"] == "yuv420p"
    # Turned back a quarter anticlockwise, the upright frame shows the bars as graded.
    upright = frame_at(published["iphone"], 0.5).rotate(90, expand=True)
    assert colour_error(bar_colours(upright), reference) < 16


def test_iphone_clip_makes_an_upright_sdr_phone_short(published):
    found = picture(published["iphone"].with_name("short.mp4"))
    assert found["size"] == (720, 1280)
    assert found["fps"] == 30
    assert found["tags"][:2] == ["tv", "bt709"]


def test_hdr_read_as_sdr_would_be_washed_out(published, reference, tmp_path):
    """The check above can fail: decoding the HDR source without conversion misses by far."""
    source = phoneclips.hdr(tmp_path / "hlg.mov", "hlg")
    naive = bar_colours(frame_at(source, 0.5))
    assert colour_error(naive, reference) > 30  # measured: 46


def test_surround_sound_is_mixed_down_with_the_centre_in_both_sides(published):
    assert ", stereo," in codecs(published["surround"])["audio"]
    left, right = channel_levels(published["surround"])
    assert left > 0.02
    assert right > 0.02


def test_mono_sound_plays_on_both_sides(published):
    assert ", stereo," in codecs(published["mono"])["audio"]
    left, right = channel_levels(published["mono"])
    assert left > 0.02
    assert abs(left - right) < 0.001


def test_video_without_sound_is_published_without_a_sound_track(published):
    assert "audio" not in codecs(published["silent"])
    assert picture(published["silent"])["size"] == (160, 90)


@pytest.mark.parametrize("cover", [False, True])
def test_sound_only_file_is_a_clear_error_naming_it(build, tmp_path, cover):
    sound = phoneclips.sound_only(tmp_path / "memo.mp4", cover=cover).read_bytes()
    files = {"media/memo.mp4": sound, "articles/memo.md": article("Video: media/memo.mp4\n")}
    with pytest.raises(BuildStopped) as stopped:
        build(files, conf="publishconf.py")
    assert "memo.mp4: is an audio-only file: it has no video stream" in str(stopped.value)


@pytest.mark.parametrize(
    ("stream", "expected"),
    [
        (
            "hevc (Main 10) (hvc1 / 0x31637668), yuv420p10le(tv, bt2020nc/bt2020/arib-std-b67, "
            "progressive), 1080x1920, 7000 kb/s, 59.94 fps, 60 tbr, 600 tbn",
            ("tv", "bt2020nc", "bt2020", "arib-std-b67", 60.0),
        ),
        (
            "h264 (High), yuvj420p(pc, bt470bg/bt470bg/smpte170m), 1920x1080, 29.87 fps, "
            "30 tbr, 90k tbn",
            ("pc", "bt470bg", "bt470bg", "smpte170m", 30.0),
        ),
        (
            "h264 (High), yuv420p(tv, bt709, progressive), 1280x720, 25 fps, 25 tbr, 12800 tbn",
            ("tv", "bt709", "bt709", "bt709", 25.0),
        ),
        (
            "vp9 (Profile 0), yuv420p(tv, progressive), 640x360, 30 fps, 30 tbr, 1k tbn",
            ("tv", "", "", "", 30.0),
        ),
        (
            "h264, yuv420p(tv, unknown/bt709/unknown), 640x360, 18.7 fps, 30 tbr",
            ("tv", "", "bt709", "", 30.0),
        ),
    ],
)
def test_probe_reads_colour_tags_and_the_camera_rate(stream, expected):
    from mag_video.probe import parse_probe

    report = f"  Duration: 00:00:01.00, start: 0.0\n  Stream #0:0: Video: {stream}\n"
    probe = parse_probe(report, Path("clip.mov"))
    found = (probe.color_range, probe.color_matrix, probe.color_primaries)
    assert (*found, probe.color_transfer, probe.fps) == expected
