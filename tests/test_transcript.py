"""Transcript pages from real builds: a generated clip, captions written here, real Chromium."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest

from conftest import run_pelican, soup, write_site
from mag_core import BuildStopped, SettingsError

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
&lt;script&gt;window.pwned = 3&lt;/script&gt;

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
    from videoclips import generate

    path = tmp_path_factory.mktemp("clip") / "clip.mp4"
    generate(
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=320x180:rate=25:duration=6",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:duration=6",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-shortest",
        str(path),
    )
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
        talk=video_article(
            "審査員対談", "shinsain-taidan", "talk", "Highlights: q2\nSpeakers: 大川, 松本"
        ),
        plain=video_article("ナレーション", "narration", "plain", "TranscriptCleanup: true"),
        hostile=video_article("危ない字幕", "hostile", "hostile", 'Speakers: x"onclick="go'),
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
    assert links[0]["href"] == f"../../../{TALK}/#short"  # the article's short player
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
    # Tags WebVTT does not know are dropped and their text kept; escaped markup stays text.
    first = "alert('v')>こんにちはwindow.pwned = 1; alert('cue') <script>window.pwned = 3</script>"
    second = "です赤 <b>太字ではない</b> English"
    assert turns(page) == [("<script", [("0", first)]), ('x"onclick="go', [("2", second)])]
    assert [turn["data-speaker"] for turn in body.select("[data-speaker]")] == [
        "<script",
        'x"onclick="go',
    ]
    # 'en onerror=alert(4)' is not a language tag: the text stays, without a span.
    assert body.select(".transcript-text span") == []
    assert body.select("b") == []  # escaped markup in the captions stays text
    for path in (site / HOSTILE / "transcript/index.html", site / HOSTILE / "index.html"):
        html = path.read_text(encoding="utf-8")
        assert "<script>window.pwned" not in html
        assert "<img src=x" not in html
        assert 'data-speaker="x"onclick' not in html


def parse_feed(path: Path):
    return ElementTree.parse(path).getroot()


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


def test_site_settings_and_front_matter_choose_cleanup_and_pause(build, clip):
    output = build(
        site_files(
            clip,
            talk=video_article("審査員対談", "shinsain-taidan", "talk", "TranscriptCleanup: false"),
            plain=video_article("ナレーション", "narration", "plain"),
        )
        | {"media/talk.ja.vtt": TALK_VTT, "media/plain.ja.vtt": PLAIN_VTT},
        MAG_TRANSCRIPT={"cleanup": True, "pause": 3.0},
        MAG_CAPTIONS={"speakers": ["大川"]},  # the site's list: '大川：' names the speaker
    )
    talk = turns(transcript_of(output, TALK))
    assert talk[0] == ("大川", [("0", "えー、今年度の応募は342件になりました。")])
    # A 2.2 s silence is within the 3 s gap: one paragraph.
    assert talk[2] == (
        "大川",
        [("1.2", "見ています。失敗は評価でマイナスになりません。挑戦してください。")],
    )
    assert turns(transcript_of(output, PLAIN)) == [
        (None, [("0", "審査の視点を聞きました。失敗をどう捉えるか。以上です。")])
    ]


def test_an_unknown_setting_stops_the_build(build):
    with pytest.raises(SettingsError, match=r"MAG_TRANSCRIPT: unknown key\(s\) paus; known keys:"):
        build(
            {"articles/text.md": article("文章だけの記事", "text-only")}, MAG_TRANSCRIPT={"paus": 3}
        )


def test_a_bad_cleanup_value_names_the_file_and_line(build, clip, caplog):
    files = site_files(
        clip,
        talk=video_article("審査員対談", "shinsain-taidan", "talk", "TranscriptCleanup: maybe"),
    ) | {"media/talk.ja.vtt": TALK_VTT}
    # A dev build warns and keeps the transcript verbatim...
    output = build(files)
    assert "talk.md:7: TranscriptCleanup must be true or false, not 'maybe'" in caplog.text
    assert "えー、" in transcript_of(output, TALK).select_one(".transcript-text").get_text()
    # ...a strict build stops before writing any page.
    (output / TALK / "transcript/index.html").unlink()
    with pytest.raises(BuildStopped, match=r"talk\.md:7: TranscriptCleanup must be true or false"):
        build(files, conf="publishconf.py")
    assert not (output / TALK / "transcript/index.html").exists()


# --- In Chromium ---------------------------------------------------------------------------


def open_panel(page, url):
    page.goto(url)
    page.click("details.transcript-panel > summary")
    page.wait_for_selector(".transcript-panel .transcript-time", state="visible")


def test_clicking_a_time_on_the_article_page_seeks_the_video(site, serve, page):
    server = serve(site)
    url = f"{server.url}/{TALK}/"
    open_panel(page, url)
    page.evaluate(
        """() => {
            window.seekedAt = [];
            const video = document.getElementById("video");
            video.addEventListener("seeked", () => window.seekedAt.push(video.currentTime));
        }"""
    )
    for number, target in ((4, 5.2), (2, 1.2)):
        page.click(f"#transcript-{number} .transcript-time")
        page.wait_for_function("window.seekedAt.length > 0")
        assert abs(page.evaluate("window.seekedAt.shift()") - target) < 0.5
        assert page.url == url  # the page stayed; the player moved
    assert page.evaluate("document.getElementById('video').paused") is False


def test_the_spoken_paragraph_is_highlighted_during_playback(site, serve, page):
    server = serve(site)
    open_panel(page, f"{server.url}/{TALK}/")
    current = "[...document.querySelectorAll('[aria-current=time]')].map(p => p.id)"
    assert page.evaluate(current) == []
    page.click("#transcript-1 .transcript-time")
    page.wait_for_function("document.getElementById('video').currentTime > 0.3")
    assert page.evaluate(current) == ["transcript-1"]
    # Playing on past the 2.2 s silence, the last paragraph (5.2 s) takes over.
    page.wait_for_function("document.getElementById('video').currentTime > 5.4", timeout=20000)
    assert page.evaluate(current) == ["transcript-4"]
    assert (
        page.evaluate("document.querySelectorAll('.transcript-paragraph.is-current').length") == 1
    )


def test_a_time_on_the_transcript_page_opens_the_article_at_that_time(site, serve, page):
    server = serve(site)
    page.goto(f"{server.url}/{TALK}/transcript/")
    page.click("#transcript-4 .transcript-time")
    page.wait_for_url(f"{server.url}/{TALK}/#t=5.2")
    page.wait_for_function(
        "(v => v.readyState >= 1 && Math.abs(v.currentTime - 5.2) < 0.5)"
        "(document.getElementById('video'))"
    )
    assert page.evaluate("document.querySelector('[aria-current=time]').id") == "transcript-4"
    assert page.evaluate("document.querySelector('details.transcript-panel').open") is True


def test_the_highlight_link_plays_the_short_cut(site, serve, page):
    server = serve(site)
    url = f"{server.url}/{TALK}/"
    open_panel(page, url)
    page.click(".transcript-panel .transcript-short-link")
    page.wait_for_function("!document.getElementById('short').paused")
    assert page.url == url


def test_hostile_captions_run_no_script_in_chromium(site, serve, page):
    server = serve(site)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for url in (f"{server.url}/{HOSTILE}/transcript/", f"{server.url}/{HOSTILE}/"):
        page.goto(url)
        if "transcript" not in url:
            page.click("details.transcript-panel > summary")
        body = page.locator(".transcript-body").first
        for part in body.locator(".transcript-speaker, .transcript-text").all():
            part.hover()
            part.click()
        page.wait_for_timeout(300)
        assert page.evaluate("typeof window.pwned") == "undefined"
        assert body.locator("img, script").count() == 0
        assert "<script>window.pwned = 3</script>" in body.inner_text()
    assert dialogs == []


def test_the_transcript_is_complete_without_javascript(site, serve, browser):
    server = serve(site)
    context = browser.new_context(locale="ja-JP", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{server.url}/{TALK}/transcript/")
        text = page.locator(".transcript-body").inner_text()
        for words in (
            "大川",
            "松本",
            "342件になりました。",
            "課題の解像度を",
            "挑戦してください。",
        ):
            assert words in text
        link = page.locator("#transcript-4 .transcript-time")
        assert link.get_attribute("href").endswith(f"{TALK}/video.mp4#t=5.2")
        page.goto(f"{server.url}/{TALK}/")
        assert not page.locator(".transcript-panel .transcript-body").is_visible()
        page.click("details.transcript-panel > summary")  # <details> opens without script
        assert page.locator(".transcript-panel .transcript-body").is_visible()
    finally:
        context.close()


def test_search_finds_the_transcript_page(site, serve, page):
    from mag_search import build_index

    build_index(site)
    server = serve(site)
    page.goto(f"{server.url}/search/?q=解像度")
    page.wait_for_selector(".search-results li a")
    links = page.locator(".search-results li a").evaluate_all("as => as.map(a => a.href)")
    # Found on the transcript page; the article's panel is left out of the index.
    assert links == [f"{server.url}/{TALK}/transcript/"]


def test_captions_with_no_cues_give_a_warning_and_no_transcript(build, clip, caplog):
    files = site_files(clip, talk=video_article("審査員対談", "shinsain-taidan", "talk"))
    output = build(files | {"media/talk.ja.vtt": "WEBVTT\n\nNOTE the captions come later\n"})
    assert "talk.ja.vtt: the captions have no cues, so the video has no transcript" in caplog.text
    assert (output / TALK / "video.mp4").is_file()
    assert not (output / TALK / "transcript").exists()
    article_page = soup(output / TALK / "index.html")
    assert article_page.select_one(".transcript-panel") is None
    assert article_page.select_one(".format-switcher a[data-format=transcript]") is None
