"""mag_goals' side of a Pelican build: the signals it connects and what they do.

- ``Goal: <id>`` in an article's front matter names one of MAG_GOALS: an unknown id
  is a content problem (file:line), and the article's call-to-action links are marked
  (cta.py). ``data-goal`` buttons must name a button goal.
- The beacon (mag_beacon) carries the link goals' patterns and the page goals a page
  reaches (patterns.py); it sends a ``goal`` event (analytics schema version 2).
- ``mag_for_you`` (template global) puts theme/static/js/for-you.js on every page,
  which orders the format switcher and the front page's format rows for this reader.
See docs/editors/goals.md and docs/development/analytics-events.md.
"""

from __future__ import annotations

import logging

from pelican import signals

from mag_core import declare_keys

from . import cta
from .foryou import TEMPLATE_GLOBAL, ForYou
from .settings import read_for_you, read_goals

logger = logging.getLogger(__name__)

# Every list of contents the article and page generators keep (drafts are previewed too).
CONTENT_LISTS = (
    "articles", "translations", "drafts", "drafts_translations", "hidden_articles",
    "hidden_translations", "pages", "hidden_pages", "draft_pages",
)  # fmt: skip


def check_settings(pelican) -> None:
    """Bad MAG_GOALS or MAG_FOR_YOU stop the build at its start."""
    read_goals(pelican.settings)
    read_for_you(pelican.settings)


def add_template_global(generator) -> None:
    config = read_for_you(generator.settings)
    for_you = ForYou(config["holdout_percent"]) if config["enabled"] else None
    generator.env.globals[TEMPLATE_GLOBAL] = for_you


def mark_calls_to_action(generator) -> None:
    """Check each article's and page's Goal: and data-goal, and mark its CTA links."""
    goals = {goal["id"]: goal for goal in read_goals(generator.settings)}
    for name in CONTENT_LISTS:
        for content in getattr(generator, name, None) or []:
            cta.check_buttons(content, goals, generator.settings)
            goal = cta.goal_of(content, goals, generator.settings)
            if goal:
                cta.mark_on_render(content, goal)
                logger.debug("mag_goals: %s calls to %s", content.source_path, goal["id"])


def register() -> None:
    declare_keys(cta.KEY)
    signals.initialized.connect(check_settings)
    signals.generator_init.connect(add_template_global)
    signals.article_generator_finalized.connect(mark_calls_to_action)
    signals.page_generator_finalized.connect(mark_calls_to_action)
