"""Keep TeX math in Markdown intact, and marked, so summaries can leave it out.

Japanese technical articles write math the way Qiita and Zenn render it:
``$…$``, ``$$…$$``, ``\\(…\\)`` and ``\\[…\\]``. Python-Markdown knows none of
them: ``\\(`` loses its backslash as an escape and ``a_1 + b_1`` may become
emphasis, so the page shows broken formulas and a summary shows raw ``$$``.
This extension takes each formula out before those rules run and writes it,
unchanged, in ``<span class="math">`` (``math display`` for a block), where a
local math renderer can find it and the summary knows to skip it.

Dollar signs follow Pandoc's rule, so prices are not formulas: the opening
``$`` has a non-space right after it, the closing one a non-space right before
it and no digit right after it ("$100 and $200" stays text).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString

MATH_CLASS = "math"
_DISPLAY = r"\$\$.+?\$\$|\\\[.+?\\\]"
_INLINE = r"\\\(.+?\\\)|\$(?![\s$])(?:[^$\\\n]|\\.)+?(?<![\s\\])\$(?!\d)"
MATH_PATTERN = rf"(?s)(?P<display>{_DISPLAY})|(?P<inline>{_INLINE})"
# Above Markdown's escapes (180), which would eat the backslash of \( and \[;
# below code spans (190), so a $ inside `code` stays code.
_PRIORITY = 185


class _MathProcessor(InlineProcessor):
    def handleMatch(self, match: re.Match, _data: str):
        element = etree.Element("span")
        element.set("class", f"{MATH_CLASS} display" if match["display"] else MATH_CLASS)
        element.text = AtomicString(match.group(0))  # no Markdown rule applies inside
        return element, match.start(0), match.end(0)


class MathExtension(Extension):
    def extendMarkdown(self, md) -> None:
        md.inlinePatterns.register(_MathProcessor(MATH_PATTERN, md), "mag_math", _PRIORITY)


def makeExtension(**kwargs) -> MathExtension:
    return MathExtension(**kwargs)
