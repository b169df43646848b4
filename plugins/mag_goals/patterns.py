"""A goal's pattern as the browser and the build test it.

Editors write patterns with ``*`` for "any characters" (an application form's
URL, ``https://forms.intra.example.co.jp/contest/*``); everything else matches
itself. One translation into an anchored regular expression serves the beacon
(JavaScript's ``RegExp`` reads it: only characters special to both are escaped,
with a backslash, which both read the same way) and the build (page goals and
CTA links are matched here).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

# Characters special in a regular expression of Python or JavaScript.
_SPECIAL = frozenset("\\^$.|?*+()[]{}/")


def pattern_regex(pattern: str) -> str:
    """``https://x/contest/*`` -> ``^https:\\/\\/x\\/contest\\/.*$``."""
    parts = ("\\" + char if char in _SPECIAL else char for char in pattern)
    return "^" + "".join(parts).replace("\\*", ".*") + "$"


def matches(goal: Mapping[str, Any], url: str) -> bool:
    return re.fullmatch(pattern_regex(goal["pattern"]), url) is not None


def of_kind(goals: Iterable[Mapping[str, Any]], kind: str) -> list[Mapping[str, Any]]:
    return [goal for goal in goals if goal["match"] == kind]


def link_goals_json(goals: Iterable[Mapping[str, Any]]) -> str:
    """The link goals as the beacon reads them (data-goals): ``[[id, regex], ...]``."""
    pairs = [[goal["id"], pattern_regex(goal["pattern"])] for goal in of_kind(goals, "link")]
    return json.dumps(pairs, ensure_ascii=False, separators=(",", ":"))


def page_goals_of(goals: Iterable[Mapping[str, Any]], path: str) -> list[str]:
    """Ids of the page goals a visit to ``path`` (site-relative, from ``/``) reaches."""
    return [goal["id"] for goal in of_kind(goals, "page") if matches(goal, path)]
