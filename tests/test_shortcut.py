"""The highlight short cut: frame-accurate pieces, retimed and burned-in captions, layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import ImageChops, ImageStat
from videoclips import CAPTIONS, FPS, article, frame_at, frame_count, make_clip, video_size

from conftest import run_pelican, write_site
from mag_core import ContentError
from mag_core.captions import Cue, CuePart, parse_captions
from mag_video import burnin, fonts
from mag_video.highlights import resolve_highlights
from mag_video.model import Probe, Segment
from mag_video.retime import Piece, retime
from mag_video.settings import DEFAULTS
from mag_video.shortcut import output_size, plan, short_args

RANGES = "00:00:01.24-00:00:02.00, 00:00:03.60-00:00:05.00"


@pytest.fixture(scope="session")
def numbered(tmp_path_factory) -> bytes:
    """6 s at 25 fps, keyframes every 2 s; frame n has luma 16 + 8n (mod 224)."""
    return make_clip(tmp_path_factory.mktemp("numbered") / "n.mp4", numbered=True).read_bytes()


def build_short(root: Path, clip: bytes, *, captions: bool, aspect: str = "16:9") -> Path:
    front = f"Video: media/clip.mp4\nHighlights: {RANGES}\nShortAspect: {aspect}\n"
    files = {"media/clip.mp4": clip, "articles/talk.md": article(front)}
    if captions:
        files["media/clip.ja.vtt"] = CAPTIONS
        files["articles/talk.md"] = article(front + "Captions: media/clip.ja.vtt\n")
    content = write_site(root, files)
    run_pelican(content, root / "output", {"MAG_VIDEO": {"max_width": 320, "max_height": 180}})
    (short,) = (root / "output").glob("2026/*/short.mp4")
    return short


@pytest.fixture(scope="session")
def shorts(tmp_path_factory, numbered):
    """{(aspect, captions): short.mp4} for both aspects, with and without captions."""
    made = {}
    for aspect in ("16:9", "9:16"):
        for captions in (True, False):
            root = tmp_path_factory.mktemp(f"short-{aspect.replace(':', 'x')}-{captions}")
            made[aspect, captions] = build_short(root, numbered, captions=captions, aspect=aspect)
    return made


def luma_to_frame(value: float) -> int:
    """Frame number (mod 28) from a numbered clip's grey level (drawn full range)."""
    return round((value - 16) / 8) % 28


def test_cut_duration_is_the_sum_of_the_segments(shorts):
    # 1.24-2.00 s is frames 31..49 (19), 3.60-5.00 s is frames 90..124 (35).
    assert abs(frame_count(shorts["16:9", False]) - (19 + 35)) <= 1


def test_cuts_are_frame_accurate_not_on_keyframes(shorts):
    short = shorts["16:9", False]
    for index, source_frame in [(0, 31), (18, 49), (19, 90), (53, 124)]:
        grey = ImageStat.Stat(frame_at(short, 0, exact_frame=index).convert("L")).mean[0]
        assert luma_to_frame(grey) == source_frame % 28, (index, source_frame)


def test_short_is_h264_aac(shorts):
    from videoclips import codecs, top_level_atoms

    found = codecs(shorts["16:9", True])
    assert found["video"].startswith("h264 (High)")
    assert found["audio"].startswith("aac")
    atoms = top_level_atoms(shorts["16:9", True])
    assert atoms.index("moov") < atoms.index("mdat")


def test_retimed_captions_follow_the_cut(shorts):
    cues = parse_captions(shorts["16:9", True].with_name("short.ja.vtt"))
    # intro 0.5-2.0 s -> clipped to 1.24-2.00 -> 0.00-0.76 on the short's timeline;
    # q1 2.0-3.8 keeps only 0.2 s in the second piece: too short, dropped;
    # q2 4.0-5.6 -> 4.0-5.0 -> 0.76 + 0.40 = 1.16 to 2.16.
    assert [(c.id, c.start, c.end) for c in cues] == [("intro", 0.0, 0.76), ("q2", 1.16, 2.16)]


@pytest.mark.parametrize("aspect", ["16:9", "9:16"])
def test_burned_in_captions_are_visible_inside_the_safe_area(shorts, aspect):
    with_captions, without = shorts[aspect, True], shorts[aspect, False]
    width, height = video_size(with_captions)
    if aspect == "9:16":
        assert height > width
    difference = ImageChops.difference(frame_at(with_captions, 0.4), frame_at(without, 0.4))
    mask = difference.convert("L").point(lambda value: 255 if value > 40 else 0)
    box = mask.getbbox()
    assert box is not None, "no caption drawn"
    left, top, right, bottom = box
    assert top > height / 2  # in the lower half...
    # ...above the safe margin, and above a paused player's control bar.
    assert bottom <= height * (1 - burnin.bottom_margin(width, height, DEFAULTS)) + 2
    assert left >= width * DEFAULTS["safe_margin_x"] / 2
    assert right <= width * (1 - DEFAULTS["safe_margin_x"] / 2)
    top_half = ImageChops.difference(frame_at(with_captions, 0.4), frame_at(without, 0.4)).crop(
        (0, 0, width, height // 2)
    )
    assert ImageStat.Stat(top_half.convert("L")).mean[0] < 2


def test_each_segment_is_seeked_to_before_its_input():
    probe = Probe(600.0, 320, 180, 25.0, "h264", "aac")
    pieces = plan([Segment(100, 110), Segment(300, 320)], 25.0, 600.0)
    args = short_args(
        "ffmpeg",
        Path("in.mp4"),
        Path("out.mp4"),
        pieces=pieces,
        probe=probe,
        size=output_size(probe, "16:9", DEFAULTS),
        ass_path=None,
        config=DEFAULTS,
    )
    inputs = [i for i, arg in enumerate(args) if arg == "-i"]
    assert len(inputs) == 2
    assert [args[i - 4 : i] for i in inputs] == [
        ["-ss", "100.000000", "-t", "10.500000"],
        ["-ss", "300.000000", "-t", "20.500000"],
    ]
    assert "+faststart" in args


# Highlights: -> segments


def cue(identifier, start, end, text="テキスト", line=1):
    return Cue(identifier, start, end, line, (CuePart("大川", text, text),))


CUES = [cue("intro", 1, 3), cue("q1", 3, 5), cue("q2", 8, 10), cue("q3", 20, 24)]


def test_highlights_by_id_are_padded_and_touching_ones_joined():
    segments = resolve_highlights("intro, q1, q3", CUES, "c.vtt", 60, padding=0.25)
    assert segments == [Segment(0.75, 5.25, ("intro", "q1")), Segment(19.75, 24.25, ("q3",))]


def test_highlight_spans_and_ranges():
    segments = resolve_highlights("intro..q2, 00:00:20.5-00:00:23", CUES, "c.vtt", 60)
    assert segments == [Segment(1, 10, ("intro", "q1", "q2")), Segment(20.5, 23, ("q3",))]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("intro, q9", "no cue 'q9' in c.vtt"),
        ("intro, qq2", "did you mean 'q2'?"),
        ("q2, intro", "'intro' overlaps or comes before 'q2'"),
        ("00:00:01-00:00:05, 00:00:04-00:00:06", "overlaps or comes before"),
        ("00:00:05-00:00:05", "is empty"),
        ("00:00:06-00:00:04", "is empty"),
        ("00:00:50-00:01:05", "after the video ends (00:01:00.000)"),
    ],
)
def test_bad_highlights_name_the_article_and_line(value, message):
    with pytest.raises(ContentError) as caught:
        resolve_highlights(value, CUES, "c.vtt", 60, source=("talk.md", 6))
    assert message in str(caught.value)
    assert str(caught.value).startswith("talk.md:6: Highlights:")


def test_retime_clips_cues_and_drops_short_remnants():
    pieces = [Piece(2.0, 50, 25.0), Piece(8.5, 25, 25.0)]  # 2-4 s, 8.5-9.5 s
    result = retime(CUES, pieces, min_seconds=0.6)
    assert [(c.id, c.start, c.end) for c in result] == [
        ("intro", 0.0, 1.0),
        ("q1", 1.0, 2.0),
        ("q2", 2.0, 3.0),
    ]


def test_retime_keeps_ids_unique_when_a_cue_shows_twice():
    long = [cue("all", 0, 10)]
    result = retime(long, [Piece(1, 25, 25.0), Piece(5, 25, 25.0)], 0.5)
    assert [c.id for c in result] == ["all", "all-2"]


def test_plan_snaps_to_frames_and_stops_at_the_end():
    pieces = plan([Segment(1.01, 2.03), Segment(5.5, 9)], FPS, 6.0)
    assert [(p.start, p.frames) for p in pieces] == [(1.0, 26), (5.52, 12)]


# Burned-in captions: layout, wrapping, glyphs, escaping


@pytest.fixture(scope="module")
def font():
    return fonts.load_font(fonts.find_font(None), None)


def test_long_japanese_lines_are_wrapped_inside_the_frame(font):
    layout = burnin.layout_for(1280, 720, font, DEFAULTS)
    text = (
        "審査で一番重視するのは課題の解像度です。"
        "誰が、いつ、どんな場面で困っているのかが具体的に語れるかどうか。"
    )
    em = font.em_for(layout.font_size)
    lines = burnin.wrap(text, layout.text_width, font, em)
    assert len(lines) >= 2
    assert "".join(lines) == text
    from PIL import ImageFont

    face = ImageFont.truetype(str(font.path), size=round(em), index=font.index)
    assert all(face.getlength(line) <= layout.text_width for line in lines)
    assert not any(line[0] in "、。」" for line in lines)  # 禁則: no line starts with these
    lengths = [len(line) for line in lines]
    assert max(lengths) - min(lengths) <= max(lengths) / 2  # balanced, no one-word last line


@pytest.mark.parametrize(("size", "share"), [((1280, 720), 0.347), ((720, 1280), 0.16)])
def test_captions_clear_the_control_bar_at_the_narrowest_player(size, share):
    # 16:9 shown 328 CSS px wide is 184.5 px tall: a 64-px control bar is 34.7 % of it;
    # 9:16 is 583 px tall there, so its safe margin (16 %) already clears the bar.
    assert burnin.bottom_margin(*size, DEFAULTS) == pytest.approx(share, abs=0.001)


def test_caption_size_is_legible_on_a_phone(font):
    portrait = burnin.layout_for(720, 1280, font, DEFAULTS)
    # Seen full-width on a 390-px-wide phone screen, the text is at least 15 CSS px.
    assert font.em_for(portrait.font_size) * 390 / 720 >= 15


def test_caption_markup_cannot_inject_ass_commands(font):
    layout = burnin.layout_for(320, 180, font, DEFAULTS)
    hostile = [cue("x", 0, 2, text="{\\pos(0,0)\\fs200}乗っ取り\\N")]
    document = burnin.ass_document(hostile, layout, font)
    dialogue = document.splitlines()[-1]
    assert "\\pos" not in dialogue
    assert "｛＼pos(0,0)＼fs200｝乗っ取り＼N" in dialogue


def test_missing_glyph_names_the_character_and_cue(font):
    with pytest.raises(ContentError) as caught:
        fonts.check_glyphs([cue("q3", 0, 2, text="絵文字😀です", line=14)], font, Path("c.vtt"))
    assert str(caught.value).startswith("c.vtt:14: ")
    assert "'😀' (U+1F600) in cue 'q3'" in str(caught.value)
