"""Moving previews are under the reader's control, and cheap on a phone until asked for."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from theme_site import BEACON_PATH, DESKTOP, PAGE_TYPES, PHONE, reader, theme_site, theme_url

pytestmark = pytest.mark.browser
BUDGET = 400 * 1024  # bytes the home page may cost a phone before the reader does anything


class Traffic:
    """Every request of a page (a video may still be streaming), and what finished ones cost."""

    def __init__(self, page) -> None:
        self.urls: list[str] = []
        self.bytes = 0
        page.on("request", lambda request: self.urls.append(request.url))
        page.on("requestfinished", self._finished)

    def _finished(self, request) -> None:
        sizes = request.sizes()
        self.bytes += sizes["responseBodySize"] + sizes["responseHeadersSize"]

    def videos(self) -> list[str]:
        return [url for url in self.urls if url.endswith(".mp4")]


def playing(video) -> bool:
    return video.evaluate("v => !v.paused && !v.ended")


def test_home_page_on_a_phone_costs_posters_only_until_the_reader_plays(browser, theme_url):
    with reader(browser, PHONE) as page:
        traffic = Traffic(page)
        page.goto(f"{theme_url}/", wait_until="networkidle")
        toggle = page.locator("[data-preview-toggle]").first
        expect(toggle).to_be_visible()
        video = page.locator("video[data-preview]").first
        assert not playing(video)
        assert traffic.videos() == []
        assert traffic.bytes <= BUDGET, f"{traffic.bytes} bytes before any interaction"
        assert video.get_attribute("poster").endswith(".webp")
        assert video.get_attribute("data-format") == "preview"

        toggle.tap()
        expect(video).to_have_js_property("paused", False)
        expect(toggle).to_contain_text("一時停止")
        assert traffic.videos()
        toggle.tap()
        expect(video).to_have_js_property("paused", True)
        expect(toggle).to_contain_text("再生")


def test_a_preview_that_starts_by_itself_shows_its_pause_button(browser, theme_url):
    with reader(browser, DESKTOP) as page:
        page.goto(f"{theme_url}/")
        video = page.locator("video[data-preview]").first
        toggle = page.locator("[data-preview-toggle]").first
        expect(video).to_have_js_property("paused", False)
        expect(toggle).to_be_visible()
        expect(toggle).to_be_in_viewport()
        assert video.evaluate("v => v.loop") is False  # once through, not forever
        toggle.click()
        expect(video).to_have_js_property("paused", True)
        page.mouse.wheel(0, 200)
        page.mouse.wheel(0, -200)
        assert not playing(video)  # the reader's pause stands


def test_nothing_moves_for_a_reader_who_asks_for_less_motion(browser, theme_url):
    with reader(browser, DESKTOP, reduced_motion=True) as page:
        traffic = Traffic(page)
        page.goto(f"{theme_url}/", wait_until="networkidle")
        expect(page.locator("[data-preview-toggle]").first).to_be_visible()
        assert not playing(page.locator("video[data-preview]").first)
        assert traffic.videos() == []
        page.goto(f"{theme_url}/{PAGE_TYPES['illustrated']}", wait_until="networkidle")
        animated = page.locator(".panel--animated img")
        animated.scroll_into_view_if_needed()
        expect(animated).to_have_js_property("complete", True)
        assert "still" in animated.evaluate("img => img.currentSrc")
        animations = page.evaluate("document.getAnimations().length")
        assert animations == 0


def test_without_script_no_button_promises_motion(browser, theme_url):
    with reader(browser, PHONE, javascript=False) as page:
        page.goto(f"{theme_url}/")
        expect(page.locator("video[data-preview]").first).to_be_visible()
        expect(page.locator("[data-preview-toggle]").first).to_be_hidden()
        page.goto(f"{theme_url}/{PAGE_TYPES['illustrated']}")
        expect(page.locator("[data-panel-pause]")).to_be_hidden()


def test_an_animated_panel_can_be_paused_to_its_still(browser, theme_url):
    with reader(browser, PHONE) as page:
        page.goto(f"{theme_url}/{PAGE_TYPES['illustrated']}")
        panel = page.locator(".panel--animated")
        panel.scroll_into_view_if_needed()
        image = panel.locator("img")
        expect(image).to_have_js_property("complete", True)
        assert "anim" in image.evaluate("img => img.currentSrc")
        button = panel.locator("[data-panel-pause]")
        expect(button).to_be_visible()
        button.tap()
        expect(button).to_have_attribute("aria-pressed", "true")
        page.wait_for_function(
            "img => img.currentSrc.includes('still')", arg=image.element_handle()
        )


def test_no_page_type_asks_for_anything_missing(browser, theme_url):
    """Icons, posters, scripts: nothing 404s and the console stays clean (the favicon did not)."""
    failures, errors = [], []
    with reader(browser, PHONE) as page:
        page.on("response", lambda r: r.status >= 400 and failures.append(f"{r.status} {r.url}"))
        page.on("console", lambda m: m.type == "error" and errors.append((m.text, m.location)))
        for path in PAGE_TYPES.values():
            page.goto(f"{theme_url}/{path}", wait_until="networkidle")
    assert [url for url in failures if BEACON_PATH not in url] == []
    # The beacon's collector is not running here: its failed POSTs are expected.
    assert [text for text, where in errors if BEACON_PATH not in where.get("url", "")] == []
