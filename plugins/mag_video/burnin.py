"""Captions to burn into the short cut: an ASS script laid out for the frame.

libass wraps lines only at spaces, and Japanese has none, so lines are broken
here: measured with the same font, balanced in length, never starting with
closing punctuation (禁則), and kept inside the safe area.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mag_core.captions import Cue, clock_parts
from mag_core.kinsoku import NO_LINE_END, NO_LINE_START

from .fonts import CaptionFont

# Characters a line must not start with, and ones it must not end with.
_BREAK_AFTER = set("、。，！？」』）!?, ")
# Voice colours (ASS &HBBGGRR): white, then warm yellow, light cyan, light pink.
_VOICE_COLOURS = ("&H00FFFFFF", "&H0066E0FF", "&H00FFE9A0", "&H00D2B4FF")


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    font_size: int  # ASS size (libass: ascender + descender)
    margin_x: int
    margin_bottom: int

    @property
    def text_width(self) -> int:
        return self.width - 2 * self.margin_x


def layout_for(width: int, height: int, font: CaptionFont, config: Mapping[str, Any]) -> Layout:
    em = min(width, height) * config["caption_size"]
    return Layout(
        width=width,
        height=height,
        font_size=max(8, round(em * font.line_height / font.units_per_em)),
        margin_x=round(width * config["safe_margin_x"]),
        margin_bottom=round(height * bottom_margin(width, height, config)),
    )


def bottom_margin(width: int, height: int, config: Mapping[str, Any]) -> float:
    """Share of the frame's height kept free under the captions.

    The safe area, or more where a paused player's control bar would cover the
    captions: on a 16:9 short shown 328 CSS px wide (185 tall) the bar's 64 px
    are a third of the picture; on a 9:16 short they are a tenth.
    """
    portrait = height > width
    safe = config["safe_margin_bottom_portrait" if portrait else "safe_margin_bottom"]
    shown_height = config["player_min_width"] * height / width
    return max(safe, config["player_controls_height"] / shown_height)


def ass_document(cues: list[Cue], layout: Layout, font: CaptionFont) -> str:
    """The whole ASS script; deterministic, so it can be part of the cache key."""
    size, bold = layout.font_size, -1 if font.bold else 0
    outline, shadow = max(1.0, size * 0.08), max(0.5, size * 0.03)
    header = [
        "[Script Info]",
        "ScriptType: v4.00+",
        f"PlayResX: {layout.width}",
        f"PlayResY: {layout.height}",
        "WrapStyle: 2",
        "ScaledBorderAndShadow: yes",
        "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
        "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
        f"Style: Caption,{font.family},{size},&H00FFFFFF,&H000000FF,&H00000000,&H96000000,"
        f"{bold},0,0,0,100,100,0,0,1,{outline:.1f},{shadow:.1f},2,"
        f"{layout.margin_x},{layout.margin_x},{layout.margin_bottom},1",
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    colours: dict[str, str] = {}
    events = []
    for cue in cues:
        lines = []
        for part in cue.parts:
            colour = _colour(colours, part.voice)
            # Speaker names are already in the text (mag_core.speakers.with_speaker_labels).
            wrapped = wrap(part.text, layout.text_width, font, font.em_for(size))
            lines.extend(f"{{\\c{colour}&}}{_escape(line)}" for line in wrapped)
        start, end = _ass_time(cue.start), _ass_time(cue.end)
        text = "\\N".join(lines)
        events.append(f"Dialogue: 0,{start},{end},Caption,,0,0,0,,{text}")
    return "\n".join([*header, *events, ""])


def wrap(text: str, width: float, font: CaptionFont, em: float) -> list[str]:
    """Lines of ``text`` no wider than ``width`` pixels, of balanced length."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(_wrap_paragraph(paragraph.strip(), width, font, em))
    return [line for line in lines if line]


def _wrap_paragraph(text: str, width: float, font: CaptionFont, em: float) -> list[str]:
    measure = _measurer(str(font.path), font.index, round(em))
    total = measure(text)
    if total <= width:
        return [text]
    count = math.ceil(total / width)
    target = total / count
    lines, rest = [], text
    while rest and measure(rest) > width:
        cut = _break_at(rest, target, width, measure)
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [*lines, rest]


def _break_at(text: str, target: float, width: float, measure) -> int:
    """Where to end the next line: near ``target`` wide, at a natural boundary if one is close.

    Punctuation is the best place; next best is where hiragana (particles,
    endings) meets kanji or katakana, which is usually a phrase boundary.
    """
    fits = max((i for i in range(1, len(text)) if measure(text[:i]) <= width), default=1)

    def cost(cut: int) -> float:
        penalty = 0.0 if text[cut - 1] in _BREAK_AFTER else 0.25 * target
        if penalty and _is_kana(text[cut - 1]) and not _is_kana(text[cut]):
            penalty = 0.1 * target
        return abs(measure(text[:cut]) - target) + penalty

    return _kinsoku(text, min(range(1, fits + 1), key=cost))


def _is_kana(char: str) -> bool:
    return "\u3041" <= char <= "\u309f"


def _kinsoku(text: str, cut: int) -> int:
    """Move a break so no line starts with closing punctuation or ends with an opening one."""
    while 1 < cut < len(text) and (text[cut] in NO_LINE_START or text[cut - 1] in NO_LINE_END):
        cut -= 1
    return cut


@functools.lru_cache(maxsize=8)
def _measurer(path: str, index: int, size: int):
    from PIL import ImageFont

    face = ImageFont.truetype(path, size=max(size, 1), index=index)
    return functools.lru_cache(maxsize=4096)(face.getlength)


def _colour(colours: dict[str, str], voice: str | None) -> str:
    if voice is None:
        return _VOICE_COLOURS[0]
    if voice not in colours:
        colours[voice] = _VOICE_COLOURS[len(colours) % len(_VOICE_COLOURS)]
    return colours[voice]


def _escape(text: str) -> str:
    # Braces start ASS override blocks and a backslash starts a command: caption
    # text is shown as written, never run as markup.
    return text.replace("\\", "＼").replace("{", "｛").replace("}", "｝")


def _ass_time(seconds: float) -> str:
    """ASS times are H:MM:SS.cc (centiseconds)."""
    hours, minutes, secs, centis = clock_parts(round(seconds * 100), 100)
    return f"{hours}:{minutes:02d}:{secs:02d}.{centis:02d}"
