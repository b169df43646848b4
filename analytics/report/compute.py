"""From the checked events to every figure of the report (``Report``), before it is written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from . import tables
from .archive import Archive
from .audience import FormatResult, Reach, audience_reach, segment_formats
from .departments import DepartmentReport, department_report
from .goals import GoalReport
from .metrics import ArticleStats, Usage, article_stats, usage
from .segments import FEATURES, profile, segment_order
from .site import Site


@dataclass
class Report:
    config: dict
    headcount: int | None
    period: tuple[dt.date | None, dt.date | None]  # first and last day with events
    usage: Usage
    articles: list[ArticleStats]
    features: dict[str, dict]
    segments: dict[str, str | None]
    order: list[str]  # segment ids, in rule order
    profiles: dict[str, dict]
    formats: list[FormatResult]
    reach: list[Reach]
    departments: DepartmentReport | None
    unknown_reading: list[str]  # articles whose reading time the site did not give
    data_notes: list[str] = field(default_factory=list)  # rows skipped, by kind
    goals: GoalReport | None = None  # goals.goal_report, over the engine's connection
    archive: Archive | None = None  # days past the retention window, from their summaries

    @property
    def views(self) -> int:
        return self.usage.views

    @property
    def readers(self) -> int:
        return self.usage.readers


def compute(
    connection: duckdb.DuckDBPyConnection,
    site: Site,
    config: dict,
    headcount: int | None = None,
    directory: dict[str, str] | None = None,
) -> Report:
    """Every figure, from the ``events`` of ``connection`` (engine.open_events)."""
    pages = tables.build(connection, site, config)
    totals = usage(connection)
    articles = article_stats(connection, pages, site, headcount)
    features, segments = reader_features(connection)
    rules = config["segment_rules"]
    order = segment_order(rules)
    departments = None
    if directory is not None:
        departments = department_report(connection, directory, int(config["min_group"]))
    return Report(
        config=config,
        headcount=headcount,
        period=period_of(totals),
        usage=totals,
        articles=articles,
        features=features,
        segments=segments,
        order=order,
        profiles=profile(features, segments),
        formats=segment_formats(connection, order),
        reach=audience_reach(connection, articles, segments, order, config["audience_reach"]),
        departments=departments,
        unknown_reading=[a.article for a in articles if a.text_readers and a.minutes is None],
    )


def period_of(totals: Usage) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day with page views."""
    days = sorted({day for day, _ in totals.daily})
    return (days[0], days[-1]) if days else (None, None)


def reader_features(
    connection: duckdb.DuckDBPyConnection,
) -> tuple[dict[str, dict], dict[str, str | None]]:
    """Reader -> feature -> value (None where nothing was measured), and reader -> segment."""
    features, segments = {}, {}
    names = ", ".join(FEATURES)
    cursor = connection.execute(f"SELECT reader, segment, {names} FROM readers ORDER BY reader")  # noqa: S608
    while rows := cursor.fetchmany(50_000):
        for reader, segment, *values in rows:
            features[reader] = dict(zip(FEATURES, values, strict=True))
            segments[reader] = segment
    return features, segments
