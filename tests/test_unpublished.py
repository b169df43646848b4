"""Drafts and hidden articles: nothing unpublished reaches a release, lists, feeds or search.

The central test publishes a site for real (``invoke publish``: the production
build, the search index, the release check) and then reads every file of the
release, the search index's gzip-compressed parts included.
"""

from __future__ import annotations

import gzip
import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pictures
import pytest

from conftest import invoke, make_project, soup
from mag_core import BuildStopped
from mag_core.manifest import MANIFEST_PATH
from mag_newsletter.bundle import load_issue
from mag_search import build_index
from mag_search.index import indexable_page
from publishing import check_site

SITEURL = "http://127.0.0.1:9"  # never requested: the check reads files
PUBLISHED_WORD = "Kohakuzakura"
DRAFT_WORD = "Shigurekaede"
DRAFT_PAGE_WORD = "Mizuhikiran"
HIDDEN_WORD = "Tsuyukusamoe"
DRAFT_SLUG = "soshiki-henkou"
HIDDEN_SLUG = "gentei-annai"

SITE = {
    "articles/published.md": (
        "Title: 新制度の説明会\nDate: 2026-11-01 09:00\nCategory: 新規事業\nTags: 制度\n"
        f"Author: 広報部\nSlug: setsumeikai\n\n{PUBLISHED_WORD} の説明会を開きます。\n\n"
        "![会場の様子]({static}/images/shared.png)\n"
    ),
    "articles/draft.md": (
        "Title: 組織変更のお知らせ\nDate: 2026-11-02 09:00\nCategory: 人事\nTags: 人事異動\n"
        f"Author: 人事部\nSlug: {DRAFT_SLUG}\nStatus: draft\nVideo: media/org-talk.mp4\n"
        "Illustrated: illustrations/org-panels/\n"
        f"Captions: media/org-talk.ja.vtt\n\n{DRAFT_WORD} 本部を新設します。\n\n"
        "![新しい組織図]({static}/images/org-chart.png)\n\n![会場]({static}/images/shared.png)\n"
    ),
    "pages/draft-page.md": (
        f"Title: 準備中のページ\nSlug: junbi\nStatus: draft\n\n{DRAFT_PAGE_WORD} の準備中です。\n"
    ),
    # Alone in its category, its tag and by its author: none of their pages is written.
    "articles/hidden.md": (
        "Title: 役員向けのご案内\nDate: 2026-11-03 09:00\nCategory: 秘書室だより\n"
        f"Tags: 限定\nAuthor: 秘書室\nSlug: {HIDDEN_SLUG}\nStatus: hidden\n\n"
        f"{HIDDEN_WORD} についてご案内します。\n"
    ),
    "images/shared.png": pictures.png(320, 200),
    "images/org-chart.png": pictures.png(320, 200, mark=2),
    # Only the draft uses them (left out before any video is made, so no real clip is needed).
    "media/org-talk.mp4": b"not a video",
    "media/org-talk.ja.vtt": f"WEBVTT\n\n00:00.000 --> 00:01.000\n{DRAFT_WORD}\n",
    "illustrations/org-panels/panels.md": f"Title: {DRAFT_WORD}\n\n## 01.png\nCaption: 新組織\n",
    "illustrations/org-panels/01.png": pictures.png(320, 200, mark=3),
}


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def release_texts(root: Path) -> dict[str, str]:
    """Every file of a release as text, by path; gzip files (Pagefind's parts) decompressed.

    Pagefind stores Japanese with separators between the characters, and the
    index spaces them out too: whitespace is removed so words can be searched.
    """
    texts = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        texts[path.relative_to(root).as_posix()] = re.sub(
            r"[\s\u2009\u200b]+", "", data.decode("utf-8", errors="replace")
        )
    return texts


def files_mentioning(texts: dict[str, str], word: str) -> set[str]:
    return {name for name, text in texts.items() if word in text or word in name}


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    """A real publish of the site above: the live release folder."""
    work = tmp_path_factory.mktemp("unpublished")
    target = work / "target"
    result = invoke(
        make_project(work / "project", SITE),
        "publish",
        MAG_SITEURL=SITEURL,
        MAG_PUBLISH_TARGET=str(target),
        MAG_CACHE_DIR=str(work / "cache"),
    )
    # The release check (links, HTML, alt text) ran inside publish and passed.
    assert result.returncode == 0, result.stdout + result.stderr
    return (target / "current").resolve()


def test_a_release_holds_no_trace_of_a_draft(release):
    texts = release_texts(release)
    assert files_mentioning(texts, PUBLISHED_WORD) >= {"2026/setsumeikai/index.html"}
    # The scan reads the search index: the published word is found in its compressed parts.
    assert any(name.startswith("pagefind/") for name in files_mentioning(texts, PUBLISHED_WORD))
    for trace in (DRAFT_WORD, DRAFT_PAGE_WORD, DRAFT_SLUG, "組織変更", "org-", "junbi"):
        assert files_mentioning(texts, trace) == set(), trace
    assert not (release / "drafts").exists()
    # The picture the draft shares with a published article is still there.
    assert any(name.startswith("images/shared") for name in texts)


def test_a_hidden_article_is_only_at_its_own_address(release, serve):
    texts = release_texts(release)
    # The release's checksum list names every file; it is never served (a dot file,
    # refused by the preview server as by the documented nginx and Apache settings).
    assert HIDDEN_SLUG in texts.pop(".release.sha256")
    status = http_status(serve(release).url + "/.release.sha256")
    assert status == 404
    own_page = f"2026/{HIDDEN_SLUG}/index.html"
    assert files_mentioning(texts, HIDDEN_WORD) == {own_page}
    # No list, feed, sitemap or search index names it: only its page and that page's
    # own share card (the picture a chat app shows when its address is passed on).
    page = soup(release / own_page)
    card = page.find("meta", attrs={"property": "og:image"})["content"].split("/img/share/")[1]
    assert files_mentioning(texts, HIDDEN_SLUG) == {own_page, f"img/share/{card}"}
    assert page.find("meta", attrs={"name": "robots", "content": "noindex"}) is not None
    assert page.find(attrs={"data-pagefind-body": True}) is None
    # Its category, tag and author are named, but have no page to link to.
    text = page.get_text()
    assert "秘書室だより" in text
    assert "#限定" in text
    assert "秘書室" in text
    hrefs = [a["href"] for a in page.find_all("a", href=True)]
    assert not [h for h in hrefs if "/category/hi" in h or "/tag/gentei" in h or "/author/hi" in h]
    assert not page.find("link", rel="alternate", title="秘書室だより")


def test_the_release_passes_the_sites_own_check(release):
    assert check_site(release, SITEURL) == []


@pytest.fixture(scope="module")
def preview(tmp_path_factory) -> Path:
    """The development build of the same site, with its search index."""
    from conftest import run_pelican, write_site

    work = tmp_path_factory.mktemp("preview")
    output = work / "output"
    run_pelican(write_site(work, SITE), output, {"MAG_CACHE_PATH": str(work / "cache")})
    build_index(output)
    return output


def test_a_draft_is_previewed_at_its_own_address_marked_as_a_draft(preview):
    page = soup(preview / "drafts" / f"{DRAFT_SLUG}.html")
    assert DRAFT_WORD in page.get_text()
    assert "まだ公開されていません" in page.select_one(".draft-marker").get_text()
    assert page.find("meta", attrs={"name": "robots", "content": "noindex"}) is not None
    draft_page = soup(preview / "drafts" / "pages" / "junbi.html")
    assert draft_page.select_one(".draft-marker") is not None
    # Published pages carry neither.
    published = soup(preview / "2026" / "setsumeikai" / "index.html")
    assert published.select_one(".draft-marker") is None
    assert published.find("meta", attrs={"name": "robots"}) is None


def test_a_preview_build_lists_searches_and_feeds_no_draft_or_hidden_article(preview):
    texts = release_texts(preview)
    # The build's own data (the manifest, which lists hidden articles for the report)
    # is in a development build's output, and left out of every release (tested above).
    assert json.loads(texts.pop(MANIFEST_PATH))["version"] == 1
    # The draft's own page and files are there to preview; nothing else may name it.
    own = ("drafts/", "media/org-talk", "illustrations/org-panels")
    drafts = {name for name in texts if name.startswith(own)}
    for word in (DRAFT_WORD, DRAFT_PAGE_WORD):
        assert files_mentioning(texts, word) <= drafts, word
    assert files_mentioning(texts, HIDDEN_WORD) == {f"2026/{HIDDEN_SLUG}/index.html"}
    for slug in (DRAFT_SLUG, HIDDEN_SLUG, "junbi"):
        mentioned = files_mentioning(texts, slug) - drafts - {f"2026/{HIDDEN_SLUG}/index.html"}
        # Only the draft's own share card may carry its slug; no page or index names it.
        assert {name for name in mentioned if not name.startswith("img/share/")} == set(), slug
    assert any(name.startswith("pagefind/") for name in files_mentioning(texts, PUBLISHED_WORD))


def test_the_search_index_leaves_out_pages_marked_noindex():
    page = (
        '<html lang="ja"><head><title>t</title><META content="noindex, nofollow" name=robots>'
        "</head><body><main data-pagefind-body>本文</main></body></html>"
    )
    assert indexable_page(page) is None
    assert indexable_page(page.replace("noindex, ", "")) is not None


def test_a_newsletter_never_carries_a_draft_or_hidden_article(tmp_path):
    from conftest import run_pelican, write_site

    files = {
        **SITE,
        "articles/hidden.md": SITE["articles/hidden.md"].replace("Tags:", "Series: 現場\nTags:"),
        "articles/draft.md": SITE["articles/draft.md"].replace("Tags:", "Series: 現場\nTags:"),
        "articles/part.md": "Title: 現場（1）\nDate: 2026-11-04\nSeries: 現場\nSlug: genba\n\n本文",
    }
    content, output = write_site(tmp_path, files), tmp_path / "output"
    newsletter = {"site_url": SITEURL, "sender": "編集部 <m@example.test>"}
    for selection in ({"since": "2026-10-01"}, {"series": "現場"}):
        overrides = {"MAG_NEWSLETTER": {**newsletter, "issue": "x", **selection}}
        run_pelican(content, output, {"MAG_CACHE_PATH": str(tmp_path / "cache"), **overrides})
        issue = load_issue(output / "newsletter" / "x")
        for email_ in issue.segments:
            text = email_.html + email_.text
            assert DRAFT_WORD not in text
            assert "組織変更" not in text
            assert HIDDEN_WORD not in text
            assert "役員向け" not in text
            assert DRAFT_SLUG not in email_.articles
            assert HIDDEN_SLUG not in email_.articles
            assert "genba" in email_.articles


def test_a_mistyped_status_stops_a_strict_build_naming_the_file_and_line(build):
    files = {"articles/a.md": "Title: 人事\nDate: 2026-11-01\nStatus: drfat\n\n本文。\n"}
    with pytest.raises(BuildStopped) as stopped:
        build(files, conf="publishconf.py")
    (error,) = stopped.value.errors
    assert error.path.endswith("a.md")
    assert error.line == 3
    assert "drfat" in error.message


def test_builds_in_one_process_each_follow_their_own_settings(tmp_path):
    from pelican import Pelican
    from pelican.settings import read_settings

    from conftest import ROOT, write_site

    content = write_site(tmp_path, SITE)

    def settings(conf: str, output: str) -> dict:
        return read_settings(
            str(ROOT / conf),
            override={
                "PATH": str(content),
                "OUTPUT_PATH": str(tmp_path / output),
                "THEME": str(ROOT / "theme"),
                "MAG_CACHE_PATH": str(tmp_path / "cache"),
            },
        )

    for conf, output in [("publishconf.py", "a"), ("pelicanconf.py", "b"), ("publishconf.py", "c")]:
        Pelican(settings(conf, output)).run()
    assert not (tmp_path / "a" / "drafts").exists()
    assert (tmp_path / "b" / "drafts" / f"{DRAFT_SLUG}.html").is_file()
    assert not (tmp_path / "c" / "drafts").exists()
    # The same Pelican run twice, as `pelican -r` does: still nothing of the draft.
    again = Pelican(settings("publishconf.py", "d"))
    again.run()
    again.run()
    assert files_mentioning(release_texts(tmp_path / "d"), DRAFT_WORD) == set()
    assert not list((tmp_path / "d").rglob("org-chart*"))


def test_a_hidden_interview_gets_every_format_at_its_own_address(build, tmp_path):
    from videoclips import make_clip

    clip = make_clip(tmp_path / "clip.mp4", 2, "160x90").read_bytes()
    captions = "WEBVTT\n\nintro\n00:00:00.000 --> 00:00:01.500\n<v 大川>こんにちは。\n"
    text = (
        "Title: 限定の対談\nDate: 2026-11-02\nCategory: 新規事業\nSlug: gentei-taidan\n"
        "Status: hidden\nVideo: media/talk.mp4\nCaptions: media/talk.ja.vtt\n\n本文。\n\n"
        "![会場の様子]({static}/images/hall.png)\n"
    )
    files = {"articles/t.md": text, "media/talk.mp4": clip, "media/talk.ja.vtt": captions}
    output = build({**files, "images/hall.png": pictures.png(1200, 800)})
    page = soup(output / "2026" / "gentei-taidan" / "index.html")
    assert page.select_one("video#video") is not None
    assert page.select_one(".article-body picture source[type='image/webp']") is not None
    assert (output / "2026" / "gentei-taidan" / "transcript" / "index.html").is_file()
    assert not (output / "media" / "talk.mp4").exists()  # the raw source is never copied
