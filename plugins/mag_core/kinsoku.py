"""Japanese line-breaking rules (禁則処理): one table for every place that breaks lines.

Share cards and cover titles (mag_illustrated) and burned-in captions
(mag_video) break Japanese text themselves; both use these sets, so a line
never starts with a closing mark or small kana, nor ends with an opening mark,
wherever the magazine draws text.
"""

from __future__ import annotations

# Characters that may not start a line.
NO_LINE_START = frozenset(
    "、。，．,.・：；:;？！?!ー―‐…‥）)］]｝}」』】〕〉》”’"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ々〻ゝゞヽヾ％%"
)
# Characters that may not end a line.
NO_LINE_END = frozenset("（(［[｛{「『【〔〈《“‘")
