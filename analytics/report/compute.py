"""From page views to every figure of the report (``Report``), before anything is written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .audience import FormatResult, Reach, audience_reach, segment_formats
from .departments import DepartmentReport, department_report
from .goals import GoalReport
from .load import View
from .metrics import ArticleStats, Finishing, Usage, article_stats, collect
from .segments import assign, profile, reader_features, segment_order
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

    @property
    def views(self) -> int:
        return self.usage.views

    @property
    def readers(self) -> int:
        return len(self.usage.readers)


def compute(
    views: list[View],
    site: Site,
    config: dict,
    headcount: int | None = None,
    directory: dict[str, str] | None = None,
) -> Report:
    usage = collect(views, config["zone"])
    finishing = Finishing(usage, site, config)
    finishing.judge(usage)
    articles = article_stats(usage, site, finishing, headcount)
    features = reader_features(usage)
    rules = config["segment_rules"]
    segments = assign(features, rules)
    order = segment_order(rules)
    days = sorted({day for day, _ in usage.daily})
    departments = None
    if directory is not None:
        departments = department_report(usage, segments, directory, int(config["min_group"]))
    return Report(
        config=config,
        headcount=headcount,
        period=(days[0], days[-1]) if days else (None, None),
        usage=usage,
        articles=articles,
        features=features,
        segments=segments,
        order=order,
        profiles=profile(features, segments),
        formats=segment_formats(usage, segments, order),
        reach=audience_reach(usage, articles, segments, order, config["audience_reach"]),
        departments=departments,
        unknown_reading=[a.article for a in articles if a.text_readers and a.minutes is None],
    )
