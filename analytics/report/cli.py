"""``invoke report`` / ``python -m analytics.report``: the reader report for the editors.

    python -m analytics.report --db var/events.sqlite3 --out var/report --site output \
        --headcount 20000 [--directory directory.csv] [--since 2026-11-01 --until 2026-11-30] \
        [--strict]

Writes ``index.html`` (the dashboard) and CSV files into ``--out``, which must be
outside the public site: the report is for the editors. The folder is replaced
as a whole only once everything is written. Invalid rows of the database are
skipped with one warning line per kind, or stop the report with ``--strict``.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from mag_core import ContentError, SettingsError
from mag_core.files import swap_in

from . import dashboard, exports
from . import settings as report_settings
from .archive import read_archive
from .compute import Report, compute, period_of
from .departments import read_directory
from .engine import open_events, source_name
from .forked import Forked
from .goals import goal_report
from .load import period_ms
from .rows import Checks, DataError
from .site import Site

logger = logging.getLogger(__name__)


def make_report(
    db: str | Path,
    out: str | Path,
    *,
    site: str | Path | None = None,
    headcount: int | None = None,
    directory: str | Path | None = None,
    since: str | None = None,
    until: str | None = None,
    settings: dict[str, Any] | None = None,
    strict: bool = False,
) -> Report:
    """Read, compute and write the report; returns what it computed.

    With ``strict``, any invalid row in the database stops it (DataError).
    """
    config = report_settings.read(settings or {})
    out = Path(out)
    if site is not None and out.resolve().is_relative_to(Path(site).resolve()):
        raise ValueError(f"the report would be public inside {site}/: choose --out outside it")
    if headcount is not None and headcount < 1:
        raise ValueError("--headcount must be a positive number of employees")
    started = time.perf_counter()
    checks = Checks(site=config["site"])
    pages = Site.read(site)
    people = read_directory(directory) if directory else None
    connection = open_events(db, *period_ms(since, until, config["zone"]), checks)
    try:
        logger.info("analytics.report: %d events read in %.1fs", checks.valid, _since(started))
        _say_what_was_skipped(source_name(db), checks, strict)
        report = compute(connection, pages, config, headcount, people)
        report.goals = goal_report(connection, pages, settings or {}, int(config["min_group"]))
    finally:
        connection.close()
    report.data_notes = checks.warnings()
    report.archive = read_archive(db, config["site"], since, until, report.usage)
    report.period = period_of(report.usage)
    logger.info("analytics.report: figures computed in %.1fs", _since(started))
    if headcount and report.readers > headcount:
        logger.warning(
            "analytics.report: %d readers, more than the headcount of %d: reader ids inflated "
            "(bots, a script) or a wrong --headcount; 閲覧率 above 100 %% cannot be trusted",
            report.readers,
            headcount,
        )
    if report.unknown_reading:
        logger.warning(
            "analytics.report: no reading time for %d article(s) (%s); their 読了率 is left "
            "blank: pass --site with the built site",
            len(report.unknown_reading),
            ", ".join(report.unknown_reading[:5]),
        )
    _write(report, out)
    logger.info("analytics.report: written in %.1fs", _since(started))
    return report


def _say_what_was_skipped(db: str | Path, checks: Checks, strict: bool) -> None:
    if strict and checks.invalid:
        lines = "\n".join(f"  {line}" for line in checks.warnings())
        raise DataError(
            f"{db}: {sum(checks.invalid.values())} invalid row(s) and --strict:\n{lines}"
        )
    for line in checks.warnings():
        logger.warning("analytics.report: %s: %s", db, line)


def _since(started: float) -> float:
    return time.perf_counter() - started


def _write(report: Report, out: Path) -> None:
    """Write into a fresh folder beside ``out``, then swap it in: no half-written report."""
    staging = out.with_name(out.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    # The CSV files in a child while the charts are drawn here: two cores, half the wait.
    files = Forked(exports.write_all, report, staging)
    try:
        sections = dashboard.sections(report)
        html = dashboard.page(sections, files.result())
        (staging / "index.html").write_text(html, encoding="utf-8")
    except BaseException:
        files.cancel()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_in(staging, out)


def load_settings(path: str | None) -> dict[str, Any]:
    """The site's settings file, for its MAG_REPORT dict (none: the defaults)."""
    if not path:
        return {}
    from pelican.settings import get_settings_from_file

    return get_settings_from_file(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analytics.report",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--db", required=True, help="the collector's SQLite file, or a postgresql:// URL"
    )
    parser.add_argument("--out", required=True, help="folder for the report (outside the site)")
    parser.add_argument("--site", default=None, help="the built site, for reading times")
    parser.add_argument("--headcount", type=int, default=None, help="employees, for 閲覧率")
    parser.add_argument("--directory", default=None, help="CSV: reader,department")
    parser.add_argument("--since", default=None, help="first day, YYYY-MM-DD")
    parser.add_argument("--until", default=None, help="last day, YYYY-MM-DD (included)")
    parser.add_argument("--settings", default=None, help="settings file with MAG_REPORT")
    parser.add_argument(
        "--strict", action="store_true", help="stop at any invalid row instead of skipping it"
    )
    args = parser.parse_args(argv)
    # Progress for a person watching; a scheduled run stays quiet unless something is wrong.
    level = logging.INFO if sys.stderr.isatty() else logging.WARNING
    logging.basicConfig(level=level, format="%(message)s")
    try:
        report = make_report(
            args.db,
            args.out,
            site=args.site,
            headcount=args.headcount,
            directory=args.directory,
            since=args.since,
            until=args.until,
            settings=load_settings(args.settings),
            strict=args.strict,
        )
    except (ContentError, SettingsError, ValueError, FileNotFoundError) as error:
        print(f"report: {error}", file=sys.stderr)
        return 1
    except sqlite3.DatabaseError as error:
        print(
            f"report: {source_name(args.db)} is not an event database the report can read: {error}",
            file=sys.stderr,
        )
        return 1
    print(
        f"report: {report.views} page views of {report.readers} readers -> "
        f"{Path(args.out) / 'index.html'}"
    )
    return 0
