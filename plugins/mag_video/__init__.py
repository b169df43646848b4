"""mag_video: captioned web video, a highlight short cut with burned-in captions, posters.

Reads ``Video:``, ``Captions:``, ``Highlights:``, ``Poster:`` and ``ShortAspect:``
from an article's front matter, renders through the shared content-addressed
cache (mag_core.cache) and attaches ``article.video`` (a VideoInfo) for the
templates. Cached files are published into the output when the build ends.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pelican import signals

from mag_core import ContentError, add_format, captionsettings, declare_keys, report
from mag_core.cache import publish_file
from mag_core.captions import each_problem
from mag_core.contents import articles_with_pages

from .highlights import resolve_highlights
from .model import Segment, ShortCut, VideoInfo
from .pipeline import Renderer
from .settings import read as read_settings
from .sources import read_front

__all__ = ["Segment", "ShortCut", "VideoInfo", "register", "resolve_highlights"]

logger = logging.getLogger(__name__)

# One build's state; reset when the article generator starts (pelican -r and
# livereload reuse one process for many builds).
_pending: list[tuple[Path, str]] = []
_consumed: set[str] = set()


def reset(*_args) -> None:
    _pending.clear()
    _consumed.clear()


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
        _pending.extend(files)
        _consumed.update(str(path) for path in (front.video, front.captions) if path)
        add_format(article, "video", f"{article.url}#video")
        if article.video.short is not None:
            add_format(article, "short", f"{article.url}#short")


def drop_sources(generator) -> None:
    """Sources made into renditions are not copied to the site as they are."""
    kept = [
        static
        for static in generator.staticfiles
        if str(Path(generator.path, static.source_path).resolve()) not in _consumed
    ]
    generator.staticfiles[:] = kept
    if "staticfiles" in generator.context:
        generator.context["staticfiles"] = kept


def publish(pelican) -> None:
    """Put the cached renditions into the finished output (links, not copies, when possible)."""
    output = Path(pelican.output_path)
    for source, destination in _pending:
        publish_file(source, output / destination)
    _pending.clear()


def register() -> None:
    # Speakers: the names a 'Name:' caption prefix may give (mag_core.speakers).
    declare_keys("video", "captions", "highlights", "poster", "shortaspect", "speakers")
    signals.initialized.connect(check_settings)
    signals.article_generator_init.connect(reset)
    signals.article_generator_finalized.connect(add_videos)
    signals.static_generator_finalized.connect(drop_sources)
    signals.finalized.connect(publish)
