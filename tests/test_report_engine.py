"""The report's engine against a small reference written out in plain Python, figure for figure.

A few thousand events are planted (every event type, every format, video and
short quartiles, the home page's preview loop, newsletter campaigns, readers of
each segment, events on both sides of midnight in Tokyo and an article the site
does not know), stored the way the collector stores them, and reported by the
engine. ``reference`` computes every table the dashboard and the CSV files show
the obvious way, event by event, straight from docs/report/reading.md.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import sqlite3
from collections import Counter, defaultdict
from contextlib import closing
from pathlib import Path

import pyarrow as pa
import pytest

from analytics.report import columns, metrics, tables
from analytics.report import settings as report_settings
from analytics.report.compute import compute
from analytics.report.engine import open_events
from analytics.report.rows import Checks
from analytics.report.segments import FEATURES, profile
from analytics.report.site import Site, SitePage
from analytics.storage import COLUMNS, import_events
from mag_core.formats import FORMAT_ORDER

DAY_MS = 24 * 60 * 60 * 1000
# 2026-11-10 00:00 in Tokyo is 2026-11-09 15:00 UTC: days are cut there, not at UTC midnight.
TOKYO_MIDNIGHT_MS = int(dt.datetime(2026, 11, 9, 15, tzinfo=dt.UTC).timestamp() * 1000)
ARTICLES = ("alpha", "beta", "gamma", "delta")  # delta is not on the site
VIDEO_KINDS = ("video", "short", "preview")
SETTINGS = {"MAG_REPORT": {"site": "mag", "min_engaged_s": 20}}


def site() -> Site:
    pages = []
    for number, article in enumerate(ARTICLES[:3]):
        for fmt, minutes in (("article", 1 + number), ("transcript", 2), ("illustrated", None)):
            path = f"/2026/{article}/" if fmt == "article" else f"/2026/{article}/{fmt}/"
            pages.append(SitePage(path, article, fmt, f"記事 {article}", minutes, ("busy",)))
    return Site(pages)


def planted_events(seed: int = 3, readers: int = 200) -> list[dict]:
    rng = random.Random(seed)  # noqa: S311 - reproducible traffic
    events = []
    for number in range(readers):
        reader = f"reader{number:04d}"
        habit = number % 4  # 0: skims, 1: reads through, 2: watches, 3: drops by once
        for visit in range(1 if habit == 3 else rng.randrange(2, 9)):
            events += page_view(rng, reader, f"{reader}v{visit:03d}", habit)
    return events


def page_view(rng: random.Random, reader: str, view: str, habit: int) -> list[dict]:
    article = rng.choice(ARTICLES)
    fmt = rng.choice(("transcript", "illustrated") if habit == 0 else FORMAT_ORDER)
    # Minutes around Tokyo's midnight on three days, and some afternoons.
    at = TOKYO_MIDNIGHT_MS + rng.randrange(3) * DAY_MS + rng.randrange(-90, 90) * 60_000
    at += rng.choice((0, 0, 6 * 3_600_000))
    path = f"/2026/{article}/" + ("" if fmt == "article" else f"{fmt}/")
    common = {"v": 1, "site": "mag", "reader": reader, "view": view, "path": path}
    common |= {"article": article, "format": fmt, "received_at": at}
    pageview = {**common, "type": "pageview", "audience": rng.choice((None, "busy light"))}
    if rng.random() < 0.3:
        pageview |= {"utm_source": "newsletter", "utm_campaign": "weekly-11"}
    events = [pageview]
    for part in range(rng.randrange(3)):
        engaged = int(rng.expovariate(1 / (120_000 if habit == 1 else 20_000)))
        scroll = 100 if habit == 1 else rng.randrange(101)
        events.append(
            {**common, "type": "engagement", "received_at": at + part + 1}
            | {"engaged_ms": engaged, "scroll": scroll}
        )
    if habit == 2 or rng.random() < 0.2:
        kind = rng.choice(VIDEO_KINDS)
        for quartile in (0, 25, 50, 75, 100)[: rng.randrange(1, 6)]:
            events.append(
                {**common, "type": "video", "format": kind, "quartile": quartile}
                | {"muted": rng.random() < 0.5, "captions": True, "received_at": at + 5}
            )
    if rng.random() < 0.1:
        events.append({**common, "type": "format", "format": "short", "from_format": fmt})
    if rng.random() < 0.1:
        events.append({**common, "type": "click", "kind": "outbound", "url": "https://ex.jp/a"})
    return events


# --- the reference: every figure, event by event ------------------------------------------


def reference(events: list[dict], pages: Site, config: dict) -> dict:
    views = defaultdict(list)
    for event in sorted(events, key=lambda e: (e["reader"], e["view"])):
        views[event["reader"], event["view"]].append(event)
    daily, hourly, readers = Counter(), Counter(), defaultdict(Counter)
    days, uses, previews = defaultdict(set), {}, 0
    for (reader, _view), group in views.items():
        local = dt.datetime.fromtimestamp(
            min(e["received_at"] for e in group) / 1000, config["zone"]
        )
        page_events = [e for e in group if e["type"] in ("pageview", "engagement")]
        fmt = max((e["format"] for e in page_events), default=None) or "article"
        article = max(e["article"] for e in group)
        count = sum(e["type"] == "pageview" for e in group)
        letter = any(e["type"] == "pageview" and e.get("utm_source") == "newsletter" for e in group)
        engaged = sum(e["engaged_ms"] for e in group if e["type"] == "engagement")
        scroll = max((e["scroll"] for e in group if e["type"] == "engagement"), default=0)
        quartiles = {
            kind: max(e["quartile"] for e in group if e["type"] == "video" and e["format"] == kind)
            for kind in VIDEO_KINDS
            if any(e["type"] == "video" and e["format"] == kind for e in group)
        }
        daily[local.date(), article] += count
        hourly[local.hour] += count
        previews += "preview" in quartiles
        readers[reader].update(pageviews=count, engaged_ms=engaged, newsletter=letter)
        days[reader].add(local.date())
        use = uses.setdefault((reader, article), defaultdict(Counter))
        use["totals"].update(pageviews=count, newsletter=letter, engaged_ms=engaged)
        use["totals"]["article_views"] += count if fmt == "article" else 0
        use["pages"][fmt] = use["pages"].get(fmt, 0) + engaged
        use["scroll"][fmt] = max(use["scroll"].get(fmt, 0), scroll)
        for kind, quartile in quartiles.items():
            use["plays"][kind] += 1
            use["done"][kind] += quartile == 100
    finished = {key: finishing(key[1], use, pages, config) for key, use in uses.items()}
    features = {
        reader: reader_features(reader, totals, days[reader], uses, finished)
        for reader, totals in readers.items()
    }
    segments = {r: segment_of(values, config["segment_rules"]) for r, values in features.items()}
    return {
        "views": len(views),
        "readers": len(readers),
        "previews": previews,
        "daily": daily,
        "hourly": hourly,
        "features": features,
        "segments": segments,
        "profiles": profile(features, segments),
        "articles": article_figures(uses, finished),
        "formats": format_figures(finished, segments),
        "reach": Counter((a, segments[r]) for (r, a) in uses if segments[r]),
    }


def finishing(article: str, use, pages: Site, config: dict) -> dict:
    """Format -> finished (None: cannot be judged): the 読了 rule of docs/report/reading.md."""
    result = {}
    for fmt, engaged in use["pages"].items():
        page = pages.by_id.get((article, fmt))
        minutes = page.minutes if page else None
        needed = minutes * 60_000 if minutes is not None else None
        if needed is None and fmt == "illustrated":
            needed = config["min_engaged_s"] * 1000
        read = needed is not None and use["scroll"][fmt] >= config["read_scroll"]
        result[fmt] = None if needed is None else read and engaged >= needed
    for kind, plays in use["plays"].items():
        result[kind] = use["done"][kind] > 0 if plays else result.get(kind)
    return result


def reader_features(reader, totals, days, uses, finished) -> dict:
    formats, judged, read, plays, done = Counter(), 0, 0, 0, 0
    for (who, _article), use in uses.items():
        if who != reader:
            continue
        result = finished[who, _article]
        formats.update(result.keys())
        if result.get("article") is not None:
            judged, read = judged + 1, read + result["article"]
        plays, done = plays + use["plays"]["video"], done + use["done"]["video"]
    used = sum(formats.values())
    shares = {f"share_{fmt}": formats[fmt] / used if used else None for fmt in FORMAT_ORDER}
    pageviews = totals["pageviews"]
    values = {
        "pageviews": pageviews,
        "active_days": len(days),
        "engaged_s": totals["engaged_ms"] / 1000,
        "engaged_per_view_s": totals["engaged_ms"] / 1000 / max(1, pageviews),
        "read_through": read / judged if judged else None,
        "video_completion": done / plays if plays else None,
        "newsletter": totals["newsletter"],
        "newsletter_share": totals["newsletter"] / pageviews if pageviews else None,
        **shares,
        "skim_share": shares["share_short"] + shares["share_transcript"] if used else None,
    }
    assert list(values) == list(FEATURES)
    return values


def segment_of(values: dict, rules) -> str | None:
    compare = {"<": float.__lt__, "<=": float.__le__, ">=": float.__ge__, ">": float.__gt__}
    for segment, conditions in rules:
        if all(
            values[name] is not None and compare[op](float(values[name]), limit)
            for name, (op, limit) in conditions.items()
        ):
            return segment
    return None


def article_figures(uses, finished) -> dict:
    rows = defaultdict(Counter)
    for (reader, article), use in uses.items():
        row, result = rows[article], finished[reader, article]
        row.update(readers=1, **use["totals"])
        row["newsletter_readers"] += use["totals"]["newsletter"] > 0
        row.update({f"plays_{kind}": n for kind, n in use["plays"].items()})
        row.update({f"done_{kind}": n for kind, n in use["done"].items()})
        row.update({f"mix_{fmt}": 1 for fmt in result})
        row["text_readers"] += "article" in result
        row["read_through"] += bool(result.get("article"))
    return rows


def format_figures(finished, segments) -> Counter:
    counts = Counter()
    for (reader, _article), result in finished.items():
        if segments[reader]:
            for fmt, done in result.items():
                counts[segments[reader], fmt, "used"] += 1
                counts[segments[reader], fmt, "judged"] += done is not None
                counts[segments[reader], fmt, "finished"] += bool(done)
    return counts


# --- the comparison -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    db = tmp_path_factory.mktemp("engine") / "events.sqlite3"
    events = planted_events()
    import_events(db, events)
    config = report_settings.read(SETTINGS)
    return db, events, config


def engine_report(source, config):
    with closing(open_events(source, checks=Checks(site="mag"))) as events:
        return compute(events, site(), config)


def assert_articles_and_readers_match(report, expected) -> None:
    """Every reader's features and segment, and every figure of every article, as the reference."""
    assert report.features == expected["features"]
    assert report.segments == expected["segments"]
    for stats in report.articles:
        row = expected["articles"][stats.article]
        assert (stats.readers, stats.pageviews, stats.engaged_ms) == (
            row["readers"],
            row["pageviews"],
            row["engaged_ms"],
        )
        assert (stats.article_views, stats.text_readers, stats.read_through) == (
            row["article_views"],
            row["text_readers"],
            row["read_through"],
        )
        assert (stats.newsletter_views, stats.newsletter_readers) == (
            row["newsletter"],
            row["newsletter_readers"],
        )
        for kind in VIDEO_KINDS:
            assert (stats.plays[kind], stats.done[kind]) == (
                row[f"plays_{kind}"],
                row[f"done_{kind}"],
            )
        assert stats.mix == Counter({k[4:]: n for k, n in row.items() if k.startswith("mix_")})


def test_every_figure_matches_the_reference(planted):
    db, events, config = planted
    expected = reference(events, site(), config)
    report = engine_report(db, config)

    assert len(events) > 2000
    assert (report.views, report.readers) == (expected["views"], expected["readers"])
    assert report.usage.previews == expected["previews"] > 0
    assert report.usage.daily == expected["daily"]
    assert len({day for day, _ in report.usage.daily}) == 4  # three nights in Tokyo: four days
    assert report.usage.hourly == expected["hourly"]
    assert len(set(report.segments.values())) >= 3
    assert report.profiles == expected["profiles"]
    assert_articles_and_readers_match(report, expected)
    assert {a.article for a in report.articles} == set(ARTICLES)
    assert report.unknown_reading == ["delta"]
    for result in report.formats:
        key = (result.segment, result.format)
        assert (result.used, result.judged, result.finished) == (
            expected["formats"][(*key, "used")],
            expected["formats"][(*key, "judged")],
            expected["formats"][(*key, "finished")],
        )
    assert sum(r.finished for r in report.formats) > 0
    for reach in report.reach:
        assert reach.readers == expected["reach"][reach.article, reach.segment]


def arrow_batches(db: Path, size: int = 500):
    """The stored events as the PostgreSQL reader yields them: typed Arrow batches."""
    types = {
        name: pa.int64()
        if name in ("received_at", "v", "engaged_ms", "scroll", "quartile", "muted", "captions")
        else pa.string()
        for name in COLUMNS
    }
    schema = pa.schema([(name, types[name]) for name in COLUMNS])
    with closing(sqlite3.connect(db)) as connection:
        cursor = connection.execute(f"SELECT {', '.join(COLUMNS)} FROM events ORDER BY id")  # noqa: S608
        while rows := cursor.fetchmany(size):
            yield pa.RecordBatch.from_pylist(
                [dict(zip(COLUMNS, r, strict=True)) for r in rows], schema
            )


def test_arrow_batches_give_the_same_report_as_the_file(planted):
    db, _events, config = planted
    from_file = engine_report(db, config)
    from_batches = engine_report(arrow_batches(db), config)

    assert from_batches.features == from_file.features
    assert from_batches.usage == from_file.usage
    assert from_batches.articles == from_file.articles
    assert from_batches.formats == from_file.formats


def test_batches_with_other_columns_are_refused(planted):
    batch = pa.RecordBatch.from_pylist([{"reader": "abcdef12"}])
    with pytest.raises(ValueError, match="event batches need the columns"):
        open_events([batch])


def test_the_events_and_readers_tables_have_the_agreed_columns(planted):
    db, events, config = planted
    with closing(open_events(db, checks=Checks(site="mag"))) as connection:
        names = [row[0] for row in connection.execute("DESCRIBE events").fetchall()]
        (count,) = connection.execute("SELECT count(*) FROM events").fetchone()
        tables.build(connection, site(), config)
        readers = [row[0] for row in connection.execute("DESCRIBE readers").fetchall()]
        (segments,) = connection.execute("SELECT count(DISTINCT segment) FROM readers").fetchone()
    assert tuple(names) == COLUMNS
    assert count == len(events)
    assert readers == ["reader", "segment", "judged", "read", *FEATURES]
    assert segments >= 3


def test_a_server_url_is_named_without_its_password():
    from analytics.report.engine import source_name

    url = "postgresql://report:s3cret@db.intra:5432/events"
    assert source_name(url) == "postgresql://db.intra:5432/events"
    assert "s3cret" not in source_name(url)


def test_two_reader_processes_give_the_same_report_as_one(planted, monkeypatch):
    from analytics.report import sources

    db, _events, config = planted
    in_process = engine_report(db, config)
    monkeypatch.setattr(sources, "PROCESS_ROWS", 0)  # as for a table of millions of rows
    shutil.rmtree(columns.folder_of(db))  # so the file is read again, by two processes
    in_two = engine_report(db, config)

    assert in_two.features == in_process.features
    assert in_two.usage == in_process.usage
    assert in_two.articles == in_process.articles


def mixed_views() -> list[dict]:
    """Views whose events disagree: the report keeps the largest text of each (byte order).

    Upper case sorts before lower case, ``-`` and ``.`` before digits and ``~`` after
    letters; some views announce no audience, and a view's page events name two formats.
    """
    texts = [
        ("Beta", "/2026/Beta/", "busy"),
        ("alpha", "/2026/alpha/", None),
        ("alpha~1", "/2026/alpha%7E1/", "light core"),
        ("alpha-2", "/2026/alpha-2/~x", "core"),
        ("alpha.3", "/2026/ALPHA/", "busy light"),
        ("9lives", "/2026/9lives/", None),
    ]
    events, at = [], TOKYO_MIDNIGHT_MS
    for number in range(24):
        reader, view = f"mixed{4 - number % 5:02d}", f"mixedview{number:03d}"
        common = {"v": 1, "site": "mag", "reader": reader, "view": view}
        for part in range(1 + number % 3):
            article, path, audience = texts[(number + 2 * part) % len(texts)]
            kind = ("pageview", "engagement", "video")[part]
            fmt = ("transcript", "article", "short")[(number + part) % 3]
            event = {**common, "type": kind, "received_at": at + number * 61_000 + part}
            event |= {"article": article, "path": path, "format": fmt}
            if kind == "pageview":  # only page views announce an audience
                event["audience"] = audience
            if kind == "engagement":
                event |= {"engaged_ms": 1000 * number, "scroll": number % 101}
            if kind == "video":
                event |= {"quartile": 25 * (number % 5), "muted": True, "captions": False}
            events.append(event)
    # The last audience of an article is the last by reader, then view: not the last view.
    for reader, view, audience in (
        ("mixed09", "mixedview900", "core"),
        ("mixed01", "zz9", "light"),
    ):
        common = {
            "v": 1,
            "site": "mag",
            "reader": reader,
            "view": f"{view}view",
            "type": "pageview",
        }
        events.append(
            {**common, "received_at": at, "article": "zeta", "path": "/2026/zeta/"}
            | {"format": "article", "audience": audience}
        )
    return events


def expected_texts(events: list[dict]) -> dict[tuple[str, str], tuple]:
    """(reader, view) -> the largest article, page format, path and audience, in Python."""
    groups = defaultdict(list)
    for event in events:
        groups[event["reader"], event["view"]].append(event)

    def largest(values):
        return max((value for value in values if value is not None), default=None)

    return {
        key: (
            largest(e["article"] for e in group),
            largest(e["format"] for e in group if e["type"] in ("pageview", "engagement")),
            largest(e["path"] for e in group),
            largest(e.get("audience") for e in group),
        )
        for key, group in groups.items()
    }


@pytest.mark.parametrize("limit", [tables.ENUM_LIMIT, 2], ids=["codes", "text-past-the-limit"])
def test_a_view_keeps_the_largest_text_of_its_events(tmp_path, monkeypatch, limit):
    monkeypatch.setattr(tables, "ENUM_LIMIT", limit)  # 2: every column keeps the plain maximum
    events = mixed_views() + planted_events(seed=5, readers=12)
    db = tmp_path / "events.sqlite3"
    import_events(db, events)
    with closing(open_events(db, checks=Checks(site="mag"))) as connection:
        tables.create_views(connection)
        rows = connection.execute(
            "SELECT reader, view, article, format, path, audience FROM views"
        ).fetchall()
        (types,) = connection.execute(
            "SELECT count(*) FROM duckdb_types() WHERE type_name LIKE 'view_%_code'"
        ).fetchone()
        announced = dict(connection.execute(metrics._AUDIENCES).fetchall())
    texts = expected_texts(events)
    assert {(r[0], r[1]): r[2:] for r in rows} == texts
    assert len(rows) == len(texts)
    last_seen = {}  # an article's audience: that of its last view (by reader, view) naming one
    for key in sorted(texts):
        article, _fmt, _path, audience = texts[key]
        if article and audience:
            last_seen[article] = audience
    assert announced == last_seen
    assert {"Beta", "alpha~1"} <= set(announced)
    assert announced["zeta"] == "core"
    assert types == 0  # the codes' ENUM types are gone with the pass that needed them


def test_mixed_views_give_the_reference_figures(tmp_path):
    events = mixed_views() + planted_events(seed=7, readers=40)
    db = tmp_path / "events.sqlite3"
    import_events(db, events)
    config = report_settings.read(SETTINGS)
    expected = reference(events, site(), config)
    report = engine_report(db, config)

    assert (report.views, report.readers) == (expected["views"], expected["readers"])
    assert report.usage.daily == expected["daily"]
    assert report.usage.hourly == expected["hourly"]
    assert_articles_and_readers_match(report, expected)
    assert {a.article for a in report.articles} == set(expected["articles"])
    assert {"Beta", "alpha~1", "alpha.3"} <= set(expected["articles"])  # the largest of a view
