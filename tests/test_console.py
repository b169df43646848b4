"""What an editor and CI see of a build: one line per problem, annotations, no traceback.

The builds run as CI runs them: ``invoke`` in a subprocess with no terminal, in
a deep folder, with a narrow ``COLUMNS``, so nothing here passes by the luck of
a short path or a wide terminal.
"""

from __future__ import annotations

import json
import logging

import pytest

from conftest import invoke, make_project
from mag_core.console import code_quality_entry, github_annotation, problem_line
from mag_core.errors import BuildStopped, ContentError

GOOD = "Title: 良い記事\nDate: 2026-11-01 09:00\nCategory: 新規事業\n\n本文です。\n"
BROKEN = {
    "articles/typo.md": "Title: 壊れた記事\nDate: 2026-11-02\nCatgory: 新規事業\n\n本文。\n",
    "articles/date.md": "Title: 日付\nDate: 2026-13-45\nCategory: 新規事業\n\n本文。\n",
}
EXPECTED = [
    "content/articles/date.md:2: cannot read the date '2026-13-45' (write it as 2026-11-20 09:00)",
    "content/articles/typo.md:3: unknown key 'Catgory' (did you mean 'Category'?)",
]
NARROW = {"COLUMNS": "40", "LINES": "10", "TERM": "dumb"}


@pytest.fixture
def deep(tmp_path):
    """A project folder far below the temporary folder: long absolute paths everywhere."""
    folder = tmp_path.joinpath(*[f"level-{n}-of-a-deep-checkout" for n in range(8)])
    return make_project(folder, {"articles/good.md": GOOD, **BROKEN})


def test_a_strict_build_prints_one_unbroken_line_per_problem_and_no_traceback(deep):
    result = invoke(deep, "build", "--settings", "publishconf.py", **NARROW)

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        *EXPECTED,
        "error: 2 problems in 2 files; nothing was published",
    ]
    assert result.stdout == ""
    assert not (deep / "output").exists()


def test_a_development_build_warns_once_per_problem_and_builds(deep):
    result = invoke(deep, "build", **NARROW)

    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == EXPECTED
    assert (deep / "output" / "index.html").is_file()


def test_under_github_actions_each_problem_is_also_an_annotation(deep):
    result = invoke(deep, "build", "--settings", "publishconf.py", GITHUB_ACTIONS="true")

    annotations = [line for line in result.stderr.splitlines() if line.startswith("::")]
    assert annotations == [
        "::error file=content/articles/date.md,line=2::cannot read the date '2026-13-45'"
        " (write it as 2026-11-20 09:00)",
        "::error file=content/articles/typo.md,line=3::unknown key 'Catgory'"
        " (did you mean 'Category'?)",
    ]
    warned = invoke(deep, "build", GITHUB_ACTIONS="true")
    assert [line.split(" ")[0] for line in warned.stderr.splitlines() if line.startswith("::")] == [
        "::warning",
        "::warning",
    ]


def test_under_gitlab_ci_the_problems_are_a_code_quality_report(deep):
    result = invoke(deep, "build", "--settings", "publishconf.py", GITLAB_CI="true")

    assert result.returncode == 1
    report = json.loads((deep / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert [
        (issue["location"]["path"], issue["location"]["lines"]["begin"]) for issue in report
    ] == [
        ("content/articles/date.md", 2),
        ("content/articles/typo.md", 3),
    ]
    assert {issue["severity"] for issue in report} == {"major"}
    assert len({issue["fingerprint"] for issue in report}) == 2


def test_without_gitlab_ci_no_report_is_written(deep):
    invoke(deep, "build", "--settings", "publishconf.py")
    assert not (deep / "gl-code-quality-report.json").exists()


SKIPPED = {
    "articles/no-date.rst": "日付のない記事\n##############\n\n本文です。\n",
    "articles/no-date.html": "<html><head><title>日付なし</title></head><body>本文</body></html>",
    "articles/latin1.md": "Title: caf\xe9\nDate: 2026-11-03\n\ntext\n".encode("latin-1"),
    "pages/untitled.html": "<html><head></head><body>本文だけの固定ページ</body></html>",
}


def test_strict_builds_stop_on_every_file_pelican_would_skip(build):
    with pytest.raises(BuildStopped) as stopped:
        build({"articles/good.md": GOOD, **SKIPPED}, conf="publishconf.py")

    named = sorted(error.path.rsplit("content/", 1)[1] for error in stopped.value.errors)
    assert named == sorted(SKIPPED)
    messages = {error.path.rsplit("/", 1)[1]: error.message for error in stopped.value.errors}
    assert messages["no-date.rst"] == "no date: Pelican skips this file"
    assert messages["untitled.html"] == "no title: Pelican skips this file"
    assert messages["latin1.md"].startswith("Pelican could not read this file")


def test_a_development_build_warns_about_skipped_files_and_publishes_the_rest(build, caplog):
    with caplog.at_level(logging.WARNING):
        output = build({"articles/good.md": GOOD, **SKIPPED})

    warned = [
        record.mag_problem.path for record in caplog.records if hasattr(record, "mag_problem")
    ]
    assert sorted(path.rsplit("content/", 1)[1] for path in warned) == sorted(SKIPPED)
    assert (output / "2026" / "yoi-kiji" / "index.html").is_file()


def test_annotations_escape_what_would_end_the_workflow_command(tmp_path):
    problem = ContentError(tmp_path / "a,b:c.md", "100% wrong\nsecond line", line=4)
    annotation = github_annotation(problem, logging.WARNING, base=tmp_path)
    assert annotation == "::warning file=a%2Cb%3Ac.md,line=4::100%25 wrong%0Asecond line"


def test_problem_paths_are_relative_to_the_working_folder_only_when_inside_it(tmp_path):
    inside = ContentError(tmp_path / "content" / "x.md", "bad", line=3, hint="fix it")
    assert problem_line(inside, base=tmp_path) == "content/x.md:3: bad (fix it)"
    elsewhere = tmp_path.parent / "other.md"
    assert problem_line(ContentError(elsewhere, "bad"), base=tmp_path) == f"{elsewhere}: bad"
    entry = code_quality_entry(inside, logging.WARNING, base=tmp_path)
    assert entry["location"] == {"path": "content/x.md", "lines": {"begin": 3}}
    assert entry["severity"] == "minor"


def test_pull_requests_are_tested_and_checked_but_never_published():
    import yaml

    from conftest import ROOT

    text = (ROOT / ".github/workflows/check.yml").read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"pull_request"}
    steps = workflow["jobs"]["check"]["steps"]
    commands = [step.get("run", "") for step in steps]
    check = next(i for i, command in enumerate(commands) if "invoke check" in command)
    assert commands.index("make test") < check
    upload = next(i for i, step in enumerate(steps) if "upload-artifact" in step.get("uses", ""))
    assert upload > check
    assert steps[upload]["with"]["path"] in commands[check]
    assert not any("publish" in command or "rollback" in command for command in commands)
    assert "secrets." not in text
    assert not any("cache/save" in step.get("uses", "") for step in steps)


def test_invoke_check_builds_strictly_checks_and_publishes_nothing(tmp_path):
    project = make_project(tmp_path / "project", {"articles/good.md": GOOD})
    result = invoke(project, "check", "--output", "site-preview")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert (project / "site-preview" / "index.html").is_file()
    link = GOOD.replace("良い記事", "資料").replace("本文です。", "[資料](../../nowhere.pdf)")
    broken = {"articles/link.md": link}
    make_project(tmp_path / "broken", {"articles/good.md": GOOD, **broken})
    failed = invoke(tmp_path / "broken", "check", "--output", "site-preview")
    assert failed.returncode == 1
    assert failed.stderr.splitlines() == [
        "2026/shiryou/index.html: <a href> '../../nowhere.pdf': no such file",
        "error: the check found 1 problem in 1 file; 'invoke publish' would stop",
    ]
