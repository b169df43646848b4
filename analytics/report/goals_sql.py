"""The SQL of goal attribution, over the report's DuckDB tables ``events`` and ``readers``.

Every figure is a GROUP BY over all events at once, so 20 million events never
pass through Python; Python only sees one row per (goal, group). The helper
tables are TEMP tables with a ``goal_`` prefix, so they live and die with the
report's connection and cannot clash with the engine's own tables.

"Before the goal" means received at or before the reader's first goal event of
that goal: the beacon sends a page's view and the click on its call-to-action
in one batch, which the collector stamps with one time, and the page the reader
converted on is part of the path that led there.
"""

from __future__ import annotations

from mag_core.formats import FORMAT_ORDER

VIDEO_FORMATS = ("video", "short")  # played on an article page; "preview" is the home loop


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


# One table a step; each reads the ones before it.
SETUP = (
    # Readers who saw anything: at least one page view in the period, and when first.
    """CREATE OR REPLACE TEMP TABLE goal_seen AS
    SELECT reader, MIN(received_at) AS first_view FROM events
    WHERE type = 'pageview' GROUP BY reader""",
    # Each seen reader's first goal event per configured goal, and their goal events.
    """CREATE OR REPLACE TEMP TABLE goal_reached AS
    SELECT e.goal, e.reader, MIN(e.received_at) AS at, COUNT(*) AS events
    FROM events e JOIN goal_seen s USING (reader) JOIN goal_list g USING (goal)
    WHERE e.type = 'goal' GROUP BY e.goal, e.reader""",
    # Article touches: an article page opened in a format, or its video or short played.
    # At the same millisecond a page view ranks before the video played on that page.
    f"""CREATE OR REPLACE TEMP TABLE goal_touches AS
    SELECT reader, received_at AS at, article,
        CASE WHEN type = 'pageview' THEN COALESCE(format, 'article') ELSE format END AS format,
        (type = 'video')::INTEGER AS late
    FROM events
    WHERE article IS NOT NULL AND (
        (type = 'pageview' AND COALESCE(format, 'article') IN ({_quoted(FORMAT_ORDER)}))
        OR (type = 'video' AND format IN ({_quoted(VIDEO_FORMATS)})))""",  # noqa: S608 - constants
    # Each converted reader's article touches before the goal: five tables read them.
    """CREATE OR REPLACE TEMP TABLE goal_before AS
    SELECT r.goal, r.reader, t.at, t.article, t.format, t.late
    FROM goal_reached r JOIN goal_touches t ON t.reader = r.reader AND t.at <= r.at""",
    # Page views opened from the newsletter, by campaign.
    """CREATE OR REPLACE TEMP TABLE goal_campaigns AS
    SELECT reader, received_at AS at, utm_campaign AS campaign FROM events
    WHERE type = 'pageview' AND utm_source = 'newsletter' AND utm_campaign IS NOT NULL""",
)

# Per goal: seen readers, converted readers, their goal events, and how many of the
# converted reached it without any article touch before.
TOTALS = """
SELECT g.goal,
    (SELECT COUNT(*) FROM goal_seen) AS readers,
    COUNT(r.reader) AS converted,
    COALESCE(SUM(r.events), 0) AS events,
    COUNT(r.reader) FILTER (WHERE NOT EXISTS (
        SELECT 1 FROM goal_before b WHERE b.goal = r.goal AND b.reader = r.reader)) AS no_touch
FROM goal_list g LEFT JOIN goal_reached r USING (goal)
GROUP BY g.goal
"""

# Readers of the period whose goal event came with no page view in the period.
OUTSIDE = """
SELECT e.goal, COUNT(DISTINCT e.reader) FROM events e JOIN goal_list g USING (goal)
WHERE e.type = 'goal' AND e.reader NOT IN (SELECT reader FROM goal_seen)
GROUP BY e.goal
"""

# Goal ids in the events that the settings do not list (a renamed or removed goal).
UNKNOWN = """
SELECT goal, COUNT(*) FROM events
WHERE type = 'goal' AND goal IS NOT NULL AND goal NOT IN (SELECT goal FROM goal_list)
GROUP BY goal ORDER BY goal
"""

# A group's rows: (goal, grp, readers, converted, events) for every goal and group,
# zero conversions included. ``exposed`` is distinct (reader, grp): who is in the group
# at all; ``credited`` is distinct (goal, reader, grp): which converted reader the group is
# credited with. Both are counted before anything is joined, so the joins stay small.
_GROUPED = """
WITH exposed AS ({exposed}), credited AS ({credited}),
sizes AS (SELECT grp, COUNT(*) AS readers FROM exposed GROUP BY grp),
counts AS (
    SELECT c.goal, c.grp, COUNT(*) AS converted, SUM(r.events) AS events
    FROM credited c JOIN goal_reached r ON r.goal = c.goal AND r.reader = c.reader
    GROUP BY c.goal, c.grp)
SELECT g.goal, s.grp, s.readers, COALESCE(n.converted, 0), COALESCE(n.events, 0)
FROM goal_list g CROSS JOIN sizes s
LEFT JOIN counts n ON n.goal = g.goal AND n.grp IS NOT DISTINCT FROM s.grp
"""

# Every touch before the goal credits its group ("any touch").
_ANY_TOUCH = "SELECT DISTINCT b.goal, b.reader, {key} AS grp FROM goal_before b {join}"

# The one touch (first or last) before the goal credits its format.
_ONE_TOUCH = """
SELECT b.goal, b.reader, {pick}(b.format, (b.at, b.late, b.format)) AS grp FROM goal_before b
GROUP BY b.goal, b.reader
"""

_FORMATS_SEEN = "SELECT DISTINCT reader, format AS grp FROM goal_touches"

SEGMENTS = _GROUPED.format(
    exposed="SELECT s.reader, COALESCE(x.segment, '(none)') AS grp "
    "FROM goal_seen s LEFT JOIN readers x USING (reader)",
    credited="SELECT r.goal, r.reader, COALESCE(x.segment, '(none)') AS grp "
    "FROM goal_reached r LEFT JOIN readers x USING (reader)",
)
FIRST_TOUCH = _GROUPED.format(exposed=_FORMATS_SEEN, credited=_ONE_TOUCH.format(pick="arg_min"))
LAST_TOUCH = _GROUPED.format(exposed=_FORMATS_SEEN, credited=_ONE_TOUCH.format(pick="arg_max"))
ANY_TOUCH = _GROUPED.format(
    exposed=_FORMATS_SEEN, credited=_ANY_TOUCH.format(key="b.format", join="")
)
CAMPAIGNS = _GROUPED.format(
    exposed="SELECT DISTINCT reader, campaign AS grp FROM goal_campaigns",
    credited="SELECT DISTINCT r.goal, r.reader, c.campaign AS grp FROM goal_reached r "
    "JOIN goal_campaigns c ON c.reader = r.reader AND c.at <= r.at",
)
ARTICLES = _GROUPED.format(
    exposed="SELECT DISTINCT reader, article AS grp FROM goal_touches",
    credited=_ANY_TOUCH.format(key="b.article", join=""),
)
_IN_SERIES = "JOIN goal_articles a ON a.article = {}.article AND a.series <> ''"
SERIES = _GROUPED.format(
    exposed="SELECT DISTINCT t.reader, a.series AS grp FROM goal_touches t "  # noqa: S608
    + _IN_SERIES.format("t"),
    credited=_ANY_TOUCH.format(key="a.series", join=_IN_SERIES.format("b")),
)

# Time from the reader's first page view in the period to their first goal event, in
# milliseconds: quartiles by linear interpolation (quantile_cont), over converted readers.
TIME_TO_GOAL = """
SELECT r.goal, COUNT(*) AS n,
    quantile_cont(r.at - s.first_view, 0.25) AS q1,
    quantile_cont(r.at - s.first_view, 0.5) AS median,
    quantile_cont(r.at - s.first_view, 0.75) AS q3
FROM goal_reached r JOIN goal_seen s USING (reader)
GROUP BY r.goal
"""
