"""mag_transcript: a transcript page (文字起こし記事) for every video article.

Built from the same WebVTT captions as the video (``article.video.cues``, set
by mag_video): speakers, turns and timed paragraphs, highlight marks linking to
the short cut, optional ケバ取り. The page is listed in the article's format
switcher, in the feeds and in the search index; the article page offers the
same text in a collapsible panel next to the player.
"""

from __future__ import annotations

from pelican import signals

from mag_core import declare_keys

from . import settings as transcript_settings
from .feeds import add_transcripts
from .generator import TranscriptGenerator
from .settings import CLEANUP_KEY

__all__ = ["TranscriptGenerator", "register"]


def get_generators(_pelican):
    return TranscriptGenerator


def check_settings(pelican) -> None:
    """Reject a typo in MAG_TRANSCRIPT when the build starts, before any video is encoded."""
    transcript_settings.read(pelican.settings)


def register() -> None:
    declare_keys(CLEANUP_KEY)
    signals.initialized.connect(check_settings)
    signals.get_generators.connect(get_generators)
    signals.feed_generated.connect(add_transcripts)
