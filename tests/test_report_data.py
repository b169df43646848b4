"""The reader report on an event database it cannot trust: garbage rows of every kind.

The collector never stores such rows; a restored file, an import, a hand edit or
an older collector can. They are written straight into a real database file
here, next to valid events stored the way the collector stores them.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from analytics.report.cli import main, make_report
from analytics.report.load import load_views
from analytics.report.rows import IMPLAUSIBLE, Checks, DataError
from analytics.schema import MAX_ENGAGED_MS
from analytics.storage import COLUMNS, Storage, import_events

NOW_MS = int(time.time() * 1000)
HOUR_MS = 60 * 60 * 1000
PAGE = {"v": 1, "site": "mag", "path": "/2026/a/", "article": "a", "format": "article"}


def good_events() -> list[dict]:
    """Two readers who each read article "a" for 30 s, scrolling to 95 %."""
    events = []
    for number, reader in enumerate(("reader01", "reader02")):
        at = NOW_MS - HOUR_MS + number
        view = {**PAGE, "reader": reader, "view": f"{reader}v1", "received_at": at}
        events.append({**view, "type": "pageview", "audience": "core"})
        events.append({**view, "type": "engagement", "engaged_ms": 30_000, "scroll": 95})
    return events


def engagement(reader: str, **changes) -> dict:
    event = {
        **PAGE,
        "type": "engagement",
        "reader": reader,
        "view": f"{reader}v1",
        "engaged_ms": 1000,
        "scroll": 50,
        "received_at": NOW_MS - HOUR_MS,
    }
    return {**event, **changes}


class RawText(bytes):
    """Bytes stored as TEXT, as a program that does not check its encoding stores them."""


def store_raw(db: Path, rows: list[dict]) -> None:
    """Rows as they are, no checks: what a bad import or a hand edit leaves."""
    connection = sqlite3.connect(db)
    for row in rows:
        names = ", ".join(row)
        marks = ", ".join(
            "CAST(? AS TEXT)" if isinstance(v, RawText) else "?" for v in row.values()
        )
        values = tuple(bytes(v) if isinstance(v, RawText) else v for v in row.values())
        connection.execute(f"INSERT INTO events ({names}) VALUES ({marks})", values)  # noqa: S608
    connection.commit()
    connection.close()


def year_ms(year: int) -> int:
    return int(dt.datetime(year, 6, 1, tzinfo=dt.UTC).timestamp() * 1000)


GARBAGE = {
    "text in a number column": (
        [engagement("textnum1", engaged_ms="lots")],
        "field 'engaged_ms': not a number",
    ),
    "an all-NULL row": ([{"received_at": None}], IMPLAUSIBLE),
    "all NULL but the time": ([{"received_at": NOW_MS - HOUR_MS}], "type must be one of"),
    "a page view without a reader": (
        [{**PAGE, "type": "pageview", "view": "noreader1", "received_at": NOW_MS - HOUR_MS}],
        "field 'reader' is missing",
    ),
    "a number beyond any measurement": (
        [engagement("huge0001", engaged_ms=10**16)],
        "field 'engaged_ms': number out of range",
    ),
    "a date in 2100": ([engagement("future01", received_at=year_ms(2100))], IMPLAUSIBLE),
    "a date in 1970": ([engagement("past0001", received_at=0)], IMPLAUSIBLE),
    "an unknown schema version": ([engagement("version9", v=9)], "field 'v': must be one of 1, 2"),
    "text that is not UTF-8": (
        [engagement("badtext1", path=RawText(b"/2026/\xff/"))],
        "field 'path': not UTF-8 text",
    ),
    "a reader id the schema refuses": (
        [engagement("BAD-READER")],
        "field 'reader': not an allowed value",
    ),
    "a reader id that is not UTF-8": (
        [{**engagement("goodview"), "reader": RawText(b"r\xffader01")}],
        "field 'reader': not UTF-8 text",
    ),
    "a field its type does not have": (
        [engagement("stray001", quartile=50)],
        "unknown field 'quartile'",
    ),
}


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "events.sqlite3"
    import_events(path, good_events())
    return path


@pytest.mark.parametrize("case", GARBAGE, ids=list(GARBAGE))
def test_each_kind_of_garbage_row_is_skipped_and_counted(db, tmp_path, case):
    rows, kind = GARBAGE[case]
    store_raw(db, rows)
    checks = Checks(site="mag")

    views = load_views(db, checks=checks)

    assert sorted(v.reader for v in views) == ["reader01", "reader02"]
    assert sum(v.engaged_ms for v in views) == 60_000
    assert sum(checks.invalid.values()) == len(rows)
    (line,) = checks.warnings()
    assert kind in line
    assert line.startswith(f"{len(rows)} invalid row(s) skipped: ")


def test_garbage_changes_no_figure_of_the_report(db, tmp_path):
    clean = make_report(db, tmp_path / "clean")
    for rows, _kind in GARBAGE.values():
        store_raw(db, rows)

    report = make_report(db, tmp_path / "report")

    assert (report.views, report.readers, report.period) == (2, 2, clean.period)
    assert [a.read_rate for a in report.articles] == [a.read_rate for a in clean.articles]
    assert [a.avg_engaged_s for a in report.articles] == [30.0]
    # One warning line per kind, on the dashboard too.
    assert len(report.data_notes) == len({kind for _rows, kind in GARBAGE.values()})
    page = BeautifulSoup((tmp_path / "report/index.html").read_text("utf-8"), "html.parser")
    assert len(page.select("ul.note code")) == len(report.data_notes)


def test_a_number_at_the_edge_is_clamped_by_the_collectors_rule(db):
    store_raw(db, [engagement("clamped1", engaged_ms=10**15, scroll=250.5)])

    (view,) = [v for v in load_views(db) if v.reader == "clamped1"]

    assert view.engaged_ms == MAX_ENGAGED_MS
    assert view.scroll == 100


def test_only_this_sites_events_count(db, tmp_path):
    other = [
        {**event, "site": "other-mag", "reader": "other001", "view": "other001v1"}
        for event in good_events()[:2]
    ]
    import_events(db, other)
    checks = Checks(site="mag")

    views = load_views(db, checks=checks)

    assert {v.reader for v in views} == {"reader01", "reader02"}
    assert checks.other_sites == {"other-mag": 2}
    assert checks.invalid == {}
    report = make_report(db, tmp_path / "other", settings={"MAG_BEACON": {"site": "other-mag"}})
    assert report.readers == 1


def test_strict_makes_any_invalid_row_an_error_and_keeps_the_last_report(db, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["--db", str(db), "--out", str(out)]) == 0
    before = (out / "index.html").read_bytes()
    store_raw(db, GARBAGE["a page view without a reader"][0])

    assert main(["--db", str(db), "--out", str(out)]) == 0  # skipped, with a warning
    assert main(["--db", str(db), "--out", str(out), "--strict"]) == 1
    assert "1 invalid row(s) and --strict" in capsys.readouterr().err
    with pytest.raises(DataError, match="field 'reader' is missing"):
        make_report(db, tmp_path / "strict", strict=True)
    assert not (tmp_path / "strict").exists()
    assert (out / "index.html").read_bytes() != before  # the lenient run wrote its report


def test_no_database_content_makes_the_report_crash(db, tmp_path):
    rng = random.Random(17)  # noqa: S311 - reproducible garbage, not secrets
    values = [
        None,
        "",
        "x",
        "pageview",
        "engagement",
        "video",
        "mag",
        "abcdef12",
        0,
        1,
        -1,
        2.5,
        10**15,
        2**62,
        float("inf"),
        b"\xff\x00",
        "/2026/a/",
        "article",
        "short",
    ]
    rows = [
        {column: rng.choice(values) for column in COLUMNS if rng.random() < 0.7} for _ in range(400)
    ]
    store_raw(db, [row for row in rows if row])

    assert main(["--db", str(db), "--out", str(tmp_path / "report")]) == 0
    assert (tmp_path / "report/index.html").is_file()


def test_a_file_that_is_not_an_event_database_is_a_clear_error(tmp_path, capsys):
    text = tmp_path / "notes.sqlite3"
    text.write_text("not a database", encoding="utf-8")
    assert main(["--db", str(text), "--out", str(tmp_path / "r")]) == 1
    assert "is not an event database" in capsys.readouterr().err
    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty).close()
    assert main(["--db", str(empty), "--out", str(tmp_path / "r")]) == 1
    assert not (tmp_path / "r").exists()


def test_a_database_made_by_the_collector_has_the_table_the_check_reads(tmp_path):
    Storage(tmp_path / "fresh.sqlite3").close()
    checks = Checks(site="mag")
    assert load_views(tmp_path / "fresh.sqlite3", checks=checks) == []
    assert checks.valid == 0


# --- the dashboard's segment table ---------------------------------------------------------

SETTINGS = {
    "MAG_REPORT": {
        "read_scroll": 80,
        "min_engaged_s": 15,
        "segment_rules": [
            ("core", {"read_through": (">=", 0.75), "engaged_per_view_s": (">=", 45)}),
            ("busy", {"skim_share": (">=", 0.3)}),
            ("light", {}),
        ],
    }
}


def test_the_segment_table_is_japanese_and_prints_the_configured_thresholds(db, tmp_path):
    make_report(db, tmp_path / "report", settings=SETTINGS)
    html = (tmp_path / "report/index.html").read_text("utf-8")
    page = BeautifulSoup(html, "html.parser")
    section = page.select_one("table.segments")
    text = section.get_text(" ") + " ".join(li.get_text() for li in page.select("ol.rules li"))
    for code_name in ("engaged_per_view_s", "read_through", "skim_share", "pageviews"):
        assert code_name not in html
    assert "1ページあたりの閲読秒" in text
    rules = [li.get_text() for li in page.select("ol.rules li")]
    assert "記事を読了した割合 ≧ 75%" in rules[0]
    assert "1ページあたりの閲読秒 ≧ 45" in rules[0]
    assert "ショートと文字で読むの割合 ≧ 30%" in rules[1]
    assert "最深スクロール80%以上" in html
    assert "閲読15秒以上" in html
    assert "90%" not in html


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 1200])
def test_the_segment_table_fits_a_phone_and_a_wide_column(db, tmp_path, serve, page, width):
    make_report(db, tmp_path / "report", settings=SETTINGS)
    server = serve(tmp_path / "report")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{server.url}/index.html")
    table = page.locator("table.segments")
    box = table.bounding_box()
    column = page.evaluate("document.body.clientWidth")
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= column
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
