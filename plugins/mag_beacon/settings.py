"""MAG_BEACON settings, their defaults, and where the collector's address comes from."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from mag_core import SettingsError, plugin_settings

DEFAULTS = {
    # The collector's endpoint, e.g. "https://mag.intra.example.co.jp/collect" (or a
    # site-relative "/collect" behind the same host). Empty: $MAG_BEACON_URL, else no beacon.
    "url": "",
    # Sent with every event, so one collector can serve several sites.
    "site": "mag",
    # Slug of the generated opt-out page (pages/<slug>/ with the default PAGE_URL).
    "opt_out_slug": "opt-out",
}

_SITE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def read(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The checked settings; ``url`` is "" when no endpoint is configured."""
    config = plugin_settings(settings, "MAG_BEACON", DEFAULTS)
    config["url"] = config["url"].strip()
    if config["url"]:
        _check_url(config["url"])
    if not isinstance(config["site"], str) or not _SITE.fullmatch(config["site"]):
        raise SettingsError(
            f"MAG_BEACON: site {config['site']!r} must be letters, digits, '.', '_' or '-'"
        )
    if not isinstance(config["opt_out_slug"], str) or not _SLUG.fullmatch(config["opt_out_slug"]):
        raise SettingsError(f"MAG_BEACON: opt_out_slug {config['opt_out_slug']!r} is not a slug")
    return config


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    absolute = parts.scheme in {"http", "https"} and parts.netloc
    relative = not parts.scheme and not parts.netloc and url.startswith("/")
    if not (absolute or relative) or any(char in url for char in "\"'<> "):
        raise SettingsError(
            f"MAG_BEACON: url {url!r} must be an http(s) URL like "
            "https://mag.intra.example.co.jp/collect, or a path like /collect"
        )
