"""Goals and "for you" in a real Chromium: goal events stored by a real collector over
loopback, and the format order a reader's own finished formats give (or the holdout keeps)."""

from __future__ import annotations

import random

import pictures
import pytest
from test_collector import BROWSER, Collector
from videoclips import CAPTIONS, VIDEO_FRONT, make_clip
from videoclips import article as video_article

from analytics.report.cli import make_report
from analytics.storage import read_events
from conftest import LiveServer, run_pelican, wait_for_events, write_site
from mag_goals.holdout import in_holdout

pytestmark = pytest.mark.browser

DEFAULT = ["article", "video", "short", "transcript"]  # the video articles' switcher
OUTSIDE = "k3j9x0zzzz"  # bucket 15: personalised with the default 10 % holdout
HOLDOUT = "k3j9x00000"  # bucket 0: in the holdout

GUIDE = """Title: 応募ガイド
Date: 2026-10-22 09:00
Category: ハウツー
Slug: guide
Goal: contest-apply

本文です。

[応募フォームを開く]({form}/form/2027/)

<button type="button" data-goal="briefing-signup">説明会に申し込む</button>
"""
PITCH = """Title: ピッチの一日
Date: 2026-09-24 09:00
Category: イベント
Slug: pitch
Illustrated: illustrations/pitch/

本文です。
"""
PANELS = """Title: イラストで見るピッチの一日

## 01-stage.png
Caption: 会場には開場前から列ができました。
Alt: ステージの前に並ぶ人たちのイラスト

## 02-award.png
Caption: 最優秀賞が決まりました。
Alt: トロフィーのイラスト
"""


def site_files(tmp_path, form: str) -> dict[str, str | bytes]:
    return {
        "articles/talk-one.md": video_article(VIDEO_FRONT + "Slug: talk-one\n", "審査員対談 1"),
        "articles/talk-two.md": video_article(VIDEO_FRONT + "Slug: talk-two\n", "審査員対談 2"),
        "articles/guide.md": GUIDE.format(form=form),
        "articles/pitch.md": PITCH,
        "illustrations/pitch/panels.md": PANELS,
        "illustrations/pitch/01-stage.png": pictures.png(1200, 750),
        "illustrations/pitch/02-award.png": pictures.png(1200, 750, mark=2),
        "pages/thanks.md": "Title: ありがとうございました\nSlug: thanks\n\n受け付けました。\n",
        "media/clip.mp4": make_clip(tmp_path / "clip" / "clip.mp4").read_bytes(),
        "media/clip.ja.vtt": CAPTIONS,
    }


class Site:
    """The built site on loopback, its beacon posting to a running collector."""

    def __init__(self, root) -> None:
        output = root / "output"
        output.mkdir()
        self.server = LiveServer(output)
        self.collector = Collector(root / "events.sqlite3", origin=self.server.url)
        # "localhost" is another host than the site's 127.0.0.1: the form is "elsewhere".
        self.form = self.server.url.replace("127.0.0.1", "localhost")
        goals = [
            {"id": "contest-apply", "label": "応募", "link": f"{self.form}/form/*"},
            {"id": "thanks-visit", "label": "お礼", "page": "/pages/thanks/"},
            {"id": "briefing-signup", "label": "説明会", "button": True},
        ]
        settings = {"MAG_BEACON": {"url": self.collector.url}, "MAG_GOALS": goals}
        run_pelican(write_site(root, site_files(root, self.form)), output, settings)
        self.root, self.output, self.settings = root, output, settings

    def url(self, path: str) -> str:
        return f"{self.server.url}/{path}"

    def wait_for(self, check, timeout=15.0):
        return wait_for_events(self.collector.db, check, timeout)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    running = Site(tmp_path_factory.mktemp("goals"))
    yield running
    running.collector.stop()
    running.server.close()


def new_reader(browser, reader_id: str | None = None, *, init: str = ""):
    """A fresh reader (own storage); ``reader_id`` as if the beacon had made it earlier."""
    context = browser.new_context(locale="ja-JP", user_agent=BROWSER)
    if reader_id:
        context.add_init_script(
            f"localStorage.mag_reader || (localStorage.mag_reader = {reader_id!r})"
        )
    if init:
        context.add_init_script(init)
    tab = context.new_page()
    tab.errors = []
    tab.on("pageerror", lambda error: tab.errors.append(error))  # noqa: PLW0108 - needs a function
    return context, tab


def goals_of(events, view=None):
    return [e for e in events if e["type"] == "goal" and (view is None or e["view"] == view)]


def view_of(tab, site, path):
    """The page view id the beacon sent for the page ``tab`` is on."""
    reader = tab.evaluate("localStorage.mag_reader")
    events = site.wait_for(
        lambda rows: any(r["reader"] == reader and r["path"] == path for r in rows)
    )
    return [e for e in events if e["reader"] == reader and e["path"] == path][-1]["view"]


# -- goals --------------------------------------------------------------------------------


def test_clicking_a_goal_link_stores_a_goal_event_in_the_collector(site, browser):
    context, tab = new_reader(browser)
    try:
        tab.goto(site.url("2026/guide/"))
        view = view_of(tab, site, "/2026/guide/")
        cta = tab.locator("a[data-cta=contest-apply]")
        assert cta.evaluate("a => getComputedStyle(a).borderRadius") == "999px"  # looks like one
        with tab.expect_navigation():
            cta.click()
        events = site.wait_for(lambda rows: goals_of(rows, view))
        (goal,) = goals_of(events, view)
        assert (goal["goal"], goal["v"], goal["path"]) == ("contest-apply", 2, "/2026/guide/")
        assert (goal["article"], goal["format"]) == ("guide", "article")
        assert tab.errors == []
    finally:
        context.close()


def test_a_visit_to_a_goal_page_stores_its_goal(site, browser):
    context, tab = new_reader(browser)
    try:
        tab.goto(site.url("pages/thanks/"))
        view = view_of(tab, site, "/pages/thanks/")
        (goal,) = goals_of(site.wait_for(lambda rows: goals_of(rows, view)), view)
        assert (goal["goal"], goal["article"]) == ("thanks-visit", None)
    finally:
        context.close()


def test_a_goal_button_counts_once_per_page_view(site, browser):
    context, tab = new_reader(browser)
    try:
        tab.goto(site.url("2026/guide/"))
        view = view_of(tab, site, "/2026/guide/")
        tab.click("button[data-goal]")
        tab.click("button[data-goal]")
        with tab.expect_navigation():  # leaving sends the view's last events after the clicks
            tab.click("a[data-cta]")
        events = site.wait_for(
            lambda rows: (
                {"briefing-signup", "contest-apply"} <= {g["goal"] for g in goals_of(rows, view)}
                and any(r["type"] == "engagement" and r["view"] == view for r in rows)
            )
        )
        assert sorted(g["goal"] for g in goals_of(events, view)) == [
            "briefing-signup",
            "contest-apply",
        ]
        tab.goto(site.url("2026/guide/"))  # a new view may reach it again
        again = view_of(tab, site, "/2026/guide/")
        tab.click("button[data-goal]")
        site.wait_for(lambda rows: goals_of(rows, again))
    finally:
        context.close()


def test_under_do_not_track_no_goal_is_sent(site, browser):
    dnt = "Object.defineProperty(Navigator.prototype, 'doNotTrack', {get: () => '1'})"
    context, tab = new_reader(browser, init=dnt)
    try:
        before = len(read_events(site.collector.db))
        tab.goto(site.url("pages/thanks/"))
        tab.goto(site.url("2026/guide/"))
        tab.click("button[data-goal]")
        with tab.expect_navigation():
            tab.click("a[data-cta]")
        tab.goto(site.url("2026/guide/"))  # the collector has had a page's time to store
        assert len(read_events(site.collector.db)) == before
    finally:
        context.close()


# -- for you ------------------------------------------------------------------------------

SWITCHER = "[...document.querySelectorAll('.format-switcher li')]"


def switcher_order(tab) -> tuple[list[str], list[str]]:
    """(DOM order, order on the screen) of the switcher's formats."""
    dom = tab.evaluate(f"{SWITCHER}.map(li => li.dataset.forYouFormat)")
    seen = tab.evaluate(
        f"{SWITCHER}.map(li => [li.getBoundingClientRect().top | 0,"
        " li.getBoundingClientRect().left, li.dataset.forYouFormat])"
    )
    return dom, [fmt for *_, fmt in sorted(seen)]


def layout_shift(tab) -> float:
    return tab.evaluate(
        "new Promise(done => new PerformanceObserver((list, observer) => {"
        " done(list.getEntries().reduce((sum, e) => sum + e.value, 0)); observer.disconnect();"
        "}).observe({type: 'layout-shift', buffered: true})"
        " || setTimeout(() => done(0), 500))"
    )


def finish_short(tab, site, slug):
    tab.goto(site.url(f"2026/{slug}/"))
    tab.evaluate("(v => { v.muted = true; v.play(); })(document.querySelector('#short'))")
    tab.wait_for_function(
        f"(JSON.parse(localStorage.mag_done || '{{}}').short || []).includes('/2026/{slug}/')",
        timeout=30_000,
    )


def test_after_two_short_cuts_the_switcher_puts_the_short_first(site, browser):
    context, tab = new_reader(browser, OUTSIDE)
    try:
        tab.goto(site.url("2026/talk-one/"))
        assert switcher_order(tab) == (DEFAULT, DEFAULT)  # a new reader: the default order
        finish_short(tab, site, "talk-one")
        finish_short(tab, site, "talk-two")
        tab.goto(site.url("2026/talk-one/"))
        expected = ["short", "article", "video", "transcript"]
        assert switcher_order(tab) == (expected, expected)
        assert layout_shift(tab) == 0
        assert tab.evaluate("localStorage.mag_reader") == OUTSIDE  # no new identifier
        assert tab.errors == []
    finally:
        context.close()


def test_a_finished_illustrated_page_moves_its_row_first_on_the_front_page(site, browser):
    context, tab = new_reader(browser, OUTSIDE)
    try:
        tab.goto(site.url(""))
        rows = "[...document.querySelectorAll('[data-for-you] > .row')]"
        rows += ".map(row => row.dataset.forYouFormat)"
        assert tab.evaluate(rows) == ["short", "illustrated"]
        tab.goto(site.url("2026/pitch/illustrated/"))
        tab.bring_to_front()
        tab.mouse.wheel(0, 100_000)
        tab.wait_for_function(
            "(JSON.parse(localStorage.mag_done || '{}').illustrated || [])"
            ".includes('/2026/pitch/illustrated/')",
            timeout=30_000,  # ten seconds in view, the fallback reading time
        )
        tab.goto(site.url(""))
        assert tab.evaluate(rows) == ["illustrated", "short"]
        tops = tab.evaluate(
            "['illustrated', 'short'].map(f => document.querySelector("
            "`[data-for-you-format=${f}]`).getBoundingClientRect())"
            ".map(box => [box.top | 0, box.left | 0])"
        )
        assert tops[0] < tops[1]  # on the screen too (above, or to the left)
        assert layout_shift(tab) == 0
    finally:
        context.close()


def test_a_holdout_reader_keeps_the_default_order(site, browser):
    context, tab = new_reader(browser, HOLDOUT)
    try:
        finish_short(tab, site, "talk-one")
        finish_short(tab, site, "talk-two")
        tab.goto(site.url("2026/talk-one/"))
        assert switcher_order(tab) == (DEFAULT, DEFAULT)
    finally:
        context.close()


@pytest.mark.parametrize(
    ("init", "kept"),
    [
        ("Object.defineProperty(Navigator.prototype, 'doNotTrack', {get: () => '1'})", []),
        (
            "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})",
            [],
        ),
        ("localStorage.mag_optout = '1'", ["mag_optout"]),
    ],
    ids=["dnt", "gpc", "opt-out"],
)
def test_readers_who_ask_not_to_be_tracked_get_the_default_order_and_nothing_is_stored(
    site, browser, init, kept
):
    context, tab = new_reader(browser, init=init)
    try:
        for slug in ("talk-one", "talk-two"):
            tab.goto(site.url(f"2026/{slug}/"))
            tab.evaluate("(v => { v.muted = true; v.play(); })(document.querySelector('#short'))")
            tab.wait_for_function("document.querySelector('#short').ended", timeout=30_000)
        tab.goto(site.url("2026/talk-one/"))
        assert switcher_order(tab) == (DEFAULT, DEFAULT)
        assert tab.evaluate("Object.keys(localStorage)") == kept
    finally:
        context.close()


def test_the_browser_and_the_report_agree_on_who_is_in_the_holdout(site, browser):
    """for-you.js's rule against mag_goals.holdout, on ids around the edge and at random."""
    rng = random.Random(20)  # noqa: S311 - sample ids, not secrets
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    ids = ["i", "zz", "k3j9x00009", "k3j9x0000a", "k3j9x0002s", "k3j9x002ry"]
    ids += ["".join(rng.choice(alphabet) for _ in range(10)) for _ in range(24)]
    planted = "localStorage.mag_done = JSON.stringify({short: ['a', 'b']})"
    context, tab = new_reader(browser, init=planted)
    try:
        tab.goto(site.url("pages/thanks/"))  # the site's storage, before any reader id is set
        personalised = {}
        for reader in ids:
            tab.evaluate(f"localStorage.mag_reader = {reader!r}")
            tab.goto(site.url("2026/talk-one/"))
            personalised[reader] = switcher_order(tab)[0][0] == "short"
        assert {r: not p for r, p in personalised.items()} == {r: in_holdout(r, 10) for r in ids}
        assert 0 < sum(in_holdout(r, 10) for r in ids) < len(ids)  # both groups were tried
    finally:
        context.close()


def test_opting_out_forgets_the_finished_formats(site, browser):
    context, tab = new_reader(browser, OUTSIDE)
    try:
        finish_short(tab, site, "talk-one")
        tab.goto(site.url("pages/opt-out/"))
        tab.click("button[data-opt-out=stop]")
        assert tab.evaluate("Object.keys(localStorage)") == ["mag_optout"]
        tab.goto(site.url("2026/talk-one/"))
        assert switcher_order(tab) == (DEFAULT, DEFAULT)
    finally:
        context.close()


def test_a_goal_reached_in_the_browser_is_attributed_by_the_report(site, browser):
    """End to end: beacon -> collector -> report, with nothing planted."""
    context, tab = new_reader(browser)
    try:
        tab.goto(site.url("2026/guide/"))
        view = view_of(tab, site, "/2026/guide/")
        reader = tab.evaluate("localStorage.mag_reader")
        with tab.expect_navigation():
            tab.locator("a[data-cta=contest-apply]").click()
        site.wait_for(lambda rows: goals_of(rows, view))
    finally:
        context.close()
    # Every group shown (min_group 1): this page's readers are the only ones there are.
    settings = {**site.settings, "MAG_REPORT": {"min_group": 1}}
    report = make_report(
        site.collector.db, site.root / "report", site=site.output, settings=settings
    )
    stored = read_events(site.collector.db)
    converted = {e["reader"] for e in goals_of(stored) if e["goal"] == "contest-apply"}
    (apply,) = [g for g in report.goals.goals if g.id == "contest-apply"]
    assert reader in converted
    assert apply.converted == len(converted)
    articles = {group.name: group for group in apply.tables["article"].shown}
    assert articles["guide"].converted >= 1
    dashboard = (site.root / "report" / "index.html").read_text(encoding="utf-8")
    assert "<h2>ゴール</h2>" in dashboard
    assert "応募" in dashboard  # the goal's label from MAG_GOALS
