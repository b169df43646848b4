"""MAG_NEWSLETTER settings and their defaults, read in one place."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from mag_core import SettingsError, plugin_settings
from mag_core.audiences import known_audiences
from mag_core.formats import FORMAT_ORDER

DEFAULTS = {
    # Which issue to build; `invoke newsletter --issue/--since/--series` sets these.
    # With no issue, a build writes no newsletter.
    "issue": "",
    "since": "",  # YYYY-MM-DD: articles dated on or after it
    "series": "",  # a `Series:` name: the articles of that series
    # Absolute address of the site for links and images; empty: SITEURL, else FEED_DOMAIN.
    "site_url": "",
    # From: of the email, e.g. "みらいマガジン編集部 <magazine@example.co.jp>";
    # required to send (a dry run writes newsletter@example.invalid).
    "sender": "",
    # Reply-To: of the email; empty: none.
    "reply_to": "",
    # The magazine's newsletter opt-out, for List-Unsubscribe (RFC 2369); one of the two
    # is required to send. An https URL also gets List-Unsubscribe-Post (RFC 8058): it
    # must accept a POST of "List-Unsubscribe=One-Click". {email} is replaced by the
    # recipient's address (URL-encoded).
    "unsubscribe_url": "",
    "unsubscribe_mailto": "",
    # List-Id (RFC 2919); empty: "newsletter." and the site's host name.
    "list_id": "",
    # {site}, {issue}, {title} (the first teaser's title) and {count} are filled in.
    "subject": "{site} {issue}号｜{title}",
    # At most this many articles make an issue.
    "max_articles": 8,
    # A teaser's summary is cut to this many characters.
    "summary_chars": 120,
    # Per segment, the formats in the order the email offers them: the first one an
    # article has is where its title and picture lead.
    "formats": {
        "busy": ["short", "transcript", "video", "article", "illustrated"],
        "light": ["illustrated", "short", "article", "transcript", "video"],
        "core": ["article", "video", "transcript", "short", "illustrated"],
    },
    # Previews for editors: <output_dir>/<issue>/<segment>.html under the site's output.
    "output_dir": "newsletter",
    # Messages sent over one SMTP connection, and the pause between connections,
    # so a company relay's rate limits are respected.
    "batch_size": 50,
    "batch_pause": 1.0,
    # A send of the same issue that has not touched its lock for this many seconds
    # (on another machine sharing the sent log's folder) is taken to have stopped.
    "lock_stale_after": 600,
}

# Issue ids become a folder name and the utm_campaign value the collector accepts.
ISSUE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class Selection:
    issue: str
    since: dt.date | None
    series: str


def read(settings: Mapping[str, Any]) -> dict[str, Any]:
    config = plugin_settings(settings, "MAG_NEWSLETTER", DEFAULTS)
    _check_formats(config["formats"], segments(settings))
    for key in ("max_articles", "summary_chars", "batch_size", "lock_stale_after"):
        if not isinstance(config[key], int) or config[key] < 1:
            raise SettingsError(f"MAG_NEWSLETTER[{key!r}] must be a whole number above 0")
    _check_unsubscribe(config)
    return config


def _check_unsubscribe(config: Mapping[str, Any]) -> None:
    url, mailto = str(config["unsubscribe_url"]), str(config["unsubscribe_mailto"])
    if url and not re.fullmatch(r"https?://[^\s<>,]+", url):
        raise SettingsError(
            f"MAG_NEWSLETTER['unsubscribe_url'] {url!r} must be an absolute http(s) URL, "
            "e.g. https://mag.example.co.jp/newsletter/stop?email={email}"
        )
    if mailto and not re.fullmatch(r"[^@\s<>,]+@[^@\s<>,]+", mailto):
        raise SettingsError(
            f"MAG_NEWSLETTER['unsubscribe_mailto'] {mailto!r} must be an address, "
            "e.g. magazine-stop@example.co.jp"
        )


def list_id(config: Mapping[str, Any], site: str) -> str:
    """The List-Id value: mail programs group and filter the issues by it."""
    return config["list_id"] or f"newsletter.{urlsplit(site).hostname or 'localhost'}"


def segments(settings: Mapping[str, Any]) -> list[str]:
    """The reader segments emails are made for: MAG_AUDIENCES's ids."""
    return list(known_audiences(settings))


def selection(config: Mapping[str, Any]) -> Selection | None:
    """Which articles this build's newsletter is about; None when no issue is asked for."""
    issue = str(config["issue"] or "").strip()
    if not issue:
        return None
    if not ISSUE_ID.fullmatch(issue):
        raise SettingsError(
            f"MAG_NEWSLETTER: issue {issue!r} must be letters, digits, '.', '_' or '-' "
            "(at most 64), e.g. 2026-11"
        )
    since = parse_since(config["since"])
    series = str(config["series"] or "").strip()
    if since is None and not series:
        raise SettingsError("MAG_NEWSLETTER: give 'since' (a date) or 'series' for the issue")
    return Selection(issue, since, series)


def parse_since(value: Any) -> dt.date | None:
    if not value:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise SettingsError(
            f"MAG_NEWSLETTER: since {value!r} is not a date; write it as 2026-11-01"
        ) from None


def site_url(config: Mapping[str, Any], settings: Mapping[str, Any]) -> str:
    """The absolute address links and images start with (emails have no base URL)."""
    for candidate in (config["site_url"], settings.get("SITEURL"), settings.get("FEED_DOMAIN")):
        if candidate and re.match(r"https?://", str(candidate)):
            return str(candidate).rstrip("/")
    raise SettingsError(
        "MAG_NEWSLETTER: emails need absolute links; set SITEURL (MAG_SITEURL) or "
        "MAG_NEWSLETTER['site_url'] to the magazine's address"
    )


def _check_formats(formats: Any, wanted: list[str]) -> None:
    if not isinstance(formats, Mapping):
        raise SettingsError("MAG_NEWSLETTER['formats'] must map segment ids to format lists")
    missing = [segment for segment in wanted if segment not in formats]
    if missing:
        raise SettingsError(f"MAG_NEWSLETTER['formats'] has no order for {', '.join(missing)}")
    for segment, order in formats.items():
        unknown = [f for f in order if f not in FORMAT_ORDER]
        if unknown:
            raise SettingsError(
                f"MAG_NEWSLETTER['formats'][{segment!r}]: unknown format(s) "
                f"{', '.join(unknown)}; known: {', '.join(FORMAT_ORDER)}"
            )
