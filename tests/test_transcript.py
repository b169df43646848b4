"""Transcript pages from real builds: a generated clip, captions written here, real Chromium."""

from __future__ import annotations

import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import run_pelican, soup, write_site

ATOM = "{http://www.w3.org/2005/Atom}"
TALK = "2026/shinsain-taidan"
PLAIN = "2026/narration"
HOSTILE = "2026/hostile"

# intro and q2 carry ids; q2 is the highlight. The last cue comes after a
# pause longer than the default 2 s gap.
TALK_VTT = """WEBVTT

intro
00:00:00.000 --> 00:00:01.200
<v 大川>えー、今年度の応募は
342件になりました。

q2
00:00:01.200 --> 00:00:02.400
<v 松本>課題の解像度を</v><v 大川>見ています。

00:00:02.400 --> 00:00:03.000
大川：失敗は評価で
マイナスになりません。

00:00:05.200 --> 00:00:06.000
<v 大川>挑戦してください。
"""

PLAIN_VTT = """WEBVTT

00:00:00.000 --> 00:00:02.000
審査の視点を
聞きました。

00:00:02.000 --> 00:00:03.000
えー、失敗をどう捉えるか。

00:00:05.500 --> 00:00:06.000
以上です。
"""

HOSTILE_VTT = """WEBVTT

00:00:00.000 --> 00:00:02.000
<v <script>alert('v')</script>>こんにちは<script>window.pwned = 1; alert('cue')</script>

00:00:02.000 --> 00:00:04.000
x"onclick="go：<img src=x onerror="window.pwned = 2; alert('img')">です

00:00:04.000 --> 00:00:06.000
<c.red onmouseover="alert(3)">赤</c> &lt;b&gt;太字ではない&lt;/b&gt;
<lang en onerror=alert(4)>English</lang>
"""


def article(title, slug, extra="", body="本文です。"):
    return (
        f"Title: {title}\nDate: 2026-11-20 09:00\nCategory: 新規事業\nSlug: {slug}\n"
        f"{extra}\n{body}\n"
    )


def video_article(title, slug, name, extra=""):
    return article(title, slug, f"Video: media/{name}.mp4\nCaptions: media/{name}.ja.vtt\n{extra}")


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> bytes:
    """A 6-second 320x180 clip with a tone, made by ffmpeg."""
    import imageio_ffmpeg

    path = tmp_path_factory.mktemp("clip") / "clip.mp4"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y",
            "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25:duration=6",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=6",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-shortest", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


def site_files(clip: bytes, **articles: str) -> dict:
    files = {f"articles/{name}.md": text for name, text in articles.items()}
    for name in articles:
        files[f"media/{name}.mp4"] = clip
    return files


@pytest.fixture(scope="module")
def site(tmp_path_factory, clip) -> Path:
    """One build shared by the read-only tests: a talk, a narration, hostile captions."""
    root = tmp_path_factory.mktemp("transcript-site")
    files = site_files(
        clip,
        talk=video_article("審査員対談", "shinsain-taidan", "talk", "Highlights: q2"),
        plain=video_article("ナレーション", "narration", "plain", "TranscriptCleanup: true"),
        hostile=video_article("危ない字幕", "hostile", "hostile"),
    )
    files |= {
        "media/talk.ja.vtt": TALK_VTT,
        "media/plain.ja.vtt": PLAIN_VTT,
        "media/hostile.ja.vtt": HOSTILE_VTT,
        "articles/text.md": article("文章だけの記事", "text-only"),
    }
    content = write_site(root, files)
    output = root / "output"
    run_pelican(content, output)
    return output


def transcript_of(output: Path, folder: str):
    return soup(output / folder / "transcript/index.html")


def text_of(paragraph) -> str:
    """The spoken text of a paragraph, without the link to the short cut."""
    parts = paragraph.select_one(".transcript-text").find_all(string=True)
    return "".join(s for s in parts if not s.find_parent(class_="transcript-short-link"))


def turns(page):
    """[(speaker or None, [(start, text), ...]), ...] as the page shows them."""
    result = []
    for turn in page.select(".transcript-body .transcript-turn"):
        name = turn.select_one(".transcript-speaker")
        paragraphs = [(p["data-start"], text_of(p)) for p in turn.select(".transcript-paragraph")]
        result.append((name.get_text() if name else None, paragraphs))
    return result


def test_speakers_turns_and_paragraph_times(site):
    page = transcript_of(site, TALK)
    assert turns(page) == [
        ("大川", [("0", "えー、今年度の応募は342件になりました。")]),
        ("松本", [("1.2", "課題の解像度を")]),
        (
            "大川",
            [
                ("1.2", "見ています。失敗は評価でマイナスになりません。"),
                ("5.2", "挑戦してください。"),
            ],
        ),
    ]
    # The name once per turn: three turns, three names, four paragraphs.
    assert len(page.select(".transcript-speaker")) == 3
    times = page.select(".transcript-time")
    assert [a.get_text() for a in times] == ["0:00", "0:01", "0:01", "0:05"]
    assert [a["href"] for a in times] == [
        f"../../../{TALK}/video.mp4#t={t}" for t in ("0", "1.2", "1.2", "5.2")
    ]
    assert (site / TALK / "video.mp4").is_file()


def test_the_transcript_is_a_page_of_the_site(site):
    page = transcript_of(site, TALK)
    assert page.title.get_text() == "審査員対談（文字起こし）｜みらいマガジン"
    assert page.h1.get_text() == "審査員対談（文字起こし）"
    meta = page.select_one(".transcript .article-meta")
    assert meta.time["datetime"] == "2026-11-20T09:00:00+09:00"
    assert meta.select_one(".chip").get_text() == "新規事業"
    assert meta.select_one(".reading-time").get_text() == "約1分で読めます"
    assert page.select_one("meta[name=description]")["content"].startswith("えー、今年度の応募")
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"{TALK}/transcript/" in sitemap


def test_linked_both_ways_and_in_the_format_switcher(site):
    article_page = soup(site / TALK / "index.html")
    switcher = {a["data-format"]: a["href"] for a in article_page.select(".format-switcher a")}
    assert switcher == {
        "article": f"../../{TALK}/",
        "video": f"../../{TALK}/#video",
        "short": f"../../{TALK}/#short",
        "transcript": f"../../{TALK}/transcript/",
    }
    panel = article_page.select_one("details.transcript-panel")
    assert panel.select_one(".transcript-panel__page a")["href"] == f"../../{TALK}/transcript/"
    # The panel sits right after the players, with the same paragraphs as the page.
    assert panel.find_previous_sibling("section", class_="video") is not None
    assert turns(panel) == turns(transcript_of(site, TALK))

    page = transcript_of(site, TALK)
    current = page.select_one(".format-switcher a[aria-current=page]")
    assert current["data-format"] == "transcript"
    assert page.select_one(".transcript-article-link")["href"] == f"../../../{TALK}/"
    assert page.select_one(".transcript-back a")["href"] == f"../../../{TALK}/#video"


def test_articles_without_video_get_no_transcript(site):
    assert not (site / "2026/text-only/transcript").exists()
    page = soup(site / "2026/text-only/index.html")
    assert page.select_one(".transcript-panel") is None
    assert page.select_one(".format-switcher") is None


def test_highlights_are_marked_with_a_link_to_the_short_cut(site):
    page = transcript_of(site, TALK)
    marks = page.select("mark.transcript-highlight")
    assert [m.get_text() for m in marks] == ["課題の解像度を", "見ています。"]
    links = page.select(".transcript-short-link")
    assert len(links) == 1  # one link per highlight, where it starts
    assert links[0]["href"] == f"../../../{TALK}/short.mp4#t=0"
    assert links[0].find_next_sibling("mark") is marks[0]
    assert (site / TALK / "short.mp4").is_file()


def test_captions_without_any_speaker_still_read_as_paragraphs(site):
    page = transcript_of(site, PLAIN)
    # TranscriptCleanup: true on this article drops the filler.
    assert turns(page) == [
        (None, [("0", "審査の視点を聞きました。失敗をどう捉えるか。"), ("5.5", "以上です。")])
    ]
    assert page.select_one(".transcript-speakers") is None
    assert "省いています" in page.select_one(".transcript-source").get_text()


def test_cleanup_is_off_unless_asked(site):
    page = transcript_of(site, TALK)
    assert "えー、" in page.select_one(".transcript-text").get_text()
    assert "省いています" not in page.select_one(".transcript-source").get_text()


def test_hostile_captions_render_as_text(site):
    page = transcript_of(site, HOSTILE)
    body = page.select_one(".transcript-body")
    assert body.select("script, img, c, [onerror], [onclick], [onmouseover]") == []
    first = "alert('v')</script>>こんにちは<script>window.pwned = 1; alert('cue')</script>"
    second = (
        """<img src=x onerror="window.pwned = 2; alert('img')">です赤 <b>太字ではない</b> English"""
    )
    assert turns(page) == [("<script", [("0", first)]), ('x"onclick="go', [("2", second)])]
    assert [turn["data-speaker"] for turn in body.select("[data-speaker]")] == [
        "<script",
        'x"onclick="go',
    ]
    assert body.select_one("span[lang]").attrs == {"lang": "en"}
    assert body.select("b") == []  # escaped markup in the captions stays text
    for path in (site / HOSTILE / "transcript/index.html", site / HOSTILE / "index.html"):
        html = path.read_text(encoding="utf-8")
        assert "<script>window.pwned" not in html
        assert "<img src=x" not in html
        assert 'data-speaker="x"onclick' not in html


def parse_feed(path: Path):
    return ElementTree.parse(path).getroot()  # noqa: S314 (the feed this build just wrote)


def test_transcripts_are_in_the_feeds(site):
    for feed in ("feeds/all.atom.xml", "feeds/category/shinki-jigyou.atom.xml"):
        root = parse_feed(site / feed)
        entries = [
            (e.findtext(f"{ATOM}title"), e.find(f"{ATOM}link").get("href"))
            for e in root.iter(f"{ATOM}entry")
        ]
        assert ("審査員対談（文字起こし）", f"{TALK}/transcript/") in entries
        assert ("文章だけの記事", "2026/text-only/") in entries
        titles = [title for title, _ in entries]
        assert titles.index("審査員対談（文字起こし）") == titles.index("審査員対談") + 1
        assert len(titles) == 7  # four articles, three transcripts
    root = parse_feed(site / "feeds/all.atom.xml")
    entry = next(
        e
        for e in root.iter(f"{ATOM}entry")
        if e.find(f"{ATOM}link").get("href") == f"{TALK}/transcript/"
    )
    content = entry.findtext(f"{ATOM}content")
    assert "<p><b>大川</b>：えー、今年度の応募は342件になりました。</p>" in content
    assert entry.findtext(f"{ATOM}id") != next(
        e.findtext(f"{ATOM}id")
        for e in root.iter(f"{ATOM}entry")
        if e.find(f"{ATOM}link").get("href") == f"{TALK}/"
    )
