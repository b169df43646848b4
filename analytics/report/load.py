"""Page views of the period (for tests and tools), and the report's period from dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

from .engine import open_events
from .rows import Checks


class View(NamedTuple):
    """One page view: its events summed (tables.py's ``views``)."""

    reader: str
    view: str
    article: str | None
    format: str | None  # the page's format: article, transcript, illustrated
    path: str | None
    audience: str | None
    at: int  # first event, milliseconds since the epoch
    pageviews: int
    newsletter: int  # 1 when the page was opened from the newsletter
    engaged_ms: int
    scroll: int | None
    video_quartile: int | None  # None: the full video was not played
    short_quartile: int | None
    preview_quartile: int | None = None  # the home page's muted loop, not a play of the video


def load_views(
    db: str | Path,
    since_ms: int | None = None,
    until_ms: int | None = None,
    checks: Checks | None = None,
) -> list[View]:
    """Every page view of this site in the period, from its valid events only, by reader and view.

    ``checks`` (by default: for the beacon's default site) is filled with what
    was skipped and why.
    """
    from .tables import create_views

    connection = open_events(db, since_ms, until_ms, checks)
    try:
        create_views(connection)
        names = ", ".join(f'"{name}"' for name in View._fields)
        rows = connection.execute(f"SELECT {names} FROM views ORDER BY reader, view").fetchall()  # noqa: S608
        return [View._make(row) for row in rows]
    finally:
        connection.close()


def period_ms(
    since: str | None, until: str | None, zone: dt.tzinfo
) -> tuple[int | None, int | None]:
    """--since/--until dates (YYYY-MM-DD, both days included) as [start, end) in milliseconds."""

    def start_of(text: str, days_after: int) -> int:
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a date like 2026-11-01") from None
        moment = dt.datetime.combine(day + dt.timedelta(days=days_after), dt.time(), zone)
        return int(moment.timestamp() * 1000)

    start = start_of(since, 0) if since else None
    end = start_of(until, 1) if until else None
    if start is not None and end is not None and end <= start:
        raise ValueError(f"--until {until} is before --since {since}")
    return start, end
