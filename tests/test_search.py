"""Search in a real Chromium, on Pagefind's extended (Japanese-segmenting) index."""

from urllib.parse import urlparse

import pytest

from mag_search import build_index

pytestmark = pytest.mark.browser


def search(page, base_url, query):
    page.goto(f"{base_url}/search/?q={query}")
    page.wait_for_function(
        "() => { const s = document.querySelector('.search-status').textContent;"
        " return s && s !== '検索中…'; }"
    )
    return [a.get_attribute("href") for a in page.query_selector_all(".search-results li > a")]


def test_a_word_from_mid_sentence_finds_its_article(sample_site, serve, page):
    server = serve(sample_site)
    hits = search(page, server.url, "共創ラボ")
    assert len(hits) == 1
    assert "mirai-pitch" in hits[0]
    excerpt = page.inner_html(".search-results li p")
    assert "<mark>" in excerpt


def test_kana_with_voicing_marks_do_not_match_without(build, serve, page):
    output = build(
        {
            "articles/site.md": "Title: 一\nDate: 2026-11-01\n\nポータルサイトを新しくしました。",
            "articles/sidebar.md": "Title: 二\nDate: 2026-11-02\n\nサイドバーに目次を置きました。",
        }
    )
    build_index(output)
    server = serve(output)
    hits = search(page, server.url, "サイト")
    assert len(hits) == 1
    assert hits[0].endswith("/2026/ichi/")


def test_home_page_renders_and_loads_nothing_from_other_hosts(sample_site, serve, page):
    server = serve(sample_site)
    hosts = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).hostname))
    page.goto(f"{server.url}/", wait_until="networkidle")
    assert page.title() == "みらいマガジン"
    assert page.locator(".card").count() >= 8
    assert page.locator("h2", has_text="連載・特集").is_visible()
    page.goto(f"{server.url}/search/?q=新規事業", wait_until="networkidle")
    page.wait_for_selector(".search-results li")
    assert hosts == {"127.0.0.1"}


def test_the_theme_uses_japanese_typography(sample_site, serve, page):
    server = serve(sample_site)
    page.goto(f"{server.url}/")
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.body);"
        " return [s.lineHeight, s.fontSize, s.lineBreak, s.fontFamily]; }"
    )
    line_height, font_size, line_break, family = style
    assert 1.7 <= float(line_height.removesuffix("px")) / float(font_size.removesuffix("px")) <= 1.9
    assert line_break == "strict"
    assert "Noto Sans CJK JP" in family
    page.emulate_media(color_scheme="dark")
    dark = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    page.emulate_media(color_scheme="light")
    light = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert dark != light


def test_skip_link_is_the_first_stop_and_focus_is_visible(sample_site, serve, page):
    server = serve(sample_site)
    page.goto(f"{server.url}/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.className,"
        " getComputedStyle(document.activeElement).outlineStyle]"
    )
    assert focused == ["skip-link", "solid"]


def test_search_finds_published_articles_but_never_drafts_or_hidden_ones(build, serve, page):
    output = build(
        {
            "articles/a.md": "Title: 公開\nDate: 2026-11-01\nSlug: a\n\n人事制度の説明会です。",
            "articles/d.md": (
                "Title: 下書き\nDate: 2026-11-02\nSlug: d\nStatus: draft\n\n人事制度の改定案です。"
            ),
            "articles/h.md": (
                "Title: 限定\nDate: 2026-11-03\nSlug: h\nStatus: hidden\n\n人事制度の限定資料です。"
            ),
        }
    )
    build_index(output)
    server = serve(output)
    assert [urlparse(hit).path for hit in search(page, server.url, "人事制度")] == ["/2026/a/"]
    assert search(page, server.url, "改定案") == []
    assert search(page, server.url, "限定資料") == []
