"""A real Chromium plays the built video muted with its captions, and the list preview."""

from __future__ import annotations

import time
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


# Burned-in captions and a paused player's control bar, seen in Chromium.

BACKGROUND = "0x3060a0"  # one flat colour: every other pixel on the poster is a caption
VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}


@pytest.fixture(scope="module")
def flat_sites(tmp_path_factory) -> dict[str, Path]:
    """{aspect: output} of a flat-coloured talk with captions, shorts in 16:9 and 9:16."""

    from videoclips import generate

    work = tmp_path_factory.mktemp("flat")
    clip = work / "flat.mp4"
    generate(
        "-f",
        "lavfi",
        "-i",
        f"color=c={BACKGROUND}:size=640x360:rate=25:d=6",
        "-f",
        "lavfi",
        "-i",
        "sine=duration=6",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        str(clip),
    )
    sites = {}
    for aspect in ("16:9", "9:16"):
        front = VIDEO_FRONT + f"ShortAspect: {aspect}\n"
        files = {
            "articles/talk.md": article(front),
            "media/clip.mp4": clip.read_bytes(),
            "media/clip.ja.vtt": CAPTIONS,
        }
        name = aspect.replace(":", "x")
        run_pelican(write_site(work / name, files), work / name / "output")
        sites[aspect] = work / name / "output"
    return sites


def element_shot(locator):
    import io

    from PIL import Image

    return Image.open(io.BytesIO(locator.screenshot(animations="disabled"))).convert("L")


def settled_shot(page, locator, differs_from=None):
    """A screenshot once two in a row agree (and differ from ``differs_from``), within 15 s."""
    from PIL import ImageChops

    previous = element_shot(locator)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        page.wait_for_timeout(150)
        shot = element_shot(locator)
        same = ImageChops.difference(shot, previous).getbbox() is None
        changed = differs_from is None or ImageChops.difference(shot, differs_from).getbbox()
        if same and changed:
            return shot
        previous = shot
    raise AssertionError("the player did not settle")


@pytest.mark.parametrize("device", list(VIEWPORTS))
@pytest.mark.parametrize("aspect", ["16:9", "9:16"])
def test_burned_in_captions_clear_the_paused_players_controls(
    flat_sites, serve, browser, device, aspect
):
    from PIL import ImageChops

    site = flat_sites[aspect]
    server = serve(site)
    context = browser.new_context(locale="ja-JP", device_scale_factor=1, **VIEWPORTS[device])
    try:
        page = context.new_page()
        page.goto(article_url(server, site))
        short = page.locator("#short")
        short.scroll_into_view_if_needed()
        # The poster decoded, so the paused player shows it (first view, nothing played).
        page.evaluate(
            "async () => { const img = new Image();"
            " img.src = document.querySelector('#short').poster; await img.decode(); }"
        )
        with_controls = settled_shot(page, short)
        assert page.evaluate("document.querySelector('#short').paused")
        page.evaluate("document.querySelector('#short').removeAttribute('controls')")
        bare = settled_shot(page, short, differs_from=with_controls)
    finally:
        context.close()
    width, height = bare.size
    # The rounded corners and the fractional edges show the page behind: look inside.
    edge = 10
    inner = (edge, edge, width - edge, height - edge)
    # The control bar: its white icons, time and timeline (its shading is only darker).
    bar = ImageChops.difference(with_controls, bare).point(lambda v: 255 if v > 120 else 0)
    bar_top = bar.crop(inner).getbbox()[1] + edge
    background = bare.getpixel((width // 2, height // 8))
    captions = bare.point(lambda v: 255 if abs(v - background) > 60 else 0).crop(inner).getbbox()
    assert captions is not None, "no caption on the poster"
    assert height - bar_top >= 40  # a real control bar was found (Chromium's is 56 px)
    assert captions[3] + edge <= bar_top - 2, (captions, bar_top, height)
