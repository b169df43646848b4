"""Editors' text (titles, categories, tags, summaries) is shown as text, never run."""

import pytest

from conftest import soup

HOSTILE = (
    'Title: <script>alert("title")</script>危険な題名\n'
    "Date: 2026-11-01 09:00\n"
    "Category: <b onmouseover=alert(1)>カテゴリー</b>\n"
    "Tags: <img src=x onerror=alert(2)>, 普通のタグ\n"
    "Summary: &lt;script&gt;alert(3)&lt;/script&gt; 要約です。\n"
    "\n"
    "本文は **太字** を含みます。\n"
)


@pytest.fixture
def hostile_site(build):
    return build(
        {
            "articles/hostile.md": HOSTILE,
            "articles/plain.md": "Title: 普通\nDate: 2026-11-02\n\n本文。\n",
        }
    )


def scripts_with_alert(page):
    return [s for s in page.find_all("script") if "alert" in (s.string or "") + str(s.attrs)]


def test_hostile_front_matter_is_escaped_on_every_page(hostile_site):
    pages = list(hostile_site.glob("**/*.html"))
    assert pages
    for path in pages:
        page = soup(path)
        assert not scripts_with_alert(page), path
        assert not page.select("[onerror], [onmouseover]"), path
        assert not page.select("img[src=x]"), path
    article = soup(next(hostile_site.glob("2026/*kiken*/index.html")))
    assert (
        article.select_one("h1.article-title").get_text()
        == '<script>alert("title")</script>危険な題名'
    )
    assert article.select_one(".article-body strong").get_text() == "太字"


def test_hostile_front_matter_runs_nothing_in_chromium(hostile_site, serve, page):
    server = serve(hostile_site)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    article = next(hostile_site.glob("2026/*kiken*/index.html")).parent.relative_to(hostile_site)
    for url in (f"{server.url}/", f"{server.url}/{article.as_posix()}/"):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.hover("main")
    assert dialogs == []
    assert "危険な題名" in page.inner_text("h1")
