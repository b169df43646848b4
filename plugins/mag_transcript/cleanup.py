"""ケバ取り: fillers and immediate repetitions taken out for reading.

Conservative on purpose, since a wrong cut changes what someone said:
- a filler goes only when it stands alone: at the start of a cue or after a
  punctuation mark or space (「えーと今日は」), or followed by 、 (「今日はまあ、」);
  it may be drawn out (「えーー」). 「まあまあ」 and 「あの人」 stay.
- a repetition goes only when a stretch of two or more characters comes again
  right after a 、 or a space (「私は、私は」 -> 「私は」); doubled words
  without a break (「どんどん」「まだまだ」) stay.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import cache

_PUNCT_OR_SPACE = r"\s、。，．,.！？!?「」『』（）()…"
_BREAK = r"[、，,…\s]"
_REPEAT = re.compile(rf"([^{_PUNCT_OR_SPACE}]{{2,12}}?){_BREAK}+(?=\1)")
_TAG = re.compile(r"(<[^>]+>)")
_DOUBLE_PUNCT = re.compile(r"[、，,]+(?=[。！？!?、，,])")


@cache
def _filler_pattern(fillers: tuple[str, ...]) -> re.Pattern:
    names = "|".join(re.escape(f) for f in sorted(fillers, key=len, reverse=True))
    drawn_out = rf"(?:{names})[ー〜~]*"
    # Standing alone: at a boundary (but not doubled, as in まあまあ),
    # or anywhere when followed by 、.
    alone = rf"(?:(?<=^)|(?<=[{_PUNCT_OR_SPACE}])){drawn_out}(?!{names}){_BREAK}*"
    with_comma = rf"{drawn_out}[、，,]+\s*"
    return re.compile(rf"{alone}|{with_comma}")


def clean_text(text: str, fillers: Iterable[str]) -> str:
    """``text`` without fillers and immediate repetitions."""
    fillers = tuple(fillers)
    if fillers:
        text = _filler_pattern(fillers).sub("", text)
    text = _REPEAT.sub("", text)
    return _DOUBLE_PUNCT.sub("", text)


def clean_html(markup: str, fillers: Iterable[str]) -> str:
    """The same clean-up on safe caption HTML: only the text between tags changes."""
    fillers = tuple(fillers)
    pieces = _TAG.split(markup)
    for index in range(0, len(pieces), 2):  # even pieces are text, odd ones tags
        text = html.unescape(pieces[index])
        if text:
            pieces[index] = html.escape(clean_text(text, fillers), quote=False)
    return "".join(pieces)
