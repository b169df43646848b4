"""mag_japanese on its own: romaji slugs, reading time, summaries."""

import pytest

from mag_japanese.reading import count_text, reading_minutes, summarise
from mag_japanese.slugs import romaji_slug


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
