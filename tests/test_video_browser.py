"""A real Chromium plays the built video muted with its captions, and the list preview."""

from __future__ import annotations

from pathlib import Path

import pytest
from videoclips import CAPTIONS, VIDEO_FRONT, article, make_clip

from conftest import run_pelican, write_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("video-browser")
    clip = make_clip(work / "clip.mp4").read_bytes()
    files = {
        "articles/talk.md": article(VIDEO_FRONT),
        "media/clip.mp4": clip,
        "media/clip.ja.vtt": CAPTIONS,
    }
    run_pelican(write_site(work, files), work / "output")
    return work / "output"


def article_url(server, site: Path) -> str:
    (page,) = site.glob("2026/*/video.mp4")
    return f"{server.url}/{page.parent.relative_to(site).as_posix()}/"


def test_chromium_plays_the_video_muted_with_captions_loaded(site, serve, page):
    server = serve(site)
    page.goto(article_url(server, site))
    page.evaluate(
        """async () => {
        const video = document.querySelector('#video');
        video.muted = true;
        await video.play();
    }"""
    )
    page.wait_for_function("document.querySelector('#video').currentTime > 0.5", timeout=15000)
    page.wait_for_function(
        "document.querySelector('#video').textTracks[0].cues?.length > 0", timeout=15000
    )
    state = page.evaluate(
        """() => {
        const video = document.querySelector('#video');
        const track = video.textTracks[0];
        return {muted: video.muted, error: video.error, mode: track.mode,
                language: track.language, cues: track.cues.length,
                first: track.cues[0].text, width: video.videoWidth};
    }"""
    )
    assert state["muted"] is True
    assert state["error"] is None
    assert state["mode"] == "showing"  # the default track is on
    assert state["language"] == "ja"
    assert state["cues"] == 3
    assert "審査員の大川です" in state["first"]
    assert state["width"] == 320


def test_short_cut_plays_in_chromium(site, serve, page):
    server = serve(site)
    page.goto(article_url(server, site))
    page.evaluate("() => { const v = document.querySelector('#short'); v.muted = true; v.play(); }")
    page.wait_for_function("document.querySelector('#short').currentTime > 0.3", timeout=15000)


def test_list_preview_plays_muted_once_with_a_pause_button(site, serve, page):
    # A desktop-sized page with a mouse: the preview starts by itself (see the theme's tests).
    server = serve(site)
    page.goto(f"{server.url}/")
    page.locator("video[data-preview]").first.scroll_into_view_if_needed()
    page.wait_for_function(
        "(() => { const v = document.querySelector('video[data-preview]');"
        " return v && !v.paused && v.currentTime > 0.2; })()",
        timeout=15000,
    )
    state = page.evaluate(
        "(() => { const v = document.querySelector('video[data-preview]');"
        " return {muted: v.muted, loop: v.loop}; })()"
    )
    assert state == {"muted": True, "loop": False}
    assert page.locator("[data-preview-toggle]").first.is_visible()


def test_list_preview_stays_still_with_reduced_motion(site, serve, browser):
    server = serve(site)
    context = browser.new_context(locale="ja-JP", reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto(f"{server.url}/")
        page.wait_for_timeout(1500)
        state = page.evaluate(
            "(() => { const v = document.querySelector('video[data-preview]');"
            " return {paused: v.paused, time: v.currentTime, autoplay: v.autoplay}; })()"
        )
        assert state == {"paused": True, "time": 0, "autoplay": False}
    finally:
        context.close()
