"""The transcript page of one video article: URL, title, text, reading time."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from mag_japanese import settings as japanese_settings
from mag_japanese.reading import reading_minutes, summarise

from .model import Highlight, Turn
from .turns import build_turns, number_and_mark, pieces_from_cues


@dataclass
class TranscriptPage:
    """What transcript.html renders; dates and category are the article's."""

    article: object
    url: str
    save_as: str
    title: str
    turns: list[Turn]
    highlights: list[Highlight] = field(default_factory=list)
    reading_time: int = 1
    summary: str = ""  # escaped, like Pelican's summaries
    cleaned: bool = False

    # Pelican's list and feed code, and the article_meta macro, read these.
    @property
    def date(self):
        return self.article.date

    @property
    def modified(self):
        return getattr(self.article, "modified", None)

    @property
    def locale_date(self):
        return self.article.locale_date

    @property
    def category(self):
        return self.article.category

    @property
    def speakers(self) -> list[str]:
        names = (turn.speaker for turn in self.turns if turn.speaker)
        return list(dict.fromkeys(names))

    @property
    def text(self) -> str:
        return "\n".join(p.text for turn in self.turns for p in turn.paragraphs)


def page_paths(article, folder: str) -> tuple[str, str]:
    """(url, save_as) of the transcript under its article's folder."""
    return _folder(article.url) + folder + "/", _folder(article.save_as) + folder + "/index.html"


def _folder(path: str) -> str:
    # '2026/slug/' and '2026/slug/index.html' -> '2026/slug/'; 'slug.html' -> 'slug/'
    if path.endswith("/"):
        return path
    if path.endswith("/index.html") or path == "index.html":
        return path[: -len("index.html")]
    return path.rsplit(".", 1)[0] + "/"


def short_highlights(video) -> list[Highlight]:
    """The short cut's segments, each with where it starts in the short."""
    short = getattr(video, "short", None)
    if short is None:
        return []
    highlights, offset = [], 0.0
    for index, segment in enumerate(short.segments):
        highlights.append(Highlight(index, segment.start, segment.end, offset))
        offset += segment.end - segment.start
    return highlights


def make_page(article, config: dict, *, cleaned: bool) -> TranscriptPage:
    """The transcript of ``article`` (which has ``article.video``); ``cleaned``: ケバ取り."""
    video = article.video
    highlights = short_highlights(video)
    pieces = pieces_from_cues(video.cues, highlights, config["fillers"] if cleaned else None)
    turns = build_turns(pieces, float(config["pause"]), int(config["paragraph_chars"]))
    number_and_mark(turns)
    url, save_as = page_paths(article, config["folder"])
    page = TranscriptPage(
        article=article,
        url=url,
        save_as=save_as,
        title=config["title"].format(title=article.title),
        turns=turns,
        highlights=highlights,
        cleaned=cleaned,
    )
    japanese = japanese_settings.read(article.settings)
    page.reading_time = reading_minutes(
        page.text, japanese["chars_per_minute"], japanese["words_per_minute"]
    )
    opening = summarise(
        page.text, japanese["summary_length"], japanese["sentence_ends"], japanese["ellipsis"]
    )
    page.summary = html.escape(opening, quote=False)  # templates print it as HTML
    return page
