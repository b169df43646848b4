"""The front page's lead and rows, and the small things a reader notices."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader
from pictures import png
from playwright.sync_api import expect
from theme_site import DESKTOP, PAGE_TYPES, PHONE, VIDEO_ARTICLE, reader, theme_site, theme_url

from conftest import ROOT, soup

ROWS = ["1分で見る", "イラストで見る", "連載・特集", "新着"]


def story(title: str, date: str, extra: str = "", category: str = "新規事業") -> str:
    body = "新規事業の取り組みを紹介します。" * 10
    return f"Title: {title}\nDate: {date}\nCategory: {category}\n{extra}\n{body}\n"


def row_headings(page_soup) -> list[str]:
    return [h.find(string=True, recursive=False) for h in page_soup.select(".row__heading")]


# --- the front page --------------------------------------------------------------------------


@pytest.mark.slow
def test_front_page_leads_with_the_featured_story_and_hides_empty_rows(build):
    site = build(
        {
            "articles/new.md": story("いちばん新しい記事", "2026-11-20 09:00"),
            "articles/pick.md": story("編集部が選んだ記事", "2026-10-01 09:00", "Featured: true"),
            "articles/cover.md": story("表紙のある記事", "2026-11-01 09:00", "Cover: images/c.png"),
            "images/c.png": png(320, 180),
        },
        conf="publishconf.py",  # the strict production settings accept the key
    )
    home = soup(site / "index.html")
    assert home.select_one(".lead__title").get_text(strip=True) == "編集部が選んだ記事"
    assert home.select_one(".lead__kicker").get_text(strip=True) == "編集部のおすすめ"
    # No shorts, no illustrated variants, no series: only 新着 is left, without the lead.
    assert row_headings(home) == ["新着"]
    assert "編集部が選んだ記事" not in home.select_one(".row--latest").get_text()
    # Articles without a Cover: get a title cover: no card without a picture.
    for card in home.select(".card"):
        assert card.select_one("img.card__image"), card.get_text()


@pytest.mark.slow
def test_without_a_featured_story_the_newest_with_a_cover_leads(build):
    site = build(
        {
            "articles/new.md": story("いちばん新しい記事", "2026-11-20 09:00"),
            "articles/no.md": story("おすすめしない記事", "2026-11-10 09:00", "Featured: false"),
            "articles/cover.md": story("表紙のある記事", "2026-11-01 09:00", "Cover: images/c.png"),
            "images/c.png": png(320, 180),
        }
    )
    home = soup(site / "index.html")
    assert home.select_one(".lead__title").get_text(strip=True) == "表紙のある記事"
    category = soup(site / "category/shinki-jigyou/index.html")
    assert category.select_one(".lead__title").get_text(strip=True) == "表紙のある記事"


@pytest.mark.slow
def test_a_variant_that_failed_to_load_gets_no_illustrated_card(build):
    site = build(
        {
            "articles/a.md": story("絵のない記事", "2026-11-20 09:00", "Illustrated: nowhere/"),
            "articles/b.md": story("次の記事", "2026-11-10 09:00"),
        }
    )
    home = soup(site / "index.html")
    assert "イラストで見る" not in row_headings(home)
    assert not home.select(".badge--illustrated")


def test_sample_front_page_reads_like_a_magazine(theme_site):
    home = soup(theme_site / "index.html")
    assert home.select_one(".lead .lead__title")
    assert row_headings(home) == ROWS
    for card in home.select(".lead, .card"):
        assert card.select_one("img, video[poster]"), card.get_text()[:40]
    short_link = home.select_one(".card--short .card__title a")["href"]
    assert short_link.endswith("#short")
    illustrated_link = home.select_one(".card--illustrated .card__title a")["href"]
    assert illustrated_link.endswith("/illustrated/")


@pytest.mark.browser
@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_lead_story_is_seen_before_scrolling(browser, theme_url, width):
    with reader(browser, width) as page:
        page.goto(f"{theme_url}/")
        expect(page.locator(".lead__title")).to_be_in_viewport()
        expect(page.locator(".lead img")).to_be_in_viewport()
        # The whole lead card is one link: the picture is covered by the title's link.
        page.locator(".lead img").click(force=True)
        expect(page).to_have_url(re.compile(re.escape(VIDEO_ARTICLE) + "$"))


# --- small defects ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_short_link_on_the_transcript_page_opens_the_short_player(browser, theme_url, width):
    with reader(browser, width) as page:
        page.goto(f"{theme_url}/{PAGE_TYPES['transcript']}")
        link = page.locator(".transcript-short-link").nth(1)
        assert link.get_attribute("href").endswith(VIDEO_ARTICLE.split("/")[1] + "/#short")
        start = float(link.get_attribute("data-short-t"))
        link.click()
        expect(page).to_have_url(re.compile(re.escape(VIDEO_ARTICLE) + "#short-t="))
        short = page.locator("video#short")
        expect(short).to_be_in_viewport()
        page.wait_for_function(
            "([v, t]) => Math.abs(v.currentTime - t) < 0.5", arg=[short.element_handle(), start]
        )


def test_icons_and_web_app_manifest(theme_site):
    head = soup(theme_site / "index.html").head
    icon = head.select_one('link[rel="icon"][sizes]')
    touch = head.select_one('link[rel="apple-touch-icon"]')
    manifest_link = head.select_one('link[rel="manifest"]')
    for link in (icon, touch, manifest_link):
        assert (theme_site / link["href"]).is_file(), link
    manifest_path = theme_site / manifest_link["href"]
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert manifest["name"]
    assert (manifest_path.parent / manifest["start_url"] / "index.html").resolve() == (
        theme_site / "index.html"
    ).resolve()
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for entry in manifest["icons"]:
        assert (manifest_path.parent / entry["src"]).is_file()


@pytest.mark.browser
def test_search_form_is_valid_and_finds_articles(browser, theme_url):
    with reader(browser, PHONE) as page:
        page.goto(f"{theme_url}/search/")
        form = page.locator("form.search-form")
        assert form.get_attribute("action") is None
        page.fill("#search-input", "審査員")
        page.locator(".search-form button").tap()
        expect(page.locator(".search-results li").first).to_be_visible()


def test_posters_are_webp_and_every_published_media_file_is_used(theme_site):
    folder = theme_site / VIDEO_ARTICLE
    pages = [folder / "index.html", folder / "transcript/index.html", theme_site / "index.html"]
    html = "\n".join(path.read_text(encoding="utf-8") for path in pages)
    article = soup(folder / "index.html")
    for video in article.select("video"):
        assert video["poster"].endswith(".webp")
    fallback = article.select_one(".video__print picture")
    assert fallback.select_one("source")["type"] == "image/webp"
    assert fallback.select_one("img")["src"].endswith(".jpg")
    unused = [
        path.name
        for path in folder.iterdir()
        if path.is_file() and path.name != "index.html" and path.name not in html
    ]
    assert unused == []


def render_duration(seconds: float) -> str:
    env = Environment(loader=FileSystemLoader(ROOT / "theme" / "templates"), autoescape=True)
    macro = env.get_template("_duration.html").module.duration
    return str(macro(seconds))


@pytest.mark.parametrize(
    ("seconds", "label"),
    [(109.9, "1分49秒"), (60.0, "1分"), (42.7, "42秒"), (0.4, "0秒"), (3600.2, "60分")],
)
def test_durations_round_down_to_whole_seconds_like_the_player(seconds, label):
    assert render_duration(seconds) == label


@pytest.mark.browser
def test_duration_under_the_video_matches_the_player(browser, theme_url):
    with reader(browser, DESKTOP) as page:
        page.goto(f"{theme_url}/{VIDEO_ARTICLE}")
        for selector, caption in (("#video", ".video__caption"), ("#short", ".video__heading")):
            video = page.locator(f"video{selector}")
            page.wait_for_function("v => v.readyState >= 1", arg=video.element_handle())
            seconds = math.floor(video.evaluate("v => v.duration"))
            expected = f"{seconds // 60}分{seconds % 60}秒" if seconds >= 60 else f"{seconds}秒"
            assert expected in page.locator(caption).inner_text()


@pytest.mark.browser
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_opt_out_buttons_are_in_the_sites_style(browser, theme_url, dark):
    with reader(browser, PHONE, dark=dark) as page:
        page.goto(f"{theme_url}/{PAGE_TYPES['opt-out']}")
        accent = page.evaluate(
            "getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()"
        )
        stop = page.locator('[data-opt-out="stop"]')
        style = stop.evaluate(
            "b => ({radius: parseFloat(getComputedStyle(b).borderTopLeftRadius),"
            " background: getComputedStyle(b).backgroundColor,"
            " height: b.getBoundingClientRect().height})"
        )
        assert style["radius"] >= 20
        assert style["height"] >= 44  # a thumb's size
        red, green, blue = (int(accent[i : i + 2], 16) for i in (1, 3, 5))
        assert style["background"] == f"rgb({red}, {green}, {blue})"
        stop.tap()
        expect(page.locator(".opt-out-status")).to_contain_text("計測していません")


def test_illustrated_page_does_not_repeat_its_name_at_the_top(theme_site):
    page = soup(theme_site / PAGE_TYPES["illustrated"] / "index.html")
    top = page.select_one(".illustrated")
    text_above_panels = "".join(
        element.get_text() for element in top.children if getattr(element, "name", None) != "ol"
    ).split("もっと詳しく")[0]
    assert text_above_panels.count("イラストで見る") <= 2  # the title, the format switcher


def test_no_empty_card_holes_on_category_pages(theme_site):
    for path in Path(theme_site / "category").glob("*/index.html"):
        page = soup(path)
        for card in page.select(".lead, .card"):
            assert card.select_one("img, video[poster]"), (path, card.get_text()[:40])
