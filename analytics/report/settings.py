"""MAG_REPORT settings: the report's thresholds and segment rules, with their defaults.

Put a ``MAG_REPORT = {...}`` dict in the site's settings file (pelicanconf.py) to
change them; unknown keys are rejected with the list of known ones.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping
from typing import Any

from mag_beacon.settings import read as beacon_settings
from mag_core import SettingsError, plugin_settings

from .segments import FEATURES

OPERATORS = ("<", "<=", ">=", ">")
# Segment ids are the ids articles list in Audience: (as the event schema checks them).
_SEGMENT = re.compile(r"[a-z][a-z0-9_-]{0,31}")

# First matching rule wins; a rule with no conditions matches everyone left.
# A condition on a feature a reader has no value for (no text read, no video
# played) does not match. docs/report/reading.md explains each feature and rule.
DEFAULT_RULES = (
    ("dormant", {"active_days": ("<=", 1), "engaged_s": ("<", 60)}),
    ("core", {"read_through": (">=", 0.5), "engaged_per_view_s": (">=", 60)}),
    ("busy", {"skim_share": (">=", 0.4)}),
    ("light", {}),
)

DEFAULTS: dict[str, Any] = {
    # 読了率: deepest scroll at least this (percent), and engaged time at least the
    # page's reading time.
    "read_scroll": 90,
    # Pages with no reading time on the site (the illustrated variant) count as
    # finished after this much engaged time and the scroll above.
    "min_engaged_s": 10,
    # Days and hours are counted in this time zone.
    "timezone": "Asia/Tokyo",
    # (segment id, conditions) in order: the first rule a reader matches names the segment.
    "segment_rules": DEFAULT_RULES,
    # An article reached a segment of its Audience: when at least this share of the
    # segment's readers opened it (any format).
    "audience_reach": 0.10,
    # Department groups smaller than this are suppressed (k-anonymity).
    "min_group": 5,
    # The site whose events count (one collector may serve several); empty: the
    # "site" of MAG_BEACON in the same settings file (default "mag").
    "site": "",
    # Events older than this many days are summarised per day, article, format and
    # segment, then deleted (python -m analytics.retention); reader ids go with them.
    "retention_days": 400,
}


def read(settings: Mapping[str, Any]) -> dict[str, Any]:
    config = plugin_settings(settings, "MAG_REPORT", DEFAULTS)
    config["segment_rules"] = check_rules(config["segment_rules"])
    try:
        config["zone"] = zoneinfo.ZoneInfo(config["timezone"])
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise SettingsError(f"MAG_REPORT: unknown timezone {config['timezone']!r}") from error
    for key in ("read_scroll", "min_engaged_s", "audience_reach", "min_group", "retention_days"):
        if isinstance(config[key], bool) or not isinstance(config[key], int | float):
            raise SettingsError(f"MAG_REPORT: {key} must be a number")
    if config["min_group"] < 1:
        raise SettingsError("MAG_REPORT: min_group must be at least 1")
    if config["retention_days"] < 1:
        raise SettingsError("MAG_REPORT: retention_days must be at least 1")
    config["site"] = config["site"] or beacon_settings(settings)["site"]
    return config


def check_rules(rules: Any) -> tuple[tuple[str, dict[str, tuple[str, float]]], ...]:
    """The rules as (segment, {feature: (operator, number)}) pairs; errors name the rule."""
    if not isinstance(rules, list | tuple) or not rules:
        raise SettingsError("MAG_REPORT: segment_rules must be a list of (segment, conditions)")
    checked = []
    for number, rule in enumerate(rules, 1):
        where = f"MAG_REPORT: segment rule {number}"
        if not isinstance(rule, list | tuple) or len(rule) != 2 or not isinstance(rule[1], Mapping):
            raise SettingsError(f"{where} must be (segment, {{feature: (operator, number)}})")
        segment, conditions = rule
        if not isinstance(segment, str) or not _SEGMENT.fullmatch(segment):
            raise SettingsError(f"{where}: {segment!r} is not a segment id")
        for feature, condition in conditions.items():
            if feature not in FEATURES:
                known = ", ".join(FEATURES)
                raise SettingsError(f"{where}: unknown feature {feature!r}; known: {known}")
            operator, value = condition if len(condition) == 2 else (None, None)
            if operator not in OPERATORS or isinstance(value, bool):
                raise SettingsError(f"{where}: {feature} needs (operator, number) like ('>=', 3)")
            if not isinstance(value, int | float):
                raise SettingsError(f"{where}: {feature} needs (operator, number) like ('>=', 3)")
        checked.append((segment, {k: (op, float(v)) for k, (op, v) in conditions.items()}))
    return tuple(checked)
