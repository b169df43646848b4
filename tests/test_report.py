"""The reader report, on events sent through the real collector over loopback HTTP.

Readers of planted behaviours (busy, light, core, dormant) browse a really built
site as the beacon would report it; the report must find them again, count
読了 exactly, hide small departments and draw its dashboard for Chromium.
"""

from __future__ import annotations

import csv
import http.client
import json
import random
import subprocess
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from analytics.collector import spawn
from analytics.report import settings as report_settings
from analytics.report.cli import main, make_report
from analytics.report.compute import compute
from analytics.report.departments import POOLED, Department, suppress
from analytics.report.engine import open_events
from analytics.report.site import Site
from conftest import ROOT, run_pelican, write_site
from mag_core import SettingsError

ORIGIN = "http://127.0.0.1:8000"
BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/140.0.0.0 Safari/537.36"
)
HEADCOUNT = 1000
HOSTILE = '<img src="/pwned.png">危ない<b>題名</b>'


def article(title: str, slug: str, audience: str, body: str = "短い本文です。") -> str:
    return (
        f"Title: {title}\nDate: 2026-11-02 09:00\nCategory: 新規事業\nSlug: {slug}\n"
        f"Audience: {audience}\n\n{body}\n"
    )


SITE = {
    # 1,000 kana at the default 500 characters a minute: a reading time of exactly 2 minutes.
    "articles/dokuryo.md": article("読了を数える記事", "dokuryo", "core", "あ" * 1000),
    "articles/busy.md": article("忙しい人向け", "busy-story", "busy"),
    "articles/light.md": article("ライト層向け", "light-story", "light"),
    "articles/core.md": article("コア層向け", "core-story", "core, busy"),
    "articles/kiken.md": article(HOSTILE, "kiken", "light"),
}
AUDIENCE = {
    "dokuryo": "core",
    "busy-story": "busy",
    "light-story": "light",
    "core-story": "core busy",
    "kiken": "light",
}
STORIES = ["busy-story", "light-story", "core-story", "kiken"]


@dataclass
class Expected:
    """What the simulated readers did, counted as they did it."""

    readers: dict[str, set] = field(default_factory=lambda: {a: set() for a in AUDIENCE})
    article_views: Counter = field(default_factory=Counter)
    plays: Counter = field(default_factory=Counter)  # (article, video format)
    done: Counter = field(default_factory=Counter)
    newsletter: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)  # readers run in threads


class Reader:
    """One reader's browser: its own loopback address and a keep-alive connection."""

    def __init__(self, url: str, number: int, kind: str, expected: Expected) -> None:
        self.id = f"{kind}{number:06d}"
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(
            parts.hostname,
            parts.port,
            timeout=20,
            source_address=(f"127.0.{1 + number // 250}.{1 + number % 250}", 0),
        )
        self.path = parts.path
        self.views = 0
        self.expected = expected

    def post(self, event: dict) -> None:
        body = json.dumps({"v": 1, "site": "mag", "reader": self.id, **event})
        headers = {"Origin": ORIGIN, "User-Agent": BROWSER, "Content-Type": "text/plain"}
        self.connection.request("POST", self.path, body=body.encode(), headers=headers)
        response = self.connection.getresponse()
        response.read()
        assert response.status == 202, (response.status, body)

    def visit(self, slug, fmt="article", engaged=(), video=None, newsletter=False) -> None:
        """A page view: its pageview, engagement events ((ms, scroll), ...), a played video."""
        self.views += 1
        path = f"/2026/{slug}/" + ("" if fmt == "article" else f"{fmt}/")
        page = {"view": f"{self.id}v{self.views}", "path": path, "article": slug, "format": fmt}
        extra = {"utm_source": "newsletter", "utm_campaign": "11月号"} if newsletter else {}
        self.post({**page, "type": "pageview", "audience": AUDIENCE[slug], **extra})
        for engaged_ms, scroll in engaged:
            self.post({**page, "type": "engagement", "engaged_ms": engaged_ms, "scroll": scroll})
        if video:
            kind, last, muted = video
            for quartile in (0, 25, 50, 75, 100)[: last // 25 + 1]:
                self.post(
                    {
                        **page,
                        "type": "video",
                        "format": kind,
                        "quartile": quartile,
                        "muted": muted,
                        "captions": True,
                    }
                )
        expected = self.expected
        with expected.lock:
            expected.readers[slug].add(self.id)
            expected.article_views[slug] += fmt == "article"
            expected.newsletter[slug] += newsletter
            if video:
                expected.plays[slug, video[0]] += 1
                expected.done[slug, video[0]] += video[1] == 100

    def close(self) -> None:
        self.connection.close()


def seconds(rng, low, high):
    return rng.randint(low, high) * 1000


def behave(reader: Reader, kind: str, rng: random.Random) -> None:
    """The planted behaviours, with the noise real readers have."""
    if kind == "core":  # reads whole articles, watches the full video
        for number, slug in enumerate(rng.sample(STORIES, 3)):
            partly = number == 0 and rng.random() < 0.2
            scroll = rng.randint(40, 70) if partly else rng.randint(92, 100)
            video = ("video", 100, False) if rng.random() < 0.5 else None
            reader.visit(slug, engaged=[(seconds(rng, 70, 240), scroll)], video=video)
    elif kind == "busy":  # short cut, muted, and a skim of the transcript
        for slug in rng.sample(STORIES, 3):
            last = 100 if rng.random() < 0.8 else 50
            reader.visit(
                slug,
                engaged=[(seconds(rng, 25, 60), rng.randint(5, 35))],
                video=("short", last, True),
            )
            if rng.random() < 0.6:
                reader.visit(
                    slug, "transcript", engaged=[(seconds(rng, 20, 40), rng.randint(40, 80))]
                )
    elif kind == "light":  # the illustrated variant, sometimes a glance at the article
        for slug in rng.sample(STORIES, rng.choice((2, 3))):
            newsletter = rng.random() < 0.3
            reader.visit(
                slug, "illustrated", engaged=[(seconds(rng, 30, 60), 100)], newsletter=newsletter
            )
            if rng.random() < 0.5:
                reader.visit(slug, engaged=[(seconds(rng, 10, 25), rng.randint(20, 50))])
    else:  # dormant: one quick look
        reader.visit(rng.choice(STORIES), engaged=[(seconds(rng, 3, 15), rng.randint(5, 30))])


# 読了: 2 minutes (120,000 ms) of engaged time and a deepest scroll of 90 % or more.
READ_THROUGH = {
    "read1": [[(130_000, 95)]],  # read
    "slow2": [[(100_000, 100)]],  # scrolled to the end, too quickly
    "skim3": [[(300_000, 85)]],  # long, not far enough
    "edge4": [[(120_000, 90)]],  # exactly on both limits: read
    "twice5": [[(60_000, 50)], [(60_000, 92)]],  # two visits add up: read
    "split6": [[(70_000, 40), (50_000, 91)]],  # two engagement events in one view: read
    "left7": [[]],  # opened and left at once (no engagement sent): not read
}


def send_read_through(url: str, expected: Expected) -> None:
    for number, (name, views) in enumerate(READ_THROUGH.items(), start=900):
        reader = Reader(url, number, "r", expected)
        reader.id = f"dokuryo{name}"
        for engaged in views:
            reader.visit("dokuryo", engaged=engaged)
        reader.close()
    other = Reader(url, 950, "t", expected)  # read the transcript only: not an article reader
    other.visit("dokuryo", "transcript", engaged=[(300_000, 100)])
    other.close()


PLANTED = {"core": 100, "busy": 100, "light": 100, "dormant": 20}
DEPARTMENTS = {"core": "開発部", "busy": "営業部", "light": "人事部"}


def directory_rows(planted: dict[str, list[str]]) -> list[tuple[str, str]]:
    rows = [(reader, DEPARTMENTS[kind]) for kind in DEPARTMENTS for reader in planted[kind]]
    light = planted["light"]
    small = {**dict.fromkeys(light[:3], "法務部"), **dict.fromkeys(light[3:7], "広報部")}
    rows = [(reader, small.get(reader, dept)) for reader, dept in rows]
    return [*rows, ("neverseen01", "監査部"), ("neverseen02", "監査部")]


@dataclass
class World:
    site: Path
    db: Path
    out: Path
    directory: Path
    planted: dict[str, list[str]]
    expected: Expected
    report: object


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    work = tmp_path_factory.mktemp("report")
    site = work / "output"
    beacon = {"MAG_BEACON": {"url": "http://127.0.0.1:8001/collect"}}
    run_pelican(write_site(work, SITE), site, beacon)
    db = work / "events.sqlite3"
    process, url = spawn(db, [ORIGIN])
    expected = Expected()
    planted: dict[str, list[str]] = {}
    try:
        jobs = []
        number = 0
        for kind, count in PLANTED.items():
            for _ in range(count):
                number += 1
                jobs.append((Reader(url, number, kind, expected), kind, random.Random(number)))  # noqa: S311
            planted[kind] = [reader.id for reader, k, _ in jobs if k == kind]

        def run(job):
            reader, kind, rng = job
            behave(reader, kind, rng)
            reader.close()

        with ThreadPoolExecutor(4) as pool:
            list(pool.map(run, jobs))
        send_read_through(url, expected)
    finally:
        process.terminate()
        process.wait(timeout=20)
    directory = work / "directory.csv"
    with directory.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([("reader", "department"), *directory_rows(planted)])
    out = work / "report"
    report = make_report(db, out, site=site, headcount=HEADCOUNT, directory=directory)
    return World(site, db, out, directory, planted, expected, report)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_planted_readers_land_in_their_segment(world):
    segments = world.report.segments
    for kind, readers in world.planted.items():
        landed = sum(segments[reader] == kind for reader in readers)
        assert landed >= 0.9 * len(readers), (kind, Counter(segments[r] for r in readers))
    exported = {row["reader"]: row["segment"] for row in read_csv(world.out / "readers.csv")}
    assert all(exported[r] == segments[r] for r in world.planted["busy"])


def test_read_through_rate_is_exact_on_a_hand_computed_set(world):
    (stats,) = [a for a in world.report.articles if a.article == "dokuryo"]
    assert stats.minutes == 2  # read from the built page, as mag_japanese computed it
    assert stats.title == "読了を数える記事"
    assert (stats.text_readers, stats.read_through) == (7, 4)  # read1, edge4, twice5, split6
    assert stats.read_rate == pytest.approx(4 / 7)
    assert stats.readers == 8  # the transcript-only reader is a reader, not a text reader
    (row,) = [r for r in read_csv(world.out / "articles.csv") if r["article"] == "dokuryo"]
    assert (row["read_through"], row["text_readers"], row["reading_minutes"]) == ("4", "7", "2")


def test_article_figures_count_what_the_readers_did(world):
    expected = world.expected
    by_id = {a.article: a for a in world.report.articles}
    for slug in STORIES:
        stats = by_id[slug]
        assert stats.readers == len(expected.readers[slug])
        assert stats.view_rate == pytest.approx(stats.readers / HEADCOUNT)
        assert stats.article_views == expected.article_views[slug]
        assert stats.newsletter_views == expected.newsletter[slug]
        for kind in ("video", "short"):
            assert stats.plays[kind] == expected.plays[slug, kind]
            assert stats.completion(kind) == pytest.approx(
                expected.done[slug, kind] / expected.plays[slug, kind]
            )
            assert stats.play_rate(kind) == pytest.approx(
                expected.plays[slug, kind] / expected.article_views[slug]
            )
        assert stats.mix["illustrated"] > 0
        assert stats.mix["short"] > 0
    hours = read_csv(world.out / "hourly.csv")
    assert sum(int(row["pageviews"]) for row in hours) == world.report.views


def test_each_article_is_checked_against_its_audience(world):
    reach = {(r.article, r.segment): r for r in world.report.reach if r.intended}
    assert reach["busy-story", "busy"].reached
    assert reach["core-story", "core"].reached
    assert reach["core-story", "busy"].reached
    assert reach["light-story", "light"].reached
    # Only the eight 読了 test readers opened it; the four who read it through are core
    # readers by the rules, too few of the core segment to count as reached.
    assert reach["dokuryo", "core"].readers == 4
    assert reach["dokuryo", "core"].reached is False
    rows = read_csv(world.out / "audience.csv")
    assert {"dokuryo", "busy-story"} <= {r["article"] for r in rows if r["intended"] == "True"}


def test_small_departments_are_suppressed(world):
    result = world.report.departments
    shown = {d.name: d for d in result.shown}
    assert set(shown) == {"開発部", "営業部", "人事部", POOLED}
    assert shown[POOLED].readers == 7  # 法務部 (3) and 広報部 (4), pooled
    assert result.suppressed == ["広報部", "法務部"]
    assert result.unlisted == PLANTED["dormant"] + len(READ_THROUGH) + 1
    rows = {r["department"]: r for r in read_csv(world.out / "departments.csv")}
    for name in ("法務部", "広報部"):
        assert rows[name]["readers"] == rows[name]["read_rate"] == ""
        assert rows[name]["note"].startswith("suppressed")
    assert "監査部" not in rows  # listed, but never read anything


def test_suppression_also_hides_a_group_that_would_give_a_small_one_away():
    groups = [Department("a", readers=2), Department("b", readers=6), Department("c", readers=9)]
    shown, hidden = suppress(groups, 5)
    # Hiding "a" alone would let totals minus "b" and "c" reveal it; "b" goes too.
    assert [g.name for g in shown] == ["c"]
    assert sorted(g.name for g in hidden) == ["a", "b"]
    shown, hidden = suppress([Department("x", readers=5), Department("y", readers=5)], 5)
    assert (len(shown), hidden) == (2, [])


def test_segment_rules_are_settings_and_typos_are_rejected(world):
    config = report_settings.read(
        {"MAG_REPORT": {"segment_rules": [("core", {"pageviews": (">=", 3)}), ("light", {})]}}
    )
    with closing(open_events(world.db)) as events:
        report = compute(events, Site.read(world.site), config)
    assert {report.segments[r] for r in world.planted["dormant"]} == {"light"}
    assert {report.segments[r] for r in world.planted["core"]} == {"core"}
    with pytest.raises(SettingsError, match="known keys"):
        report_settings.read({"MAG_REPORT": {"segment_rule": []}})
    with pytest.raises(SettingsError, match="unknown feature 'pagevews'"):
        report_settings.read({"MAG_REPORT": {"segment_rules": [("busy", {"pagevews": (">", 1)})]}})


def test_bad_input_is_a_clear_error_and_the_last_report_stays(world, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["--db", str(world.db), "--out", str(out), "--site", str(world.site)]) == 0
    before = (out / "index.html").read_bytes()
    bad = tmp_path / "directory.csv"
    bad.write_text("reader,department\nabcdef123,\n", encoding="utf-8")
    args = ["--db", str(world.db), "--out", str(out), "--site", str(world.site)]
    assert main([*args, "--directory", str(bad)]) == 1
    assert f"{bad}:2: empty reader or department" in capsys.readouterr().err
    assert (out / "index.html").read_bytes() == before
    inside = ["--db", str(world.db), "--out", str(world.site / "report"), "--site", str(world.site)]
    assert main(inside) == 1
    assert "outside" in capsys.readouterr().err
    assert not (world.site / "report").exists()
    assert main(["--db", str(tmp_path / "none.sqlite3"), "--out", str(out)]) == 1
    assert "no event database" in capsys.readouterr().err


@pytest.mark.browser
def test_invoke_report_writes_a_dashboard_that_draws_offline(world, tmp_path, serve, page):
    out = tmp_path / "dashboard"
    command = [
        sys.executable,
        "-m",
        "invoke",
        "report",
        "--db",
        str(world.db),
        "--out",
        str(out),
        "--site",
        str(world.site),
        "--headcount",
        "1000",
        "--directory",
        str(world.directory),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert {"articles.csv", "readers.csv", "departments.csv"} <= {p.name for p in out.iterdir()}
    server = serve(out)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{server.url}/index.html")
    charts = page.locator("figure.chart svg")
    assert charts.count() >= 7
    for number in range(charts.count()):
        chart = charts.nth(number)
        assert chart.get_attribute("role") == "img"
        assert chart.locator("rect.bar").count() >= 1  # bars are drawn
        assert chart.locator("title").count() == 1
        assert chart.locator("text").count() > 3  # title and axis values, as text
        assert chart.bounding_box()["width"] > 200
    assert all(url.startswith(server.url) for url in requests), requests
    assert page.locator("script, img, link[rel=stylesheet]").count() == 0
    # The hostile title is shown as text, never as markup.
    assert page.get_by_text(HOSTILE).count() >= 1
    assert page.locator("table b").count() == 0
    assert "忙しい人向け" in page.locator("table").first.inner_text()
