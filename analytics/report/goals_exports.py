"""Goal exports: goals.csv and goal_groups.csv, for_you.csv, and all of it in goals.json.

The CSV files are long tables (one row per goal and group) in the style of the
other exports; suppressed groups are listed by name with empty figures, as in
departments.csv. goals.json carries the same figures for programs (no labels
to re-parse, numbers as numbers).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from . import exports
from .for_you import ANY_GOAL
from .goals import TABLES, GoalReport

SUPPRESSED = "suppressed: under min_group readers, or hidden to protect such a group"


def write_all(goals: GoalReport | None, folder: Path) -> list[str]:
    """Write the goal files into ``folder``; returns their names (none without goals)."""
    if goals is None:
        return []
    return [
        _goals(goals, folder),
        _groups(goals, folder),
        _for_you(goals, folder),
        _json(goals, folder),
    ]


def _goals(goals: GoalReport, folder: Path) -> str:
    header = [
        "goal",
        "label",
        "readers",
        "converted",
        "conversion_rate",
        "goal_events",
        "converted_without_article",
        "goal_readers_without_pageview",
        "time_readers",
        "time_q1_s",
        "time_median_s",
        "time_q3_s",
    ]
    rows = (
        [
            g.id,
            g.label,
            g.readers,
            g.converted,
            g.rate,
            g.events,
            g.no_touch,
            g.outside,
            g.time.readers,
            g.time.q1_s,
            g.time.median_s,
            g.time.q3_s,
        ]
        for g in goals.goals
    )
    return exports._write(folder / "goals.csv", header, rows)


def _groups(goals: GoalReport, folder: Path) -> str:
    header = [
        "goal",
        "breakdown",
        "group",
        "readers",
        "converted",
        "conversion_rate",
        "goal_events",
    ]
    rows: list[list[Any]] = []
    for goal in goals.goals:
        for name in TABLES:
            table = goal.tables[name]
            rows += [
                [goal.id, name, g.label, g.readers, g.converted, g.rate, g.events]
                for g in table.shown
            ]
            rows += [
                [goal.id, name, label, None, None, None, SUPPRESSED] for label in table.suppressed
            ]
    return exports._write(folder / "goal_groups.csv", header, rows)


def _for_you(goals: GoalReport, folder: Path) -> str:
    result = goals.for_you
    header = [
        "measure",
        "personalised_n",
        "personalised_x",
        "personalised_rate",
        "holdout_n",
        "holdout_x",
        "holdout_rate",
        "difference",
        "ci95_low",
        "ci95_high",
    ]
    mine, kept = result.personalised, result.holdout
    rows = [_row("read_rate", (mine.judged, mine.read), (kept.judged, kept.read), result.read)]
    for goal, difference in result.goals.items():
        name = "any_goal" if goal == ANY_GOAL else f"goal:{goal}"
        x1, x2 = mine.converted.get(goal, 0), kept.converted.get(goal, 0)
        rows.append(_row(name, (mine.readers, x1), (kept.readers, x2), difference))
    return exports._write(folder / "for_you.csv", header, rows)


def _row(name: str, mine: tuple[int, int], kept: tuple[int, int], difference) -> list[Any]:
    """(trials, successes) of each group, their rates and the difference with its interval."""
    (n1, x1), (n2, x2) = mine, kept
    rates = [x1 / n1 if n1 else None, x2 / n2 if n2 else None]
    spread = [difference.estimate, difference.low, difference.high] if difference else [None] * 3
    return [name, n1, x1, rates[0], n2, x2, rates[1], *spread]


def _json(goals: GoalReport, folder: Path) -> str:
    data = asdict(goals)
    for goal, result in zip(data["goals"], goals.goals, strict=True):
        goal["conversion_rate"] = result.rate
    path = folder / "goals.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path.name
