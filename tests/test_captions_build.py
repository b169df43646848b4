"""Captions in real builds: listed speakers, names in the published captions, timing
problems by file and line, strict builds stopped by captions past the end, and
markup that stays inside its cue, in the files and in Chromium."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from videoclips import article, make_clip

from conftest import run_pelican, soup, write_site
from mag_core import BuildStopped
from mag_core.captions import parse_captions

FRONT = "Video: media/clip.mp4\nCaptions: media/clip.ja.vtt\nSpeakers: 大川, 松本\n"

# A 6-second clip. Line numbers of the timing lines are in the comments.
CAPTIONS = """WEBVTT

00:00:00.000 --> 00:00:01.200
<v 大川>審査員の大川です。

00:00:01.200 --> 00:00:02.200
大川：よろしくお願いします。

00:00:02.200 --> 00:00:03.000
松本：<i>松本です。

00:00:03.000 --> 00:00:03.400
Remember: 失敗は減点しません。

00:00:03.400 --> 00:00:05.000
大川：それが<a href="https://example.com">大事</a>です。

00:00:05.500 --> 00:00:07.500
松本：以上です。
"""
SHORT_CUE_LINE = 12  # 0.4 s on screen, 19 characters
PAST_END_LINE = 18  # ends at 7.5 s, after the 6 s video


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> bytes:
    return make_clip(tmp_path_factory.mktemp("clip") / "clip.mp4").read_bytes()


def files(clip: bytes, front: str = FRONT, captions: str = CAPTIONS) -> dict:
    return {
        "articles/talk.md": article(front),
        "media/clip.mp4": clip,
        "media/clip.ja.vtt": captions,
    }


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def site(tmp_path_factory, clip):
    """One dev build; the warnings it logged, as messages."""
    work = tmp_path_factory.mktemp("captions-site")
    records = Records()
    logging.getLogger().addHandler(records)
    try:
        run_pelican(write_site(work, files(clip)), work / "output")
    finally:
        logging.getLogger().removeHandler(records)
    return work / "output", records.messages


def talk_folder(output: Path) -> Path:
    (video,) = output.glob("2026/*/video.mp4")
    return video.parent


def test_published_captions_name_the_speaker_when_the_speaker_changes(site):
    output, _ = site
    cues = parse_captions(talk_folder(output) / "video.ja.vtt")
    assert [cue.text for cue in cues] == [
        "大川：審査員の大川です。",
        "よろしくお願いします。",  # 大川 still
        "松本：松本です。",
        "Remember: 失敗は減点しません。",  # not a listed name: text, and 松本 goes on
        "大川：それが大事です。",
        "松本：以上です。",
    ]


def test_the_transcript_takes_speakers_from_listed_names_only(site):
    output, _ = site
    page = soup(talk_folder(output) / "transcript/index.html")
    names = [p.get_text() for p in page.select(".transcript-body .transcript-speaker")]
    assert names == ["大川", "松本", "大川", "松本"]
    assert "Remember: 失敗は減点しません。" in page.select(".transcript-body")[0].get_text()


def test_an_unclosed_tag_stays_inside_its_cue_on_every_page(site):
    output, _ = site
    for path in (talk_folder(output) / "transcript/index.html", talk_folder(output) / "index.html"):
        page = soup(path)
        italic = page.select(".transcript-body i")
        assert [i.get_text() for i in italic] == ["松本です。"]
        assert page.select("footer i") == []
        assert page.select(".transcript-text a") == []  # <a> in a cue: its text only
        assert "それが大事です。" in page.select_one(".transcript-body").get_text()


def test_timing_problems_are_warnings_with_file_and_line(site):
    _, messages = site
    by_line: dict[int, str] = {}
    for message in messages:
        if found := re.search(r"clip\.ja\.vtt:(\d+): ", message):
            by_line[int(found[1])] = by_line.get(int(found[1]), "") + message
    assert "on screen for 0.40 s, under 0.7 s" in by_line[SHORT_CUE_LINE]
    assert "19 characters in 0.40 s is 48 a second" in by_line[SHORT_CUE_LINE]
    assert "run past the end of the video" in by_line[PAST_END_LINE]
    assert set(by_line) == {SHORT_CUE_LINE, PAST_END_LINE}


@pytest.mark.browser
def test_chromium_shows_the_speaker_names_and_no_italics_after_the_cue(site, serve, page):
    output, _ = site
    server = serve(output)
    page.goto(f"{server.url}/{talk_folder(output).relative_to(output).as_posix()}/transcript/")
    styles = page.evaluate(
        """() => [...document.querySelectorAll('.transcript-text, footer')]
             .map((node) => getComputedStyle(node).fontStyle)"""
    )
    assert len(styles) > 1
    assert set(styles) == {"normal"}
    page.goto(f"{server.url}/{talk_folder(output).relative_to(output).as_posix()}/")
    page.wait_for_function(
        "document.querySelector('#video').textTracks[0].cues?.length > 0", timeout=15000
    )
    shown = page.evaluate(
        """() => [...document.querySelector('#video').textTracks[0].cues]
             .map((cue) => cue.getCueAsHTML().textContent)"""
    )
    assert [text.split("：")[0] for text in shown if "：" in text] == [
        "大川",
        "松本",
        "大川",
        "松本",
    ]


def test_captions_past_the_end_stop_a_strict_build(build, clip, tmp_path):
    with pytest.raises(BuildStopped) as stopped:
        build(files(clip), conf="publishconf.py")
    (error,) = stopped.value.errors
    assert (Path(error.path).name, error.line) == ("clip.ja.vtt", PAST_END_LINE)
    assert not list((tmp_path / "output").glob("**/*.html"))


def test_timing_warnings_alone_do_not_stop_a_strict_build(build, clip):
    captions = CAPTIONS.replace("00:00:05.500 --> 00:00:07.500", "00:00:05.000 --> 00:00:06.000")
    output = build(files(clip, captions=captions), conf="publishconf.py")
    assert (talk_folder(output) / "video.ja.vtt").is_file()


def test_every_caption_problem_is_listed_when_a_strict_build_stops(build, clip):
    captions = CAPTIONS.replace("00:00:01.200 -->", "00:00:01,200 -->").replace(
        "00:00:03.000 --> 00:00:03.400", "00:00:03.000 -> 00:00:03.400"
    )
    with pytest.raises(BuildStopped) as stopped:
        build(files(clip, captions=captions), conf="publishconf.py")
    # Each problem is its own line of the build's report, with its own line number.
    found = [(Path(e.path).name, e.line, e.message) for e in stopped.value.errors]
    assert [(name, line) for name, line, _ in found] == [("clip.ja.vtt", 6), ("clip.ja.vtt", 12)]
    assert found[0][2].startswith("bad timestamp '00:00:01,200'")
    assert found[1][2].startswith("no timing line")


def test_names_in_published_captions_follow_the_settings(build, clip):
    output = build(files(clip), MAG_CAPTIONS={"speaker_names": "never"})
    cues = parse_captions(talk_folder(output) / "video.ja.vtt")
    assert cues[0].text == "審査員の大川です。"
    assert cues[0].voices == ["大川"]  # still there for players that show voices


def test_without_a_speaker_list_no_colon_makes_a_speaker(build, clip):
    output = build(files(clip, front=FRONT.replace("Speakers: 大川, 松本\n", "")))
    page = soup(talk_folder(output) / "transcript/index.html")
    names = [p.get_text() for p in page.select(".transcript-body .transcript-speaker")]
    assert names == ["大川"]  # from <v 大川> only; '大川：' lines continue as text


def test_a_second_build_in_one_process_follows_changed_caption_settings(tmp_path, clip):
    """pelican -r and livereload reuse one process and one media cache."""
    content = write_site(tmp_path, files(clip))
    shown = []
    for mode in ("change", "never", "always"):
        output = tmp_path / f"output-{mode}"
        overrides = {"MAG_CACHE_PATH": str(tmp_path / "cache")}
        run_pelican(content, output, overrides | {"MAG_CAPTIONS": {"speaker_names": mode}})
        shown.append([cue.text[:3] for cue in parse_captions(talk_folder(output) / "video.ja.vtt")])
    assert shown == [
        ["大川：", "よろし", "松本：", "Rem", "大川：", "松本："],
        ["審査員", "よろし", "松本で", "Rem", "それが", "以上で"],
        ["大川：", "大川：", "松本：", "Rem", "大川：", "松本："],
    ]
