"""MAG_GOALS and MAG_FOR_YOU: the goals the magazine exists for, and the "for you" order.

MAG_GOALS is a list of goals, each a dict::

    {"id": "contest-apply", "label": "新規事業コンテストに応募",
     "link": "https://forms.intra.example.co.jp/contest/*"}

with exactly one of ``link`` (a click on a link whose absolute URL matches the
pattern, ``*`` matching any characters), ``page`` (a visit to a page of the site
whose path matches the pattern, e.g. ``/pages/thanks/``) or ``button: True`` (a
click on an element carrying ``data-goal="<id>"``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from mag_core import SettingsError, plugin_settings

# The same pattern as the event schema's goal field.
GOAL_ID = re.compile(r"[a-z][a-z0-9-]{0,31}")
MATCHES = ("link", "page", "button")

FOR_YOU_DEFAULTS: dict[str, Any] = {
    # Order the format switcher and the front page's rows by what this reader finished
    # before (their own browser's storage only).
    "enabled": True,
    # Readers kept on the default order, chosen from the reader id (see holdout.py), so
    # the report can compare personalised readers with them.
    "holdout_percent": 10,
}


def read_goals(settings: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The checked goals, in the order the settings list them."""
    goals = settings.get("MAG_GOALS") or []
    if not isinstance(goals, list | tuple):
        raise SettingsError(f"MAG_GOALS must be a list of goals, not {type(goals).__name__}")
    seen: set[str] = set()
    checked = []
    for number, goal in enumerate(goals, 1):
        checked.append(_check_goal(number, goal))
        if checked[-1]["id"] in seen:
            raise SettingsError(f"MAG_GOALS: goal {checked[-1]['id']!r} is listed twice")
        seen.add(checked[-1]["id"])
    return checked


def _check_goal(number: int, goal: Any) -> dict[str, Any]:
    where = f"MAG_GOALS, goal {number}"
    if not isinstance(goal, Mapping):
        raise SettingsError(f"{where}: a goal is a dict with id, label and one of {MATCHES}")
    unknown = sorted(set(goal) - {"id", "label", *MATCHES})
    if unknown:
        raise SettingsError(f"{where}: unknown key(s) {', '.join(unknown)}")
    goal_id = goal.get("id")
    if not isinstance(goal_id, str) or not GOAL_ID.fullmatch(goal_id):
        raise SettingsError(f"{where}: id {goal_id!r} must be lower-case letters, digits or '-'")
    label = goal.get("label")
    if not isinstance(label, str) or not label.strip():
        raise SettingsError(f"{where} ({goal_id}): label is missing")
    given = [key for key in MATCHES if goal.get(key)]
    if len(given) != 1:
        raise SettingsError(f"{where} ({goal_id}): give exactly one of link, page or button")
    kind = given[0]
    if kind != "button" and not isinstance(goal[kind], str):
        raise SettingsError(f"{where} ({goal_id}): {kind} must be a text pattern")
    return {"id": goal_id, "label": label.strip(), "match": kind, "pattern": goal[kind]}


def read_for_you(settings: Mapping[str, Any]) -> dict[str, Any]:
    config = plugin_settings(settings, "MAG_FOR_YOU", FOR_YOU_DEFAULTS)
    percent = config["holdout_percent"]
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        raise SettingsError(f"MAG_FOR_YOU: holdout_percent {percent!r} must be 0 to 100")
    return config
