"""MAG_TRANSCRIPT settings, their defaults, and the per-article clean-up switch."""

from __future__ import annotations

from mag_core import ContentError, plugin_settings
from mag_core.frontmatter import line_of

# The front-matter key that turns ケバ取り on or off for one article.
CLEANUP_KEY = "TranscriptCleanup"

DEFAULTS = {
    # The transcript page lives in this folder under its article's folder.
    "folder": "transcript",
    # theme/templates/transcript.html
    "template": "transcript",
    # The page title; {title} is the video article's title.
    "title": "{title}（文字起こし）",
    # A silence longer than this many seconds starts a new paragraph.
    "pause": 2.0,
    # A long turn is split at the next sentence end once its paragraph has
    # this many characters (0: split only on pauses and speaker changes).
    "paragraph_chars": 200,
    # ケバ取り: drop fillers and immediate repetitions. Off by default, since a
    # verbatim transcript is the safe choice; articles override it.
    "cleanup": False,
    # The fillers ケバ取り removes when they stand on their own.
    "fillers": [
        "えー",
        "えーと",
        "えーっと",
        "えっと",
        "あのー",
        "あのう",
        "まあ",
        "まぁ",
        "うーん",
    ],
    # Add each transcript to every feed its video article is in.
    "feeds": True,
}

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def read(settings) -> dict:
    return plugin_settings(settings, "MAG_TRANSCRIPT", DEFAULTS)


def cleanup_for(article, config: dict) -> bool:
    """The article's ``TranscriptCleanup:`` value, or the site's default."""
    raw = article.metadata.get(CLEANUP_KEY.lower())
    if raw is None or raw == "":
        return bool(config["cleanup"])
    if isinstance(raw, bool):
        return raw
    value = str(raw).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ContentError(
        article.source_path,
        f"{CLEANUP_KEY} must be true or false, not {raw!r}",
        line=line_of(article.source_path, CLEANUP_KEY),
        hint=f"write '{CLEANUP_KEY}: true' or '{CLEANUP_KEY}: false'",
    )
