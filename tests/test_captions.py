"""The one caption parser (mag_core.captions): errors name the file and line; markup is safe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mag_core import ContentError
from mag_core.captions import format_timestamp, parse_captions, write_vtt

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


@pytest.mark.parametrize(
    ("encoding", "label"), [("cp932", "CP932"), ("euc_jp", "EUC-JP")]
)  # fmt: skip
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
