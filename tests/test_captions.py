"""The one caption parser (mag_core.captions): errors name the file and line; markup is safe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mag_core import ContentError
from mag_core.captions import (
    CaptionErrors,
    each_problem,
    format_timestamp,
    parse_captions,
    write_vtt,
)
from mag_core.speakers import speaker_list, with_speaker_labels

GOOD = """WEBVTT

intro
00:00:01.000 --> 00:00:03.500
<v 大川>今日はよろしくお願いします。

q1
00:00:03.500 --> 00:01:05.250 align:center
<v 松本>応募を迷っている方へ。
<v 大川>失敗しても大丈夫です。

00:01:06.000 --> 00:01:07.000
名前のないキュー
"""


def write(tmp_path: Path, text: str | bytes, name: str = "c.vtt") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str | bytes, name: str = "c.vtt") -> ContentError:
    path = write(tmp_path, text, name)
    with pytest.raises(ContentError) as caught:
        parse_captions(path)
    assert caught.value.path == str(path)
    return caught.value


def test_cues_have_ids_times_lines_and_voices(tmp_path):
    cues = parse_captions(write(tmp_path, GOOD))
    assert [cue.id for cue in cues] == ["intro", "q1", None]
    assert (cues[0].start, cues[0].end, cues[0].line) == (1.0, 3.5, 4)
    assert cues[1].end == 65.25
    assert cues[1].voices == ["松本", "大川"]
    assert cues[1].text == "応募を迷っている方へ。\n失敗しても大丈夫です。"
    assert cues[2].voices == []


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ContentError, match="caption file not found") as caught:
        parse_captions(tmp_path / "nothing.vtt")
    assert caught.value.path.endswith("nothing.vtt")


def test_missing_header_is_line_1(tmp_path):
    error = error_for(tmp_path, GOOD.replace("WEBVTT\n", "", 1))
    assert error.line == 1
    assert "WEBVTT" in str(error)


@pytest.mark.parametrize("stamp", ["00:00:01,0", "00:61:00.000", "1.5", "00:00:01.0000", "aa"])
def test_bad_timestamp_names_the_line(tmp_path, stamp):
    error = error_for(tmp_path, GOOD.replace("00:00:01.000 -->", f"{stamp} -->"))
    assert error.line == 4
    assert "timestamp" in error.message


@pytest.mark.parametrize("end", ["00:00:01.000", "00:00:00.500"])
def test_cue_ending_at_or_before_its_start_is_an_error(tmp_path, end):
    error = error_for(tmp_path, GOOD.replace("--> 00:00:03.500\n<v 大川>", f"--> {end}\n<v 大川>"))
    assert error.line == 4
    assert "at or before it starts" in error.message


def test_block_without_timing_line(tmp_path):
    error = error_for(tmp_path, GOOD + "\nstray\ntext without timing\n")
    assert error.line == 15
    assert "no timing line" in error.message


def test_duplicate_cue_ids(tmp_path):
    error = error_for(tmp_path, GOOD.replace("q1\n", "intro\n"))
    assert "used twice" in error.message
    assert error.line == 7


@pytest.mark.parametrize(("encoding", "label"), [("cp932", "CP932"), ("euc_jp", "EUC-JP")])
def test_not_utf8_says_which_encoding_to_convert_from(tmp_path, encoding, label):
    error = error_for(tmp_path, GOOD.encode(encoding))
    assert "not UTF-8" in error.message
    assert label in error.hint
    assert "iconv" in error.hint
    assert error.line == 5  # the first line with a non-ASCII byte


def test_bom_and_crlf_are_accepted(tmp_path):
    data = ("\ufeff" + GOOD).replace("\n", "\r\n").encode("utf-8")
    cues = parse_captions(write(tmp_path, data))
    assert [cue.id for cue in cues] == ["intro", "q1", None]


def test_srt_is_accepted_and_its_numbers_are_not_ids(tmp_path):
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\n大川：こんにちは。\n\n"
        "2\n00:00:02,500 --> 00:00:04,000\n松本：どうも。\n"
    )
    cues = parse_captions(write(tmp_path, srt, "c.srt"), speaker_names=["大川", "松本"])
    assert [(cue.id, cue.start, cue.end) for cue in cues] == [(None, 1.0, 2.0), (None, 2.5, 4.0)]
    assert [cue.voices for cue in cues] == [["大川"], ["松本"]]
    assert cues[0].text == "こんにちは。"


def test_srt_as_tools_write_it(tmp_path):
    srt = (
        "\ufeff1\r\n00:00:01,000 --> 00:00:02,500 X1:40 X2:600 Y1:20 Y2:50\r\n"
        '<font color="#ffff00">黄色の</font><i>斜体\r\n\r\n'
        "2\r\n00:00:02.500 --> 00:00:04.000\r\n句点で区切る版\r\n"
    )
    cues = parse_captions(write(tmp_path, srt.encode("utf-8"), "c.srt"))
    assert [(c.id, c.start, c.end, c.line) for c in cues] == [
        (None, 1.0, 2.5, 2),
        (None, 2.5, 4.0, 6),
    ]
    assert [c.parts[0].html for c in cues] == ["黄色の<i>斜体</i>", "句点で区切る版"]


HOSTILE = """WEBVTT

x
00:00:01.000 --> 00:00:02.000
<v 大川"><script>alert(1)</script>><script>alert(2)</script> <b onclick="alert(3)">太字</b>
<img src=x onerror=alert(4)> &lt;i&gt;エスケープ済み&lt;/i&gt; <lang en" onmouseover="x">hi</lang>
<ruby>共創<rt>きょうそう</rt></ruby> <c.red>色</c> <00:00:01.500>カラオケ
"""


def test_hostile_markup_is_escaped_not_executed(tmp_path):
    (cue,) = parse_captions(write(tmp_path, HOSTILE))
    markup = "".join(part.html for part in cue.parts)
    assert "<script" not in markup
    assert "<img" not in markup
    assert "onclick" not in markup
    assert "onerror" not in markup  # an unknown tag goes, attributes and all
    assert "alert(2)" in markup  # ... and its text stays, as text
    assert "<b>太字</b>" in markup
    assert "&lt;i&gt;エスケープ済み&lt;/i&gt;" in markup
    assert 'onmouseover="' not in markup
    assert "<ruby>共創<rt>きょうそう</rt></ruby>" in markup
    assert "<c" not in markup
    assert "00:00:01.500" not in markup
    # Only b, i, u, ruby, rt and span[lang] survive as tags.
    tags = set(re.findall(r"</?([a-z]+)", markup))
    assert tags <= {"b", "i", "u", "ruby", "rt", "span"}


def test_plain_text_is_unescaped_and_drops_ruby_readings(tmp_path):
    (cue,) = parse_captions(write(tmp_path, HOSTILE))
    assert "<i>エスケープ済み</i>" in cue.text  # plain text: the caller escapes it
    assert "共創" in cue.text
    assert "きょうそう" not in cue.text


def test_voice_names_are_plain_text(tmp_path):
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v.loud 大川 &amp; 松本>ようこそ\n"
    (cue,) = parse_captions(write(tmp_path, text))
    assert cue.voices == ["大川 & 松本"]


def test_written_vtt_reads_back_the_same(tmp_path):
    cues = parse_captions(write(tmp_path, GOOD))
    out = tmp_path / "out.vtt"
    write_vtt(cues, out)
    again = parse_captions(out)
    assert [(c.id, c.start, c.end, c.parts) for c in again] == [
        (c.id, c.start, c.end, c.parts) for c in cues
    ]
    assert out.read_text(encoding="utf-8").startswith("WEBVTT")


def test_format_timestamp():
    assert format_timestamp(3723.5) == "01:02:03.500"
    assert format_timestamp(0.0004) == "00:00:00.000"


# All of a file's problems at once


def test_every_problem_of_a_file_is_reported_together(tmp_path):
    text = (
        "WEBVTT\n\n"
        "00:00:01,000 --> 00:00:02.000\ncomma\n\n"  # line 3
        "stray text\nwithout timing\n\n"  # line 6
        "a\n00:00:05.000 --> 00:00:04.000\nbackwards\n\n"  # line 10 (no cue: the id is free)
        "a\n00:00:06.000 --> 00:00:07.000\nfine\n\n"  # line 13
        "a\n00:00:08.000 --> 00:00:09.000\nagain\n"  # line 17: the id again
    )
    error = error_for(tmp_path, text)
    assert isinstance(error, CaptionErrors)
    assert [(e.line, e.path) for e in error.errors] == [
        (line, error.path) for line in (3, 6, 10, 17)
    ]
    assert "full stop" in error.errors[0].hint
    assert "no timing line" in error.errors[1].message
    assert "cue ends" in error.errors[2].message
    assert "used twice (first on line 13)" in error.errors[3].message
    assert error.line == 3
    # One line that names them all; each_problem gives them to report one by one.
    assert error.message == "4 problems in the captions, on lines 3, 6, 10, 17"
    assert each_problem(error) == error.errors


def test_a_style_block_after_the_first_cue_is_named(tmp_path):
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nx\n\nSTYLE\n::cue { color: red }\n"
    error = error_for(tmp_path, text)
    assert error.line == 6
    assert "STYLE block after the first cue" in error.message


def test_notes_and_header_lines_are_not_problems(tmp_path):
    text = (
        "WEBVTT\nKind: captions\n\nSTYLE\n\nNOTE 編集メモ\n\n"
        "00:00:01.000 --> 00:00:02.000\nx\n\nNOTE 終わり\n"
    )
    assert [cue.text for cue in parse_captions(write(tmp_path, text))] == ["x"]


def test_an_unclosed_tag_ends_with_its_cue(tmp_path):
    text = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<i>斜体<b>太字\n\n"
        "00:00:02.000 --> 00:00:03.000\n普通\n"
    )
    first, second = parse_captions(write(tmp_path, text))
    assert first.parts[0].html == "<i>斜体<b>太字</b></i>"
    assert second.parts[0].html == "普通"


def test_runs_of_several_voices_are_each_balanced(tmp_path):
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<i><v 大川>斜体で</v>続き<v 松本>あなた\n"
    (cue,) = parse_captions(write(tmp_path, text))
    assert [(p.voice, p.html) for p in cue.parts] == [
        ("大川", "<i>斜体で</i>"),
        (None, "<i>続き</i>"),
        ("松本", "<i>あなた</i>"),
    ]


# Speakers


SPEAKERS = """WEBVTT

00:00:01.000 --> 00:00:02.000
大川：こんにちは。

00:00:02.000 --> 00:00:03.000
Remember: both our core values

00:00:03.000 --> 00:00:04.000
白い箱に言葉が浮かび上がる:

00:00:04.000 --> 00:00:05.000
- 松本: そうですね。
大川 ： 二人目の行
<v 松本>声のタグが先</v>
"""


def test_a_prefix_names_a_speaker_only_when_the_editor_listed_the_name(tmp_path):
    path = write(tmp_path, SPEAKERS)
    unlisted = parse_captions(path)
    assert [cue.voices for cue in unlisted] == [[], [], [], ["松本"]]
    assert unlisted[1].text == "Remember: both our core values"
    listed = parse_captions(path, speaker_names=["大川", "松本"])
    assert [[(p.voice, p.text) for p in cue.parts] for cue in listed] == [
        [("大川", "こんにちは。")],
        [(None, "Remember: both our core values")],
        [(None, "白い箱に言葉が浮かび上がる:")],
        # A prefix counts at the start of a line only ('- 松本:' is text).
        [(None, "- 松本: そうですね。"), ("大川", "二人目の行"), ("松本", "声のタグが先")],
    ]


def test_speaker_names_are_matched_literally(tmp_path):
    text = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nA.B：テスト\n\n"
        "00:00:02.000 --> 00:00:03.000\nAxB：別人\n"
    )
    cues = parse_captions(write(tmp_path, text), speaker_names=["A.B"])
    assert [cue.voices for cue in cues] == [["A.B"], []]


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("大川, 松本", ("大川", "松本")),
        ("大川、松本，Taro Yamada", ("大川", "松本", "Taro Yamada")),
        (["大川", " 松本 ", ""], ("大川", "松本")),
        ("", ()),
        (None, ()),
    ],
)
def test_speaker_lists_as_editors_write_them(value, names):
    assert speaker_list(value) == names


LABELS = """WEBVTT

00:00:01.000 --> 00:00:02.000
<v 大川>一つ目

00:00:02.000 --> 00:00:03.000
<v 大川>同じ人

00:00:03.000 --> 00:00:04.000
続きの行

00:00:04.000 --> 00:00:05.000
<v 松本>交代</v><v 大川>また交代
"""


@pytest.mark.parametrize(
    ("mode", "texts"),
    [
        ("change", ["大川：一つ目", "同じ人", "続きの行", "松本：交代\n大川：また交代"]),
        ("always", ["大川：一つ目", "大川：同じ人", "続きの行", "松本：交代\n大川：また交代"]),
        ("never", ["一つ目", "同じ人", "続きの行", "交代\nまた交代"]),
    ],
)
def test_speaker_names_are_shown_when_the_speaker_changes(tmp_path, mode, texts):
    cues = parse_captions(write(tmp_path, LABELS))
    assert [cue.text for cue in with_speaker_labels(cues, mode, "{name}：")] == texts


def test_published_captions_carry_the_names_and_read_back(tmp_path):
    cues = with_speaker_labels(parse_captions(write(tmp_path, LABELS)), "change", "[{name}] ")
    out = tmp_path / "web.vtt"
    write_vtt(cues, out)
    again = parse_captions(out)
    assert [cue.text for cue in again] == [
        "[大川] 一つ目",
        "同じ人",
        "続きの行",
        "[松本] 交代\n[大川] また交代",
    ]
    assert [cue.voices for cue in again] == [["大川"], ["大川"], [], ["松本", "大川"]]


def test_hostile_speaker_names_stay_text_in_published_captions(tmp_path):
    text = 'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v a&lt;/v&gt;<i>"x>hello\n'
    cues = with_speaker_labels(parse_captions(write(tmp_path, text)), "change", "{name}：")
    out = tmp_path / "web.vtt"
    write_vtt(cues, out)
    (cue,) = parse_captions(out)
    assert cue.voices == ["a</v><i"]  # the tag ends at the first '>'
    assert cue.parts[0].html == 'a&lt;/v&gt;&lt;i："x&gt;hello'
