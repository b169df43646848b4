"""Turns, paragraphs, joining and ケバ取り, from caption files through the one caption parser."""

from pathlib import Path

import pytest

from mag_core.captions import parse_captions
from mag_transcript.cleanup import clean_html, clean_text
from mag_transcript.model import Highlight
from mag_transcript.settings import DEFAULTS
from mag_transcript.turns import build_turns, number_and_mark, pieces_from_cues

FILLERS = DEFAULTS["fillers"]


def turns_of(
    tmp_path: Path,
    vtt: str,
    *,
    pause=2.0,
    paragraph_chars=200,
    fillers=None,
    highlights=(),
    speakers=(),
):
    path = tmp_path / "talk.ja.vtt"
    path.write_text("WEBVTT\n\n" + vtt, encoding="utf-8")
    pieces = pieces_from_cues(parse_captions(path, speaker_names=speakers), highlights, fillers)
    turns = build_turns(pieces, pause, paragraph_chars)
    number_and_mark(turns)
    return turns


def shape(turns):
    return [(t.speaker, [p.text for p in t.paragraphs]) for t in turns]


def test_consecutive_cues_of_one_voice_make_one_paragraph(tmp_path):
    turns = turns_of(
        tmp_path,
        "00:00.000 --> 00:02.000\n<v 大川>今年度は342件に\nなりました。\n\n"
        "00:02.000 --> 00:04.000\n<v 大川>6年で約4倍です。\n",
    )
    assert shape(turns) == [("大川", ["今年度は342件になりました。6年で約4倍です。"])]
    assert turns[0].paragraphs[0].start == 0.0
    assert turns[0].paragraphs[0].end == 4.0


def test_several_voices_in_one_cue_become_turns_of_their_own(tmp_path):
    turns = turns_of(
        tmp_path,
        "00:00.000 --> 00:02.000\n<v 大川>どうでしたか。</v><v 松本>よかったです。</v>\n\n"
        "00:02.000 --> 00:04.000\n<v 大川>それは何より。\n",
    )
    assert shape(turns) == [
        ("大川", ["どうでしたか。"]),
        ("松本", ["よかったです。"]),
        ("大川", ["それは何より。"]),
    ]
    assert turns[1].paragraphs[0].start == 0.0  # a voice starts with its cue


def test_listed_name_prefixes_give_speakers_and_unnamed_cues_continue_the_turn(tmp_path):
    turns = turns_of(
        tmp_path,
        "00:00.000 --> 00:02.000\n松本：私が一番重視するのは\n\n"
        "00:02.000 --> 00:04.000\n「課題の解像度」です。\n\n"
        "00:04.000 --> 00:06.000\n大川: 私は経験を聞きます。\n",
        speakers=("松本", "大川"),
    )
    assert shape(turns) == [
        ("松本", ["私が一番重視するのは「課題の解像度」です。"]),
        ("大川", ["私は経験を聞きます。"]),
    ]


def test_a_word_before_a_colon_is_not_a_speaker_unless_listed(tmp_path):
    vtt = (
        "00:00.000 --> 00:02.000\nRemember: both our core values\n\n"
        "00:02.000 --> 00:04.000\n白い箱に言葉が浮かび上がる:\n\n"
        "00:04.000 --> 00:06.000\n大川：どうぞ。\n"
    )
    assert shape(turns_of(tmp_path, vtt, speakers=("大川",))) == [
        (None, ["Remember: both our core values白い箱に言葉が浮かび上がる:"]),
        ("大川", ["どうぞ。"]),
    ]
    assert [speaker for speaker, _ in shape(turns_of(tmp_path, vtt))] == [None]


def test_a_pause_longer_than_the_gap_starts_a_paragraph_in_the_same_turn(tmp_path):
    vtt = (
        "00:00.000 --> 00:02.000\n<v 大川>一つ目です。\n\n"
        "00:05.000 --> 00:07.000\n<v 大川>二つ目です。\n\n"
        "00:07.500 --> 00:09.000\n<v 大川>続きです。\n"
    )
    turns = turns_of(tmp_path, vtt, pause=2.0)
    assert shape(turns) == [("大川", ["一つ目です。", "二つ目です。続きです。"])]
    assert [p.start for p in turns[0].paragraphs] == [0.0, 5.0]
    assert shape(turns_of(tmp_path, vtt, pause=5.0)) == [
        ("大川", ["一つ目です。二つ目です。続きです。"])
    ]


def test_a_long_monologue_is_split_at_a_sentence_end(tmp_path):
    sentence = "新規事業は小さく始めて早く学ぶことが大切です。"
    vtt = "".join(
        f"00:{i:02d}.000 --> 00:{i + 1:02d}.000\n<v 大川>{sentence}\n\n" for i in range(6)
    )
    turns = turns_of(tmp_path, vtt, paragraph_chars=50)
    assert [len(p.text) for p in turns[0].paragraphs] == [69, 69]
    assert len(turns) == 1


def test_japanese_is_joined_without_spaces_and_latin_words_keep_theirs(tmp_path):
    turns = turns_of(
        tmp_path,
        "00:00.000 --> 00:02.000\nPoCの段階で\n本当に大事になるのは\n\n"
        "00:02.000 --> 00:04.000\nその粘り強さ。Fail fast\nand learn.\n\n"
        "00:04.000 --> 00:05.000\nそれが\n\n00:05.000 --> 00:06.000\nKPI です。\n",
    )
    text = "PoCの段階で本当に大事になるのはその粘り強さ。Fail fast and learn.それがKPI です。"
    assert shape(turns) == [(None, [text])]


def test_captions_without_any_speaker_still_make_paragraphs(tmp_path):
    turns = turns_of(
        tmp_path,
        "00:00.000 --> 00:02.000\n審査の視点を聞きました。\n\n"
        "00:06.000 --> 00:08.000\n失敗をどう捉えるか。\n",
    )
    assert shape(turns) == [(None, ["審査の視点を聞きました。", "失敗をどう捉えるか。"])]
    assert [p.number for p in turns[0].paragraphs] == [1, 2]


def test_cues_inside_a_highlight_are_marked_and_the_first_run_opens_it(tmp_path):
    highlight = Highlight(0, 1.75, 4.25, 0.0)
    turns = turns_of(
        tmp_path,
        "00:00.000 --> 00:02.000\n<v 大川>前置きです。\n\n"
        "intro\n00:02.000 --> 00:04.000\n<v 大川>ここが大事。</v><v 松本>そうですね。\n\n"
        "00:04.000 --> 00:06.000\n<v 松本>以上です。\n",
        highlights=[highlight],
    )
    first, second = (t.paragraphs[0] for t in turns)
    assert [(r.html, r.highlight is not None, r.opens_highlight) for r in first.runs] == [
        ("前置きです。", False, False),
        ("ここが大事。", True, True),
    ]
    assert [(r.html, r.highlight is not None, r.opens_highlight) for r in second.runs] == [
        ("そうですね。", True, False),
        ("以上です。", False, False),
    ]


def test_markup_is_kept_safe_and_hostile_text_stays_text(tmp_path):
    turns = turns_of(
        tmp_path,
        "00:00.000 --> 00:02.000\n<v 大川><b>共創</b>の<ruby>場<rt>ば</rt></ruby>"
        '<script>alert(1)</script><img src=x onerror="alert(2)">\n',
    )
    run = turns[0].paragraphs[0].runs[0].html
    assert "<b>共創</b>の<ruby>場<rt>ば</rt></ruby>" in run
    assert "<script" not in run
    assert "<img" not in run
    assert "onerror" not in run
    # Tags WebVTT does not know are dropped; their text stays, as text.
    assert turns[0].paragraphs[0].text == "共創の場alert(1)"


@pytest.mark.parametrize(
    ("said", "read"),
    [
        ("えー、今日は新規事業の話です。", "今日は新規事業の話です。"),
        ("えーと今日は", "今日は"),
        ("えーー、それで", "それで"),
        ("今日はまあ、いい天気です。", "今日はいい天気です。"),
        ("あのー、私は、私は挑戦したい。", "私は挑戦したい。"),
        ("はい、はい。", "はい。"),
        ("まあまあです。", "まあまあです。"),
        ("あの人は、どんどん進む。", "あの人は、どんどん進む。"),
        ("まだまだこれから。", "まだまだこれから。"),
        ("Yes, yes.", "Yes, yes."),
    ],
)
def test_cleanup_drops_fillers_and_repetitions_but_keeps_words(said, read):
    assert clean_text(said, FILLERS) == read


def test_cleanup_changes_text_between_tags_only():
    assert clean_html("えー、<b>共創</b>が&lt;鍵&gt;です", FILLERS) == "<b>共創</b>が&lt;鍵&gt;です"


def test_cleanup_runs_only_when_asked(tmp_path):
    vtt = "00:00.000 --> 00:02.000\n<v 大川>えー、そうですね、まあ、挑戦です。\n"
    assert shape(turns_of(tmp_path, vtt)) == [("大川", ["えー、そうですね、まあ、挑戦です。"])]
    cleaned = turns_of(tmp_path, vtt, fillers=FILLERS)
    assert shape(cleaned) == [("大川", ["そうですね、挑戦です。"])]
