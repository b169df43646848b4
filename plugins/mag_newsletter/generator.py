"""The newsletter generator: after every page is known, one email per reader segment."""

from __future__ import annotations

import logging
from pathlib import Path

from pelican.generators import Generator

from . import settings as newsletter_settings
from .bundle import Lists, write_issue
from .compose import Campaign, compose
from .render import environment, render_segment
from .select import select_articles

logger = logging.getLogger(__name__)


class NewsletterGenerator(Generator):
    """Writes ``<output_dir>/<issue>/<segment>.html|.txt`` and ``issue.json``.

    Runs its work in generate_output: by then every plugin's generate_context
    has added its formats (transcript, illustrated) to the articles.
    """

    def generate_context(self) -> None:
        self.config = newsletter_settings.read(self.settings)
        self.selection = newsletter_settings.selection(self.config)

    def generate_output(self, writer) -> None:  # noqa: ARG002 - emails are not site pages
        if self.selection is None:
            return
        issue = self.selection.issue
        articles = select_articles(
            self.context.get("articles", []), self.selection, self.config["max_articles"]
        )
        if not articles:
            logger.warning(
                "mag_newsletter: issue %s has no articles (since %s, series %r); no email made",
                issue,
                self.selection.since or "-",
                self.selection.series,
            )
            return
        site_url = newsletter_settings.site_url(self.config, self.settings)
        folder = f"{self.config['output_dir'].strip('/')}/{issue}"
        env = environment(self.settings)
        rendered = []
        for segment in newsletter_settings.segments(self.settings):
            campaign = Campaign(issue, segment, site_url)
            teasers = compose(
                articles,
                campaign,
                self.config["formats"][segment],
                self.config,
                reading_order=bool(self.selection.series),
            )
            context = {
                "site_name": self.settings["SITENAME"],
                "subject_pattern": self.config["subject"],
                "preview_path": f"{folder}/{segment}.html",
            }
            rendered.append(render_segment(env, campaign, teasers, context))
        write_issue(
            Path(self.output_path) / folder,
            issue,
            rendered,
            self.config["sender"],
            self.config["reply_to"],
            lists=Lists(
                newsletter_settings.list_id(self.config, site_url),
                self.config["unsubscribe_url"],
                self.config["unsubscribe_mailto"],
            ),
        )
        logger.info(
            "mag_newsletter: issue %s, %d article(s), %d segment(s): previews in %s/",
            issue,
            len(articles),
            len(rendered),
            folder,
        )
