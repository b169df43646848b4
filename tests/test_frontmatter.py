"""Bad front matter: a strict (publish) build stops naming file and line; a dev build warns."""

import logging

import pytest

from conftest import invoke, make_project, soup, write_site
from mag_core import BuildStopped, SettingsError

GOOD = "Title: よい記事\nDate: 2026-11-01 09:00\nCategory: 新規事業\n\n本文です。\n"

BAD_FILES = {
    "no title": ("Date: 2026-11-01 09:00\nCategory: 新規事業\n\n本文。\n", 1, "no title"),
    "bad date": ("Title: 日付が変\nDate: 2026-13-45 25:00\n\n本文。\n", 2, "cannot read the date"),
    "typo": (
        "Title: 誤字\nDate: 2026-11-01\nCatgory: 新規事業\n\n本文。\n",
        3,
        "did you mean 'Category'",
    ),
    "bad audience": (
        "Title: 対象\nDate: 2026-11-01\nAudience: busy, everyone\n\n本文。\n",
        3,
        "everyone",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_strict_build_stops_with_file_and_line(build, tmp_path, case):
    text, line, words = BAD_FILES[case]
    with pytest.raises(BuildStopped) as caught:
        build({"articles/good.md": GOOD, "articles/bad.md": text}, conf="publishconf.py")
    message = str(caught.value)
    assert f"bad.md:{line}:" in message
    assert words in message
    assert "good.md" not in message
    assert not (tmp_path / "output" / "index.html").exists()


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_dev_build_warns_and_still_builds(build, caplog, case):
    text, line, words = BAD_FILES[case]
    with caplog.at_level(logging.WARNING):
        output = build({"articles/good.md": GOOD, "articles/bad.md": text})
    assert (output / "index.html").is_file()
    warnings = [r.getMessage() for r in caplog.records if "bad.md" in r.getMessage()]
    assert any(f"bad.md:{line}:" in w and words in w for w in warnings), warnings


def test_a_stopped_build_does_not_stop_the_next_ones_sitemap(build, tmp_path):
    with pytest.raises(BuildStopped):
        build({"articles/bad.md": BAD_FILES["bad date"][0]}, conf="publishconf.py")
    (tmp_path / "content" / "articles" / "bad.md").unlink()
    output = build({"articles/good.md": GOOD})
    assert "yoi-kiji" in (output / "sitemap.xml").read_text(encoding="utf-8")


def test_unknown_keys_that_are_no_typo_are_allowed(build, caplog):
    text = "Title: 独自\nDate: 2026-11-01\nInterviewee: 山田\n\n本文。\n"
    with caplog.at_level(logging.WARNING):
        build({"articles/custom.md": text}, conf="publishconf.py")
    assert not [r for r in caplog.records if "custom.md" in r.getMessage()]


def test_unknown_plugin_setting_is_rejected_with_the_known_keys(build):
    with pytest.raises(SettingsError) as caught:
        build({"articles/good.md": GOOD}, MAG_JAPANESE={"chars_per_minit": 400})
    assert "chars_per_minit" in str(caught.value)
    assert "chars_per_minute" in str(caught.value)


def test_publish_build_exits_non_zero_and_keeps_the_old_output(tmp_path):
    project = make_project(tmp_path / "project", {"articles/good.md": GOOD})
    first = invoke(project, "build", "--settings", "publishconf.py")
    assert first.returncode == 0, first.stderr
    before = (project / "output" / "index.html").read_bytes()
    write_site(project, {"articles/bad.md": BAD_FILES["bad date"][0]})
    result = invoke(project, "build", "--settings", "publishconf.py")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith(
        "content/articles/bad.md:2: cannot read the date"
    )
    assert (project / "output" / "index.html").read_bytes() == before


@pytest.mark.parametrize("value", ["busy, light", "busy light", "Busy,light"])
def test_every_way_of_listing_audiences_means_the_same_everywhere(build, value):
    from mag_core.audiences import split_audience

    text = f"Title: 対象\nDate: 2026-11-01\nCategory: 新規事業\nAudience: {value}\n\n本文。\n"
    output = build({"articles/a.md": text}, conf="publishconf.py", MAG_BEACON={"url": "/collect"})
    assert split_audience(value) == ["busy", "light"]
    script = soup(output / "2026" / "taishou" / "index.html").select_one("script[data-article]")
    assert script["data-audience"] == "busy light"


def test_audiences_are_the_segments_the_site_declares(build):
    segments = {"managers": "管理職", "busy": "忙しい人"}
    order = ["article", "video", "transcript", "short", "illustrated"]
    newsletter = {"formats": {"managers": order, "busy": order}}
    good = "Title: 管理職向け\nDate: 2026-11-01\nCategory: 新規事業\nAudience: managers\n\n本文。\n"
    settings = {"MAG_AUDIENCES": segments, "MAG_NEWSLETTER": newsletter}
    build({"articles/a.md": good}, conf="publishconf.py", **settings)
    light = good.replace("managers", "light")
    with pytest.raises(BuildStopped) as caught:
        build({"articles/a.md": light}, conf="publishconf.py", **settings)
    (error,) = caught.value.errors
    assert (error.line, error.message, error.hint) == (
        4,
        "unknown audience light",
        "use managers, busy",
    )
