"""Goals in the reader report: attribution and the "for you" holdout, on planted events.

Cohorts of readers with known paths (which formats, newsletters and articles
they saw, in which order, and which goal they reached when) are written into a
real event database and into the report's DuckDB tables ``events`` and
``readers``; every figure is known from the cohorts, so each must match exactly,
suppressed groups included. The site is a real build, for titles, reading times
and series.
"""

from __future__ import annotations

import csv
import json
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from analytics.report import goals_dashboard
from analytics.report import settings as report_settings
from analytics.report.cli import _write
from analytics.report.compute import compute
from analytics.report.engine import open_events
from analytics.report.for_you import ANY_GOAL, verdict
from analytics.report.goals import POOLED, goal_report
from analytics.report.proportions import Difference, difference
from analytics.report.rows import Checks
from analytics.report.site import Site
from analytics.storage import import_events
from conftest import build_in
from mag_core.formats import FORMAT_LABELS

NOW_MS = int(time.time() * 1000)
DAY_MS = 24 * 60 * 60 * 1000
S1, S2 = "新規事業の現場から", "審査員に聞く"
# A campaign as the collector lets it through (markup never does), that a spreadsheet
# would run as a formula if the CSV gave it as it is.
HOSTILE = "-1+1 秋の募集"
BODY = "あ" * 1000  # a reading time of exactly 2 minutes at 500 characters a minute


def article(title: str, slug: str, series: str | None) -> str:
    line = f"Series: {series}\n" if series else ""
    head = f"Title: {title}\nDate: 2026-11-02 09:00\nCategory: 新規事業\nSlug: {slug}\n"
    return f"{head}{line}\n{BODY}\n"


SITE = {
    "articles/a1.md": article("審査員対談", "a1", S1),
    "articles/a2.md": article("応募者の声", "a2", S1),
    "articles/a3.md": article("コンテストの仕組み", "a3", S2),
    "articles/a4.md": article("ざっくばらん", "a4", None),
}
SETTINGS = {
    "MAG_GOALS": [
        {"id": "apply", "label": "コンテストに応募", "link": "https://forms.example/contest/*"},
        {"id": "signup", "label": "説明会に申し込み", "button": True},
        {"id": "thanks", "label": "お礼ページ", "page": "/pages/thanks/"},
    ],
    "MAG_FOR_YOU": {"holdout_percent": 10},
    "MAG_REPORT": {
        "min_group": 5,
        "segment_rules": (
            ("busy", {"skim_share": (">=", 0.5)}),
            ("light", {"share_illustrated": (">=", 0.5)}),
            ("watcher", {"share_video": (">=", 0.5)}),
            ("core", {}),
        ),
    },
}

# Steps of a reader's path: (seconds after their start, kind, details).
READ = {"engaged_ms": 130_000, "scroll": 95}  # past the 2-minute reading time
SKIM = {"engaged_ms": 5_000, "scroll": 30}


@dataclass
class Cohort:
    code: str
    size: int
    steps: list[tuple]
    holdout: bool = False
    converting: int | None = None  # only the first N take the goal steps (None: all)


def page(article_id: str, fmt: str = "article", campaign: str | None = None, seen=SKIM):
    return ("page", article_id, fmt, campaign, seen)


COHORTS = [
    # busy: the article skimmed, then the short played to its end, then the application.
    Cohort("ca", 40, [(0, *page("a1")), (10, "video", "a1", "short"), (60, "goal", "apply")]),
    # light: from the November newsletter to the illustrated page; applied, and again.
    Cohort(
        "cb",
        30,
        [
            (0, *page("a2", "illustrated", "nov-contest", {"engaged_ms": 15_000, "scroll": 95})),
            (120, "goal", "apply"),
            (200, "goal", "apply"),
        ],
    ),
    # core: read a3 through, then signed up with the button.
    Cohort("cc", 25, [(0, *page("a3", seen=READ)), (300, "goal", "signup")]),
    # busy: the transcript from the December digest, then the thank-you page.
    Cohort("cd", 20, [(0, *page("a4", "transcript", "dec-digest")), (30, "goal", "thanks")]),
    # core, no goal: a1 read through; half came from the November newsletter.
    Cohort("ce", 30, [(0, *page("a1", "article", "nov-contest", READ))]),
    Cohort("cf", 30, [(0, *page("a1", seen=READ))]),
    # core, in the holdout: a1, 10 of 30 read through, 3 applied.
    Cohort("ch", 10, [(0, *page("a1", seen=READ)), (500, "goal", "apply")], True, 3),
    Cohort("ci", 20, [(0, *page("a1"))], holdout=True),
    # core: a campaign name with markup; 2 of 6 reached the thank-you page.
    Cohort("cg", 6, [(0, *page("a4", "article", HOSTILE)), (40, "goal", "thanks")], converting=2),
    # core: two campaigns too small to show; one of the tiny one applied.
    Cohort(
        "cj", 3, [(0, *page("a2", "article", "tiny-test")), (90, "goal", "apply")], converting=1
    ),
    Cohort("ck", 4, [(0, *page("a2", "article", "mini"))]),
    # watcher: the full video of a3, then the button: too few to show as a group.
    Cohort(
        "cv",
        3,
        [(0, *page("a3")), (20, "video", "a3", "video"), (50, "goal", "signup")],
    ),
    # busy: the page, its short and the button in one batch, so all at the same moment:
    # the short counts as seen after the page, and both before the goal.
    Cohort(
        "cy",
        5,
        [(0, *page("a3")), (0, "video", "a3", "short"), (0, "goal", "signup")],
    ),
    # goal events with no page view in the period: not counted, but said.
    Cohort("cx", 2, [(0, "goal", "apply")]),
]
# One reader of cohort ca also sent a goal the settings no longer list.
OLD_GOAL = "old-goal"


def reader_id(cohort: Cohort, number: int) -> str:
    # The last four characters decide the holdout: "0005" is bucket 5, "0010" bucket 36.
    return f"{cohort.code}{number:03d}" + ("0005" if cohort.holdout else "0010")


def planted_events() -> list[dict]:
    events: list[dict] = []
    start = NOW_MS - 2 * DAY_MS
    for cohort in COHORTS:
        for number in range(cohort.size):
            reader = reader_id(cohort, number)
            converts = cohort.converting is None or number < cohort.converting
            base = start + len(events) * 1000
            for seconds, kind, *details in cohort.steps:
                if kind == "goal" and not converts:
                    continue
                common = {
                    "v": 1,
                    "site": "mag",
                    "reader": reader,
                    "received_at": base + seconds * 1000,
                }
                events.extend(_step(common, kind, details))
    first = reader_id(COHORTS[0], 0)
    events.append({**_goal_event(first, NOW_MS - DAY_MS), "goal": OLD_GOAL})
    return events


def _step(common: dict, kind: str, details: list) -> list[dict]:
    reader = common["reader"]
    if kind == "goal":
        return [_goal_event(reader, common["received_at"], details[0])]
    article_id, fmt = details[0], details[1] if kind == "page" else "article"
    view = {**common, "view": f"{reader}{article_id}", "article": article_id}
    view["path"] = f"/2026/{article_id}/" + ("" if fmt == "article" else f"{fmt}/")
    if kind == "video":
        return [
            {
                **view,
                "type": "video",
                "format": details[1],
                "quartile": 100,
                "muted": 1,
                "captions": 1,
            }
        ]
    campaign, seen = details[2], details[3]
    pageview = {**view, "type": "pageview", "format": fmt}
    if campaign:
        pageview |= {"utm_source": "newsletter", "utm_medium": "email", "utm_campaign": campaign}
    return [pageview, {**view, "type": "engagement", "format": fmt, **seen}]


def _goal_event(reader: str, at: int, goal: str = "apply") -> dict:
    return {
        "v": 2,
        "type": "goal",
        "site": "mag",
        "reader": reader,
        "view": f"{reader}goal",
        "path": "/pages/thanks/",
        "received_at": at,
        "goal": goal,
    }


@pytest.fixture(scope="module")
def planted_db(tmp_path_factory):
    """(the event database of the planted cohorts, the built site)."""
    folder = tmp_path_factory.mktemp("goals")
    output = build_in(folder, SITE)
    db = folder / "events.sqlite3"
    import_events(db, planted_events())
    return db, Site.read(output)


def engine_report(db):
    """The report's engine over ``db`` and the report computed on it (``events``, ``readers``)."""
    connection = open_events(db, checks=Checks(site="mag"))
    return connection, compute(connection, Site([]), report_settings.read(SETTINGS))


@pytest.fixture(scope="module")
def planted(planted_db, tmp_path_factory):
    """(report with goals, the report folder) from the planted cohorts."""
    db, site = planted_db
    folder = tmp_path_factory.mktemp("report")
    config = report_settings.read(SETTINGS)
    # The report's own engine: the goal figures read its ``events`` and ``readers`` tables.
    connection = open_events(db, checks=Checks(site="mag"))
    try:
        report = compute(connection, site, config)
        report.goals = goal_report(connection, site, SETTINGS, config["min_group"])
    finally:
        connection.close()
    out = folder / "report"
    _write(report, out)
    return report, out


def rows(table) -> list[tuple]:
    return [(g.label, g.readers, g.converted, g.events) for g in table.shown]


def test_every_reader_lands_in_the_planned_segment(planted):
    report, _ = planted
    sizes = {}
    for segment in report.segments.values():
        sizes[segment] = sizes.get(segment, 0) + 1
    # ca+cd+cy busy; cb light; cv watcher; the rest core (cx sent goals only).
    assert sizes == {"busy": 65, "light": 30, "watcher": 3, "core": 128}


def goal(report, goal_id: str):
    return next(result for result in report.goals.goals if result.id == goal_id)


POOL_OF = ["light", "watcher"]  # watcher (3) is under 5; light is hidden so 3 cannot be derived
HIDDEN_FORMATS = sorted([FORMAT_LABELS["video"], FORMAT_LABELS["transcript"]])


def test_conversions_and_rates_per_goal(planted):
    report, _ = planted
    figures = {
        g.id: (g.readers, g.converted, g.events, g.no_touch, g.outside) for g in report.goals.goals
    }
    # apply: ca 40 + cb 30 (twice each) + cj 1 + ch 3; cx's two readers had no page view.
    assert figures == {
        "apply": (226, 74, 104, 0, 2),
        "signup": (226, 33, 33, 0, 0),
        "thanks": (226, 22, 22, 0, 0),
    }
    assert goal(report, "apply").rate == 74 / 226
    assert report.goals.unknown == {OLD_GOAL: 1}


def test_by_segment_with_small_segments_pooled(planted):
    report, _ = planted
    expected = {
        "apply": [("core", 128, 4, 4), ("busy", 65, 40, 40), (POOLED, 33, 30, 60)],
        "signup": [("core", 128, 25, 25), ("busy", 65, 5, 5), (POOLED, 33, 3, 3)],
        "thanks": [("core", 128, 2, 2), ("busy", 65, 20, 20), (POOLED, 33, 0, 0)],
    }
    for goal_id, table_rows in expected.items():
        table = goal(report, goal_id).tables["segment"]
        assert rows(table) == table_rows
        assert table.suppressed == POOL_OF


def test_first_last_and_any_touch_formats(planted):
    report, _ = planted
    apply = goal(report, "apply").tables
    article, short, illustrated = (FORMAT_LABELS[f] for f in ("article", "short", "illustrated"))
    # ca skimmed the article, then played the short: first touch article, last touch short.
    assert rows(apply["last_touch"]) == [
        (article, 176, 4, 4),
        (short, 45, 40, 40),
        (illustrated, 30, 30, 60),
    ]
    assert rows(apply["first_touch"]) == [
        (article, 176, 44, 44),
        (short, 45, 0, 0),
        (illustrated, 30, 30, 60),
    ]
    assert rows(apply["any_touch"]) == [
        (article, 176, 44, 44),
        (short, 45, 40, 40),
        (illustrated, 30, 30, 60),
    ]
    # The full video (3 readers) is hidden, and the transcript with it: 3 < 5.
    for name in ("last_touch", "first_touch", "any_touch"):
        assert apply[name].suppressed == HIDDEN_FORMATS
    signup = goal(report, "signup").tables
    # cv's last touch is the full video (hidden); cy's the short, at the page's own moment.
    assert rows(signup["last_touch"]) == [
        (article, 176, 25, 25),
        (short, 45, 5, 5),
        (illustrated, 30, 0, 0),
    ]
    assert rows(signup["first_touch"])[0] == (article, 176, 33, 33)
    assert rows(goal(report, "thanks").tables["last_touch"])[0] == (article, 176, 2, 2)


def test_by_newsletter_campaign(planted):
    report, _ = planted
    apply = goal(report, "apply").tables["campaign"]
    assert rows(apply) == [
        ("nov-contest", 60, 30, 60),
        ("dec-digest", 20, 0, 0),
        (HOSTILE, 6, 0, 0),
    ]
    assert apply.suppressed == ["mini", "tiny-test"]  # 3 + 4 readers: no complement needed
    thanks = goal(report, "thanks").tables["campaign"]
    assert rows(thanks) == [
        ("nov-contest", 60, 0, 0),
        ("dec-digest", 20, 20, 20),
        (HOSTILE, 6, 2, 2),
    ]


def test_by_series_and_article(planted):
    report, _ = planted
    apply = goal(report, "apply").tables
    assert rows(apply["series"]) == [(S1, 167, 74, 104), (S2, 33, 0, 0)]  # a4 has no series
    assert rows(apply["article"]) == [
        ("審査員対談", 130, 43, 43),
        ("応募者の声", 37, 31, 61),
        ("コンテストの仕組み", 33, 0, 0),
        ("ざっくばらん", 26, 0, 0),
    ]
    assert rows(goal(report, "signup").tables["series"]) == [(S1, 167, 0, 0), (S2, 33, 33, 33)]


def test_time_from_first_view_to_goal(planted):
    report, _ = planted
    # apply: 40 readers after 60 s, 1 after 90 s, 30 after 120 s, 3 after 500 s.
    timing = goal(report, "apply").time
    assert (timing.readers, timing.q1_s, timing.median_s, timing.q3_s) == (74, 60, 60, 120)
    timing = goal(report, "thanks").time
    assert (timing.readers, timing.q1_s, timing.median_s, timing.q3_s) == (22, 30, 30, 30)
    # signup: 5 at once (0 s, goal and page in one batch), 3 after 50 s, 25 after 300 s.
    timing = goal(report, "signup").time
    assert (timing.readers, timing.q1_s, timing.median_s, timing.q3_s) == (33, 300, 300, 300)


def test_holdout_against_personalised(planted):
    report, _ = planted
    for_you = report.goals.for_you
    kept, mine = for_you.holdout, for_you.personalised
    assert (kept.readers, kept.judged, kept.read) == (30, 30, 10)
    assert (mine.readers, mine.judged, mine.read) == (196, 146, 85)
    assert kept.converted == {"apply": 3, ANY_GOAL: 3}
    assert mine.converted == {"apply": 71, "signup": 33, "thanks": 22, ANY_GOAL: 126}
    assert for_you.read == difference(85, 146, 10, 30)
    assert for_you.goals["thanks"] == difference(22, 196, 0, 30)
    assert for_you.goals["signup"] == difference(33, 196, 0, 30)
    assert for_you.read.estimate == 85 / 146 - 10 / 30


# Newcombe (1998), Statistics in Medicine 17:873-890, table II, method 10.
PUBLISHED = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
]


@pytest.mark.parametrize(("counts", "interval"), PUBLISHED)
def test_difference_interval_matches_published_values(counts, interval):
    result = difference(*counts)
    assert (round(result.low, 4), round(result.high, 4)) == interval


def test_verdict_in_plain_japanese():
    assert verdict(Difference(0.05, -0.01, 0.11)) == "差があるとは言えない"
    assert verdict(Difference(0.2, 0.05, 0.33)) == "おすすめ順のほうが高い"
    assert verdict(Difference(-0.2, -0.33, -0.05)) == "おすすめ順のほうが低い"
    assert verdict(difference(1, 10, 0, 0)).startswith("比較できません")


def section(soup: BeautifulSoup, title: str) -> list:
    """The elements from the <h2> titled ``title`` to the next <h2>."""
    heading = soup.find("h2", string=title)
    assert heading is not None, title
    parts = []
    for sibling in heading.find_next_siblings():
        if sibling.name == "h2":
            break
        parts.append(sibling)
    return parts


def test_dashboard_shows_goals(planted):
    _, out = planted
    html = (out / "index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    goals = section(soup, "ゴール")
    cells = [
        [cell.get_text() for cell in row.find_all("td")]
        for part in goals
        if part.name == "table"
        for row in part.find_all("tr")
    ]
    assert [HOSTILE, "6", "0", "0.0%", "0"] in cells
    assert ["コンテストに応募", "226", "74", f"{74 / 226 * 100:.1f}%", "104", "60秒"] in cells
    # Suppressed groups are named below their table, never shown with figures.
    assert not any(row and row[0] in ("tiny-test", "mini", "watcher") for row in cells)


def test_dashboard_compares_holdout_with_a_verdict(planted):
    report, out = planted
    soup = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    table = next(part for part in section(soup, "おすすめ順の効果") if part.name == "table")
    rows = {
        cells[0]: cells[1:]
        for cells in ([td.get_text() for td in tr.find_all("td")] for tr in table.find_all("tr"))
        if cells
    }
    thanks = difference(22, 196, 0, 30)
    assert thanks.contains_zero  # 22/196 against 0/30: too few in the holdout to tell
    assert rows["到達率：お礼ページ"][-1] == "差があるとは言えない"
    assert rows["到達率：お礼ページ"][:3] == [
        f"{22 / 196 * 100:.1f}%",
        "0.0%",
        f"{22 / 196 * 100:+.1f}pt",
    ]
    read = report.goals.for_you.read
    assert rows["読了率"][-1] == verdict(read)
    assert read.low > 0  # 85/146 against 10/30: the interval stays above 0


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_exports_carry_the_same_figures(planted):
    _, out = planted
    goals = {row["goal"]: row for row in read_csv(out / "goals.csv")}
    assert (
        goals["apply"]["readers"],
        goals["apply"]["converted"],
        goals["apply"]["goal_events"],
    ) == (
        "226",
        "74",
        "104",
    )
    groups = read_csv(out / "goal_groups.csv")
    # The formula-like campaign is written as text (a leading ') for spreadsheets.
    hostile = [g for g in groups if g["goal"] == "thanks" and g["group"] == "'" + HOSTILE]
    assert [(g["readers"], g["converted"]) for g in hostile] == [("6", "2")]
    hidden = [g["group"] for g in groups if g["goal"] == "apply" and g["breakdown"] == "campaign"]
    assert hidden == ["nov-contest", "dec-digest", "'" + HOSTILE, "mini", "tiny-test"]
    tiny = next(g for g in groups if g["group"] == "tiny-test")
    assert tiny["readers"] == tiny["converted"] == ""
    for_you = {row["measure"]: row for row in read_csv(out / "for_you.csv")}
    assert [for_you["read_rate"][k] for k in ("personalised_n", "personalised_x")] == ["146", "85"]
    assert [for_you["goal:apply"][k] for k in ("holdout_n", "holdout_x")] == ["30", "3"]
    data = json.loads((out / "goals.json").read_text(encoding="utf-8"))
    apply = data["goals"][0]
    assert (apply["id"], apply["converted"], apply["conversion_rate"]) == ("apply", 74, 74 / 226)
    assert data["for_you"]["holdout"]["converted"] == {"apply": 3, ANY_GOAL: 3}
    assert data["goals"][0]["tables"]["campaign"]["suppressed"] == ["mini", "tiny-test"]


def test_no_goal_section_without_goals(planted_db):
    connection, _ = engine_report(planted_db[0])
    assert goal_report(connection, Site([]), {}, 5) is None


def test_without_site_or_holdout_nothing_is_made_up(planted_db):
    connection, _ = engine_report(planted_db[0])
    settings = {**SETTINGS, "MAG_FOR_YOU": {"holdout_percent": 0, "enabled": False}}
    for _ in range(2):  # a second report on the same connection replaces its own tables
        result = goal_report(connection, Site([]), settings, 5)
        apply = next(g for g in result.goals if g.id == "apply")
        assert (apply.readers, apply.converted) == (226, 74)
        assert apply.tables["series"].shown == []  # no manifest: no series to name
        assert rows(apply.tables["article"])[0] == ("a1", 130, 43, 43)  # ids for titles
        assert result.for_you.holdout.readers == 0
        assert result.for_you.read is None
    html = goals_dashboard.render(result)
    assert "比較できません" in html
    assert "設定でおすすめ順が無効になっています" in html
