"""mag_japanese on its own: romaji slugs, reading time, summaries."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mag_japanese.reading import count_text, reading_minutes, summarise
from mag_japanese.slugs import romaji_slug

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("新規事業", "shinki-jigyou"),
        ("働き方", "hatarakikata"),
        ("新規事業コンテスト 審査員対談", "shinki-jigyou-kontesuto-shinsain-taidan"),
        ("DXとＡＩ活用", "dx-to-ai-katsuyou"),
    ],
)
def test_japanese_text_becomes_readable_romaji(text, expected):
    assert romaji_slug(text) == expected


@pytest.mark.parametrize("text", ["🎉🎉", "！？…", "★☆"])
def test_text_with_nothing_to_read_gets_a_stable_non_empty_slug(text):
    slug = romaji_slug(text)
    assert slug.startswith("post-")
    assert len(slug) > len("post-")
    assert slug == romaji_slug(text)
    assert slug != romaji_slug(text + "🎉")


def test_long_titles_are_cut_at_a_word_boundary():
    slug = romaji_slug(
        "新規事業の現場から倉庫の困りごとがアイデアになるまでの長い長い道のり", max_length=30
    )
    assert len(slug) <= 30
    assert not slug.endswith("-")
    assert romaji_slug(
        "新規事業の現場から倉庫の困りごとがアイデアになるまでの長い長い道のり"
    ).startswith(slug)


def test_japanese_characters_and_latin_words_are_counted_apart():
    chars, words = count_text("新規事業のPoCとKPI設計を学ぶ。")
    assert chars == 11  # 新規事業の と 設計を学ぶ (、。 are not counted)
    assert words == 2


def test_reading_time_uses_characters_per_minute_for_japanese():
    text = "あ" * 1000
    assert reading_minutes(text, chars_per_minute=500, words_per_minute=200) == 2
    assert reading_minutes(text, chars_per_minute=250, words_per_minute=200) == 4
    assert reading_minutes("短い。", 500, 200) == 1


def test_reading_time_adds_latin_words_at_words_per_minute():
    text = "あ" * 500 + " word" * 400
    assert reading_minutes(text, 500, 200) == 3


def test_summary_ends_at_a_sentence_end_within_the_limit():
    text = "最初の文です。二番目の文はもう少し長いです。三番目の文は入りません。"
    summary = summarise(text, max_chars=25, sentence_ends="。！？", ellipsis="…")
    assert summary == "最初の文です。二番目の文はもう少し長いです。"


def test_summary_without_a_sentence_end_is_cut_with_an_ellipsis_and_no_space():
    text = "句点のないとても長い文章が延々と続いていくのでどこかで切らなければならない"
    summary = summarise(text, max_chars=20, sentence_ends="。！？", ellipsis="…")
    assert summary == text[:20] + "…"
    assert " …" not in summary


def test_summary_joins_japanese_paragraphs_without_spaces():
    summary = summarise("一つ目の段落。\n二つ目の段落。", 100, "。", "…")
    assert summary == "一つ目の段落。二つ目の段落。"


def _pelican_process(content: Path, output: Path, cache: Path) -> subprocess.CompletedProcess:
    """A build in a process of its own: within one process slugs are remembered anyway."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pelican",
            str(content),
            "-s",
            str(ROOT / "pelicanconf.py"),
            "-o",
            str(output),
            "-e",
            f"MAG_CACHE_PATH={json.dumps(str(cache))}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )


def test_readings_are_kept_between_builds_and_a_damaged_memo_only_costs_time(tmp_path):
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "articles" / "a.md").write_text(
        "Title: 社内報の未来\nDate: 2026-11-20 09:00\nCategory: 新規事業\n\n本文です。\n",
        encoding="utf-8",
    )
    cache = tmp_path / "cache"
    _pelican_process(content, tmp_path / "first", cache)
    assert (tmp_path / "first" / "2026" / "shanaihou-no-mirai" / "index.html").is_file()
    (memo,) = cache.glob("romaji-*.json")
    readings = json.loads(memo.read_text(encoding="utf-8"))
    assert readings["社内報の未来"] == ["Shanaihou no", "mirai"]  # romaji, one item a word

    # The second build reads the title from the memo, not from the dictionary.
    memo.write_text(json.dumps({**readings, "社内報の未来": ["kept reading"]}), encoding="utf-8")
    _pelican_process(content, tmp_path / "second", cache)
    assert (tmp_path / "second" / "2026" / "kept-reading" / "index.html").is_file()

    memo.write_text("{not json", encoding="utf-8")
    third = _pelican_process(content, tmp_path / "third", cache)
    assert "ignoring an unreadable" in third.stderr + third.stdout
    assert (tmp_path / "third" / "2026" / "shanaihou-no-mirai" / "index.html").is_file()
    assert json.loads(memo.read_text(encoding="utf-8"))["社内報の未来"] == ["Shanaihou no", "mirai"]


# --- summaries from prose, on articles shaped like real Japanese technical articles ---------

TECH_ARTICLES = ROOT / "tests" / "fixtures" / "tech_articles"
SUMMARY_LIMIT = 120  # MAG_JAPANESE's default summary_length


@pytest.fixture(scope="module")
def tech_site(tmp_path_factory) -> Path:
    import pictures

    from conftest import run_pelican, write_site

    work = tmp_path_factory.mktemp("tech")
    files = {
        f"articles/{p.name}": p.read_text(encoding="utf-8") for p in TECH_ARTICLES.glob("*.md")
    }
    files["images/cpu.png"] = pictures.png(320, 200)
    output = work / "output"
    run_pelican(write_site(work, files), output, {"MAG_CACHE_PATH": str(work / "cache")})
    return output


def summaries(output: Path) -> dict[str, str]:
    """{article slug: the summary the front page shows for it} (the lead story and the cards)."""
    from conftest import soup

    found = {}
    for item in soup(output / "index.html").select("article.lead, article.card"):
        summary = item.select_one(".lead__summary, .card__summary")
        if summary is not None:
            link = item.select_one(".lead__title a, .card__title a")["href"]
            found[link.rstrip("/").rsplit("/", 1)[-1]] = summary.get_text()
    return found


EXPECTED_SUMMARIES = {
    "git-rebase": (
        "Gitのrebaseは、履歴を書き換えるため怖いと言われがちです。"
        "この記事では、チームで安全に使うための手順をまとめます。対象は、普段mergeだけを使っている方です。"
    ),
    "paper-intro": (
        "最近、我々の論文が国際会議に採択されました。"
        "本稿ではその内容を、数式をなるべく使わずに紹介します。"
    ),
    "kubernetes": (
        "本番環境でPodが頻繁に再起動していました。原因はメモリのlimitsが小さすぎたことでした！"
        "対策として、まず一週間の使用量を計測しました。"
    ),
    "zenn-style": (
        "LTでは、五分で一つのことだけを伝えると決めていました。話す内容を削るのがいちばん大変でした。"
    ),
    "inline-code": (
        "mypyを使うと、実行前に型の誤りを見つけられます。公式ドキュメントも読みやすいです。"
        "価格は$100と$200の二つのプランがあります。"
    ),
}


def test_summaries_are_the_first_prose_never_headings_code_math_tables_or_captions(tech_site):
    found = summaries(tech_site)
    for slug, expected in EXPECTED_SUMMARIES.items():
        assert found[slug] == expected, slug
    for summary in found.values():
        assert len(summary) <= SUMMARY_LIMIT + 1
        for leak in (
            "はじめに",
            "概要",
            "TL;DR",
            "$$",
            "\\(",
            "\\[",
            "frac",
            "git rebase",
            "|",
            "図1",
            "社内勉強会",
            "引用",
            "requests",
            ":::",
            "https",
            "発表を文章に",
            "下書きメモ",
        ):
            assert leak not in summary, (leak, summary)


def test_prose_without_a_sentence_end_is_cut_at_the_limit_with_an_ellipsis(tech_site):
    summary = summaries(tech_site)["long-sentence"]
    assert summary.startswith("この記事ではデータ基盤の移行にあたって")
    assert summary.endswith("…")
    assert len(summary) == SUMMARY_LIMIT + 1


def test_math_is_kept_intact_on_the_page_and_in_the_description(tech_site):
    from conftest import soup

    page = soup(tech_site / "2026" / "paper-intro" / "index.html")
    formulas = [span.get_text() for span in page.select("span.math")]
    assert "$ax^2 + bx + c = 0$" in formulas
    assert "\\[ \\epsilon_{mach} \\approx 2.2 \\times 10^{-16} \\]" in formulas
    assert any(f.startswith("$$") and "\\frac{-b" in f for f in formulas)
    assert page.select(".article-body em") == []  # no _ read as emphasis inside a formula
    description = page.find("meta", attrs={"name": "description"})["content"]
    assert description == EXPECTED_SUMMARIES["paper-intro"]
