"""Email-safe HTML (tables, inlined CSS, absolute images) and the plain-text part.

The templates live in theme/templates/newsletter/ with their own small base:
an email cannot use the site's base.html (scripts, web layout, relative links).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import css_inline
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from mag_core import SettingsError

from .compose import Campaign, Teaser

HTML_TEMPLATE = "newsletter/email.html"
TEXT_TEMPLATE = "newsletter/email.txt"

# No stylesheet is fetched: the email's CSS is in the template. Media queries
# (phones) cannot be inlined and stay in a <style>; widths also become width
# attributes, which Outlook's Word engine reads where it ignores CSS.
_INLINER = css_inline.CSSInliner(
    keep_at_rules=True,
    load_remote_stylesheets=False,
    apply_width_attributes=True,
)


@dataclass(frozen=True)
class Rendered:
    segment: str
    subject: str
    html: str
    text: str
    articles: tuple[str, ...]


def environment(settings: Mapping[str, Any]) -> Environment:
    """A Jinja environment of the theme's templates that escapes HTML (Pelican's does not)."""
    folders = [*settings.get("THEME_TEMPLATES_OVERRIDES", [])]
    folders.append(os.path.join(settings["THEME"], "templates"))
    return Environment(
        loader=FileSystemLoader(folders),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def subject_line(pattern: str, **fields: Any) -> str:
    try:
        subject = pattern.format(**fields)
    except (KeyError, IndexError, ValueError) as error:
        raise SettingsError(
            f"MAG_NEWSLETTER['subject'] {pattern!r}: {error}; "
            "use {site}, {issue}, {title} and {count}"
        ) from None
    return " ".join(subject.split())  # one line: a header never carries a line break


def render_segment(
    env: Environment,
    campaign: Campaign,
    teasers: Sequence[Teaser],
    context: Mapping[str, Any],
) -> Rendered:
    """The subject, the inlined HTML and the text part of one segment's email."""
    subject = subject_line(
        context["subject_pattern"],
        site=context["site_name"],
        issue=campaign.issue,
        title=teasers[0].title,
        count=len(teasers),
    )
    values = {
        **context,
        "subject": subject,
        "issue": campaign.issue,
        "segment": campaign.segment,
        "teasers": teasers,
        "home_url": campaign.link(""),
        "web_url": campaign.link(context["preview_path"]),
    }
    html = env.get_template(HTML_TEMPLATE).render(values)
    text = env.get_template(TEXT_TEMPLATE).render(values)
    return Rendered(
        segment=campaign.segment,
        subject=subject,
        html=_INLINER.inline(html),
        text=text,
        articles=tuple(t.slug for t in teasers),
    )
