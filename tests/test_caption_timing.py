"""Timing checks on captions: each problem is a ContentError with the file and the cue's line."""

from __future__ import annotations

from pathlib import Path

import pytest

from mag_core import SettingsError
from mag_core.captionchecks import markup_warnings, past_end, timing_warnings
from mag_core.captions import parse_captions
from mag_core.captionsettings import DEFAULTS, read


def cues_of(tmp_path: Path, body: str, speakers=()):
    path = tmp_path / "talk.ja.vtt"
    path.write_text("WEBVTT\n\n" + body, encoding="utf-8")
    return path, parse_captions(path, speaker_names=speakers)


def found(problems) -> list[tuple[int, str]]:
    return [(problem.line, problem.message) for problem in problems]


def test_well_timed_captions_give_no_warning(tmp_path):
    path, cues = cues_of(
        tmp_path,
        "00:00:00.000 --> 00:00:02.000\n<v 大川>新規事業の話です。\n\n"
        "00:00:02.000 --> 00:00:04.500\n<v 松本>よろしくお願いします。\n",
    )
    assert timing_warnings(cues, path, DEFAULTS) == []
    assert past_end(cues, path, 4.5) == []


def test_cues_past_the_end_of_the_video_are_one_error_from_the_first(tmp_path):
    path, cues = cues_of(
        tmp_path,
        "00:00:40.000 --> 00:00:44.000\nまだ動画の中\n\n"  # line 3
        "00:00:44.000 --> 00:00:46.000\nはみ出す\n\n"  # line 6
        "00:00:48.000 --> 00:00:52.000\n動画のあと\n",  # line 9
    )
    (error,) = past_end(cues, path, 44.6)
    assert (error.path, error.line) == (str(path), 6)
    assert "this cue and 1 more" in error.message
    assert "00:00:44.600" in error.message
    assert "00:00:52.000" in error.message


def test_a_cue_ending_within_a_tenth_of_a_second_of_the_end_is_fine(tmp_path):
    path, cues = cues_of(tmp_path, "00:00:01.000 --> 00:00:04.000\n最後\n")
    assert past_end(cues, path, 3.95) == []
    assert len(past_end(cues, path, 3.85)) == 1


def test_short_long_and_fast_cues_are_named_by_line(tmp_path):
    path, cues = cues_of(
        tmp_path,
        "00:00:00.000 --> 00:00:00.500\nはい\n\n"  # line 3: 0.5 s
        "00:00:01.000 --> 00:00:09.000\nゆっくり\n\n"  # line 6: 8 s
        "00:00:10.000 --> 00:00:11.000\n"  # line 9: 26 characters in 1 s
        "新規事業の審査では課題の解像度と\n粘り強さを見ています\n",
    )
    problems = found(timing_warnings(cues, path, DEFAULTS))
    assert [line for line, _ in problems] == [3, 6, 9]
    assert "0.50 s, under 0.7 s" in problems[0][1]
    assert "8.0 s, over 7.0 s" in problems[1][1]
    assert "26 characters in 1.00 s is 26 a second, more than 20" in problems[2][1]


def test_a_cue_exactly_at_a_limit_is_within_it(tmp_path):
    path, cues = cues_of(
        tmp_path,
        "00:00:41.300 --> 00:00:48.300\n七秒ちょうど\n\n00:00:50.100 --> 00:00:50.800\nはい\n",
    )
    assert timing_warnings(cues, path, DEFAULTS) == []


def test_limits_come_from_the_settings(tmp_path):
    path, cues = cues_of(tmp_path, "00:00:00.000 --> 00:00:00.500\nはい\n")
    assert timing_warnings(cues, path, DEFAULTS) != []
    relaxed = read({"MAG_CAPTIONS": {"min_seconds": 0.4}})
    assert timing_warnings(cues, path, relaxed) == []


def test_overlapping_cues_of_one_speaker_are_named_and_of_two_are_not(tmp_path):
    path, cues = cues_of(
        tmp_path,
        "00:00:00.000 --> 00:00:03.000\n<v 大川>私が話している間に\n\n"  # line 3
        "00:00:02.000 --> 00:00:04.000\n<v 松本>相づちを打つ\n\n"  # line 6: another speaker
        "00:00:02.500 --> 00:00:04.500\n大川：私がまた話す\n\n"  # line 9: 大川 again
        "00:00:04.200 --> 00:00:05.500\n続きも大川\n",  # line 12: no voice, continues 大川
        speakers=("大川",),
    )
    problems = found(timing_warnings(cues, path, DEFAULTS))
    assert [line for line, _ in problems] == [9, 12]
    assert "cue of 大川 on line 3 ends (00:00:03.000)" in problems[0][1]
    assert "cue of 大川 on line 9 ends (00:00:04.500)" in problems[1][1]


def test_captions_without_speakers_are_one_voice_for_overlaps(tmp_path):
    path, cues = cues_of(
        tmp_path,
        "00:00:00.000 --> 00:00:03.000\nナレーション\n\n00:00:02.000 --> 00:00:04.000\n重なる\n",
    )
    assert [line for line, _ in found(timing_warnings(cues, path, DEFAULTS))] == [6]


def test_ruby_readings_and_spaces_do_not_count_as_characters(tmp_path):
    path, cues = cues_of(
        tmp_path,
        "00:00:00.000 --> 00:00:01.000\n"
        "<ruby>共創<rt>きょうそう</rt></ruby>と<ruby>挑戦<rt>ちょうせん</rt></ruby>\n"
        "新規事業 の 審査員 対談 です\n",
    )
    assert timing_warnings(cues, path, DEFAULTS) == []  # 18 characters in 1 s


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"speaker_name": "change"}, "unknown key(s) speaker_name; known keys:"),
        ({"speaker_names": "sometimes"}, "speaker_names must be one of change, always, never"),
        ({"speaker_label": "%s: "}, "speaker_label must contain {name}"),
    ],
)
def test_bad_caption_settings_are_rejected_with_what_is_allowed(given, message):
    with pytest.raises(SettingsError) as raised:
        read({"MAG_CAPTIONS": given})
    assert message in str(raised.value)


def test_a_less_than_sign_that_swallows_text_is_named_by_its_line(tmp_path):
    path, cues = cues_of(
        tmp_path,
        "00:00:00.000 --> 00:00:03.000\n<v 大川>売上は\n前年 < 今年 で、利益 > 0 です\n\n"
        "00:00:03.000 --> 00:00:06.000\n前年 &lt; 今年 <i>正しい書き方</i>\n",
    )
    (warning,) = markup_warnings(cues, path)
    assert warning.line == 5
    assert "'< 今年 で、利益 >' is read as a tag" in warning.message
    assert cues[0].text == "売上は\n前年  0 です"  # what a browser shows too


def test_a_cue_id_with_spaces_at_its_ends_is_named(tmp_path):
    path, cues = cues_of(
        tmp_path,
        "q1 \n00:00:00.000 --> 00:00:02.000\nはい\n\nq2\n00:00:02.000 --> 00:00:04.000\nええ\n",
    )
    assert [cue.id for cue in cues] == ["q1 ", "q2"]  # kept as written, as in a browser
    (warning,) = markup_warnings(cues, path)
    assert warning.line == 3
    assert "'q1 ' has spaces" in warning.message
