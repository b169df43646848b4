"""Several builds in one process, as ``pelican -r`` and livereload run them.

One ``Pelican`` and one settings dict serve every run; each run has its own
Build, so no problem, memo or article of one run shows in the next.
"""

from __future__ import annotations

import json

import pytest

from conftest import project_settings, soup, write_site
from mag_core.errors import BuildStopped
from mag_core.manifest import MANIFEST_PATH, ManifestError, read_manifest

ARTICLE = (
    "Title: {title}\nDate: 2026-11-0{day} 09:00\nCategory: 新規事業\nSlug: {slug}\n{more}\n{body}\n"
)


def article(slug: str, title: str, day: int, body: str = "本文です。", more: str = "") -> str:
    return ARTICLE.format(slug=slug, title=title, day=day, body=body, more=more)


@pytest.fixture
def pelican(tmp_path):
    """One Pelican instance, strict, reused for every run of the test."""
    from pelican import Pelican

    write_site(tmp_path, {"articles/a.md": article("a", "最初の題", 1)})
    content, output = tmp_path / "content", tmp_path / "output"
    return Pelican(settings=project_settings(content, output, conf="publishconf.py"))


def titles_on_front_page(output):
    return [link.get_text(strip=True) for link in soup(output / "index.html").select("h2 a, h3 a")]


def test_three_runs_in_one_process_carry_nothing_into_the_next(pelican, tmp_path):
    content, output = tmp_path / "content", tmp_path / "output"
    write_site(
        tmp_path, {"articles/bad.md": "Title: 壊れた\nDate: 2026-11-02\nCatgory: x\n\n本文\n"}
    )
    with pytest.raises(BuildStopped) as stopped:
        pelican.run()
    assert [error.line for error in stopped.value.errors] == [3]

    # Fixed: the second run has no problem of the first, and writes everything.
    write_site(tmp_path, {"articles/bad.md": article("b", "二つ目", 2)})
    pelican.run()
    assert [a["title"] for a in read_manifest(output)["articles"]] == ["二つ目", "最初の題"]
    assert "最初の題" in titles_on_front_page(output)
    assert (output / "sitemap.xml").is_file()

    # Retitled and one removed: no card, manifest entry or sitemap URL of the old run.
    (content / "articles" / "bad.md").unlink()
    write_site(tmp_path, {"articles/a.md": article("a", "新しい題", 1)})
    pelican.run()
    assert [a["title"] for a in read_manifest(output)["articles"]] == ["新しい題"]
    front = titles_on_front_page(output)
    assert "新しい題" in front
    assert "最初の題" not in front
    assert "二つ目" not in front
    assert "/2026/b/" not in (output / "sitemap.xml").read_text(encoding="utf-8")


def test_the_manifest_describes_each_article_and_leaves_drafts_out(build):
    output = build(
        {
            "articles/a.md": article(
                "a", "公開記事", 1, "本文です。" * 400, "Audience: busy light\n"
            ),
            "articles/h.md": article("h", "限定公開", 2, more="Status: hidden\n"),
            "articles/d.md": article("d", "下書き", 3, more="Status: draft\n"),
        }
    )
    data = json.loads((output / MANIFEST_PATH).read_text(encoding="utf-8"))
    assert data["version"] == 1
    by_id = {entry["id"]: entry for entry in data["articles"]}
    assert set(by_id) == {"a", "h"}
    first = by_id["a"]
    assert first["url"] == "2026/a/"
    assert first["category"] == "新規事業"
    assert first["date"].startswith("2026-11-01T09:00")
    assert first["audience"] == ["busy", "light"]
    shown = soup(output / "2026/a/index.html").select_one("header .reading-time").get_text()
    assert shown == f"約{first['reading_minutes']}分で読めます"
    assert first["reading_minutes"] > 1
    assert first["formats"] == [{"id": "article", "url": "2026/a/"}]
    assert first["pages"] == [
        {
            "format": "article",
            "url": "2026/a/",
            "title": "公開記事",
            "minutes": first["reading_minutes"],
        }
    ]
    assert by_id["h"]["status"] == "hidden"


def test_a_manifest_of_another_version_is_refused_with_the_reason(tmp_path):
    (tmp_path / "_mag").mkdir()
    (tmp_path / MANIFEST_PATH).write_text('{"version": 99, "articles": []}', encoding="utf-8")
    with pytest.raises(ManifestError, match="version 99, this code reads 1"):
        read_manifest(tmp_path)
    with pytest.raises(ManifestError, match="no build manifest"):
        read_manifest(tmp_path / "nowhere")


def test_the_publish_check_reads_the_manifest_for_pages_nothing_links_to(build):
    from publishing.check import check_articles

    output = build({"articles/h.md": article("h", "限定公開", 2, more="Status: hidden\n")})
    assert check_articles(output) == []
    (output / "2026" / "h" / "index.html").unlink()
    (problem,) = check_articles(output)
    assert (problem.path, problem.message) == (
        "2026/h/index.html",
        "the page of 'h' (article) is missing from the release",
    )
    (output / MANIFEST_PATH).write_text("{", encoding="utf-8")
    (damaged,) = check_articles(output)
    assert "cannot read the build manifest" in damaged.message
