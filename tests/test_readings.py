"""Slugs from readings an editor can correct, tried on 263 headline-style titles."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from test_tasks import run_task

from conftest import ROOT
from mag_core import BuildStopped
from mag_japanese.dictionary import SYMBOL_NAMES, make_readings, read_readings_file
from mag_japanese.slugs import reading_words, romaji_slug

FIXTURES = ROOT / "tests" / "fixtures"
MAX_LENGTH = 60  # MAG_JAPANESE's default slug_max_length
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PARTICLES = ("no", "wo", "ga", "ni", "de", "to", "wa", "e", "mo")


def headlines() -> list[str]:
    lines = (FIXTURES / "headlines.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def readings():
    entries, errors = read_readings_file(FIXTURES / "readings.txt")
    assert errors == []
    return make_readings({**SYMBOL_NAMES, **entries})


@pytest.fixture(scope="module")
def slugs(readings) -> dict[str, tuple[str, str]]:
    """{title: (slug, the same slug without a length limit)}."""
    return {
        title: (romaji_slug(title, readings=readings), romaji_slug(title, "post", 10**6, readings))
        for title in headlines()
    }


def test_the_list_has_at_least_200_titles():
    assert len(set(headlines())) >= 200


def test_every_slug_is_short_lowercase_ascii_words_joined_by_hyphens(slugs):
    for title, (slug, _whole) in slugs.items():
        assert SLUG.match(slug), (title, slug)
        assert len(slug) <= MAX_LENGTH, (title, slug)
        assert not slug.startswith("post-"), title  # every title has something to read


def slug_words(title: str, readings) -> list[str]:
    """The title's words as the analyser and the dictionary give them, each made a slug."""
    words = reading_words(unicodedata.normalize("NFKC", title).strip(), readings)
    return [w for w in (re.sub("[^a-z0-9]+", "-", w.lower()).strip("-") for w in words) if w]


def test_long_titles_lose_whole_words_only_and_keep_every_word_that_fits(slugs, readings):
    cut = {title: slug for title, (slug, whole) in slugs.items() if slug != whole}
    assert len(cut) >= 3  # the list has titles over the limit
    for title, slug in cut.items():
        words = slug_words(title, readings)
        # Whole words, as many as fit; a particle left dangling at the end is dropped.
        kept = next(k for k in range(len(words) + 1) if "-".join(words[:k]).startswith(slug))
        assert "-".join(words[:kept]) in (slug, *(f"{slug}-{p}" for p in PARTICLES)), title
        assert len("-".join(words[: kept + 1])) > MAX_LENGTH, (title, slug)
        assert slug.rsplit("-", 1)[-1] not in PARTICLES, (title, slug)


def test_a_word_is_never_cut_in_half_at_the_limit(readings):
    title = "ゲーム開発者のためのクォータニオン（四元数）入門：回転を理解するための数学の基礎と実装"
    without_dictionary = romaji_slug(title)
    assert without_dictionary == "geemu-kaihatsusha-no-tame-no-kootanion-yotsumoto-suu-nyuumon"
    assert romaji_slug(title, readings=readings) == (
        "geemu-kaihatsusha-no-tame-no-kootanion-shigensuu-nyuumon"
    )
    # Tighter limits drop the words from the end, never half of one.
    assert romaji_slug(title, max_length=50) == "geemu-kaihatsusha-no-tame-no-kootanion"
    assert romaji_slug(title, max_length=10) == "geemu"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "古臭いやり方を変えるための小さな一歩",
            "furukusai-yarikata-wo-kaeru-tame-no-chiisana-ippo",
        ),
        (
            "日本語の文章を読みやすくする10のコツ",
            "nihongo-no-bunshou-wo-yomiyasuku-suru-10-no-kotsu",
        ),
        ("C/C++からRustへ移行した話", "c-cpp-kara-rust-e-ikou-shita-hanashi"),
        (
            "C#とF#で始める関数型プログラミング",
            "csharp-to-fsharp-de-hajimeru-kansuugata-puroguramingu",
        ),
        ("ASP.NETで作る社内ポータルの裏側", "asp-dotnet-de-tsukuru-shanai-pootaru-no-uragawa"),
        ("SQLのウィンドウ関数を使いこなす", "sql-no-uindou-kansuu-wo-tsukai-konasu"),
        ("朝活のすすめ", "asakatsu-no-susume"),
        ("新規事業コンテスト 審査員対談", "shinki-jigyou-kontesuto-shinsain-taidan"),
    ],
)
def test_known_tricky_titles_read_right_with_the_dictionary(slugs, title, expected):
    assert slugs[title][0] == expected


def test_every_dictionary_word_in_a_title_gives_its_reading(slugs, readings):
    used = 0
    for word, reading in readings.entries:
        for title, (_slug, whole) in slugs.items():
            if word in title:
                assert reading.replace(" ", "-") in whole, (word, title, whole)
                used += 1
    assert used >= len(readings.entries) - 1  # every entry is tried on some title


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ABC#の話", "abc-no-hanashi"),
        ("c++も小文字で", "cpp-mo-shoumoji-de"),
        ("Ｃ＃入門", "csharp-nyuumon"),
    ],
)
def test_symbol_names_match_whole_names_in_any_case_and_width(text, expected):
    assert romaji_slug(text) == expected


# --- the dictionary in real builds ----------------------------------------------------------

ARTICLE = (
    "Title: 日本語の古臭い言い回し\nDate: 2026-11-01\nCategory: 日本語\nTags: 四元数\n"
    "Series: 日本語講座\n\n本文です。\n"
)


def test_a_build_reads_slugs_categories_tags_and_series_with_the_sites_dictionary(build):
    output = build(
        {"articles/a.md": ARTICLE, "readings.txt": "日本語: nihongo\n古臭い: furukusai\n"},
        MAG_JAPANESE={"readings": {"四元数": "shigensuu", "日本語": "ignored"}},
    )
    assert (output / "2026" / "nihongo-no-furukusai-iimawashi" / "index.html").is_file()
    assert (output / "category" / "nihongo" / "index.html").is_file()
    assert (output / "tag" / "shigensuu" / "index.html").is_file()
    assert (output / "series" / "nihongo-kouza" / "index.html").is_file()


def test_an_edited_dictionary_is_read_again_by_the_next_build_in_the_same_process(build):
    first = build({"articles/a.md": ARTICLE, "readings.txt": "日本語: nihongo\n"})
    assert (first / "category" / "nihongo" / "index.html").is_file()
    second = build({"readings.txt": "日本語: nippongo\n"})
    assert (second / "category" / "nippongo" / "index.html").is_file()


def test_a_bad_dictionary_line_stops_a_strict_build_naming_the_file_and_line(build):
    files = {
        "articles/a.md": ARTICLE,
        "articles/b.md": ARTICLE.replace("Title: ", "Title: 続・"),
        "readings.txt": "# ok\n日本語: nihongo\n古臭い: ふるくさい\n",
    }
    with pytest.raises(BuildStopped) as stopped:
        build(files, conf="publishconf.py")
    (error,) = stopped.value.errors  # once, not once an article
    assert error.path.endswith("readings.txt")
    assert error.line == 3


def test_new_article_names_the_file_with_the_build_slug(tmp_path: Path):
    project = tmp_path / "project"
    (project / "content").mkdir(parents=True)
    for name in ("tasks.py", "pelicanconf.py", "plugins"):
        (project / name).symlink_to(ROOT / name)
    (project / "content" / "readings.txt").write_text("四元数: shigensuu\n", encoding="utf-8")
    title = "ゲーム開発者のためのクォータニオン（四元数）入門：回転を理解するための数学の基礎と実装"
    run_task("new-article", "--title", title, "--date", "2026-12-01T09:30", cwd=project)
    (created,) = (project / "content" / "articles").glob("*.md")
    assert created.name == (
        "2026-12-01-geemu-kaihatsusha-no-tame-no-kootanion-shigensuu-nyuumon.md"
    )
