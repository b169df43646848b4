"""The report's columnar copy of the events: the same figures as a fresh read of the SQLite file.

Planted events (test_report_engine's) plus rows of odd types the collector
never writes, reported with and without the copy, for the whole table and for a
period; then events appended, the oldest rows deleted as retention does, a part
damaged, and a folder that cannot be written.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from test_report_engine import DAY_MS, SETTINGS, TOKYO_MIDNIGHT_MS, planted_events, site

from analytics.report import columns
from analytics.report import settings as report_settings
from analytics.report.compute import compute
from analytics.report.engine import open_events
from analytics.report.rows import Checks
from analytics.storage import COLUMNS, import_events

PERIOD = (TOKYO_MIDNIGHT_MS + DAY_MS // 2, TOKYO_MIDNIGHT_MS + 2 * DAY_MS)


def odd_rows(db: Path) -> None:
    """Rows of other types than the collector writes: each must be judged as a fresh read does."""
    good = {"v": 1, "site": "mag", "type": "pageview", "reader": "reader9001", "view": "o1"}
    good |= {"path": "/2026/alpha/", "article": "alpha", "format": "article"}
    good |= {"received_at": TOKYO_MIDNIGHT_MS + 3600_000}
    odd = [
        good | {"engaged_ms": "5", "type": "engagement", "scroll": 50},  # a number as text
        good | {"received_at": str(TOKYO_MIDNIGHT_MS)},  # a time as text
        good | {"reader": b"\xff\xfe-not-utf8", "view": "o2"},  # bytes that are not UTF-8
        good | {"view": "o3"},  # a plain valid row after them
    ]
    with closing(sqlite3.connect(db)) as connection, connection:
        for row in odd:
            names = ", ".join(row)
            marks = ", ".join("?" for _ in row)
            query = f"INSERT INTO events ({names}) VALUES ({marks})"  # noqa: S608 - our names
            connection.execute(query, tuple(row.values()))


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "events.sqlite3"
    import_events(path, planted_events(seed=3, readers=120))
    odd_rows(path)
    return path


def figures(db: Path, period=(None, None)):
    """Every figure of the report and every count of the checks, comparable with ==."""
    checks = Checks(site="mag")
    config = report_settings.read(SETTINGS)
    with closing(open_events(db, *period, checks)) as events:
        report = compute(events, site(), config)
    return (
        report.views,
        report.readers,
        report.usage,
        report.features,
        report.segments,
        report.profiles,
        report.articles,
        report.formats,
        report.reach,
        (checks.valid, dict(checks.invalid), dict(checks.other_sites)),
    )


def fresh(db: Path, monkeypatch, period=(None, None)):
    """The figures of a report that reads the SQLite file itself, with no copy."""
    with monkeypatch.context() as patched:
        patched.setattr(columns, "load", lambda *_: None)
        return figures(db, period)


def parts(db: Path) -> list[str]:
    return sorted(p.name for p in columns.folder_of(db).glob("part-*.parquet"))


def test_first_and_second_runs_equal_a_fresh_read(db, monkeypatch):
    expected, expected_period = fresh(db, monkeypatch), fresh(db, monkeypatch, PERIOD)
    assert not columns.folder_of(db).exists()

    first = figures(db)
    made = parts(db)
    second, second_period = figures(db), figures(db, PERIOD)

    assert expected[-1][1], "the odd rows are counted as invalid"
    assert expected_period != expected
    assert first == second == expected
    assert second_period == expected_period
    assert made
    assert parts(db) == made  # the second run read no new part


def test_appended_events_grow_the_copy(db, monkeypatch):
    figures(db)
    before = parts(db)
    import_events(db, planted_events(seed=5, readers=40))
    odd_rows(db)

    assert figures(db) == fresh(db, monkeypatch)
    assert figures(db, PERIOD) == fresh(db, monkeypatch, PERIOD)
    after = parts(db)
    assert set(before) < set(after)
    with closing(sqlite3.connect(db)) as connection:
        (last,) = connection.execute("SELECT max(id) FROM events").fetchone()
    assert max(int(name.split("-")[2]) for name in after) == last


def test_rows_deleted_by_retention_are_read_again(db, monkeypatch, caplog):
    monkeypatch.setattr(columns, "CHUNK_IDS", 500)  # several parts: only the changed ones go
    figures(db)
    before = parts(db)
    assert len(before) >= 4
    with closing(sqlite3.connect(db)) as connection, connection:
        connection.execute("DELETE FROM events WHERE id <= 700")  # the oldest, as retention does

    with caplog.at_level(logging.INFO, logger="analytics.report.columns"):
        assert figures(db) == fresh(db, monkeypatch)
    after = parts(db)
    assert before[2:] == after[1:]  # the parts above the deleted ids were kept as they were
    assert after[0].startswith("part-000000000501-000000001000-")
    assert "changed in the database" in caplog.text
    assert figures(db, PERIOD) == fresh(db, monkeypatch, PERIOD)


def test_a_damaged_or_half_written_part_is_read_again(db, monkeypatch, caplog):
    monkeypatch.setattr(columns, "CHUNK_IDS", 1000)
    expected = figures(db)
    damaged = columns.folder_of(db) / parts(db)[1]
    data = damaged.read_bytes()
    damaged.write_bytes(data[: len(data) // 2])
    # A killed report's temporary file is never read as a part.
    (columns.folder_of(db) / ".part-1-1.tmp").write_bytes(data[:100])

    with caplog.at_level(logging.WARNING, logger="analytics.report.columns"):
        assert figures(db) == expected == fresh(db, monkeypatch)
    assert f"damaged part {damaged}" in caplog.text
    assert damaged.stat().st_size == len(data)  # written again, whole


def test_parts_taken_away_while_a_report_runs_are_still_read(db, monkeypatch):
    expected = figures(db)
    checks = Checks(site="mag")
    with closing(open_events(db, None, None, checks)) as events:
        # Another report merges the parts, or retention deletes them, meanwhile.
        for name in parts(db):
            (columns.folder_of(db) / name).unlink()
        report = compute(events, site(), report_settings.read(SETTINGS))
    assert (report.views, report.readers, report.usage) == expected[:3]
    assert checks.valid == expected[-1][0]


def test_a_report_leaves_no_links_to_the_parts_behind(db, tmp_path):
    import subprocess
    import sys

    figures(db)
    assert not list(columns.folder_of(db).glob(".reading-*"))  # gone with the connection
    # A killed report's links go at the next run.
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = columns.folder_of(db) / f".reading-{dead.pid}-1"
    left.mkdir()
    (left / "part-1-2-3.parquet").write_bytes(b"old reader ids")
    figures(db)
    assert not left.exists()


def test_a_folder_that_cannot_be_written_reads_the_file(db, monkeypatch, caplog):
    # Where the copy's folder would be, something that is not a folder (as a read-only
    # volume does, this refuses the copy even to root).
    columns.folder_of(db).write_text("not a folder\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert figures(db) == fresh(db, monkeypatch)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "is not used" in warnings[0].getMessage()
    assert str(db) in warnings[0].getMessage()


def test_many_small_parts_are_merged(db, monkeypatch):
    monkeypatch.setattr(columns, "MAX_PARTS", 3)
    figures(db)
    for seed in range(6, 11):
        import_events(db, planted_events(seed=seed, readers=5))
        figures(db)

    assert len(parts(db)) <= 4
    assert figures(db) == fresh(db, monkeypatch)


def test_the_copy_can_be_deleted_any_time(db, monkeypatch):
    expected = figures(db)
    shutil.rmtree(columns.folder_of(db))
    assert figures(db) == expected
    assert parts(db)


def test_the_copy_holds_the_rows_judged(db):
    garbage = [
        ("engagement", "r-garbage", 10**15),  # more engaged time than a year holds: clamped
        ("pageview", "r-garbage", 5),  # a page view has no engaged time or scroll: invalid
    ]
    with closing(sqlite3.connect(db)) as connection, connection:
        for kind, reader, engaged in garbage:
            connection.execute(
                "INSERT INTO events (received_at, v, type, site, reader, view, path, engaged_ms, "
                "scroll) VALUES (?, 1, ?, 'mag', ?, 'g1', '/2026/alpha/', ?, 50)",
                (TOKYO_MIDNIGHT_MS, kind, reader, engaged),
            )
        (bad,) = connection.execute("SELECT max(id) FROM events").fetchone()
    figures(db)
    import pyarrow.parquet as pq

    table = pq.read_table(columns.folder_of(db))
    assert tuple(table.schema.names) == ("id", *COLUMNS, "odd", "problem", "key_problem")
    with closing(sqlite3.connect(db)) as connection:
        (count,) = connection.execute("SELECT count(*) FROM events").fetchone()
    assert table.num_rows == count
    assert sum(table.column("odd").to_pylist()) == 3
    # Only the invalid ordinary row carries a reason; the clamped one is kept, clamped.
    rows = {row["id"]: row for row in table.to_pylist()}
    assert [number for number, row in rows.items() if row["problem"]] == [bad]
    assert "engaged" in rows[bad]["problem"]
    assert 0 < rows[bad - 1]["engaged_ms"] < 10**15


def test_a_report_judges_only_the_rows_that_came_in(db, monkeypatch):
    judged = []
    original = columns.judge_rows

    def counting(connection):
        judged.append(connection.execute("SELECT count(*) FROM stored").fetchone()[0])
        original(connection)

    monkeypatch.setattr(columns, "judge_rows", counting)
    figures(db)
    import_events(db, planted_events(seed=5, readers=40))
    with closing(sqlite3.connect(db)) as connection:
        (total,) = connection.execute("SELECT count(*) FROM events").fetchone()
    figures(db)

    first, second = judged
    assert first + second == total  # each row judged once, the second time only the new ones
    assert figures(db) == fresh(db, monkeypatch)
    assert len(judged) == 2  # nothing judged again when nothing came in


def test_parts_judged_by_other_checks_are_read_again(db, monkeypatch, caplog):
    expected = figures(db)
    made = {name: (columns.folder_of(db) / name).stat().st_mtime_ns for name in parts(db)}
    monkeypatch.setattr(columns, "checks_version", lambda: b"other-rules")

    with caplog.at_level(logging.INFO, logger="analytics.report.columns"):
        assert figures(db) == expected
    assert "judged by other checks" in caplog.text
    assert all(
        (columns.folder_of(db) / name).stat().st_mtime_ns != stamp for name, stamp in made.items()
    )


def test_retention_within_the_only_part(db, monkeypatch):
    figures(db)
    with closing(sqlite3.connect(db)) as connection, connection:
        connection.execute("DELETE FROM events WHERE id <= 100")

    assert figures(db) == fresh(db, monkeypatch)
    (only,) = parts(db)
    with closing(sqlite3.connect(db)) as connection:
        (count,) = connection.execute("SELECT count(*) FROM events").fetchone()
    assert only.endswith(f"-{count}.parquet")


def test_retention_takes_the_deleted_readers_out_of_the_copy(tmp_path, monkeypatch):
    import pyarrow.parquet as pq
    from test_retention import planted, write_site

    from analytics.report.site import Site
    from analytics.retention import retire

    db = tmp_path / "events.sqlite3"
    events, old_readers = planted()
    import_events(db, events)
    figures(db)
    assert old_readers & set(pq.read_table(columns.folder_of(db)).column("reader").to_pylist())

    assert retire(db, Site.read(write_site(tmp_path / "site")), report_settings.read({}))

    left = pq.read_table(columns.folder_of(db)) if parts(db) else None
    assert left is None or old_readers.isdisjoint(left.column("reader").to_pylist())
    assert figures(db) == fresh(db, monkeypatch)
