"""mag_video: captioned web video, a highlight short cut with burned-in captions, posters.

Reads ``Video:``, ``Captions:``, ``Highlights:``, ``Poster:`` and ``ShortAspect:``
from an article's front matter, renders through the shared content-addressed
cache (mag_core.cache) and attaches ``article.video`` (a VideoInfo) for the
templates. The renditions are published, and the sources left out of the site,
by the build (mag_core.build): this plugin keeps no state of its own.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pelican import signals

from mag_core import ContentError, add_format, captionsettings, declare_keys, report
from mag_core.build import build_of
from mag_core.captions import each_problem
from mag_core.contents import articles_with_pages

from .highlights import resolve_highlights
from .model import Segment, ShortCut, VideoInfo
from .pipeline import Renderer
from .settings import read as read_settings
from .sources import read_front

__all__ = ["Segment", "ShortCut", "VideoInfo", "register", "resolve_highlights"]

logger = logging.getLogger(__name__)


def check_settings(pelican) -> None:
    """Reject a typo in MAG_VIDEO (or MAG_CAPTIONS) when the build starts, not per article."""
    read_settings(pelican.settings)
    captionsettings.read(pelican.settings)


def add_videos(generator) -> None:
    """Render (or find in the cache) every video article's outputs; attach article.video."""
    settings = generator.settings
    renderer = Renderer(settings)
    content_root = Path(generator.path)
    for article in articles_with_pages(generator.context):
        try:
            front = read_front(article, content_root, renderer.config["short_aspect"])
            if front is None:
                continue
            article.video, files = renderer.render(front, article.save_as)
        except ContentError as error:
            # The page is still written, without the player (the front matter's
            # string must not reach the template as if it were a video).
            article.video = None
            for problem in each_problem(error):  # a caption file's problems, one by one
                report(problem, settings)
            continue
        build = build_of(settings)
        for cached, destination in files:
            build.publish(cached, destination)
        for source in (front.video, front.captions):
            if source:
                build.consume(source)
        add_format(article, "video", f"{article.url}#video")
        if article.video.short is not None:
            add_format(article, "short", f"{article.url}#short")


def register() -> None:
    # Speakers: the names a 'Name:' caption prefix may give (mag_core.speakers).
    declare_keys("video", "captions", "highlights", "poster", "shortaspect", "speakers")
    signals.initialized.connect(check_settings)
    signals.article_generator_finalized.connect(add_videos)
