"""Reader report: time and peak memory at 1 million and 20 million events.

Targets (issue 18, on a 2-core machine): 20 million events from 150,000 readers
in at most 30 s and 2 GB peak memory; 1 million in at most 5 s. The events are
drawn from a fixed seed and written straight into a collector database
(benchmarks/events.py), with 200 article pages for the reading times; then
``python -m analytics.report`` runs in a process of its own, as ``invoke report``
would (reading, checking, computing, writing the dashboard and CSV files), and
its wall time and peak resident memory are measured, twice: cold (no columnar
copy of the events yet, analytics/report/columns.py; the newest 1 % held back)
and warm (the copy up to date but for that 1 %, appended after it). The targets
are judged on the warm run. The baseline, in the same
run and the same way, is a process that only reads the event table once with
``sqlite3`` (a COUNT and a SUM over the columns the report reads): the ratio says
what the report costs over touching the data at all.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

from analytics.report import columns
from mag_core.manifest import MANIFEST_PATH, MANIFEST_VERSION

from .events import article_id

SIZES = {1_000_000: 5.0, 20_000_000: 30.0}  # events -> target seconds
READERS = 150_000
TARGET_MB = 2048
# The warm run: the columnar copy is up to date but for this newest share of the events.
WARM_SHARE = 0.01
_WRITE = f"""
import sys
from pathlib import Path
from benchmarks.events import write_events
write_events(Path(sys.argv[1]), int(sys.argv[2]), {READERS})
"""
_SCAN = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
print(connection.execute(
    "SELECT count(*), sum(length(reader) + length(view) + length(path)), sum(engaged_ms) "
    "FROM events"
).fetchone())
"""


def write_site(folder: Path, articles: int = 200) -> Path:
    """A built site as the report reads it: the build manifest's articles and pages."""
    entries = []
    for number in range(articles):
        slug, url = article_id(number), f"2026/{article_id(number)}/"
        page = {
            "format": "article",
            "url": url,
            "title": f"記事 {number}",
            "minutes": 1 + number % 5,
        }
        entries.append(
            {
                "id": slug,
                "title": f"記事 {number}",
                "url": url,
                "audience": ["busy", "light"],
                "formats": [{"id": "article", "url": url}],
                "pages": [page],
                "media": {},
            }
        )
    manifest = folder / MANIFEST_PATH
    manifest.parent.mkdir(parents=True)
    data = {"version": MANIFEST_VERSION, "site": "bench", "articles": entries}
    manifest.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return folder


def measured(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"benchmark step failed: {' '.join(command)}")
    return seconds, usage.ru_maxrss / 1024


def run(root: Path, options: dict) -> None:
    sizes = options.get("sizes") or ",".join(map(str, SIZES))
    for total in (int(size) for size in str(sizes).split(",")):
        with tempfile.TemporaryDirectory(prefix="mag-bench-report-") as folder:
            _one_size(root, Path(folder), total)


def _one_size(root: Path, folder: Path, total: int) -> None:
    db = folder / "events.sqlite3"
    # Made in a process of its own: a child's peak memory counts what it inherits, so this
    # process stays small for the processes it measures.
    seconds, _peak = measured([sys.executable, "-c", _WRITE, str(db), str(total)], root)
    with closing(sqlite3.connect(db)) as connection:
        (stored,) = connection.execute("SELECT count(*) FROM events").fetchone()
    print(f"corpus: {stored:,} events of up to {READERS:,} readers written in {seconds:.1f}s")
    site = write_site(folder / "site")
    settings = folder / "settings.py"
    settings.write_text("MAG_REPORT = {'site': 'bench'}\n", encoding="utf-8")
    baseline_s, baseline_mb = measured([sys.executable, "-c", _SCAN, str(db)], root)
    report = [sys.executable, "-m", "analytics.report", "--db", str(db)]
    report += ["--out", str(folder / "report"), "--site", str(site), "--settings", str(settings)]
    held = _hold_back(db, WARM_SHARE)
    cold = measured(report, root)  # no columnar copy yet: the file is read and the copy written
    copy_mb = _size_mb(columns.folder_of(db))
    _give_back(db)  # the events that came in since the last report
    warm = measured(report, root)
    print(
        f"columnar copy: {copy_mb:,.0f} MB for {stored - held:,} events "
        f"({copy_mb * 1e6 / (stored - held):,.0f} MB per million)"
    )
    baseline = f"baseline (sqlite3 scan) {baseline_s:.1f}s, {baseline_mb:,.0f} MB"
    for name, (seconds, peak_mb) in (("cold", cold), ("warm", warm)):
        verdict = _verdict(SIZES.get(total), seconds, peak_mb) if name == "warm" else ""
        print(
            f"report {total:,} events, {name}: {seconds:.1f}s, peak {peak_mb:,.0f} MB; {baseline}; "
            f"ratio {seconds / baseline_s:.1f}{verdict}",
            flush=True,
        )


def _verdict(target: float | None, seconds: float, peak_mb: float) -> str:
    if target is None:
        return ""
    met = seconds <= target and peak_mb <= TARGET_MB
    return f"  target <= {target:.0f}s and <= {TARGET_MB} MB: {'met' if met else 'MISSED'}"


def _hold_back(db: Path, share: float) -> int:
    """Move the newest ``share`` of the events aside (same ids), as if not yet collected."""
    with closing(sqlite3.connect(db)) as connection, connection:
        (low, high) = connection.execute("SELECT min(id), max(id) FROM events").fetchone()
        cut = high - int((high - low + 1) * share)
        connection.execute(f"CREATE TABLE held AS SELECT * FROM events WHERE id > {cut}")  # noqa: S608
        connection.execute(f"DELETE FROM events WHERE id > {cut}")  # noqa: S608
        return connection.execute("SELECT count(*) FROM held").fetchone()[0]


def _give_back(db: Path) -> None:
    with closing(sqlite3.connect(db)) as connection, connection:
        connection.execute("INSERT INTO events SELECT * FROM held")
        connection.execute("DROP TABLE held")


def _size_mb(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.iterdir()) / 2**20
