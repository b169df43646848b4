"""Real Pelican builds of small fixture sites with the project's settings."""

from itertools import pairwise
from xml.etree import ElementTree

import pytest

from conftest import soup
from mag_core import ContentError

ATOM = "{http://www.w3.org/2005/Atom}"


def article(title, date, category="新規事業", extra="", body=None):
    body = body or "新規事業の取り組みを紹介します。" * 20
    return (
        f"Title: {title}\nDate: {date}\nCategory: {category}\nTags: 働き方, 対談\n{extra}\n{body}\n"
    )


@pytest.fixture
def site(build):
    return build(
        {
            "articles/a.md": article("新規事業コンテスト 審査員対談", "2026-11-20 09:00"),
            "articles/b.md": article(
                "働き方を変える", "2026-11-10 09:00", category="働き方", extra="Slug: my-own-slug"
            ),
            "articles/s1.md": article(
                "連載その一", "2026-09-01 09:00", extra="Series: 現場から\nPart: 1"
            ),
            "articles/s2.md": article(
                "連載その二", "2026-09-10 09:00", extra="Series: 現場から\nPart: 2"
            ),
            "articles/s3.md": article(
                "連載その三", "2026-09-20 09:00", extra="Series: 現場から\nPart: 3"
            ),
            "pages/about.md": "Title: このマガジンについて\n\n社内Webマガジンです。\n",
        },
        SITEURL="https://mag.example.jp",
        FEED_DOMAIN="https://mag.example.jp",
    )


def test_japanese_titles_categories_and_tags_get_romaji_urls(site):
    assert (site / "2026/shinki-jigyou-kontesuto-shinsain-taidan/index.html").is_file()
    assert (site / "category/shinki-jigyou/index.html").is_file()
    assert (site / "category/hatarakikata/index.html").is_file()
    assert (site / "tag/hatarakikata/index.html").is_file()
    assert (site / "tag/taidan/index.html").is_file()
    assert not list(site.glob("**/xin-gui*"))


def test_an_explicit_slug_wins(site):
    assert (site / "2026/my-own-slug/index.html").is_file()


def test_reading_time_and_summary_show_on_articles_and_lists(site):
    page = soup(site / "2026/shinki-jigyou-kontesuto-shinsain-taidan/index.html")
    assert page.select_one(".reading-time").get_text() == "約1分で読めます"
    home = soup(site / "index.html")
    summaries = [p.get_text() for p in home.select(".card__summary")]
    assert summaries
    for summary in summaries:
        assert summary.endswith("。")
        assert len(summary) <= 120


def test_atom_feeds_for_all_and_per_category(site):
    feed = ElementTree.parse(site / "feeds/all.atom.xml").getroot()
    titles = {entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")}
    assert "新規事業コンテスト 審査員対談" in titles
    assert "働き方を変える" in titles
    category = ElementTree.parse(site / "feeds/category/hatarakikata.atom.xml").getroot()
    assert [e.findtext(f"{ATOM}title") for e in category.iter(f"{ATOM}entry")] == ["働き方を変える"]
    link = next(feed.iter(f"{ATOM}entry")).find(f"{ATOM}link").get("href")
    assert link.startswith("https://mag.example.jp/2026/")


def test_series_pages_and_links_between_parts(site):
    middle = soup(site / "2026/rensai-sono-ni/index.html")
    assert middle.select_one(".series-label").get_text(" ", strip=True) == "現場から 第2回"
    assert middle.select_one("a.series-prev")["href"].endswith("/2026/rensai-sono-ichi/")
    assert middle.select_one("a.series-next")["href"].endswith("/2026/rensai-sono-san/")
    first = soup(site / "2026/rensai-sono-ichi/index.html")
    assert first.select_one("a.series-prev") is None
    series_page = soup(site / "series/genba-kara/index.html")
    assert [a.get_text() for a in series_page.select(".card__title a")] == [
        "連載その一",
        "連載その二",
        "連載その三",
    ]
    home = soup(site / "index.html")
    assert "現場から" in home.select_one(".row--series").get_text()


def test_previous_and_next_articles_are_linked(site):
    page = soup(site / "2026/my-own-slug/index.html")
    assert page.select_one(".neighbor-next")["href"].endswith(
        "/2026/shinki-jigyou-kontesuto-shinsain-taidan/"
    )
    assert page.select_one(".neighbor-prev")["href"].endswith("/2026/rensai-sono-san/")


def test_sitemap_lists_articles_and_pages(site):
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://mag.example.jp/2026/my-own-slug/" in sitemap
    assert "https://mag.example.jp/pages/kono-magajin-ni-tsuite/" in sitemap


def test_every_page_is_japanese_with_landmarks_and_a_skip_link(site):
    for path in site.glob("**/*.html"):
        page = soup(path)
        assert page.html["lang"] == "ja", path
        assert page.select_one("a.skip-link")["href"] == "#main", path
        assert page.find("main", id="main"), path
        for landmark in ("header", "nav", "footer"):
            assert page.find(landmark), (path, landmark)
        levels = [int(h.name[1]) for h in page.find_all(["h1", "h2", "h3", "h4"])]
        assert levels, path
        assert levels[0] == 1, path
        assert all(b - a <= 1 for a, b in pairwise(levels)), (path, levels)


def test_two_articles_with_one_slug_stop_the_build_naming_both_files(build):
    with pytest.raises(ContentError) as caught:
        build(
            {
                "articles/first.md": article("同じ題名", "2026-11-01 09:00"),
                "articles/second.md": article("同じ題名", "2026-11-02 09:00"),
            }
        )
    message = str(caught.value)
    assert "first.md" in message
    assert "second.md" in message
    assert "onaji-daimei" in message


def test_a_title_of_only_emoji_still_gets_a_page(build):
    output = build({"articles/e.md": article("🎉🎉🎉", "2026-11-01 09:00")})
    pages = list((output / "2026").glob("post-*/index.html"))
    assert len(pages) == 1


def test_cards_rendered_once_still_link_right_from_every_depth(build):
    # One page per list: the older article's card is on page 2 of its category (four
    # levels deep) and on page 1 of a tag only it has (two levels deep), both as h2.
    older = article("働き方を変える", "2026-11-10 09:00").replace(
        "Tags: 働き方, 対談", "Tags: 単独"
    )
    output = build(
        {
            "articles/a.md": article("新規事業コンテスト 審査員対談", "2026-11-20 09:00"),
            "articles/b.md": older,
        },
        RELATIVE_URLS=True,
        SITEURL="",
        DEFAULT_PAGINATION=1,
    )
    deep = output / "category" / "shinki-jigyou" / "page" / "2" / "index.html"
    shallow = output / "tag" / "tandoku" / "index.html"
    links = {
        page: [a["href"] for a in soup(page).select(".card__title a")] for page in (deep, shallow)
    }
    assert links == {
        deep: ["../../../../2026/hatarakikata-wo-kaeru/"],
        shallow: ["../../2026/hatarakikata-wo-kaeru/"],
    }


def test_render_once_renders_each_subject_and_variant_once_per_build():
    from jinja2 import Environment

    from mag_core.templating import RenderOnce

    calls = []
    env = Environment(autoescape=True)
    env.globals.update(render_once=RenderOnce(), record=calls.append)
    template = env.from_string(
        "{% macro card(item, heading) %}{{ record(item.name) or '' }}"
        "<{{ heading }}>{{ item.name }}</{{ heading }}>{% endmacro %}"
        "{% for item in items %}{{ render_once(card, item, 'h2', vary=depth) }}{% endfor %}"
    )

    class Item:
        def __init__(self, name):
            self.name = name

    items = [Item("<一>"), Item("二")]
    first = template.render(items=items, depth=".")
    again = template.render(items=items, depth=".")
    deeper = template.render(items=items, depth="..")
    assert first == again == deeper == "<h2>&lt;一&gt;</h2><h2>二</h2>"
    assert calls == ["<一>", "二", "<一>", "二"]  # once per depth, escaped once
    env.globals["render_once"] = RenderOnce()  # the next build has its own
    template.render(items=items, depth=".")
    assert calls[4:] == ["<一>", "二"]
