"""Transcripts in the Atom/RSS feeds: each follows its video article in every feed.

Pelican builds each feed from its own list of articles (all, per category,
per author...). Hooking the finished feed covers all of them with one rule:
wherever a video article is, its transcript comes right after it.
"""

from __future__ import annotations

import html

from feedgenerator import get_tag_uri

from mag_japanese.reading import html_to_text

from . import settings as transcript_settings


def add_transcripts(context, feed) -> None:
    """``feed_generated`` handler: insert a transcript entry after each video article."""
    # The context Pelican sends holds the settings and the generators' output.
    transcripts = context.get("transcripts")
    if not transcripts or not transcript_settings.read(context)["feeds"]:
        return
    items = []
    for item in feed.items:
        items.append(item)
        transcript = _transcript_of(item["link"], transcripts)
        if transcript is not None:
            items.append(_entry(item, transcript))
    limit = context.get("FEED_MAX_ITEMS")
    feed.items[:] = items[:limit] if limit else items


def _transcript_of(link: str, transcripts):
    path, _, _ = link.partition("?")
    for transcript in transcripts:
        url = transcript.article.url
        if path == url or path.endswith("/" + url):
            return transcript
    return None


def _entry(item: dict, transcript) -> dict:
    path, mark, query = item["link"].partition("?")
    link = path[: len(path) - len(transcript.article.url)] + transcript.url + mark + query
    return {
        **item,
        "title": html_to_text(transcript.title).strip(),
        "link": link,
        "unique_id": get_tag_uri(link, item.get("pubdate")),
        "description": transcript.summary,
        "content": feed_html(transcript),
        "enclosures": (),
    }


def feed_html(transcript) -> str:
    """The transcript as simple HTML for feed readers: a paragraph each, names in bold."""
    out = []
    for turn in transcript.turns:
        for number, paragraph in enumerate(turn.paragraphs):
            body = "".join(run.html for run in paragraph.runs)
            if turn.speaker and number == 0:
                body = f"<b>{html.escape(turn.speaker)}</b>：{body}"
            out.append(f"<p>{body}</p>")
    return "\n".join(out)
