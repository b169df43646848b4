"""mag_newsletter: a per-segment email digest that pulls each reader segment back.

With ``MAG_NEWSLETTER = {"issue": ..., "since": ...}`` (``invoke newsletter``
sets them), a build writes one email per segment of ``MAG_AUDIENCES`` into
``newsletter/<issue>/``: teasers of the issue's articles, each segment's
formats first (busy: short cut and transcript; light: illustrated; core: the
article and the full video), every link tagged with utm_* campaign parameters.
:mod:`.send` sends them over SMTP, or writes .eml files. See docs/operations/newsletter-relay.md.
"""

from __future__ import annotations

from pelican import signals

from . import settings as newsletter_settings
from .generator import NewsletterGenerator

__all__ = ["NewsletterGenerator", "register"]


def check_settings(pelican) -> None:
    """A typo in MAG_NEWSLETTER or a bad issue id stops the build before any work."""
    config = newsletter_settings.read(pelican.settings)
    newsletter_settings.selection(config)


def get_generators(_pelican):
    return NewsletterGenerator


def register() -> None:
    signals.initialized.connect(check_settings)
    signals.get_generators.connect(get_generators)
