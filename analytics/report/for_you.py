"""Does the "for you" order help? Personalised readers against the holdout.

Each reader's group comes from mag_goals.holdout.in_holdout, the rule the browser
applies to the same reader id, so nothing more had to be sent. The comparison
uses the readers with a page view in the period; 読了率 is pooled over their
article uses whose 読了 could be judged (``readers.read`` / ``readers.judged``),
goal conversion is the share of readers with at least one event of the goal.
The difference personalised − holdout comes with Newcombe's 95 % interval
(proportions.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb

from mag_goals.holdout import in_holdout

from .proportions import Difference, difference

ANY_GOAL = "*"  # the row for "reached at least one goal"
_FUNCTION = "mag_in_holdout"

# Each reader's group, once: the rule is Python (one call a reader, never one an event).
_GROUPS = """
CREATE OR REPLACE TEMP TABLE goal_groups AS
SELECT reader, mag_in_holdout(reader) AS holdout FROM goal_seen
"""
_COUNTS = """
SELECT h.holdout, COUNT(*), COALESCE(SUM(x.judged), 0), COALESCE(SUM(x.read), 0)
FROM goal_groups h LEFT JOIN readers x USING (reader) GROUP BY h.holdout
"""
_CONVERTED = """
SELECT h.holdout, r.goal, COUNT(*) FROM goal_reached r JOIN goal_groups h USING (reader)
GROUP BY h.holdout, r.goal
UNION ALL
SELECT h.holdout, '*', COUNT(DISTINCT r.reader)
FROM goal_reached r JOIN goal_groups h USING (reader) GROUP BY h.holdout
"""


@dataclass
class Arm:
    """One group: its readers, their judged article uses and goal conversions."""

    readers: int = 0
    judged: int = 0
    read: int = 0
    converted: dict[str, int] = field(default_factory=dict)  # goal id (or ANY_GOAL) -> readers

    @property
    def read_rate(self) -> float | None:
        return self.read / self.judged if self.judged else None

    def rate(self, goal: str) -> float | None:
        return self.converted.get(goal, 0) / self.readers if self.readers else None


@dataclass
class ForYou:
    enabled: bool
    holdout_percent: int
    personalised: Arm
    holdout: Arm
    read: Difference | None  # 読了率, personalised − holdout
    goals: dict[str, Difference | None]  # goal id (and ANY_GOAL) -> conversion difference


def compare(connection: Any, config: dict[str, Any], goal_ids: list[str]) -> ForYou:
    """The two groups and their differences, from goal_seen/goal_reached (goals.py)."""
    percent = config["holdout_percent"]
    connection.create_function(
        _FUNCTION,
        lambda reader: in_holdout(reader, percent),
        [duckdb.sqltypes.VARCHAR],
        duckdb.sqltypes.BOOLEAN,
    )
    try:
        connection.execute(_GROUPS)
    finally:
        connection.remove_function(_FUNCTION)
    arms = {True: Arm(), False: Arm()}
    for holdout, readers, judged, read in connection.execute(_COUNTS).fetchall():
        arm = arms[holdout]
        arm.readers, arm.judged, arm.read = int(readers), int(judged), int(read)
    for holdout, goal, converted in connection.execute(_CONVERTED).fetchall():
        arms[holdout].converted[goal] = int(converted)
    mine, kept = arms[False], arms[True]
    return ForYou(
        enabled=bool(config["enabled"]),
        holdout_percent=percent,
        personalised=mine,
        holdout=kept,
        read=difference(mine.read, mine.judged, kept.read, kept.judged),
        goals={
            goal: difference(
                mine.converted.get(goal, 0), mine.readers, kept.converted.get(goal, 0), kept.readers
            )
            for goal in [*goal_ids, ANY_GOAL]
        },
    )


def verdict(result: Difference | None) -> str:
    """The plain Japanese verdict the dashboard prints beside an interval."""
    if result is None:
        return "比較できません（どちらかのグループに該当者がいません）"
    if result.contains_zero:
        return "差があるとは言えない"
    if result.low > 0:
        return "おすすめ順のほうが高い"
    return "おすすめ順のほうが低い"
