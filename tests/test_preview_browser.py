"""The preview in a real Chromium: a save reloads the open page; problems show as an overlay."""

from __future__ import annotations

import pytest
from previewing import article, open_site, page_of, serving

from conftest import write_site
from preview.problems import display_path

pytestmark = pytest.mark.browser

# Generous: the machine may be busy; a reload on an idle machine takes well under a second.
DEADLINE_MS = 60_000


@pytest.fixture
def serve_preview():
    yield from serving()


def shows(text: str) -> str:
    return f"document.body && document.body.textContent.includes({text!r})"


def test_a_save_reloads_the_page_and_a_broken_save_shows_file_and_line(
    tmp_path, page, serve_preview
):
    content = write_site(tmp_path, {"articles/a.md": article("審査員対談", body="最初の本文。")})
    site = open_site(content, tmp_path / "live")
    running = serve_preview(site, watching=True)
    source = content / "articles" / "a.md"
    page.goto(f"{running.url}/{page_of(site, source)}")
    assert "最初の本文。" in page.inner_text("body")

    source.write_text(article("審査員対談", body="保存した本文。"), encoding="utf-8")
    page.wait_for_function(shows("保存した本文。"), timeout=DEADLINE_MS)

    source.write_text(article("審査員対談", extra="Audince: busy"), encoding="utf-8")
    overlay = page.wait_for_selector("#mag-preview-overlay", timeout=DEADLINE_MS)
    assert f"{display_path(source)}:5" in overlay.inner_text()
    assert overlay.get_attribute("role") == "alert"

    source.write_text(article("審査員対談", body="直した本文。"), encoding="utf-8")
    page.wait_for_function(shows("直した本文。"), timeout=DEADLINE_MS)
    assert page.query_selector("#mag-preview-overlay") is None


def test_an_unreadable_save_keeps_the_page_under_the_overlay(tmp_path, page, serve_preview):
    content = write_site(tmp_path, {"articles/a.md": article("審査員対談", body="良い本文。")})
    site = open_site(content, tmp_path / "live")
    running = serve_preview(site, watching=True)
    source = content / "articles" / "a.md"
    page.goto(f"{running.url}/{page_of(site, source)}")

    broken = article("審査員対談", body="壊れた本文。").replace("2026-11-20", "2026-13-45")
    source.write_text(broken, encoding="utf-8")
    overlay = page.wait_for_selector("#mag-preview-overlay", timeout=DEADLINE_MS)
    assert f"{display_path(source)}:2" in overlay.inner_text()
    assert "良い本文。" in page.inner_text("body")


def test_saving_another_article_does_not_reload_the_open_page(tmp_path, page, serve_preview):
    content = write_site(
        tmp_path,
        {
            "articles/a.md": article("開いている記事", body="開いている本文。"),
            "articles/b.md": article("別の記事", day=10, body="別の本文。"),
        },
    )
    site = open_site(content, tmp_path / "live")
    running = serve_preview(site, watching=True)
    opened, other = content / "articles" / "a.md", content / "articles" / "b.md"
    page.goto(f"{running.url}/{page_of(site, opened)}")
    loads = []
    page.on("load", lambda _: loads.append(page.url))

    digest = "/__mag_preview/digest"
    with page.expect_response(lambda response: digest in response.url, timeout=DEADLINE_MS):
        other.write_text(article("別の記事", day=10, body="別の本文を直した。"), encoding="utf-8")
    opened.write_text(article("開いている記事", body="開いている本文を直した。"), "utf-8")
    page.wait_for_function(shows("開いている本文を直した。"), timeout=DEADLINE_MS)
    assert len(loads) == 1  # the save of the open article, not the other one
