"""Tasks for editors and CI (run `invoke --list`), in the spirit of pelican-quickstart."""

from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
import sys
from pathlib import Path

from invoke import task
from invoke.exceptions import Exit

from mag_core.files import swap_in

HERE = Path(__file__).absolute().parent

CONFIG = {
    "content": "content",
    "output": "output",
    "settings_dev": "pelicanconf.py",
    "settings_publish": "publishconf.py",
    "host": "127.0.0.1",
    "port": int(os.environ.get("PORT", "8000")),
}


def _pelican(settings_file: str, output: Path) -> None:
    """One build, each content problem printed once on one line; stops the task on failure."""
    from mag_core.cli import build as run_build

    if run_build(HERE / settings_file, HERE / CONFIG["content"], output):
        raise Exit(code=1)


def build_site(c, settings_file: str, output: Path, *, search: bool = True) -> None:
    """Build into a fresh folder and swap it in only when everything succeeded.

    A failed build (bad content, a failing plugin, Pelican crashing) leaves the
    previous output as it was.
    """
    from pelican.settings import get_settings_from_file

    from mag_search import index_site

    output = Path(output)
    staging = output.with_name(output.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        _pelican(settings_file, staging)
        if search:
            index_site(get_settings_from_file(settings_file), staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_in(staging, output)


@task(help={"settings": "the settings file (default: pelicanconf.py; publishconf.py is strict)"})
def build(c, output=CONFIG["output"], settings=CONFIG["settings_dev"]):
    """Build the magazine (development settings by default), search index included."""
    build_site(c, settings, Path(output))


@task
def rebuild(c, output=CONFIG["output"]):
    """Build from scratch: the old output is replaced as a whole."""
    shutil.rmtree(output, ignore_errors=True)
    build_site(c, CONFIG["settings_dev"], Path(output))


@task
def serve(c, host=CONFIG["host"], port=CONFIG["port"], output=CONFIG["output"]):
    """Serve the built site (with HTTP Range support, for video) at http://HOST:PORT/."""
    from mag_core.preview import make_server

    if not Path(output).is_dir():
        raise Exit(f"{output}/ does not exist yet: run 'invoke build' first", code=1)
    server = make_server(output, host, int(port))
    print(f"Serving {output}/ at http://{host}:{port}/  (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@task(help={"output": "folder for static files and media (pages are never written)"})
def livereload(c, host=CONFIG["host"], port=CONFIG["port"], output="output.live"):
    """Instant preview while writing: a save shows in the browser within a second."""
    import logging

    sys.path.insert(0, str(HERE))
    from preview import serve

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("preview").setLevel(logging.INFO)

    def restart():  # plugin code cannot be reloaded into a running process
        os.execv(sys.executable, [sys.executable, *sys.argv])  # noqa: S606 - the same command again

    overrides = {"OUTPUT_PATH": str(HERE / output)}
    serve(HERE / CONFIG["settings_dev"], host, int(port), overrides, on_code_change=restart)


@task(name="new-article")
def new_article(c, title, category="新規事業", tags="", series="", audience="", date=None):
    """Create content/articles/<date>-<slug>.md with the front matter filled in."""
    from pelican.settings import get_settings_from_file

    from mag_japanese.slugs import slug_for

    when = dt.datetime.fromisoformat(date) if date else dt.datetime.now().replace(second=0)
    # The same slug the build makes: the site's reading dictionary, cut between words.
    settings = get_settings_from_file(str(HERE / CONFIG["settings_dev"]))
    slug = slug_for(title, {**settings, "PATH": str(HERE / CONFIG["content"])})
    path = HERE / CONFIG["content"] / "articles" / f"{when:%Y-%m-%d}-{slug}.md"
    if path.exists():
        raise Exit(f"{path.relative_to(HERE)} already exists", code=1)
    lines = [
        f"Title: {title}",
        f"Date: {when:%Y-%m-%d %H:%M}",
        f"Category: {category}",
        f"Tags: {tags}",
        f"Author: {_default_author()}",
    ]
    if series:
        lines.append(f"Series: {series}")
    if audience:
        lines.append(f"Audience: {audience}")
    lines += ["", "## 見出し", "", "本文をここに書きます。", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    print(path.relative_to(HERE))


def _default_author() -> str:
    from pelican.settings import get_settings_from_file

    return get_settings_from_file(str(HERE / CONFIG["settings_dev"])).get("AUTHOR") or "編集部"


@task(help={"sizes": "report benchmark: events per run, e.g. 1000000 (default: 1 M and 20 M)"})
def bench(c, articles=1000, runs=3, only="", sizes=""):
    """Benchmarks (all, or --only=build,video,...): ratios against baselines of the same run."""
    from benchmarks import run_all

    run_all(HERE, only=only, articles=int(articles), runs=int(runs), sizes=sizes)


@task
def docs(c):
    """Write docs/settings.md, the settings reference, from the plugins' defaults."""
    from mag_core.settings_reference import write

    print(f"Wrote {write().relative_to(HERE)}")


@task(
    help={
        "host": "address to listen on (0.0.0.0 for every interface)",
        "port": "port; 0 picks a free one",
        "db": "SQLite file for the events (created if missing), or postgresql://user@host/db",
        "origin": "the site's origin(s) allowed to send events, comma-separated",
        "sync": "normal (flushed every second) or full (every batch waits for the disk)",
        "new-readers-per-hour": "distinct reader ids one address may bring in an hour",
        "idle-timeout": "seconds a connection may stay open without a request",
        "request-timeout": "seconds from a request's first byte to its last (slower: 408)",
        "max-connections": "open connections at most",
        "trusted-proxies": "reverse proxy address(es) whose X-Forwarded-For names the client",
    }
)
def collector(
    c,
    host="127.0.0.1",
    port=8001,
    db="var/events.sqlite3",
    origin=f"http://{CONFIG['host']}:{CONFIG['port']},http://localhost:{CONFIG['port']}",
    sync="",
    new_readers_per_hour=0,
    idle_timeout=0.0,
    request_timeout=0.0,
    max_connections=0,
    trusted_proxies="",
):
    """Run the analytics collector the beacon posts to (POST /collect); Ctrl-C stops.

    The options are those of ``python -m analytics.collector`` (one parser, one set of
    defaults: docs/operations/collector-limits.md); an option not given keeps its default.
    """
    from analytics.collector import main

    argv = ["--host", host, "--port", str(port), "--db", db, "--origin", origin]
    optional = {
        "--sync": sync,
        "--new-readers-per-hour": new_readers_per_hour,
        "--idle-timeout": idle_timeout,
        "--request-timeout": request_timeout,
        "--max-connections": max_connections,
        "--trusted-proxies": trusted_proxies,
    }
    argv += [item for name, value in optional.items() if value for item in (name, str(value))]
    # uvicorn stops on Ctrl-C by itself, after the queued events are written.
    main(argv)


@task(
    help={
        "issue": "issue id, e.g. 2026-11: utm_campaign and the folder names",
        "since": "articles dated on or after this day (YYYY-MM-DD)",
        "series": "the articles of this series (its Series: name)",
        "recipients": "folder of one CSV a segment: busy.csv, light.csv, core.csv",
        "dry-run": "write .eml files instead of sending",
        "out": "working folder: the issue's build, .eml files and the sent log",
    }
)
def newsletter(c, issue, since="", series="", recipients="", dry_run=False, out="var/newsletter"):
    """Build an issue's email per reader segment and send it over SMTP (see docs/operations)."""
    import logging

    from mag_core import console
    from mag_newsletter.run import Request, run_issue, stopping_errors, summary

    console.install()
    logging.getLogger("mag_newsletter").setLevel(logging.INFO)
    where = Path(recipients) if recipients else None
    request = Request(issue, since, series, where, bool(dry_run), Path(out))
    settings_file, content = HERE / CONFIG["settings_publish"], HERE / CONFIG["content"]
    try:
        outcome = run_issue(request, settings_file, content, swap_in)
    except stopping_errors() as error:
        raise Exit(str(error), code=1) from None
    print("\n".join(summary(outcome)))
    if outcome.report and outcome.report.failed:
        raise Exit("Some recipients were refused; a re-run sends to them only.", code=1)


def _publish_config(settings_file: str, target: str = ""):
    """MAG_PUBLISH and SITEURL of a settings file (publishconf reads them from the environment)."""
    from pelican.settings import get_settings_from_file

    from publishing import read_config

    return read_config(get_settings_from_file(settings_file), target)


def _run_publishing(step, *args):
    """Run a publishing step with its progress shown; its errors end the task with the reason."""
    import logging

    from mag_core import SettingsError, console
    from publishing import PublishError

    console.install(logging.INFO)
    try:
        return step(*args)
    except (PublishError, SettingsError) as error:
        raise Exit(f"publish: {error}", code=1) from None


PUBLISH_HELP = {
    "target": "a folder, or user@host:/path (default: $MAG_PUBLISH_TARGET)",
    "settings": "the settings file (default: publishconf.py)",
}


@task(help=PUBLISH_HELP)
def publish(c, target="", settings=CONFIG["settings_publish"]):
    """Build with the production settings, check the site, then make it live atomically."""

    def run():
        from publishing import publish as publish_release

        config = _publish_config(settings, target)
        build = functools.partial(build_site, c, settings)  # build(folder)
        return publish_release(config, build, HERE / "output.publish")

    _run_publishing(run)


@task(help={**PUBLISH_HELP, "to": "the release id to return to (default: the one before)"})
def rollback(c, target="", to="", settings=CONFIG["settings_publish"]):
    """Make the release published before the live one live again (or --to ID)."""

    def run():
        from publishing import rollback as rollback_release

        return rollback_release(_publish_config(settings, target), to)

    _run_publishing(run)


def _checked_build(c, output: Path, siteurl: str) -> list:
    """The production build into ``output``, then the publish check; returns its problems."""
    os.environ["MAG_SITEURL"] = siteurl  # read by publishconf in the build below
    build_site(c, CONFIG["settings_publish"], output)

    def check():
        from publishing import check_site

        return check_site(output, siteurl)

    return _run_publishing(check)


def _print_check_problems(problems: list) -> None:
    """Each problem of the check on one line (and as a CI annotation), then a summary."""
    import logging

    from mag_core import console
    from mag_core.errors import count_problems

    handler = console.install()
    log = logging.getLogger("publishing")
    for problem in problems:
        console.log_problem(log, problem, logging.ERROR)
    if problems:
        log.error("the check found %s; 'invoke publish' would stop", count_problems(problems))
    console.write_ci_reports(handler.problems)


@task(
    help={
        "output": "where the checked site is built (default: output.check)",
        "siteurl": "the address it will be served at (default: $MAG_SITEURL, else the preview's)",
    }
)
def check(c, output="output.check", siteurl=""):
    """What a pull request is checked with: the strict build and the publish check, no publish."""
    siteurl = siteurl or os.environ.get("MAG_SITEURL") or f"http://localhost:{CONFIG['port']}"
    problems = _checked_build(c, Path(output), siteurl.rstrip("/"))
    _print_check_problems(problems)
    if problems:
        raise Exit(code=1)


@task
def preview(c, host=CONFIG["host"], port=CONFIG["port"], output="output.preview"):
    """The production build, checked and served at http://HOST:PORT/ (Range support, for video)."""
    _print_check_problems(_checked_build(c, Path(output), f"http://{host}:{port}"))
    serve(c, host, port, output)


@task(
    help={
        "db": "the collector's SQLite file, or a postgresql:// URL",
        "site": "the built site, for reading times",
    }
)
def retain(c, db="var/events.sqlite3", site=CONFIG["output"]):
    """Summarise and delete events past MAG_REPORT's retention_days (run daily, e.g. by cron)."""
    from analytics.retention import main

    code = main(["--db", db, "--site", site, "--settings", str(HERE / CONFIG["settings_dev"])])
    if code:
        raise Exit(code=code)


@task(
    help={
        "db": "the collector's SQLite file, or a postgresql:// URL",
        "out": "folder for the dashboard and CSV files (kept outside the public site)",
        "site": "the built site, for titles, reading times and audiences",
        "headcount": "employees the magazine is for, for 閲覧率 (0: not shown)",
        "directory": "CSV of reader,department for figures by department",
        "since": "first day, YYYY-MM-DD",
        "until": "last day, YYYY-MM-DD (included)",
        "strict": "stop at any invalid row of the database instead of skipping it",
    }
)
def report(
    c,
    db="var/events.sqlite3",
    out="var/report",
    site=CONFIG["output"],
    headcount=0,
    directory="",
    since="",
    until="",
    strict=False,
):
    """Reader report for the editors: segments, formats and 読了率 (dashboard + CSV)."""
    from analytics.report.cli import main

    given = {
        "--site": site,
        "--headcount": int(headcount) or "",
        "--directory": directory,
        "--since": since,
        "--until": until,
    }
    args = ["--db", db, "--out", out, "--settings", str(HERE / CONFIG["settings_dev"])]
    args += [item for name, value in given.items() if value for item in (name, str(value))]
    args += ["--strict"] if strict else []
    code = main(args)
    if code:
        raise Exit(code=code)
