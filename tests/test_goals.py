"""Goals (mag_goals): the schema's goal event, the Goal: front matter, the marked
call-to-action, and what pages tell the beacon and the "for you" script, in real builds."""

from __future__ import annotations

import json

import pytest

from analytics import schema
from analytics.schema import Invalid, validate
from analytics.storage import Storage, read_events
from conftest import ROOT, project_settings, soup, write_site
from mag_core import BuildStopped, SettingsError
from mag_goals.settings import GOAL_ID

BEACON = {"url": "https://mag.intra.example/collect"}
GOALS = [
    {"id": "contest-apply", "label": "応募", "link": "https://forms.intra.example.co.jp/contest/*"},
    {"id": "thanks-visit", "label": "お礼ページ", "page": "/pages/thanks/"},
    {"id": "briefing-signup", "label": "説明会", "button": True},
]
GUIDE = """Title: 応募ガイド
Date: 2026-10-22 09:00
Category: ハウツー
Slug: guide
Goal: contest-apply

本文です。[応募フォーム](https://forms.intra.example.co.jp/contest/2027/?from=mag)と、
[募集要項](https://www.example.co.jp/contest/)と、[社内の案内]({filename}next.md)。

<button type="button" data-goal="briefing-signup">説明会に申し込む</button>

[説明会の案内](https://events.intra.example.co.jp/briefing/){: data-goal="briefing-signup" }
"""
NEXT = """Title: 次の記事
Date: 2026-10-23 09:00
Category: ハウツー
Slug: next
Goal: thanks-visit

[お礼ページへ]({filename}/pages/thanks.md)、[応募フォーム](https://forms.intra.example.co.jp/contest/x)
"""
THANKS = "Title: ありがとうございました\nSlug: thanks\n\n受け付けました。\n"


def files(**replace: str) -> dict[str, str]:
    return {
        "articles/guide.md": GUIDE,
        "articles/next.md": NEXT,
        "pages/thanks.md": THANKS,
        **replace,
    }


def event(**fields):
    base = {"v": 2, "type": "goal", "site": "mag", "reader": "k3j9x0a1b2", "view": "v0c4q8z1m2"}
    return {**base, "path": "/2026/guide/", "goal": "contest-apply", **fields}


# -- schema version 2 --------------------------------------------------------------------


def test_a_goal_event_is_valid_at_version_2_and_stored_in_the_goal_column(tmp_path):
    row = validate(event(article="guide", format="article"))
    assert (row["v"], row["type"], row["goal"], row["article"]) == (
        2,
        "goal",
        "contest-apply",
        "guide",
    )
    storage = Storage(tmp_path / "events.sqlite3")
    try:
        storage.insert_many([row])
    finally:
        storage.close()
    (stored,) = read_events(tmp_path / "events.sqlite3")
    assert (stored["type"], stored["goal"], stored["path"]) == (
        "goal",
        "contest-apply",
        "/2026/guide/",
    )


def test_version_1_events_stay_valid_and_every_type_is_valid_at_version_2():
    pageview = {k: v for k, v in event().items() if k != "goal"} | {"type": "pageview"}
    assert validate({**pageview, "v": 1})["v"] == 1
    assert validate({**pageview, "v": 2})["v"] == 2
    assert schema.SCHEMA_VERSION == 2


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"v": 1}, "goal events are version 2 or later"),
        ({"v": 3}, "field 'v'"),
        ({"goal": "Contest"}, "field 'goal'"),
        ({"goal": "<script>"}, "field 'goal'"),
        ({"goal": "a" * 33}, "field 'goal'"),
        ({"goal": 7}, "field 'goal'"),
        ({"utm_source": "newsletter"}, "unknown field 'utm_source'"),
    ],
)
def test_bad_goal_events_are_refused_with_a_reason(fields, reason):
    with pytest.raises(Invalid, match=reason):
        validate(event(**fields))


def test_a_goal_event_without_its_goal_is_refused():
    body = event()
    del body["goal"]
    with pytest.raises(Invalid, match="field 'goal' is missing"):
        validate(body)
    with pytest.raises(Invalid, match="field 'goal'"):
        validate({**event(), "type": "pageview", "goal": "contest-apply"})


def test_the_schema_and_the_settings_accept_the_same_goal_ids():
    assert schema._GOAL.pattern == GOAL_ID.pattern


# -- Goal: front matter and the marked call-to-action -------------------------------------


def test_links_to_the_articles_goal_are_marked_as_its_call_to_action(build):
    output = build(files(), MAG_GOALS=GOALS, MAG_BEACON=BEACON)
    body = soup(output / "2026/guide/index.html").select_one(".article-body")
    marked = {a["href"]: a.get("data-cta") for a in body.select("a")}
    assert marked["https://forms.intra.example.co.jp/contest/2027/?from=mag"] == "contest-apply"
    assert marked["https://www.example.co.jp/contest/"] is None
    assert [v for k, v in marked.items() if "next" in k] == [None]
    assert body.select_one("button")["data-goal"] == "briefing-signup"
    # A goal link written with Markdown's attribute list: a goal button that is a link.
    (link,) = body.select("a[data-goal]")
    assert (link["data-goal"], link.get("data-cta")) == ("briefing-signup", None)
    # A page goal: the link to the thank-you page, written as {filename}, is recognised.
    nxt = soup(output / "2026/next/index.html").select_one(".article-body")
    marked = {a.get_text(): a.get("data-cta") for a in nxt.select("a")}
    assert marked == {"お礼ページへ": "thanks-visit", "応募フォーム": None}


def test_an_unknown_goal_stops_a_strict_build_naming_file_and_line(build, tmp_path):
    bad = GUIDE.replace("Goal: contest-apply", "Goal: contest-aply")
    with pytest.raises(BuildStopped) as caught:
        build(files(**{"articles/guide.md": bad}), conf="publishconf.py", MAG_GOALS=GOALS)
    message = str(caught.value)
    assert "guide.md:5: unknown goal 'contest-aply'" in message
    assert "contest-apply" in message  # the hint lists the known ids
    assert not (tmp_path / "output" / "index.html").exists()


def test_a_data_goal_that_is_no_button_goal_is_a_problem_at_its_line(build):
    bad = GUIDE.replace('data-goal="briefing-signup"', 'data-goal="briefing"')
    with pytest.raises(BuildStopped) as caught:
        build(files(**{"articles/guide.md": bad}), conf="publishconf.py", MAG_GOALS=GOALS)
    assert "guide.md:10: data-goal 'briefing' is not a button goal" in str(caught.value)


@pytest.mark.parametrize(
    ("goals", "message"),
    [
        ([{"id": "Bad", "label": "x", "button": True}], "lower-case"),
        ([{"id": "a", "label": "x", "link": "https://x/*", "page": "/p/"}], "exactly one"),
        ({"id": "a"}, "must be a list"),
    ],
)
def test_bad_goal_settings_stop_the_build_before_anything_is_written(
    build, tmp_path, goals, message
):
    with pytest.raises(SettingsError, match=message):
        build(files(), MAG_GOALS=goals)
    assert not (tmp_path / "output" / "index.html").exists()


# -- what pages tell the beacon and the "for you" script ----------------------------------


def script_tag(page, part):
    return page.find("script", src=lambda src: src and part in src)


def test_the_beacon_carries_the_link_goals_and_the_page_goals_a_page_reaches(build):
    output = build(files(), MAG_GOALS=GOALS, MAG_BEACON=BEACON)
    guide = script_tag(soup(output / "2026/guide/index.html"), "/js/beacon.min.")
    link_goals = json.loads(guide["data-goals"])
    assert [goal for goal, _ in link_goals] == ["contest-apply"]
    assert not guide.has_attr("data-reached")
    thanks = script_tag(soup(output / "pages/thanks/index.html"), "/js/beacon.min.")
    assert thanks["data-reached"] == "thanks-visit"
    bare = script_tag(soup(output / "index.html"), "/js/beacon.min.")
    assert not bare.has_attr("data-reached")


def test_the_for_you_script_is_in_the_head_with_the_page_it_is_on(build):
    output = build(files(), MAG_FOR_YOU={"holdout_percent": 25})
    page = soup(output / "2026/guide/index.html")
    tag = script_tag(page.head, "/js/for-you.")
    assert not tag.has_attr("defer")
    assert not tag.has_attr("async")
    assert (tag["data-format"], tag["data-holdout"]) == ("article", "25")
    assert not tag.has_attr("data-article")  # the beacon's tag is the one that names it
    assert tag["data-order"] == "article video short transcript illustrated"
    assert int(tag["data-read-ms"]) == 60_000  # one minute: the article's reading time
    home = script_tag(soup(output / "index.html").head, "/js/for-you.")
    assert not home.has_attr("data-format")


def test_for_you_can_be_turned_off_and_its_settings_are_checked(build, tmp_path):
    output = build(files(), MAG_FOR_YOU={"enabled": False})
    assert script_tag(soup(output / "2026/guide/index.html"), "/js/for-you.") is None
    with pytest.raises(SettingsError, match="holdout_percent 150"):
        build(files(), MAG_FOR_YOU={"holdout_percent": 150})


def test_a_fixed_goal_builds_in_the_next_run_of_the_same_process(tmp_path):
    """As `pelican -r` runs: the first run's unknown goal is not remembered by the second."""
    from pelican import Pelican

    bad = GUIDE.replace("Goal: contest-apply", "Goal: nowhere")
    write_site(tmp_path, files(**{"articles/guide.md": bad}))
    content, output = tmp_path / "content", tmp_path / "output"
    settings = project_settings(content, output, {"MAG_GOALS": GOALS}, conf="publishconf.py")
    pelican = Pelican(settings=settings)
    with pytest.raises(BuildStopped, match="unknown goal 'nowhere'"):
        pelican.run()
    write_site(tmp_path, files())
    pelican.run()
    body = soup(tmp_path / "output" / "2026/guide/index.html").select_one(".article-body")
    assert [a["data-cta"] for a in body.select("a[data-cta]")] == ["contest-apply"]


def test_the_sample_settings_name_goals_the_sample_articles_use():
    from pelican.settings import read_settings

    from mag_core.frontmatter import read_front_matter
    from mag_goals.settings import read_goals

    known = {goal["id"] for goal in read_goals(read_settings(str(ROOT / "pelicanconf.py")))}
    named = {
        field.value
        for path in (ROOT / "content" / "articles").glob("*.md")
        for field in read_front_matter(path)
        if field.key.lower() == "goal"
    }
    assert named  # the sample shows an editor how a Goal: is written
    assert named <= known
