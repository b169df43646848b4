"""The instant preview: the same pages as a full build, re-reading only what was saved."""

from __future__ import annotations

import gc
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
import weakref
from pathlib import Path

import pytest
from previewing import article, full_build, open_site, page_of, serving

from benchmarks.corpus import write_corpus
from conftest import ROOT, write_site
from preview import Site, strip
from preview.compare import differences
from preview.inject import START
from preview.problems import Problem, display_path


@pytest.fixture
def serve_preview():
    """serve_preview(site, watching=False) -> a running preview server for ``site``."""
    yield from serving()


def assert_same_site(site: Site, built: Path) -> None:
    """Every page and every other file of ``built`` is what the preview serves."""
    assert site.problems == []
    assert differences(site, built) == []
    assert len(site.names()) > 0


@pytest.mark.slow
def test_every_page_of_the_sample_magazine_equals_the_full_build(tmp_path):
    cache = {"MAG_CACHE_PATH": str(ROOT / "cache")}
    built = full_build(ROOT / "content", tmp_path / "built", **cache)
    site = open_site(ROOT / "content", tmp_path / "live", **cache)
    assert_same_site(site, built)


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A generated magazine of 60 Japanese articles (the benchmark's, smaller)."""
    return write_corpus(tmp_path / "content", 60)


def test_a_generated_magazine_equals_the_full_build_after_saves(corpus, tmp_path):
    site = open_site(corpus, tmp_path / "live")
    assert_same_site(site, full_build(corpus, tmp_path / "built"))
    reads = site.store.reads

    saved = corpus / "articles" / "article-00007.md"
    saved.write_text(saved.read_text(encoding="utf-8") + "\n追記した段落です。\n", "utf-8")
    retitled = corpus / "articles" / "article-00031.md"
    text = retitled.read_text(encoding="utf-8")
    retitled.write_text(text.replace("Title: ", "Title: 改題 ", 1), encoding="utf-8")
    site.rebuild([str(saved), str(retitled)])

    assert site.store.reads == reads + 2  # only the saved files were read again
    assert "追記した段落です。" in site.page(page_of(site, saved))[0]
    assert_same_site(site, full_build(corpus, tmp_path / "built"))


def test_a_saved_article_page_is_shown_before_the_pass_and_the_pass_agrees(corpus, tmp_path):
    site = open_site(corpus, tmp_path / "live")
    saved = corpus / "articles" / "article-00012.md"
    name = page_of(site, saved)
    index = site.page("index.html")[0]
    reads, version = site.store.reads, site.version
    saved.write_text(saved.read_text(encoding="utf-8") + "\n先に見せる段落。\n", "utf-8")

    shown = site.show_quick([str(saved)])
    assert list(shown) == [name]
    assert site.version == version + 1  # open pages reload now, not after the pass
    assert "先に見せる段落。" in site.page(name)[0]
    assert site.page("index.html")[0] == index
    assert site.store.reads == reads + 1

    saved.write_text(saved.read_text(encoding="utf-8") + "\n二度目の段落。\n", "utf-8")
    reads = site.store.reads
    site.rebuild([str(saved)])
    assert "二度目の段落。" in site.page(name)[0]
    assert (site.quick_shown, site.quick_exact) == (1, 1)
    assert site.store.reads == reads + 1  # the pass did not read it a second time


def test_a_quick_page_shows_the_new_text_before_a_new_video_is_made(corpus, tmp_path):
    site = open_site(corpus, tmp_path / "live")
    saved = corpus / "articles" / "article-00020.md"
    front, body = saved.read_text(encoding="utf-8").split("\n\n", 1)
    saved.write_text(f"{front}\nVideo: media/not-yet.mp4\n\n{body}\n動画を足した。\n", "utf-8")

    shown = site.show_quick([str(saved)])
    assert "動画を足した。" in shown[page_of(site, saved)]


def test_a_new_file_or_a_template_goes_straight_to_the_pass(corpus, tmp_path):
    site = open_site(corpus, tmp_path / "live")
    added = corpus / "articles" / "new.md"
    added.write_text(article("新しく書いた記事", day=28), encoding="utf-8")
    assert site.show_quick([str(added)]) == {}
    assert site.show_quick([str(ROOT / "theme" / "templates" / "base.html")]) == {}


def test_an_added_and_a_deleted_article_show_in_lists_and_pages(corpus, tmp_path):
    site = open_site(corpus, tmp_path / "live")
    gone = corpus / "articles" / "article-00003.md"
    gone_page = page_of(site, gone)
    gone.unlink()
    added = corpus / "articles" / "new.md"
    added.write_text(article("新しく書いた記事", day=28), encoding="utf-8")
    site.rebuild([str(gone), str(added)])

    assert gone_page not in site.names()
    assert "新しく書いた記事" in site.page("index.html")[0]
    assert_same_site(site, full_build(corpus, tmp_path / "built"))


def test_a_template_change_shows_without_reading_the_articles_again(corpus, tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    site = open_site(corpus, tmp_path / "live", THEME=str(theme))
    reads = site.store.reads
    base = theme / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<p>テーマ変更</p></body>"))
    site.rebuild([str(base)])

    assert site.store.reads == reads
    assert "<p>テーマ変更</p>" in site.page("index.html")[0]


def test_a_settings_change_reads_everything_again(corpus, tmp_path):
    site = open_site(corpus, tmp_path / "live")
    reads = site.store.reads
    site.overrides["SITENAME"] = "設定を変えたマガジン"
    site.rebuild([site.settings_file], settings_changed=True)

    assert site.store.reads == reads + 60
    assert "設定を変えたマガジン" in site.page("index.html")[0]


def test_a_front_matter_typo_is_shown_with_file_and_line_until_fixed(tmp_path):
    content = write_site(tmp_path, {"articles/a.md": article("審査員対談")})
    site = open_site(content, tmp_path / "live")
    source = content / "articles" / "a.md"
    name = page_of(site, source)
    source.write_text(article("審査員対談", extra="Audince: busy"), encoding="utf-8")
    site.rebuild([str(source)])

    html, problems = site.page(name)
    assert html is not None  # a warning: the page is still there
    assert [problem.where for problem in problems] == [f"{display_path(source)}:5"]
    source.write_text(article("審査員対談", extra="Audience: busy"), encoding="utf-8")
    site.rebuild([str(source)])
    assert site.page(name)[1] == []


def test_a_file_pelican_cannot_read_keeps_its_last_good_page(tmp_path):
    content = write_site(tmp_path, {"articles/a.md": article("審査員対談", body="最初の本文。")})
    site = open_site(content, tmp_path / "live")
    source = content / "articles" / "a.md"
    name = page_of(site, source)
    good = site.page(name)[0]
    broken = article("審査員対談", body="壊れた本文。").replace("2026-11-20", "2026-13-45")
    source.write_text(broken, encoding="utf-8")
    site.rebuild([str(source)])

    assert name not in site.names()
    html, problems = site.page(name)
    assert html == good
    assert f"{display_path(source)}:2" in [problem.where for problem in problems]
    source.write_text(article("審査員対談", body="直した本文。"), encoding="utf-8")
    site.rebuild([str(source)])
    html, problems = site.page(name)
    assert "直した本文。" in html
    assert problems == []


def test_a_template_error_is_shown_with_the_template_line(corpus, tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    site = open_site(corpus, tmp_path / "live", THEME=str(theme))
    good = site.page("index.html")[0]
    base = theme / "templates" / "base.html"
    lines = base.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(3, "{% if %}\n")
    base.write_text("".join(lines), encoding="utf-8")
    site.rebuild([str(base)])

    html, problems = site.page("index.html")
    assert html == good  # the pass failed: the previous snapshot stays
    assert [problem.where for problem in problems] == [f"{display_path(base)}:4"]


def test_drafts_are_rendered_and_listed_on_the_preview_page(tmp_path, serve_preview):
    content = write_site(
        tmp_path,
        {
            "articles/a.md": article("公開済みの記事"),
            "articles/d.md": article("書きかけの記事", extra="Status: draft"),
        },
    )
    site = open_site(content, tmp_path / "live")
    server = serve_preview(site)
    listing = fetch(server.url + "/__mag_preview/")
    assert "書きかけの記事" in listing
    draft = next(name for name, title in site.drafts() if title == "書きかけの記事")
    assert "書きかけの記事" in fetch(f"{server.url}/{draft}")


def test_pages_are_served_with_exactly_one_reload_script(corpus, tmp_path, serve_preview):
    site = open_site(corpus, tmp_path / "live")
    server = serve_preview(site)
    served = fetch(server.url + "/")
    assert served.count(START) == 1
    assert served.index(START) < served.rindex("</body>")
    assert strip(served) == site.page("index.html")[0]
    with pytest.raises(urllib.error.HTTPError) as missing:
        fetch(server.url + "/2026/no-such-article/")
    assert missing.value.code == 404
    folder = page_of(site, corpus / "articles" / "article-00001.md").removesuffix("/index.html")
    assert strip(fetch(f"{server.url}/{folder}")) == site.page(f"{folder}/index.html")[0]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def test_problems_name_files_relative_to_the_folder_the_preview_runs_in(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    inside = Problem(str(tmp_path / "content" / "a.md"), 3, "unknown key", error=False)
    assert str(inside) == "content/a.md:3: unknown key"
    outside = Problem("/elsewhere/b.md", None, "unreadable", error=True)
    assert outside.where == "/elsewhere/b.md"


def test_a_site_broken_from_the_start_shows_why_and_recovers(corpus, tmp_path, serve_preview):
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    base = theme / "templates" / "base.html"
    good = base.read_text(encoding="utf-8")
    base.write_text("{% if %}\n" + good, encoding="utf-8")
    site = open_site(corpus, tmp_path / "live", THEME=str(theme))
    server = serve_preview(site)
    with pytest.raises(urllib.error.HTTPError) as missing:
        fetch(server.url + "/")
    assert f"{display_path(base)}:1" in missing.value.read().decode("utf-8")

    base.write_text(good, encoding="utf-8")
    site.rebuild([str(base)])
    assert strip(fetch(server.url + "/")) == site.page("index.html")[0]


@pytest.mark.slow
def test_invoke_livereload_serves_the_magazine_with_the_reload_script(tmp_path):
    command = [sys.executable, "-m", "invoke", "livereload", "--port=0", f"--output={tmp_path}"]
    server = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        for line in server.stderr:  # ends if the task stops
            found = re.search(r"http://127\.0\.0\.1:\d+/", line)
            if found:
                url = found.group(0)
                break
        assert url, "invoke livereload never said where it serves"
        home = fetch(url)
        assert home.count(START) == 1
        assert "みらいマガジン" in home
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_articles_of_an_earlier_pass_are_not_kept_alive(corpus, tmp_path):
    site = open_site(corpus, tmp_path / "live")
    name = page_of(site, corpus / "articles" / "article-00004.md")
    site.page(name)  # rendering memoizes its content in Pelican
    site.page("index.html")
    earlier = weakref.ref(site.snapshot.pages[name].subject)
    site.rebuild()
    gc.collect()
    assert earlier() is None
