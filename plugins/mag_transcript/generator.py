"""The transcript generator: one page per video article, written with a theme template."""

from __future__ import annotations

import logging

from pelican.generators import Generator

from mag_core import ContentError, add_format, report
from mag_core.contents import articles_with_pages

from . import settings as transcript_settings
from .page import make_page

logger = logging.getLogger(__name__)


class TranscriptGenerator(Generator):
    """Runs after the article generator, so it sees ``article.video`` on finished articles."""

    def generate_context(self) -> None:
        self.config = transcript_settings.read(self.settings)
        self.transcripts = []
        for article in articles_with_pages(self.context):
            page = self._page_for(article)
            if page is not None:
                article.transcript = page
                add_format(article, "transcript", page.url)
                self.transcripts.append(page)
        self._update_context(("transcripts",))
        if self.transcripts:
            logger.debug("mag_transcript: %d transcript page(s)", len(self.transcripts))

    def _page_for(self, article):
        video = getattr(article, "video", None)
        if video is None or video.captions_path is None:
            return None  # no video, or one without captions (mag_video reports that)
        if not video.cues:
            report(
                ContentError(
                    video.captions_path or article.source_path,
                    "the captions have no cues, so the video has no transcript",
                    hint="add captions, or check the Captions: path",
                ),
                self.settings,
            )
            return None
        try:
            cleaned = transcript_settings.cleanup_for(article, self.config)
        except ContentError as error:
            report(error, self.settings)
            cleaned = bool(self.config["cleanup"])
        return make_page(article, self.config, cleaned=cleaned)

    def generate_output(self, writer) -> None:
        template = self.get_template(self.config["template"])
        for page in self.transcripts:
            writer.write_file(
                page.save_as,
                template,
                self.context,
                # Not article=...: the sitemap takes a page's URL from
                # context["article"] (or ["page"]); the template sets `article`.
                transcript=page,
                page=page,
                page_name=page.url.rstrip("/"),
                url=page.url,
                relative_urls=self.settings["RELATIVE_URLS"],
            )
