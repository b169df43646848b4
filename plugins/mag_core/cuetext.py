"""Cue text -> a tree of WebVTT nodes -> runs by voice, as plain text and safe HTML.

Follows the W3C "WebVTT cue text parsing rules" (tokenizer and tree
building), so markup means what it means in a browser:
- every tag still open at the end of a cue is closed there, so an unclosed
  ``<i>`` never reaches the next cue, transcript turn or page footer;
- a tag the spec does not know (``<a href=…>``, ``<script>``, SRT's ``<font>``)
  is dropped and its text kept, in the web captions, the transcript and the
  burned-in short alike;
- ``<c>`` and timestamp tags carry nothing for readers and vanish;
  ``<lang>`` becomes ``span[lang]``; ``<rt>`` counts only inside ``<ruby>``.

The only HTML that comes out is b, i, u, ruby, rt and span[lang], built here
from the tree, never copied from the input.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from .webvtt import Scanner  # the one timestamp reader

# Tag name -> the HTML element it becomes; "c" and "v" have none (v makes runs).
_KNOWN = {
    "c": None,
    "i": "i",
    "b": "b",
    "u": "u",
    "ruby": "ruby",
    "rt": "rt",
    "v": None,
    "lang": "span",
}
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
# ASCII whitespace only: an ideographic space (U+3000) is text in a voice name.
_WHITESPACE = "\t\n\f\r "
_SPACES = re.compile("[\t\n\f\r ]+")
_DIGITS = "0123456789"


@dataclass
class Node:
    """A WebVTT internal node (c, i, b, u, ruby, rt, v, lang) or a timestamp (no children)."""

    name: str
    classes: tuple[str, ...] = ()
    annotation: str = ""  # the voice of <v>, the language of <lang>
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = field(default=None, repr=False, compare=False)
    seconds: float | None = None  # timestamp nodes only


def parse_cue_text(text: str) -> list[Node | str]:
    """The spec's cue text parsing rules: the root's children (text nodes are str)."""
    root = Node("root")
    current = root
    for kind, value, classes, annotation in _tokens(text):
        if kind == "text":
            current.children.append(value)
        elif kind == "start":
            node = _start_tag(current, value, classes, annotation)
            if node is not None:
                current.children.append(node)
                current = node
        elif kind == "end":
            current = _end_tag(current, value)
        else:
            scan = Scanner(value)
            seconds = scan.timestamp()
            if isinstance(seconds, float) and scan.at == len(value):
                current.children.append(Node("timestamp", seconds=seconds, parent=current))
    return root.children


def _start_tag(current: Node, name: str, classes, annotation: str) -> Node | None:
    if name not in _KNOWN or (name == "rt" and current.name != "ruby"):
        return None  # unknown tags are ignored; their text stays
    keep = annotation if name in {"v", "lang"} else ""
    return Node(name, tuple(classes), keep, parent=current)


def _end_tag(current: Node, name: str) -> Node:
    if name == current.name and current.parent is not None:
        return current.parent
    if name == "ruby" and current.name == "rt":
        return current.parent.parent  # </ruby> closes an open <rt> too
    return current


def _tokens(text: str):
    """The spec's cue text tokenizer: ("text", s) / ("start", name, classes, annotation)
    / ("end", name) / ("timestamp", value), each padded to four fields."""
    at, length = 0, len(text)
    while at < length:
        if text[at] != "<":
            end = text.find("<", at)
            end = length if end < 0 else end
            yield "text", _unescape(text[at:end]), (), ""
            at = end
            continue
        close = text.find(">", at + 1)
        inside = text[at + 1 : length if close < 0 else close]
        at = length if close < 0 else close + 1
        yield _tag(inside)


def _tag(inside: str):
    if inside.startswith("/"):
        return "end", inside[1:], (), ""
    if inside and inside[0] in _DIGITS:  # ASCII only: '１' starts a tag name
        return "timestamp", inside, (), ""
    head, annotation = inside, ""
    cut = next((i for i, char in enumerate(inside) if char in _WHITESPACE), None)
    if cut is not None:
        head, annotation = inside[:cut], inside[cut + 1 :]
    name, *classes = head.split(".")
    annotation = _SPACES.sub(" ", _unescape(annotation)).strip(_WHITESPACE)
    return "start", name, tuple(classes), annotation


def _unescape(text: str) -> str:
    """HTML character references, consumed as HTML does in text (the spec's tokenizer)."""
    return html.unescape(text) if "&" in text else text


@dataclass(frozen=True)
class Leaf:
    """A text node with the formatting elements around it and its innermost voice."""

    text: str
    elements: tuple[Node, ...]  # outermost first; only those that become HTML
    voice: str | None
    in_rt: bool


def leaves(nodes: list[Node | str]) -> list[Leaf]:
    out: list[Leaf] = []
    _walk(nodes, (), None, False, out)
    return out


def _walk(nodes, elements, voice, in_rt, out) -> None:
    for node in nodes:
        if isinstance(node, str):
            out.append(Leaf(node, elements, voice, in_rt))
        elif node.name == "v":
            _walk(node.children, elements, node.annotation or voice, in_rt, out)
        elif node.name == "timestamp":
            continue
        elif _element(node) is None:
            _walk(node.children, elements, voice, in_rt, out)
        else:
            inner = in_rt or node.name == "rt"
            _walk(node.children, (*elements, node), voice, inner, out)


def _element(node: Node) -> str | None:
    if node.name == "lang" and not _LANG.match(node.annotation):
        return None  # a language that is not a language tag is dropped, not escaped into HTML
    return _KNOWN.get(node.name)


def _open(node: Node) -> str:
    if node.name == "lang":
        return f'<span lang="{html.escape(node.annotation)}">'
    return f"<{_KNOWN[node.name]}>"


def render_html(run: list[Leaf]) -> str:
    """Balanced safe HTML for consecutive leaves: every element opened is closed."""
    out: list[str] = []
    stack: list[Node] = []
    for leaf in run:
        common = 0
        while (
            common < len(stack)
            and common < len(leaf.elements)
            and stack[common] is leaf.elements[common]
        ):
            common += 1
        while len(stack) > common:
            out.append(f"</{_KNOWN[stack.pop().name]}>")
        for node in leaf.elements[common:]:
            out.append(_open(node))
            stack.append(node)
        out.append(html.escape(leaf.text, quote=False))
    out.extend(f"</{_KNOWN[node.name]}>" for node in reversed(stack))
    return "".join(out)


def render_text(run: list[Leaf]) -> str:
    """Plain text for readers: ruby readings left out (共創, not 共創きょうそう)."""
    return "".join(leaf.text for leaf in run if not leaf.in_rt)


def html_to_cue_text(markup: str) -> str:
    """Safe HTML made by :func:`render_html` back to cue text (only span[lang] differs)."""
    markup = re.sub(r'<span lang="([^"]+)">', r"<lang \1>", markup)
    return markup.replace("</span>", "</lang>")
