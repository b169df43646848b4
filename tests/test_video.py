"""mag_video in real builds: the web rendition, captions, posters, markup, cache and errors."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from videoclips import (
    CAPTIONS,
    FFMPEG,
    VIDEO_FRONT,
    article,
    cache_leftovers,
    calls,
    codecs,
    counting_ffmpeg,
    make_clip,
    top_level_atoms,
    video_size,
)

from conftest import ROOT, run_pelican, soup, write_site
from mag_core import BuildStopped
from mag_core.captions import parse_captions
from mag_video.progress import Progress
from mag_video.tools import run


@pytest.fixture(scope="session")
def clip_bytes(tmp_path_factory) -> bytes:
    return make_clip(tmp_path_factory.mktemp("clip") / "clip.mp4").read_bytes()


def video_site(clip: bytes, front: str = VIDEO_FRONT, captions: str | bytes = CAPTIONS) -> dict:
    return {
        "articles/talk.md": article(front),
        "articles/plain.md": article("", title="文字だけの記事"),
        "media/clip.mp4": clip,
        "media/clip.ja.vtt": captions,
    }


@pytest.fixture(scope="session")
def built(tmp_path_factory, clip_bytes) -> Path:
    """One real build of a video article, shared by the read-only checks."""
    work = tmp_path_factory.mktemp("video-site")
    content = write_site(work, video_site(clip_bytes))
    run_pelican(content, work / "output", {"MAG_VIDEO": {"max_width": 256, "max_height": 144}})
    return work / "output"


def page_of(output: Path) -> Path:
    return talk_folder(output) / "index.html"


def talk_folder(output: Path) -> Path:
    (folder,) = {path.parent for path in output.glob("2026/*/video.mp4")}
    return folder


def test_web_rendition_is_h264_aac_with_the_index_first(built):
    video = talk_folder(built) / "video.mp4"
    found = codecs(video)
    assert found["video"].startswith("h264 (High)")
    assert "yuv420p" in found["video"]
    assert found["audio"].startswith("aac")
    atoms = top_level_atoms(video)
    assert atoms.index("moov") < atoms.index("mdat")


def test_web_rendition_fits_the_configured_box(built):
    assert video_size(talk_folder(built) / "video.mp4") == (256, 144)


def test_article_page_embeds_player_with_captions_track(built):
    page = soup(page_of(built))
    player = page.select_one("video#video")
    assert player is not None
    for attribute in ("controls", "playsinline"):
        assert player.has_attr(attribute)
    assert player["preload"] == "metadata"
    assert player["data-format"] == "video"
    assert player["poster"].endswith("poster.webp")
    assert player.select_one("source")["src"].endswith("video.mp4")
    track = player.select_one("track")
    assert track["kind"] == "captions"
    assert track["srclang"] == "ja"
    assert track["label"] == "日本語"
    assert track.has_attr("default")
    folder = page_of(built).parent
    for url in (player["poster"], player.select_one("source")["src"], track["src"]):
        assert (folder / url).resolve().is_file(), url
    short = page.select_one("video#short")
    assert short["data-format"] == "short"
    # Its captions are burned in: the text track (for screen readers) is off by default.
    assert not short.select_one("track").has_attr("default")


def test_format_switcher_lists_video_and_short(built):
    links = {a["data-format"]: a["href"] for a in soup(page_of(built)).select(".format-switcher a")}
    assert links["video"].endswith("#video")
    assert links["short"].endswith("#short")


def test_published_captions_are_the_parsed_cues(built):
    cues = parse_captions(talk_folder(built) / "video.ja.vtt")
    assert [cue.id for cue in cues] == ["intro", "q1", "q2"]
    assert cues[1].voices == ["松本"]


def test_posters_are_jpeg_and_webp_sized_for_the_page(built):
    folder = talk_folder(built)
    with Image.open(folder / "poster.jpg") as jpeg, Image.open(folder / "poster.webp") as webp:
        assert (jpeg.format, webp.format) == ("JPEG", "WEBP")
        assert jpeg.size == webp.size == (256, 144)


def test_sources_are_not_copied_to_the_site(built):
    assert not (built / "media" / "clip.mp4").exists()
    assert not (built / "media" / "clip.ja.vtt").exists()


def test_text_article_has_no_player(built):
    pages = [p for p in built.glob("2026/*/index.html") if "文字だけの記事" in p.read_text("utf-8")]
    assert soup(pages[0]).select("video") == []


def test_poster_image_is_published_without_exif(build, clip_bytes):
    picture = Image.new("RGB", (400, 300), "navy")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (35.0, 41.0, 0.0)}  # GPS position
    data = io.BytesIO()
    picture.save(data, "JPEG", exif=exif)
    files = video_site(clip_bytes, "Video: media/clip.mp4\nPoster: images/cover.jpg\n")
    output = build({**files, "images/cover.jpg": data.getvalue()})
    with Image.open(talk_folder(output) / "poster.jpg") as poster:
        assert poster.size == (320, 240)  # no wider than the 320-pixel rendition
        assert not poster.getexif()


def test_no_change_rebuild_starts_no_ffmpeg(build, clip_bytes, tmp_path):
    wrapper, log = counting_ffmpeg(tmp_path / "tools")
    settings = {"MAG_VIDEO": {"ffmpeg": str(wrapper)}}
    output = build(video_site(clip_bytes), **settings)
    first = calls(log)
    assert len(first) >= 4  # version, probe, web, poster frame, short cut, short poster
    log.unlink()
    (output / "2026").rename(tmp_path / "old-output")  # published files come from the cache
    build(video_site(clip_bytes), **settings)
    assert calls(log) == []
    assert (talk_folder(output) / "short.mp4").stat().st_size > 0


def test_changing_captions_renders_only_what_uses_them(build, clip_bytes, tmp_path):
    wrapper, log = counting_ffmpeg(tmp_path / "tools")
    settings = {"MAG_VIDEO": {"ffmpeg": str(wrapper)}}
    build(video_site(clip_bytes), **settings)
    log.unlink()
    # A cue outside the highlights: only the caption file changes, no ffmpeg at all.
    build(
        video_site(clip_bytes, captions=CAPTIONS.replace("課題の解像度", "課題の具体性")),
        **settings,
    )
    assert calls(log) == []
    # A cue inside the short cut: the short (burned in) and its poster again, not the
    # web rendition nor the article's poster.
    output = build(
        video_site(clip_bytes, captions=CAPTIONS.replace("評価は", "人事評価は")), **settings
    )
    made = calls(log)
    assert len(made) == 2
    assert any("ass=" in line for line in made)
    assert all("-ss" in line for line in made)  # the web rendition has no seek
    assert "人事評価は" in (talk_folder(output) / "short.ja.vtt").read_text("utf-8")


# Every bad input names its file (and line): a dev build warns and skips the video;
# a strict build stops before writing any page.
BAD_INPUTS = {
    "missing video": (
        {"front": VIDEO_FRONT.replace("clip.mp4", "none.mp4")},
        "talk.md:4: Video: media/none.mp4 not found",
    ),
    "missing captions": (
        {"front": VIDEO_FRONT.replace("clip.ja.vtt", "none.vtt")},
        "talk.md:5: Captions: media/none.vtt not found",
    ),
    "not a video": ({"clip": b"this is not a video" * 100}, "clip.mp4: not a video file"),
    "no WEBVTT header": (
        {"captions": CAPTIONS.replace("WEBVTT\n", "")},
        "clip.ja.vtt:1: not a WebVTT file",
    ),
    "bad timestamp": (
        {
            "captions": CAPTIONS.replace(
                "00:00:02.000 --> 00:00:03.800", "00:00:02 --> 00:00:03.800"
            )
        },
        "clip.ja.vtt:8: bad timestamp '00:00:02'",
    ),
    "end before start": (
        {
            "captions": CAPTIONS.replace(
                "00:00:02.000 --> 00:00:03.800", "00:00:02.000 --> 00:00:01.000"
            )
        },
        "clip.ja.vtt:8: cue ends",
    ),
    "not UTF-8": ({"captions": CAPTIONS.encode("cp932")}, "clip.ja.vtt:5: captions are not UTF-8"),
    "unknown highlight id": (
        {"front": VIDEO_FRONT.replace("q2", "q9")},
        "talk.md:6: Highlights: no cue 'q9' in clip.ja.vtt",
    ),
    "range outside the video": (
        {"front": VIDEO_FRONT.replace("intro, q2", "00:00:04-00:00:09")},
        "talk.md:6: Highlights: '00:00:04-00:00:09' ends at 00:00:09.000, after the video ends",
    ),
    "overlapping ranges": (
        {"front": VIDEO_FRONT.replace("intro, q2", "00:00:01-00:00:03, 00:00:02.5-00:00:04")},
        "overlaps or comes before '00:00:01-00:00:03'",
    ),
    "empty range": (
        {"front": VIDEO_FRONT.replace("intro, q2", "00:00:03-00:00:03")},
        "talk.md:6: Highlights: '00:00:03-00:00:03' is empty",
    ),
    "missing glyph": (
        {"captions": CAPTIONS.replace("失敗しても", "失敗しても\U0001f600")},
        "clip.ja.vtt:12: the caption font Noto Sans CJK JP has no glyph for",
    ),
}


def bad_site(clip_bytes: bytes, case: dict) -> dict:
    return video_site(
        case.get("clip", clip_bytes),
        case.get("front", VIDEO_FRONT),
        case.get("captions", CAPTIONS),
    )


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_stops_a_strict_build(build, clip_bytes, tmp_path, name):
    case, message = BAD_INPUTS[name]
    with pytest.raises(BuildStopped) as stopped:
        build(bad_site(clip_bytes, case), conf="publishconf.py")
    assert message in str(stopped.value)
    output = tmp_path / "output"
    assert not list(output.glob("**/*.html"))
    assert not list(output.glob("**/*.mp4"))
    assert cache_leftovers(tmp_path / "cache") == []


@pytest.mark.parametrize("name", ["not a video", "unknown highlight id", "missing glyph"])
def test_bad_input_in_a_dev_build_warns_and_skips_the_video(build, clip_bytes, caplog, name):
    case, message = BAD_INPUTS[name]
    with caplog.at_level(logging.WARNING):
        output = build(bad_site(clip_bytes, case))
    assert message in caplog.text
    (page,) = [p for p in output.glob("2026/*/index.html") if "本文です" in p.read_text("utf-8")][
        :1
    ]
    assert soup(page).select("video#video") == [] or name != "not a video"


def test_strict_build_exits_non_zero_from_the_command_line(tmp_path, clip_bytes):
    case, message = BAD_INPUTS["unknown highlight id"]
    content = write_site(tmp_path, bad_site(clip_bytes, case))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pelican",
            str(content),
            "-s",
            "publishconf.py",
            "-o",
            str(tmp_path / "out"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "MAG_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "300"},
        check=False,
    )
    assert result.returncode != 0
    assert message.split(": ", 1)[1] in " ".join((result.stdout + result.stderr).split())


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_percent_on_a_terminal(tmp_path, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    source = make_clip(tmp_path / "in.mp4", seconds=3)
    screen = Terminal()
    args = [FFMPEG, "-hide_banner", "-nostdin", "-y", "-i", str(source), "-c:v", "libx264"]
    run([*args, str(tmp_path / "out.mp4")], Progress("in.mp4 web video", 3.0, stream=screen))
    shown = screen.getvalue()
    assert "\rmag_video: in.mp4 web video" in shown
    assert "%" in shown
    assert shown.rstrip().endswith("x realtime)")
    assert shown.count("\n") == 1


def test_progress_is_one_line_per_file_in_ci(tmp_path, monkeypatch):
    monkeypatch.setenv("CI", "true")
    source = make_clip(tmp_path / "in.mp4", seconds=3)
    log = Terminal()
    args = [FFMPEG, "-hide_banner", "-nostdin", "-y", "-i", str(source)]
    run([*args, str(tmp_path / "out.mp4")], Progress("in.mp4 web video", 3.0, stream=log))
    assert log.getvalue().count("\n") == 1
    assert "\r" not in log.getvalue()
    assert log.getvalue().startswith("mag_video: in.mp4 web video done (3.0 s of video in ")
