"""Every page type laid out right at 320, 390, 768 and 1280 px, light and dark, and in print."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from theme_site import (
    DESKTOP,
    PAGE_TYPES,
    PHONE,
    VIDEO_ARTICLE,
    WIDTHS,
    check_page_types_exist,
    reader,
    theme_site,
    theme_url,
)

pytestmark = pytest.mark.browser
ILLUSTRATED = PAGE_TYPES["illustrated"]
TRANSCRIPT = PAGE_TYPES["transcript"]

LAYOUT = """() => {
  const box = (selector) => {
    const element = document.querySelector(selector);
    return element ? element.getBoundingClientRect().toJSON() : null;
  };
  return {
    scrollWidth: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    header: box(".site-header"), footer: box(".site-footer"), title: box(".site-title"),
  };
}"""


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_type_fits_the_screen_with_one_header(
    browser, theme_site, theme_url, width, dark
):
    check_page_types_exist(theme_site)
    problems, title_x = [], {}
    with reader(browser, width, dark=dark) as page:
        for name, path in PAGE_TYPES.items():
            page.goto(f"{theme_url}/{path}", wait_until="load")
            layout = page.evaluate(LAYOUT)
            if layout["scrollWidth"] > layout["viewport"]:
                problems.append(f"{name}: {layout['scrollWidth']} px wide in {width} px")
            for part in ("header", "footer"):
                if round(layout[part]["width"]) != layout["viewport"]:
                    problems.append(f"{name}: {part} is {layout[part]['width']} px wide")
            title_x[name] = round(layout["title"]["x"])
    assert problems == []
    # The site title stands in one place on every page type (it jumped from 80 to 336 px).
    assert len(set(title_x.values())) == 1, title_x


def test_article_column_is_narrow_but_its_header_and_footer_are_not(browser, theme_url):
    with reader(browser, DESKTOP) as page:
        page.goto(f"{theme_url}/{VIDEO_ARTICLE}")
        assert page.evaluate("document.body.classList.contains('article')")
        assert page.locator("main .article").bounding_box()["width"] <= 42 * 16
        assert page.locator(".site-nav ul").bounding_box()["width"] > 900
        assert page.locator(".site-footer").bounding_box()["width"] == DESKTOP


SCROLL_BOX = """(selector) => [...document.querySelectorAll(selector)].map((element) => ({
  overflow: getComputedStyle(element).overflowY,
  hidden: element.scrollHeight - element.clientHeight,
}))"""


def test_transcript_on_a_phone_has_no_inner_scroll_box(browser, theme_url):
    with reader(browser, PHONE) as page:
        page.goto(f"{theme_url}/{TRANSCRIPT}")
        for box in page.evaluate(SCROLL_BOX, ".transcript-body"):
            assert box["overflow"] == "visible"
            assert box["hidden"] <= 1
        page.goto(f"{theme_url}/{VIDEO_ARTICLE}")
        page.locator(".transcript-panel > summary").click()
        last = page.locator(".transcript-panel .transcript-paragraph").last
        [box] = page.evaluate(SCROLL_BOX, ".transcript-panel .transcript-body")
        assert box == {"overflow": "visible", "hidden": 0}
        last.scroll_into_view_if_needed()
        expect(last).to_be_in_viewport()


def test_transcript_panel_on_a_desktop_scrolls_with_a_drawn_scroll_bar(browser, theme_url):
    with reader(browser, DESKTOP) as page:
        page.goto(f"{theme_url}/{VIDEO_ARTICLE}")
        page.locator(".transcript-panel > summary").click()
        [box] = page.evaluate(SCROLL_BOX, ".transcript-panel .transcript-body")
        assert box["overflow"] == "scroll"


PANELS = """() => [...document.querySelectorAll('.panel__figure')].map((figure) => {
  let opacity = 1;
  for (let element = figure; element; element = element.parentElement) {
    opacity *= parseFloat(getComputedStyle(element).opacity);
  }
  const style = getComputedStyle(figure);
  return {opacity, visibility: style.visibility, height: figure.getBoundingClientRect().height};
})"""


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_illustrated_panels_are_visible_without_scrolling(browser, theme_url, width, javascript):
    with reader(browser, width, javascript=javascript) as page:
        page.goto(f"{theme_url}/{ILLUSTRATED}", wait_until="load")
        panels = page.evaluate(PANELS)
        assert len(panels) == 6
        for panel in panels:
            assert panel["opacity"] == 1
            assert panel["visibility"] == "visible"
            assert panel["height"] > 100


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def test_illustrated_page_prints_every_panel(browser, theme_url):
    with reader(browser, DESKTOP) as page:
        page.goto(f"{theme_url}/{ILLUSTRATED}", wait_until="load")
        page.emulate_media(media="print")
        for panel in page.evaluate(PANELS):
            assert panel["opacity"] == 1
        pdf = page.pdf(format="A4")
    # Six panels, each kept whole on a page: at most one page each, plus the end.
    assert 3 <= pdf_pages(pdf) <= 7
    assert len(re.findall(rb"/Subtype\s*/Image", pdf)) >= 6


PRINTED = """() => {
  const shown = (selector) => {
    const element = document.querySelector(selector);
    return element ? getComputedStyle(element).display !== 'none' : null;
  };
  return {
    nav: shown('.site-nav'), header: shown('.site-header'), footer: shown('.site-footer'),
    switcher: shown('.format-switcher'), video: shown('video:not([data-preview])'),
  };
}"""


@pytest.mark.parametrize("name", sorted(PAGE_TYPES))
def test_print_drops_navigation_on_every_page_type(browser, theme_url, name):
    with reader(browser, DESKTOP) as page:
        page.goto(f"{theme_url}/{PAGE_TYPES[name]}", wait_until="load")
        page.emulate_media(media="print")
        printed = page.evaluate(PRINTED)
        assert (printed["nav"], printed["header"], printed["footer"]) == (False, False, False)
        assert printed["switcher"] in (None, False)
        assert printed["video"] in (None, False)
        assert pdf_pages(page.pdf(format="A4")) >= 1
        assert page.locator("main h1").count() >= 1


def test_printed_front_page_keeps_a_picture_on_every_card(browser, theme_url):
    with reader(browser, DESKTOP) as page:
        page.goto(f"{theme_url}/", wait_until="load")
        page.emulate_media(media="print")
        bare = page.evaluate(
            """() => [...document.querySelectorAll('.lead, .card')].filter((card) =>
              ![...card.querySelectorAll('img, video')].some(
                (picture) => getComputedStyle(picture).display !== 'none'))
              .map((card) => card.textContent.trim().slice(0, 30))"""
        )
        assert bare == []


def test_printed_video_article_shows_the_poster_and_the_transcript_address(browser, theme_url):
    with reader(browser, DESKTOP) as page:
        page.goto(f"{theme_url}/{VIDEO_ARTICLE}", wait_until="load")
        page.emulate_media(media="print")
        posters = page.locator(".video__print img")
        assert posters.count() == 2  # the video and its short cut
        for poster in posters.all():
            expect(poster).to_be_visible()
        page.pdf(format="A4")  # printing loads the posters, lazy or not
        for poster in posters.all():
            expect(poster).to_have_js_property("complete", True)
            assert poster.evaluate("img => img.naturalWidth") > 0
        link = page.locator(".video__print a")
        after = link.evaluate("a => getComputedStyle(a, '::after').content")
        assert "transcript/" in after
        body_link = page.locator(".article-body a[href]").first
        if body_link.count():
            href = body_link.get_attribute("href")
            assert href in body_link.evaluate("a => getComputedStyle(a, '::after').content")


def test_dark_mode_dims_pictures_drawn_for_white_paper(browser, theme_url):
    with reader(browser, DESKTOP, dark=True) as page:
        page.goto(f"{theme_url}/{VIDEO_ARTICLE}")
        chart = page.locator(".article-body img").first
        assert "brightness(0.78)" in chart.evaluate("img => getComputedStyle(img).filter")
        page.goto(f"{theme_url}/")
        cover = page.locator(".lead img")
        assert "brightness" in cover.evaluate("img => getComputedStyle(img).filter")
    with reader(browser, DESKTOP) as page:
        page.goto(f"{theme_url}/")
        assert page.locator(".lead img").evaluate("img => getComputedStyle(img).filter") == "none"
