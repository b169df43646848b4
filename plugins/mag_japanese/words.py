"""Romaji by words: the analyser's tokens grouped into the units a slug may be cut between.

A "word" here is what a Japanese reader takes as one (a bunsetsu, roughly): a
noun compound (四元数, 新規事業部), a verb or adjective with its endings
(書き換えられた), with the particles that follow (を, の). Cutting a slug inside
one leaves a fragment ("…-no-yon" of 四元数) that reads as another word.
"""

from __future__ import annotations

import functools

# Parts of speech (UniDic's first level) that never start a word of their own.
_ATTACHED = frozenset({"助詞", "助動詞", "接尾辞"})
_PUNCTUATION = frozenset({"補助記号", "空白", "記号"})
_NOUNS = frozenset({"名詞", "代名詞", "形状詞"})
_SURU = "為る"  # 実行する: a verbal noun and its する are one word


@functools.cache
def _romaniser():
    import cutlet  # imported late: loading the dictionary takes a moment

    romaniser = cutlet.Cutlet()
    # "コンテスト" stays "kontesuto": an English spelling would mix languages in one URL.
    romaniser.use_foreign_spelling = False
    return romaniser


def romaji_words(text: str) -> list[str]:
    """The romaji of ``text`` (as cutlet reads it), one string a word."""
    from cutlet.cutlet import normalize_text

    romaniser = _romaniser()
    nodes = romaniser.tagger(normalize_text(text))
    tokens = romaniser.romaji_tokens(nodes)  # one token a node, in order
    words: list[str] = []
    for index, (node, token) in enumerate(zip(nodes, tokens, strict=True)):
        if not words or starts_word(nodes[index - 1], node):
            words.append("")
        words[-1] += str(token)
    return [word.strip() for word in words if word.strip()]


def starts_word(previous, node) -> bool:
    """Whether ``node`` begins a new word after ``previous`` (fugashi nodes)."""
    part, before = node.feature.pos1, previous.feature.pos1
    if previous.surface.isascii() and node.surface.isascii() and not node.white_space:
        return False  # Node.js, C/C, v1.2: one name, written without spaces
    if part in _PUNCTUATION or before in _PUNCTUATION:
        return True
    if part in _ATTACHED or before == "接頭辞":
        return False
    if before in _NOUNS or before == "接尾辞":
        # 事業部長, 四元数, 実行する: compounds of nouns, and a verbal noun with する
        return not (part in _NOUNS or node.feature.lemma == _SURU)
    return True
