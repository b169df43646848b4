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

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .math import MATH_CLASS

# Paragraphs that are no prose although Markdown made them <p>: math it did not
# see (in raw HTML, or with the math extension off); a note block of Zenn or
# Qiita (":::message" … ":::"); a URL alone on its line (a link card there).
_NOT_PROSE = re.compile(
    r"\$\$|\\\(|\\\[|\$(?![\s$])[^$\n]+?(?<![\s\\])\$(?!\d)|\A:::|\Ahttps?://\S+\Z"
)
# A tag or a comment. Read lazily with finditer: a summary needs the opening of
# an article only, and the rest of it is never scanned (an HTML parser reads it all
# and was 20 times slower on a long article).
_TAG = re.compile(
    r"<!--.*?-->|<(?P<end>/?)(?P<name>[a-zA-Z][a-zA-Z0-9-]*)"
    r"(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
    re.DOTALL,
)
_CLASS = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)
_EMPHASIS = frozenset({"em", "strong", "i", "b"})


@dataclass
class _Paragraph:
    """The top-level <p> being read."""

    text: list[str] = field(default_factory=list)
    plain: bool = False  # some of its text is outside emphasis
    rejected: bool = False  # it holds math or a picture
    emphasis: int = 0
    footnote_depth: int | None = None  # inside <sup>: a footnote number, not prose

    def add(self, data: str) -> None:
        if self.footnote_depth is None and data:
            self.text.append(data)
            self.plain = self.plain or (bool(data.strip()) and not self.emphasis)

    def prose(self) -> str | None:
        text = "".join(self.text).strip()
        keep = text and self.plain and not self.rejected and not _NOT_PROSE.search(text)
        return text if keep else None


def prose_paragraphs(markup: str) -> Iterator[str]:
    """The prose paragraphs of an article's HTML, in order, read as far as asked for."""
    depth, paragraph, position = 0, None, 0
    for tag in _TAG.finditer(markup):
        if paragraph is not None:
            paragraph.add(html.unescape(markup[position : tag.start()]))
        position = tag.end()
        name = (tag["name"] or "").lower()
        if not name or name in _VOID:
            if name == "img" and paragraph is not None:
                paragraph.rejected = True  # a picture's paragraph: the text is its caption
            continue
        if tag["end"]:
            depth = max(0, depth - 1)
            if paragraph is not None:
                _close(paragraph, name, depth)
                if name == "p" and depth == 0:
                    if (text := paragraph.prose()) is not None:
                        yield text
                    paragraph = None
            continue
        depth += 1
        if name == "p" and depth == 1:
            paragraph = _Paragraph()
        elif paragraph is not None:
            _open(paragraph, name, tag["attrs"], depth)


def _open(paragraph: _Paragraph, name: str, attrs: str, depth: int) -> None:
    classes = _CLASS.search(attrs)
    if classes and MATH_CLASS in "".join(c or "" for c in classes.groups()).split():
        paragraph.rejected = True
    elif name == "sup" and paragraph.footnote_depth is None:
        paragraph.footnote_depth = depth
    elif name in _EMPHASIS:
        paragraph.emphasis += 1


def _close(paragraph: _Paragraph, name: str, depth: int) -> None:
    if paragraph.footnote_depth is not None and paragraph.footnote_depth > depth:
        paragraph.footnote_depth = None
    if name in _EMPHASIS and paragraph.emphasis:
        paragraph.emphasis -= 1
