"""Retention on a real database: old days become summaries, their reader ids disappear.

Events are planted on two days well past the window (each old reader reads on
one of them only, so per-day sums are exact period figures) and on recent days;
the report over the old days is taken first, then retention runs, and the same
figures must come back from the summaries.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
import subprocess
import sys
import time
from contextlib import closing

import pgserver
import psycopg
import pytest

from analytics.postgres import PostgresStorage
from analytics.report import settings as report_settings
from analytics.report.cli import make_report
from analytics.report.site import Site
from analytics.retention import main, retire
from analytics.storage import COLUMNS, Storage, import_events

postgres_server = pgserver.postgres_server  # the session's server, a fixture

DAY_MS = 24 * 60 * 60 * 1000
NOW_MS = int(time.time() * 1000)
OLD_DAYS = (500, 499)  # days ago: past the default window of 400 days
RECENT_DAYS = (3, 2)


def noon_tokyo(days_ago: int) -> int:
    day = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)).date()
    return int(dt.datetime(day.year, day.month, day.day, 3, tzinfo=dt.UTC).timestamp() * 1000)


def visits(rng: random.Random, reader: str, days_ago: int, count: int) -> list[dict]:
    events = []
    for number in range(count):
        article = rng.choice(("alpha", "beta"))
        fmt = rng.choice(("article", "transcript"))
        at = noon_tokyo(days_ago) + rng.randrange(6 * 3_600_000)
        common = {"v": 1, "site": "mag", "reader": reader, "view": f"{reader}v{number:02d}"}
        common |= {"path": f"/2026/{article}/", "article": article, "format": fmt}
        pageview = {**common, "type": "pageview", "received_at": at}
        if rng.random() < 0.3:
            pageview["utm_source"] = "newsletter"
        events.append(pageview)
        events.append(
            {**common, "type": "engagement", "received_at": at + 1}
            | {"engaged_ms": rng.randrange(200_000), "scroll": rng.choice((40, 95, 100))}
        )
        if fmt == "article" and rng.random() < 0.5:
            events += [
                {**common, "type": "video", "received_at": at + 2, "format": "video"}
                | {"quartile": q, "muted": True, "captions": False}
                for q in (0, 25, 50, 75, 100)[: rng.randrange(1, 6)]
            ]
    return events


def planted() -> tuple[list[dict], set[str]]:
    rng = random.Random(11)  # noqa: S311 - reproducible traffic
    events, old_readers = [], set()
    for number in range(60):
        reader = f"old{number:05d}"
        old_readers.add(reader)
        events += visits(rng, reader, OLD_DAYS[number % 2], rng.randrange(1, 5))
    for number in range(30):
        events += visits(rng, f"new{number:05d}", RECENT_DAYS[number % 2], rng.randrange(1, 5))
    return events, old_readers


def write_site(folder):
    """A built site's manifest: both articles, their article page with a reading time."""
    from mag_core.manifest import MANIFEST_PATH, MANIFEST_VERSION

    articles = [
        {
            "id": slug,
            "title": slug,
            "url": f"2026/{slug}/",
            "pages": [{"format": "article", "url": f"2026/{slug}/", "title": slug, "minutes": 1}],
        }
        for slug in ("alpha", "beta")
    ]
    manifest = folder / MANIFEST_PATH
    manifest.parent.mkdir(parents=True)
    data = {"version": MANIFEST_VERSION, "site": "mag", "articles": articles}
    manifest.write_text(json.dumps(data), encoding="utf-8")
    return folder


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "events.sqlite3"
    events, old = planted()
    import_events(path, events)
    return path, old


def old_period() -> tuple[str, str]:
    days = [(dt.datetime.now(dt.UTC) - dt.timedelta(days=n)).date() for n in OLD_DAYS]
    return min(days).isoformat(), max(days).isoformat()


def test_old_days_become_summaries_and_the_report_still_shows_them(db, tmp_path):
    path, old_readers = db
    since, until = old_period()
    site = write_site(tmp_path / "site")
    before_all = make_report(path, tmp_path / "before", site=site)
    before_old = make_report(path, tmp_path / "before-old", site=site, since=since, until=until)

    config = report_settings.read({})
    done = retire(path, Site.read(site), config)

    assert [item.day.isoformat() for item in done] == [since, until]
    with closing(sqlite3.connect(path)) as connection:
        left = connection.execute("SELECT DISTINCT reader FROM events").fetchall()
        summaries = connection.execute("SELECT count(*), sum(pageviews) FROM summaries").fetchone()
    assert {reader for (reader,) in left}.isdisjoint(old_readers)
    assert len(left) == 30
    assert summaries[0] > 0
    assert summaries[1] == sum(a.pageviews for a in before_old.articles)

    after_all = make_report(path, tmp_path / "after", site=site)
    assert after_all.usage.daily == before_all.usage.daily
    assert after_all.views == before_all.views
    assert after_all.period == before_all.period
    archive = after_all.archive
    assert archive.days == [since, until]
    for stats in before_old.articles:
        sums = archive.articles[stats.article]
        assert sums["pageviews"] == stats.pageviews
        assert sums["engaged_ms"] == stats.engaged_ms
        assert sums["readers"] == stats.readers  # each old reader came on one day only
        assert (sums["judged"], sums["read"]) == (stats.text_readers, stats.read_through)
        assert archive.rate(sums) == stats.read_rate
        assert (sums["plays_video"], sums["done_video"]) == (
            stats.plays["video"],
            stats.done["video"],
        )
        assert sums["newsletter"] == stats.newsletter_views
    assert sum(s["pageviews"] for s in archive.segments.values()) == before_old.views
    assert (tmp_path / "after/archive.csv").is_file()
    assert "保存期間を過ぎた日" in (tmp_path / "after/index.html").read_text("utf-8")
    # The recent days are untouched: raw, with their distinct readers.
    recent = make_report(
        path,
        tmp_path / "recent",
        since=(dt.date.fromisoformat(until) + dt.timedelta(days=1)).isoformat(),
    )
    assert recent.readers == 30
    assert recent.archive is None


def test_no_old_reader_id_is_left_anywhere_in_the_file(db):
    path, old_readers = db
    retire(path, Site([]), report_settings.read({}))

    data = b"".join(
        file.read_bytes() for file in path.parent.iterdir() if file.name.startswith(path.name)
    )
    found = [reader for reader in old_readers if reader.encode() in data]
    assert found == []
    assert b"new00001" in data  # the recent ones are still there


def test_retention_is_idempotent_and_runs_while_the_collector_writes(db, capsys):
    path, _old = db
    writer = Storage(path, sync="normal")  # a collector with the file open
    try:
        assert main(["--db", str(path)]) == 0
        with closing(sqlite3.connect(path)) as connection:
            first = connection.execute("SELECT * FROM summaries ORDER BY 1, 2, 3, 4, 5").fetchall()
        writer.insert_many(
            [
                {
                    "v": 1,
                    "type": "pageview",
                    "site": "mag",
                    "reader": "late0001",
                    "view": "late0001v1",
                    "path": "/",
                }
            ]
        )
        assert main(["--db", str(path)]) == 0
        with closing(sqlite3.connect(path)) as connection:
            again = connection.execute("SELECT * FROM summaries ORDER BY 1, 2, 3, 4, 5").fetchall()
            (late,) = connection.execute(
                "SELECT count(*) FROM events WHERE reader = 'late0001'"
            ).fetchone()
    finally:
        writer.close()
    assert again == first
    assert late == 1
    assert "0 day(s) summarised" in capsys.readouterr().out


def test_a_bad_window_or_missing_database_is_a_clear_error(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "none.sqlite3")]) == 1
    assert "no event database" in capsys.readouterr().err
    # A server database that cannot be reached: one line naming it, without its password.
    assert main(["--db", "postgresql://mag:secret@127.0.0.1:1/events"]) == 1
    said = capsys.readouterr().err
    assert said.startswith("retention: postgresql://mag:***@127.0.0.1:1/events: ")
    assert "secret" not in said
    with pytest.raises(Exception, match="retention_days"):
        report_settings.read({"MAG_REPORT": {"retention_days": 0}})


COLLECTOR = """
import sys, pathlib
from analytics.storage import Storage
path, stop = sys.argv[1], pathlib.Path(sys.argv[2])
writer = Storage(path, sync="normal")
number = 0
while not stop.exists():
    view = f"live{number:06d}"
    event = {"v": 1, "type": "pageview", "site": "mag", "reader": "live0001", "path": "/"}
    writer.insert_many([{**event, "view": view}])
    print(view, flush=True)  # acknowledged: committed
    number += 1
writer.close()
"""


def test_the_collector_keeps_storing_while_retention_runs(db, tmp_path):
    path, old_readers = db
    stop = tmp_path / "stop"
    command = [sys.executable, "-c", COLLECTOR, str(path), str(stop)]
    collector = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        first = collector.stdout.readline()  # it is writing before retention starts
        done = retire(path, Site([]), report_settings.read({}))
    finally:
        stop.touch()
        # Read through the same buffered file as the first line: communicate() with a
        # timeout reads the raw pipe and would lose lines readline() had buffered.
        rest = collector.stdout.read()
        collector.wait(timeout=60)
    stored = {first.strip(), *rest.split()}

    assert collector.returncode == 0
    assert len(done) == 2
    with closing(sqlite3.connect(path)) as connection:
        views = {
            v for (v,) in connection.execute("SELECT view FROM events WHERE reader = 'live0001'")
        }
        left = {r for (r,) in connection.execute("SELECT DISTINCT reader FROM events")}
    assert views == stored
    assert left.isdisjoint(old_readers)


def import_into_postgres(url: str, events: list[dict]) -> None:
    """Planted rows with their own times, into a table the collector's storage created."""
    PostgresStorage(url).close()
    statement = f"COPY events ({', '.join(COLUMNS)}) FROM STDIN"
    with psycopg.connect(url) as connection, connection.cursor().copy(statement) as copy:
        for event in events:
            copy.write_row([_plain(event.get(column)) for column in COLUMNS])


def _plain(value):
    return int(value) if isinstance(value, bool) else value


def test_a_postgresql_database_is_retired_to_the_same_summaries_as_a_sqlite_file(
    db, tmp_path, postgres_server
):
    path, old_readers = db
    events, _ = planted()
    url = postgres_server.new_database()
    import_into_postgres(url, events)
    site = write_site(tmp_path / "site")
    config = report_settings.read({})
    before = make_report(url, tmp_path / "before", site=site)

    on_sqlite = retire(path, Site.read(site), config)
    on_postgres = retire(url, Site.read(site), config)

    assert [(d.day, d.events, d.rows) for d in on_postgres] == [
        (d.day, d.events, d.rows) for d in on_sqlite
    ]
    query = "SELECT * FROM summaries ORDER BY site, day, article, format, segment"
    with closing(sqlite3.connect(path)) as connection:
        expected = connection.execute(query).fetchall()
    assert postgres_server.execute(url, query) == expected
    left = postgres_server.execute(url, "SELECT DISTINCT reader FROM events")
    assert {reader for (reader,) in left}.isdisjoint(old_readers)
    after = make_report(url, tmp_path / "after", site=site)
    assert after.usage.daily == before.usage.daily
    assert after.archive.days == [d.day.isoformat() for d in on_sqlite]
    assert retire(url, Site.read(site), config) == []  # idempotent
