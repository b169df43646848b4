"""Goals in the report: who reached each goal, and which formats, segments, newsletters,
series and articles led there (docs/report/goals.md defines every figure).

The figures are SQL over the report's DuckDB connection (tables ``events`` and
``readers``: analytics/report/engine.py); goals_sql.py holds the queries. Small
groups are suppressed by the rule the department table uses (departments.suppress):
fewer than ``min_group`` readers hidden, then the next-smallest until the hidden
ones add up to ``min_group``, so no one can be singled out by subtraction.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mag_core.formats import FORMAT_LABELS
from mag_goals.settings import read_for_you, read_goals

from . import goals_sql
from .departments import suppress
from .for_you import ForYou, compare
from .site import Site

logger = logging.getLogger(__name__)

POOLED = "その他（少人数のグループをまとめたもの）"
NO_SEGMENT = "(none)"

# Table id -> (query, Japanese heading, whether each converted reader is in exactly one
# group: only then can the hidden groups be pooled into one row without counting twice).
TABLES: dict[str, tuple[str, str, bool]] = {
    "segment": (goals_sql.SEGMENTS, "読者セグメント別", True),
    "last_touch": (goals_sql.LAST_TOUCH, "到達前に最後に見た形式別（ラストタッチ）", False),
    "first_touch": (goals_sql.FIRST_TOUCH, "期間内に最初に見た形式別（ファーストタッチ）", False),
    "any_touch": (goals_sql.ANY_TOUCH, "到達前に見たすべての形式別（どれか一度でも）", False),
    "campaign": (goals_sql.CAMPAIGNS, "メルマガのキャンペーン別", False),
    "series": (goals_sql.SERIES, "シリーズ別", False),
    "article": (goals_sql.ARTICLES, "記事別", False),
}


@dataclass
class Group:
    """One row of a table: who is in the group, and how many of them converted."""

    name: str  # segment id, format id, campaign, series name or article id
    label: str  # as the dashboard shows it
    readers: int
    converted: int
    events: int
    suppressed: bool = False

    @property
    def rate(self) -> float | None:
        return self.converted / self.readers if self.readers else None

    def add(self, other: Group) -> None:
        self.readers += other.readers
        self.converted += other.converted
        self.events += other.events


@dataclass
class Table:
    shown: list[Group]  # large enough (and the pool of the small ones when it is)
    suppressed: list[str]  # labels only


@dataclass
class TimeToGoal:
    readers: int
    q1_s: float | None  # seconds; None when fewer than min_group readers converted
    median_s: float | None
    q3_s: float | None


@dataclass
class GoalResult:
    id: str
    label: str
    readers: int  # readers with at least one page view in the period
    converted: int  # of them, readers with at least one event of this goal
    events: int  # the goal events of those converted readers
    no_touch: int | None  # converted with no article touch before (None: suppressed)
    outside: int  # readers with this goal but no page view in the period (not counted)
    time: TimeToGoal
    tables: dict[str, Table] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        return self.converted / self.readers if self.readers else None


@dataclass
class GoalReport:
    goals: list[GoalResult]
    for_you: ForYou
    min_group: int
    unknown: dict[str, int]  # goal ids in the events the settings do not list -> events


def goal_report(
    connection: Any, site: Site, settings: Mapping[str, Any], min_group: int
) -> GoalReport | None:
    """Every goal figure from the report's connection; None when no goal is configured.

    The report calls it once its engine has filled ``events`` and ``readers``;
    ``settings`` is the site's settings file (MAG_GOALS, MAG_FOR_YOU).
    """
    goals = read_goals(settings)
    if not goals:
        return None
    _prepare(connection, goals, site)
    queried = {
        "totals": _by_goal(connection, goals_sql.TOTALS),
        "outside": _by_goal(connection, goals_sql.OUTSIDE),
        "times": _by_goal(connection, goals_sql.TIME_TO_GOAL),
        **{name: _rows(connection, query) for name, (query, _, _) in TABLES.items()},
    }
    labels = _labels(site)
    results = [_result(goal, queried, labels, min_group) for goal in goals]
    unknown = dict(connection.execute(goals_sql.UNKNOWN).fetchall())
    if unknown:
        logger.warning(
            "analytics.report: goal events for goal(s) MAG_GOALS does not list: %s",
            ", ".join(unknown),
        )
    for_you = compare(connection, read_for_you(settings), [g["id"] for g in goals])
    return GoalReport(results, for_you, min_group, unknown)


def _by_goal(connection: Any, query: str) -> dict[str, tuple]:
    return {goal: tuple(rest) for goal, *rest in connection.execute(query).fetchall()}


def _result(goal: dict[str, Any], queried: dict[str, dict], labels, min_group: int) -> GoalResult:
    """One goal's figures from the queries' rows, small groups suppressed."""
    readers, converted, events, no_touch = queried["totals"][goal["id"]]
    result = GoalResult(
        id=goal["id"],
        label=goal["label"],
        readers=readers,
        converted=converted,
        events=events,
        no_touch=no_touch if no_touch == 0 or no_touch >= min_group else None,
        outside=queried["outside"].get(goal["id"], (0,))[0],
        time=_time(queried["times"].get(goal["id"]), min_group),
    )
    for name, (_, _, partition) in TABLES.items():
        rows = queried[name].get(goal["id"], [])
        groups = [Group(group, labels(name, group), *figures) for group, *figures in rows]
        result.tables[name] = _suppressed(groups, min_group, partition)
    return result


def _prepare(connection: Any, goals: list[dict[str, Any]], site: Site) -> None:
    """The settings' goals and the site's articles as tables, then the helper tables."""
    connection.execute("CREATE OR REPLACE TEMP TABLE goal_list (goal VARCHAR, ord INTEGER)")
    connection.executemany(
        "INSERT INTO goal_list VALUES (?, ?)", [(g["id"], n) for n, g in enumerate(goals)]
    )
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE goal_articles (article VARCHAR, series VARCHAR)"
    )
    series = {page.article: page.series for page in site.pages if page.article}
    if series:
        connection.executemany("INSERT INTO goal_articles VALUES (?, ?)", list(series.items()))
    for statement in goals_sql.SETUP:
        connection.execute(statement)


def _rows(connection: Any, query: str) -> dict[str, list[tuple]]:
    """goal -> [(group, readers, converted, events)], largest groups first."""
    by_goal: dict[str, list[tuple]] = {}
    for goal, *row in connection.execute(query).fetchall():
        by_goal.setdefault(goal, []).append(tuple(row))
    for rows in by_goal.values():
        rows.sort(key=lambda row: (-row[1], str(row[0])))
    return by_goal


def _labels(site: Site):
    titles = {page.article: page.title for page in site.pages if page.format == "article"}

    def label(table: str, name: str) -> str:
        if table.endswith("_touch"):
            return FORMAT_LABELS.get(name, name)
        if table == "article":
            return titles.get(name) or name
        return name

    return label


def _suppressed(groups: list[Group], min_group: int, partition: bool) -> Table:
    shown, hidden = suppress(groups, min_group)
    if partition and hidden:
        pool = Group(POOLED, POOLED, 0, 0, 0, suppressed=True)
        for group in hidden:
            pool.add(group)
        if pool.readers >= min_group:
            shown.append(pool)
    return Table(shown, sorted(group.label for group in hidden))


def _time(row: tuple | None, min_group: int) -> TimeToGoal:
    if not row or row[0] < min_group:
        return TimeToGoal(row[0] if row else 0, None, None, None)
    n, q1, median, q3 = row
    return TimeToGoal(n, q1 / 1000, median / 1000, q3 / 1000)
