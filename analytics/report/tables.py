"""The report's tables in DuckDB, from ``events``: page views, uses, readers with segments.

Each figure of docs/report/reading.md is a sum over one of these tables:

- ``views``: one row per page view (reader + view id), its events summed;
- ``hours``: the local day and hour of each hour the views fall in (time zone rules
  from Python's zoneinfo, so days are cut where the old report cut them);
- ``reading``: the reading time of each (article, format) page the views opened;
- ``uses``: one row per reader and article, with per format whether it was used
  (``has_<format>``) and finished (``fin_<format>``, NULL: cannot be judged);
- ``reader_totals``: one row per reader, its page views, engaged ms, newsletter views
  and active days (what ``readers`` and the departments sum);
- ``readers``: one row per reader, its features (segments.FEATURES), ``judged``,
  ``read`` and ``segment`` (NULL when no rule matched).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa

from mag_core.formats import FORMAT_ORDER

from .segments import FEATURES, segment_sql
from .site import Site

PAGE_FORMATS = FORMAT_ORDER  # a page's own format: any of the magazine's formats
VIDEO_FORMATS = ("video", "short", "preview")
ALL_FORMATS = tuple(dict.fromkeys((*PAGE_FORMATS, *VIDEO_FORMATS)))
HOUR_MS = 3_600_000

# Text columns whose largest value per view the report keeps (the format: of page events).
TEXT_MAXIMA = ("article", "format", "path", "audience")
# Past this many distinct values a column keeps the plain text maximum: an ENUM's
# dictionary grows with them and its codes widen from two bytes to four.
ENUM_LIMIT = 65_535


def _views_sql(codes: dict[str, str | None]) -> str:
    """``codes``: column -> the sorted ENUM its maximum is taken on (None: on the text).

    The numbers are narrowed to the types their values fit (scroll and quartiles are
    0-100, engaged time at most a day per event), so the table of millions of views
    stays under DuckDB's memory limit: 28 bytes less a view, about 170 MB at 20 M
    events. A value that did not fit would stop the report with an error, never
    change a figure.
    """

    def largest(column: str, only: str = "") -> str:
        value = f"{column}::{codes[column]}" if codes.get(column) else column
        text = f"max({value}){only}"
        return f"({text})::VARCHAR" if codes.get(column) else text

    quartiles = ", ".join(
        f"(max(quartile) FILTER (WHERE type = 'video' AND format = '{name}'))::INTEGER "
        f"AS {name}_quartile"
        for name in VIDEO_FORMATS
    )
    page_events = " FILTER (WHERE type IN ('pageview', 'engagement'))"
    return f"""
    CREATE TABLE views AS
    SELECT reader, view, {largest("article")} AS article,
        {largest("format", page_events)} AS format,
        {largest("path")} AS path, {largest("audience")} AS audience, min(received_at) AS at,
        (count(*) FILTER (WHERE type = 'pageview'))::INTEGER AS pageviews,
        coalesce(bool_or(type = 'pageview' AND utm_source = 'newsletter'), false)::INT
            AS newsletter,
        coalesce(sum(engaged_ms) FILTER (WHERE type = 'engagement'), 0)::BIGINT AS engaged_ms,
        (max(scroll) FILTER (WHERE type = 'engagement'))::INTEGER AS scroll, {quartiles},
        min(received_at) // {HOUR_MS} AS bucket
    FROM events WHERE type != 'goal'  -- reaching a goal is not reading: goals.py counts it
    GROUP BY reader, view
    """  # noqa: S608 - column, type and format names from the code


def build(
    connection: duckdb.DuckDBPyConnection, site: Site, config: dict
) -> dict[tuple[str, str], tuple[str | None, int | None]]:
    """Create every table; returns (article, format) -> (first path, minutes) for the site."""
    create_views(connection)
    _hours(connection, config["zone"])
    pages = _reading(connection, site, config)
    connection.execute(_uses_sql(config["read_scroll"]))
    connection.execute(_TOTALS)
    connection.execute(_readers_sql(config["segment_rules"]))
    return pages


def create_views(connection: duckdb.DuckDBPyConnection) -> None:
    """One row per page view, from one GROUP BY over ``events``.

    The text maxima (article, format, path, audience) are taken on ENUM codes:
    a two-byte code per row instead of a string kept and compared in every
    group, which made the text maxima cost more than all the other sums
    (measured in docs/operations/analytics-report.md). Each ENUM lists the
    column's distinct values sorted by DuckDB's own text order (no collation is
    set), and an ENUM compares by its position in that list, so the largest
    code is the largest text. The distinct values come from one small pass over
    the four text columns; a column with more values than ENUM_LIMIT keeps the
    plain text maximum.
    """
    try:
        connection.execute(
            "CREATE OR REPLACE TEMP TABLE view_texts AS "  # noqa: S608 - column names
            f"SELECT DISTINCT {', '.join(TEXT_MAXIMA)} FROM events"
        )
        codes = {column: _sorted_enum(connection, column) for column in TEXT_MAXIMA}
        connection.execute(_views_sql(codes))
    finally:  # the helpers live one pass, whatever became of it
        connection.execute("DROP TABLE IF EXISTS view_texts")
        for column in TEXT_MAXIMA:
            connection.execute(f"DROP TYPE IF EXISTS {_code_type(column)}")


def _code_type(column: str) -> str:
    return f"view_{column}_code"


def _sorted_enum(connection, column: str) -> str | None:
    """An ENUM of the column's distinct values in text order, or None past ENUM_LIMIT values."""
    name = _code_type(column)
    connection.execute(
        f"CREATE OR REPLACE TYPE {name} AS ENUM (SELECT DISTINCT {column} FROM view_texts "  # noqa: S608
        f"WHERE {column} IS NOT NULL ORDER BY 1 LIMIT {ENUM_LIMIT + 1})"
    )
    ((size,),) = connection.execute(f"SELECT len(enum_range(NULL::{name}))").fetchall()
    return name if size <= ENUM_LIMIT else None


def _hours(connection, zone: dt.tzinfo) -> None:
    buckets = [row[0] for row in connection.execute("SELECT DISTINCT bucket FROM views").fetchall()]
    days, hours = [], []
    for bucket in buckets:
        moment = dt.datetime.fromtimestamp(bucket * HOUR_MS / 1000, zone)
        days.append(moment.date())
        hours.append(moment.hour)
    table = pa.table(
        {
            "bucket": pa.array(buckets, pa.int64()),
            "day": pa.array(days, pa.date32()),
            "hour": pa.array(hours, pa.int32()),
        }
    )
    connection.register("local_hours", table)
    connection.execute("CREATE TABLE hours AS SELECT * FROM local_hours")
    connection.unregister("local_hours")


def _reading(connection, site: Site, config: dict) -> dict:
    """The reading time of every page opened, by the site's pages (the first path seen)."""
    first = connection.execute(
        "SELECT article, coalesce(format, 'article'), first(path ORDER BY reader, view) "
        "FROM views WHERE article <> '' GROUP BY 1, 2"
    ).fetchall()
    fallback_ms = config["min_engaged_s"] * 1000
    pages, rows = {}, []
    for article, fmt, path in first:
        page = site.find(article, fmt, path)
        minutes = page.minutes if page else None
        pages[article, fmt] = (path, minutes)
        needed = minutes * 60_000 if minutes is not None else None
        if needed is None and fmt == "illustrated":
            needed = fallback_ms  # pictures have no reading time: a minimum engaged time
        rows.append((article, fmt, None if needed is None else float(needed)))
    connection.execute("CREATE TABLE reading (article VARCHAR, format VARCHAR, needed DOUBLE)")
    if rows:
        connection.executemany("INSERT INTO reading VALUES (?, ?, ?)", rows)
    return pages


def _uses_sql(read_scroll: float) -> str:
    # The reading times of the article's formats side by side: one join, not one per format.
    needed = ", ".join(
        f"max(needed) FILTER (WHERE format = '{fmt}') AS needed_{fmt}" for fmt in PAGE_FORMATS
    )
    # A format was used when its engaged sum is not NULL: views.engaged_ms is never NULL,
    # so the sum over the format's views is NULL only when there is none (one aggregate
    # per format less than a bool_or of its own).
    used = ", ".join(f"engaged_{fmt} IS NOT NULL AS used_{fmt}" for fmt in PAGE_FORMATS)
    return f"""
    CREATE TABLE uses AS
    SELECT u.*, {used}, {", ".join(_finished(read_scroll))}
    FROM (
        SELECT reader, article, min(view) AS first_view, sum(pageviews) AS pageviews,
            sum(newsletter) AS newsletter, sum(engaged_ms) AS engaged_ms, {", ".join(_use_sums())}
        FROM (SELECT *, coalesce(format, 'article') AS fmt FROM views WHERE article <> '')
        GROUP BY reader, article
    ) AS u LEFT JOIN (SELECT article, {needed} FROM reading GROUP BY article) AS r USING (article)
    """  # noqa: S608 - format names from the registry, numbers from the settings


def _use_sums() -> list[str]:
    """Per reader and article: engaged time and scroll per page format, plays per video."""
    sums = ["sum(pageviews) FILTER (WHERE fmt = 'article') AS article_views"]
    for fmt in PAGE_FORMATS:
        sums += [
            f"sum(engaged_ms) FILTER (WHERE fmt = '{fmt}') AS engaged_{fmt}",
            f"max(coalesce(scroll, 0)) FILTER (WHERE fmt = '{fmt}') AS scroll_{fmt}",
        ]
    for fmt in VIDEO_FORMATS:
        sums += [
            f"count({fmt}_quartile) AS plays_{fmt}",
            f"count(*) FILTER (WHERE {fmt}_quartile = 100) AS done_{fmt}",
        ]
    return sums


def _finished(read_scroll: float) -> list[str]:
    """``has_<format>`` and ``fin_<format>`` (NULL: cannot be judged) from the sums."""
    columns = []
    for fmt in ALL_FORMATS:
        page = (
            f"CASE WHEN needed_{fmt} IS NOT NULL THEN scroll_{fmt} >= {float(read_scroll)!r} "
            f"AND engaged_{fmt} >= needed_{fmt} END"
            if fmt in PAGE_FORMATS
            else "NULL"
        )
        used = f"engaged_{fmt} IS NOT NULL"
        if fmt in VIDEO_FORMATS:
            used = f"plays_{fmt} > 0" + (f" OR {used}" if fmt in PAGE_FORMATS else "")
            page = f"CASE WHEN plays_{fmt} > 0 THEN done_{fmt} > 0 ELSE {page} END"
        columns.append(f"coalesce({used}, false) AS has_{fmt}, {page} AS fin_{fmt}")
    return columns


# Per reader: page views, engaged time, newsletter views and days with a view. The days
# are counted as the rows of a DISTINCT reader, day (count(DISTINCT) keeps a set per
# reader: slower). Every view has an hour (received_at is never NULL in ``events``:
# rows.py skips such rows), so the sums need no join, and the departments' per-reader
# sums read this table instead of summing the views again. The sums are BIGINT, not
# DuckDB's HUGEINT: the same whole numbers, handed to Python a quarter faster.
_TOTALS = """
CREATE TABLE reader_totals AS
SELECT * FROM (
    SELECT reader, sum(pageviews)::BIGINT AS pageviews, sum(engaged_ms)::BIGINT AS engaged_ms,
        sum(newsletter)::BIGINT AS newsletter
    FROM views GROUP BY reader
) JOIN (
    SELECT reader, count(*) AS active_days
    FROM (SELECT DISTINCT v.reader, h.day FROM views AS v JOIN hours AS h USING (bucket))
    GROUP BY reader
) USING (reader)
"""


def _ratio(part: str, whole: str) -> str:
    return f"CASE WHEN {whole} <> 0 THEN {part}::DOUBLE / {whole}::DOUBLE END"


def _readers_sql(rules) -> str:
    counts = ", ".join(f"count(*) FILTER (WHERE has_{fmt}) AS n_{fmt}" for fmt in ALL_FORMATS)
    uses = " + ".join(f"coalesce(n_{fmt}, 0)" for fmt in ALL_FORMATS)
    shares = {f"share_{fmt}": _ratio(f"coalesce(n_{fmt}, 0)", "uses") for fmt in FORMAT_ORDER}
    features = {
        "pageviews": "t.pageviews",
        "active_days": "t.active_days",
        "engaged_s": "t.engaged_ms::DOUBLE / 1000.0",
        "engaged_per_view_s": "(t.engaged_ms::DOUBLE / 1000.0) / greatest(1, t.pageviews)::DOUBLE",
        "read_through": _ratio("coalesce(u.read, 0)", "coalesce(u.judged, 0)"),
        "video_completion": _ratio("coalesce(u.done, 0)", "coalesce(u.plays, 0)"),
        "newsletter": "t.newsletter",
        "newsletter_share": _ratio("t.newsletter", "t.pageviews"),
        **shares,
        "skim_share": f"CASE WHEN uses <> 0 THEN {shares['share_short']} "
        f"+ {shares['share_transcript']} END",
    }
    assert tuple(features) == tuple(FEATURES), "every feature has its SQL"  # noqa: S101
    return f"""
    CREATE TABLE readers AS
    SELECT reader, {segment_sql(rules)} AS segment, judged, read, {", ".join(FEATURES)}
    FROM (
        SELECT t.reader, coalesce(u.judged, 0) AS judged, coalesce(u.read, 0) AS read,
            {", ".join(f"{sql} AS {name}" for name, sql in features.items())}
        FROM reader_totals AS t LEFT JOIN (
            SELECT reader, {counts},
                count(*) FILTER (WHERE has_article AND fin_article IS NOT NULL) AS judged,
                count(*) FILTER (WHERE has_article AND fin_article) AS read,
                sum(plays_video) AS plays, sum(done_video) AS done
            FROM uses GROUP BY reader
        ) AS u USING (reader), LATERAL (SELECT {uses} AS uses)
    )
    """  # noqa: S608 - feature and format names from the code
