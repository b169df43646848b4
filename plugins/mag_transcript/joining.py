"""Join caption lines and cues into running text, the way Japanese is written.

Caption files break lines for the screen. Japanese has no spaces between
words, so a break between two Japanese characters disappears; a space is kept
only between two Latin-script words ("PoC の" stays "PoCの", "next step" stays
two words).
"""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]+>")
_RT = re.compile(r"<rt>.*?</rt>", re.DOTALL)
_LINE_BREAK = re.compile(r"\s*\n\s*")


def is_wide(char: str) -> bool:
    """CJK characters, kana and full-width punctuation: no space next to them."""
    return char >= "\u2e80"


def separator(left: str, right: str) -> str:
    """'' or ' ' between two pieces of plain text."""
    left, right = left.rstrip(), right.lstrip()
    if not left or not right or is_wide(left[-1]) or is_wide(right[0]):
        return ""
    return " "


def visible(markup: str) -> str:
    """The characters a reader sees in safe caption HTML (ruby readings left out)."""
    return html.unescape(_TAG.sub("", _RT.sub("", markup)))


def unbreak_text(text: str) -> str:
    """A cue's plain text with its line breaks joined."""
    return _LINE_BREAK.sub(lambda m: separator(text[: m.start()], text[m.end() :]), text)


def unbreak_html(markup: str) -> str:
    """A cue's safe HTML with its line breaks joined."""
    return _LINE_BREAK.sub(
        lambda m: separator(visible(markup[: m.start()]), visible(markup[m.end() :])), markup
    )


def join(pieces: list[tuple[str, str]]) -> tuple[str, str]:
    """Join (text, html) pieces into one (text, html)."""
    text_out, html_out = "", ""
    for text, markup in pieces:
        gap = separator(text_out, text)
        text_out += gap + text.strip()
        html_out += gap + markup.strip()
    return text_out, html_out
