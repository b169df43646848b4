"""The prose of an article: the text of its paragraphs, for summaries.

Real articles start with a heading (``## はじめに``), and carry code, math,
tables, figures and raw HTML; none of that belongs in a summary shown on a
list page. Only the paragraphs at the top level of the article count, which
leaves out headings, code blocks, tables, lists, quotes and raw HTML blocks at
once; inside them, a paragraph with math, a picture (its text is a caption) or
nothing but emphasis (a caption or a note) is left out too.

Rejected: stripping the tags of the whole article (the old way), which glued
the first heading to the first sentence (「はじめにGitのrebaseは…」).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

from .math import MATH_CLASS

# Math Markdown did not see (in raw HTML, or with the math extension off).
_RAW_MATH = re.compile(r"\$\$|\\\(|\\\[|\$(?![\s$])[^$\n]+?(?<![\s\\])\$(?!\d)")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})  # fmt: skip
_EMPHASIS = frozenset({"em", "strong", "i", "b"})
_CHUNK = 4096  # read this much more HTML only while the summary still needs text


class _ParagraphReader(HTMLParser):
    """Collects the text of top-level ``<p>`` elements that are prose."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # open elements, <p> included
        self.paragraphs: list[str] = []
        self._text: list[str] | None = None  # the current top-level paragraph's text
        self._plain = False  # some of its text is outside emphasis
        self._emphasis = 0
        self._rejected = False
        self._skip_depth: int | None = None  # inside a footnote mark: no text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            if tag == "img" and self._text is not None:
                self._rejected = True  # a picture's paragraph: the text is its caption
            return
        self.depth += 1
        if tag == "p" and self.depth == 1:
            self._text, self._plain, self._emphasis, self._rejected = [], False, 0, False
        elif self._text is not None:
            classes = (dict(attrs).get("class") or "").split()
            if MATH_CLASS in classes:
                self._rejected = True
            elif tag == "sup" and self._skip_depth is None:
                self._skip_depth = self.depth  # footnote numbers are not prose
            elif tag in _EMPHASIS:
                self._emphasis += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if self._skip_depth == self.depth:
            self._skip_depth = None
        if tag in _EMPHASIS and self._emphasis:
            self._emphasis -= 1
        self.depth = max(0, self.depth - 1)
        if tag == "p" and self.depth == 0 and self._text is not None:
            self._finish()

    def handle_data(self, data: str) -> None:
        if self._text is None or self._skip_depth is not None:
            return
        self._text.append(data)
        if data.strip() and not self._emphasis:
            self._plain = True

    def _finish(self) -> None:
        text = "".join(self._text or []).strip()
        if text and self._plain and not self._rejected and not _RAW_MATH.search(text):
            self.paragraphs.append(text)
        self._text = None


def prose_paragraphs(markup: str, enough: int | None = None) -> Iterator[str]:
    """The prose paragraphs of an article's HTML, in order.

    With ``enough``, reading stops once that many characters of prose were
    found: a summary needs the opening only, and an article can be long.
    """
    reader = _ParagraphReader()
    found = given = 0
    for start in range(0, len(markup), _CHUNK):
        reader.feed(markup[start : start + _CHUNK])
        while given < len(reader.paragraphs):
            found += len(reader.paragraphs[given])
            yield reader.paragraphs[given]
            given += 1
        if enough is not None and found > enough:
            return
    reader.close()
    yield from reader.paragraphs[given:]
