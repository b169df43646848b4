"""The beacon: injected by mag_beacon into real builds, run by a real Chromium, stored by a real
collector over loopback HTTP."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from test_collector import BROWSER, Collector
from videoclips import CAPTIONS, VIDEO_FRONT
from videoclips import article as video_article
from videoclips import make_clip as make_video_clip

from analytics.storage import read_events
from conftest import ROOT, LiveServer, run_pelican, soup, wait_for_events, write_site
from mag_beacon import script
from mag_core import SettingsError
from pelicanconf import PLUGINS

FIXTURE_PLUGIN = '''
"""Gives the test article a second format, as mag_transcript would, so it has a switcher."""
from pelican import signals
from mag_core import add_format


def add_transcript(generator):
    for article in generator.articles:
        if article.slug == "beacon-story":
            add_format(article, "transcript", "2026/beacon-next/")


def register():
    signals.article_generator_finalized.connect(add_transcript)
'''

VTT = "WEBVTT\n\nc1\n00:00:00.000 --> 00:00:02.500\nテスト字幕です\n"

STORY = """Title: ビーコンの試験記事
Date: 2026-11-20 09:00
Slug: beacon-story
Category: 新規事業
Audience: busy, light
Summary: 試験用の記事です。

<video data-format="video" muted playsinline controls preload="auto"
  src="{{static}}/media/clip.mp4">
  <track kind="captions" srclang="ja" label="日本語" src="{{static}}/media/clip.vtt" default>
</video>

{paragraphs}

[資料をダウンロード]({{static}}/media/clip.vtt){{: download }}
"""

NEXT = """Title: 次の記事
Date: 2026-11-21 09:00
Slug: beacon-next
Category: 新規事業

続きです。
"""


def make_clip(folder: Path) -> bytes:
    """A 2.5-second 160x120 clip with a tone: H.264 and AAC, as mag_video publishes."""
    from videoclips import generate

    target = folder / "clip.mp4"
    generate(
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=160x120:rate=15:duration=2.5",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:duration=2.5",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-shortest",
        "-movflags",
        "+faststart",
        str(target),
    )
    return target.read_bytes()


def site_files(clip: bytes) -> dict[str, str | bytes]:
    paragraph = "この段落は、読者がどこまで読んだかを確かめるための長い本文です。" * 6
    return {
        "articles/story.md": STORY.format(paragraphs="\n\n".join([paragraph] * 40)),
        "articles/next.md": NEXT,
        "pages/about.md": "Title: このマガジンについて\nSlug: about\n\n社内報です。\n",
        "media/clip.mp4": clip,
        "media/clip.vtt": VTT,
    }


def build_site(root: Path, files, conf="pelicanconf.py", **overrides) -> Path:
    """A real build of ``files`` with the project's settings, the fixture plugin included."""
    plugins = root / "fixture_plugins" / "fixture_formats"
    plugins.mkdir(parents=True, exist_ok=True)
    (plugins / "__init__.py").write_text(FIXTURE_PLUGIN, encoding="utf-8")
    output = root / "output"
    settings = {
        "PLUGIN_PATHS": [str(ROOT / "plugins"), str(plugins.parent)],
        "PLUGINS": [*PLUGINS, "fixture_formats"],
        **overrides,
    }
    run_pelican(write_site(root, files), output, settings, conf=conf)
    return output


class Live:
    """A built site served on loopback, with its beacon pointing at a running collector."""

    def __init__(self, root: Path, clip: bytes) -> None:
        output = root / "output"
        output.mkdir()
        self.server = LiveServer(output)  # first, so the collector knows the site's origin
        self.collector = Collector(root / "events.sqlite3", origin=self.server.url)
        self.output = build_site(root, site_files(clip), MAG_BEACON={"url": self.collector.url})
        self.story = f"{self.server.url}/2026/beacon-story/"

    def new_pageview(self, action) -> dict:
        """The page view ``action`` causes: not the last stored, which may be an earlier page's."""
        seen = {row["view"] for row in read_events(self.collector.db)}

        def fresh(rows):
            return [r for r in rows if r["type"] == "pageview" and r["view"] not in seen]

        action()
        return fresh(self.wait_for(fresh))[-1]

    def wait_for(self, check, timeout=15.0):
        """Events once ``check(events)`` holds; fails with what was stored if it never does."""
        return wait_for_events(self.collector.db, check, timeout)


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> bytes:
    return make_clip(tmp_path_factory.mktemp("clip"))


@pytest.fixture(scope="module")
def live(tmp_path_factory, clip):
    running = Live(tmp_path_factory.mktemp("live"), clip)
    yield running
    running.collector.stop()
    running.server.close()


@pytest.fixture
def reader(browser):
    """A reader's browser tab (a desktop user agent: the collector drops headless ones)."""
    context = browser.new_context(locale="ja-JP", user_agent=BROWSER)
    tab = context.new_page()
    tab.errors = []
    tab.on("pageerror", lambda error: tab.errors.append(error))  # noqa: PLW0108 - needs a function
    yield tab
    context.close()


def of_view(events, view):
    return [event for event in events if event["view"] == view]


@pytest.mark.browser
def test_a_reader_who_reads_watches_and_switches_format_is_recorded(live, reader):
    reader.goto(live.story + "?utm_source=newsletter&utm_campaign=2026-11")
    reader.bring_to_front()
    events = live.wait_for(lambda rows: any(r["type"] == "pageview" for r in rows))
    (pageview,) = [e for e in events if e["path"] == "/2026/beacon-story/"]
    assert (pageview["article"], pageview["format"]) == ("beacon-story", "article")
    assert (pageview["audience"], pageview["utm_source"]) == ("busy light", "newsletter")
    assert pageview["utm_campaign"] == "2026-11"
    assert reader.evaluate("scrollY + innerHeight < document.documentElement.scrollHeight / 2")

    reader.evaluate("document.querySelector('video').play()")
    reader.wait_for_function("document.querySelector('video').ended", timeout=20_000)
    reader.mouse.wheel(0, 100_000)
    reader.wait_for_function("scrollY + innerHeight >= document.documentElement.scrollHeight - 2")
    reader.wait_for_timeout(300)  # some engaged time after the last scroll
    with reader.expect_navigation():
        reader.click(".format-switcher a[data-format=transcript]")

    view = pageview["view"]
    done = live.wait_for(
        lambda rows: {"engagement", "format"} <= {r["type"] for r in of_view(rows, view)}
    )
    mine = of_view(done, view)
    assert {e["reader"] for e in mine} == {pageview["reader"]}
    assert {e["article"] for e in mine} == {"beacon-story"}
    video = [e for e in mine if e["type"] == "video"]
    assert [e["quartile"] for e in video] == [0, 25, 50, 75, 100]
    assert {(e["format"], e["muted"], e["captions"]) for e in video} == {("video", 1, 1)}
    (engagement,) = [e for e in mine if e["type"] == "engagement"]
    assert engagement["scroll"] >= 90
    assert engagement["engaged_ms"] > 2000  # the page was in front while the video played
    (choice,) = [e for e in mine if e["type"] == "format"]
    assert (choice["format"], choice["from_format"]) == ("transcript", "article")
    assert reader.errors == []


@pytest.mark.browser
def test_the_home_page_preview_reports_its_own_format_not_the_full_video(tmp_path, reader):
    """A real video article's short cut, played muted on the home page (mag_video, preview.js)."""
    output = tmp_path / "output"
    output.mkdir()
    server = LiveServer(output)
    collector = Collector(tmp_path / "events.sqlite3", origin=server.url)
    try:
        files = {
            "articles/talk.md": video_article(VIDEO_FRONT),
            "media/clip.mp4": make_video_clip(tmp_path / "clip.mp4").read_bytes(),
            "media/clip.ja.vtt": CAPTIONS,
        }
        build_site(tmp_path, files, MAG_BEACON={"url": collector.url})
        reader.goto(f"{server.url}/")
        reader.click("[data-preview-toggle]")  # the reader starts it (it may not start itself)
        deadline = time.monotonic() + 30
        while not (video := read_events(collector.db, type="video")):
            assert time.monotonic() < deadline, "the home page's preview never reported"
            time.sleep(0.2)
        assert {(e["path"], e["format"], e["muted"]) for e in video} == {("/", "preview", 1)}
        assert video[0]["quartile"] == 0
        assert reader.errors == []
    finally:
        collector.stop()
        server.close()


@pytest.mark.browser
def test_outbound_and_download_clicks_are_recorded(live, reader):
    pageview = live.new_pageview(lambda: reader.goto(live.story))
    with reader.expect_download():
        reader.click("a[download]")
    # localhost is another host than 127.0.0.1, so this link counts as outbound.
    outbound = live.server.url.replace("127.0.0.1", "localhost") + "/"
    reader.evaluate(
        "url => { const a = Object.assign(document.createElement('a'), {href: url, id: 'out'});"
        " a.textContent = 'out'; document.body.append(a); }",
        outbound,
    )
    with reader.expect_navigation():
        reader.click("#out")
    events = live.wait_for(
        lambda rows: len([r for r in of_view(rows, pageview["view"]) if r["type"] == "click"]) == 2
    )
    clicks = [e for e in of_view(events, pageview["view"]) if e["type"] == "click"]
    assert {(e["kind"], e["url"]) for e in clicks} == {
        ("download", f"{live.server.url}/media/clip.vtt"),
        ("outbound", outbound),
    }


@pytest.mark.browser
def test_the_opt_out_page_stops_and_resumes_the_beacon(live, reader):
    reader.goto(f"{live.server.url}/pages/opt-out/")
    reader.click("button[data-opt-out=stop]")
    assert "計測していません" in reader.inner_text(".opt-out-status")
    before = len(read_events(live.collector.db))
    reader.goto(live.story)
    reader.evaluate("document.querySelector('video').play()")
    reader.wait_for_timeout(1500)
    reader.goto(f"{live.server.url}/pages/opt-out/")
    assert len(read_events(live.collector.db)) == before
    assert reader.evaluate("localStorage.getItem('mag_reader')") is None

    reader.click("button[data-opt-out=resume]")
    reader.goto(live.story)
    live.wait_for(lambda rows: len(rows) > before and rows[-1]["path"] == "/2026/beacon-story/")


@pytest.mark.browser
@pytest.mark.parametrize(
    "script_",
    [
        "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})",
        "Object.defineProperty(Navigator.prototype, 'doNotTrack', {get: () => '1'})",
    ],
    ids=["gpc", "dnt"],
)
def test_do_not_track_and_global_privacy_control_send_nothing(live, reader, script_):
    reader.add_init_script(script_)
    before = len(read_events(live.collector.db))
    reader.goto(live.story)
    reader.evaluate("document.querySelector('video').play()")
    reader.wait_for_timeout(1500)
    reader.goto(f"{live.server.url}/")
    reader.wait_for_timeout(500)
    assert len(read_events(live.collector.db)) == before
    assert reader.evaluate("localStorage.getItem('mag_reader')") is None


@pytest.mark.browser
def test_pages_work_when_the_collector_is_down(tmp_path, clip, browser):
    output = build_site(
        tmp_path, site_files(clip), MAG_BEACON={"url": "http://127.0.0.1:9/collect"}
    )
    server = LiveServer(output)
    context = browser.new_context(user_agent=BROWSER)
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda error: errors.append(error))  # noqa: PLW0108 - needs a function
    try:
        tab.goto(f"{server.url}/2026/beacon-story/")
        tab.evaluate("document.querySelector('video').play()")
        tab.wait_for_function("document.querySelector('video').ended", timeout=20_000)
        with tab.expect_navigation():
            tab.click(".format-switcher a[data-format=transcript]")
        assert tab.inner_text("h1") == "次の記事"
    finally:
        context.close()
        server.close()
    assert errors == []


def beacon_tag(page_soup):
    return page_soup.find("script", src=lambda src: src and "/js/beacon.min." in src)


def test_every_page_carries_the_beacon_with_its_article_and_format(tmp_path, clip, monkeypatch):
    # Plugins read settings only: the environment reaches them through publishconf.py.
    monkeypatch.setenv("MAG_BEACON_URL", "https://elsewhere.example/ignored")
    endpoint = {"url": "https://mag.intra.example/collect"}
    output = build_site(tmp_path, site_files(clip), MAG_BEACON=endpoint)
    story = beacon_tag(soup(output / "2026/beacon-story/index.html"))
    assert story.has_attr("defer")
    assert story["data-endpoint"] == "https://mag.intra.example/collect"
    assert (story["data-site"], story["data-article"], story["data-format"]) == (
        "mag",
        "beacon-story",
        "article",
    )
    assert story["data-audience"] == "busy light"
    pages = ["index.html", "archives/index.html", "search/index.html", "pages/about/index.html"]
    for page in pages:
        tag = beacon_tag(soup(output / page))
        assert tag is not None, page
        assert not tag.has_attr("data-article"), page
    # The opt-out page is listed with the pages, and is the one page never measured.
    assert 'href="../../pages/opt-out/"' in (output / "pages/about/index.html").read_text()
    assert beacon_tag(soup(output / "pages/opt-out/index.html")) is None
    (served,) = (output / "theme" / "js").glob("beacon.min.*.js")
    assert story["src"].endswith(f"/theme/js/{served.name}")  # named by its content
    source = (ROOT / "theme" / script.SOURCE).read_text(encoding="utf-8")
    assert served.read_bytes() == script.minify(source)


def test_no_endpoint_means_no_beacon_and_no_opt_out_page(tmp_path, clip, monkeypatch):
    monkeypatch.delenv("MAG_BEACON_URL", raising=False)
    output = build_site(tmp_path, site_files(clip))
    assert beacon_tag(soup(output / "2026/beacon-story/index.html")) is None
    assert "beacon.min" not in (output / "index.html").read_text(encoding="utf-8")
    assert not list((output / "theme" / "js").glob("beacon.min*"))
    assert not (output / "pages" / "opt-out").exists()


def test_publish_settings_read_the_endpoint_from_the_environment(tmp_path, clip, monkeypatch):
    monkeypatch.setenv("MAG_BEACON_URL", "https://mag.intra.example/collect")
    output = build_site(tmp_path, site_files(clip), conf="publishconf.py")
    tag = beacon_tag(soup(output / "2026/beacon-story/index.html"))
    assert tag["data-endpoint"] == "https://mag.intra.example/collect"
    assert "アクセス解析の停止" in (output / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"url": 'https://x.example/c" onload="alert(1)'}, "must be an http(s) URL"),
        ({"url": "javascript:alert(1)"}, "must be an http(s) URL"),
        ({"url": "https://x.example/c", "site": "<b>"}, "site"),
        ({"url": "https://x.example/c", "endpoint": "x"}, "unknown key(s) endpoint"),
    ],
)
def test_bad_beacon_settings_stop_the_build_with_a_clear_error(tmp_path, clip, setting, message):
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        build_site(tmp_path, site_files(clip), MAG_BEACON=setting)
    assert not (tmp_path / "output" / "index.html").exists()


def test_the_beacon_is_at_most_1200_bytes_minified_and_gzipped():
    source = (ROOT / "theme" / script.SOURCE).read_text(encoding="utf-8")
    minified = script.minify(source)
    assert len(minified) < len(source) * 0.7  # the minifier did its work
    assert script.gzipped_size(minified) <= 1200
    gzip_cli = subprocess.run(["gzip", "-9", "-n"], input=minified, capture_output=True, check=True)
    assert len(gzip_cli.stdout) == script.gzipped_size(minified)


def test_an_editors_preview_of_a_draft_is_never_measured(tmp_path, clip):
    files = {
        **site_files(clip),
        "articles/draft.md": (
            "Title: 下書きの記事\nDate: 2026-11-03\nCategory: 新規事業\nSlug: shitagaki\n"
            "Status: draft\n\n本文。\n"
        ),
    }
    output = build_site(tmp_path, files, MAG_BEACON={"url": "https://mag.intra.example/collect"})
    assert beacon_tag(soup(output / "2026/beacon-story/index.html")) is not None
    assert beacon_tag(soup(output / "drafts" / "shitagaki.html")) is None
