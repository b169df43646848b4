"""Collector benchmark: sustained events/s and p99 latency on loopback, events lost, beacon bytes.

The load generator (benchmarks/loadgen.py) runs in its own process, as a few
hundred readers on their own loopback addresses, so the collector's default
per-reader limit applies as it would in production. Targets: at least 3,000
events/s sustained with p99 under 50 ms and nothing lost after a SIGKILL; the
beacon at most 1,200 bytes minified and gzipped.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

TARGET_RATE = 3000  # events/s
TARGET_P99_MS = 50.0
READERS = 400  # 7.5 events/s each: under the default limit of 10/s per reader
SECONDS = 10.0
SITE_ORIGIN = "http://127.0.0.1:8000"
# Published sizes of other analytics scripts (minified, gzipped), for scale.
OTHERS = {"Plausible": 2681, "Umami": 2229, "GoatCounter": 3319}


def run(root: Path, options: dict) -> None:
    beacon_bytes(root)
    seconds = float(options.get("collector_seconds", SECONDS))
    with tempfile.TemporaryDirectory(prefix="collector-bench-") as work:
        floor = baseline(root, seconds)
        sustained(root, Path(work), seconds, floor)
        capacity(root, Path(work), min(seconds, 5.0))


def beacon_bytes(root: Path) -> None:
    from mag_beacon import script

    source = (root / "theme" / script.SOURCE).read_text(encoding="utf-8")
    minified = script.minify(source)
    size = script.gzipped_size(minified)
    others = ", ".join(f"{name} {bytes_} B" for name, bytes_ in OTHERS.items())
    verdict = "met" if size <= script.SIZE_LIMIT else "MISSED"
    print(
        f"beacon: {len(source)} B source, {len(minified)} B minified, {size} B gzip -9 "
        f"(target <= {script.SIZE_LIMIT}: {verdict}; {others})",
        flush=True,
    )


def load(root: Path, url: str, *args: str) -> dict:
    """Run the load generator in its own process and return its figures."""
    command = [sys.executable, "-m", "benchmarks.loadgen", "--url", url, "--origin", SITE_ORIGIN]
    done = subprocess.run(
        [*command, *args], cwd=root, capture_output=True, text=True, check=True, timeout=300
    )
    return json.loads(done.stdout)


def open_loop(root: Path, url: str, seconds: float, *extra: str) -> dict:
    rate = ("--clients", str(READERS), "--rate", str(TARGET_RATE), "--seconds", str(seconds))
    return load(root, url, *rate, *extra)


def baseline(root: Path, seconds: float) -> dict:
    """The same load against uvicorn with an empty app: the floor this machine sets now."""
    command = [sys.executable, "-m", "benchmarks.null_collector"]
    process = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True)
    try:
        url = re.search(r"http://\S+", process.stdout.readline()).group(0)
        figures = open_loop(root, url, seconds)
    finally:
        process.terminate()
        process.wait()
    print(
        f"baseline (uvicorn, an app that only answers 202): {figures['events_per_second']:.0f} "
        f"events/s, p99 {figures['p99_ms']:.1f} ms from the scheduled time, "
        f"{figures['service_p99_ms']:.1f} ms from sending",
        flush=True,
    )
    return figures


def sustained(root: Path, work: Path, seconds: float, floor: dict) -> None:
    """Open-loop load at the target rate, then SIGKILL: is every acknowledged event stored?"""
    from analytics.checkpoints import WAL_LIMIT
    from analytics.collector import spawn
    from analytics.storage import read_events

    db = work / "sustained.sqlite3"
    process, url = spawn(db, [SITE_ORIGIN])
    try:
        load(root, url, "--clients", str(READERS), "--rate", "1000", "--seconds", "1")  # warm-up
        acked_file = work / "acked.txt"
        figures = open_loop(root, url, seconds, "--acked-file", str(acked_file))
        wal = wal_megabytes(db)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    stored = {row["view"] for row in read_events(db)}
    acked = acked_file.read_text(encoding="utf-8").split()
    lost = sum(view not in stored for view in acked)
    refused = {code: n for code, n in figures["statuses"].items() if code != "202"}
    met = (
        figures["events_per_second"] >= TARGET_RATE * 0.98
        and figures["p99_ms"] < TARGET_P99_MS
        and lost == 0
        and not refused
        and not figures["errors"]
    )
    print(
        f"collector sustained: {figures['events_per_second']:.0f} events/s offered at "
        f"{TARGET_RATE}/s by {READERS} readers for {figures['seconds']:.1f} s; "
        f"p50 {figures['p50_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms from the scheduled "
        f"time ({figures['service_p99_ms']:.1f} ms from sending; baseline "
        f"{floor['p99_ms']:.1f} ms), max {figures['max_ms']:.1f} ms; "
        f"{figures['acked']} acknowledged, {lost} lost after SIGKILL; refused {refused or 0}, "
        f"errors {figures['errors']}; log (WAL) {wal:.1f} MB at the end, kept under "
        f"{WAL_LIMIT / 2**20:.0f} MiB (target >= {TARGET_RATE}/s, p99 < {TARGET_P99_MS:.0f} ms, "
        f"0 lost: {'met' if met else 'MISSED'})",
        flush=True,
    )


def wal_megabytes(db: Path) -> float:
    """Size of the database's write-ahead log, which grew without bound before it was checked."""
    wal = db.with_name(db.name + "-wal")
    return wal.stat().st_size / 2**20 if wal.exists() else 0.0


def capacity(root: Path, work: Path, seconds: float) -> None:
    """Closed-loop load with the per-reader limit lifted: the most the collector takes."""
    from analytics.collector import spawn

    process, url = spawn(work / "capacity.sqlite3", [SITE_ORIGIN], ["--rate", "1e9"])
    try:
        figures = load(root, url, "--clients", "64", "--rate", "0", "--seconds", str(seconds))
    finally:
        process.terminate()
        process.wait()
    print(
        f"collector capacity: {figures['events_per_second']:.0f} events/s stored and "
        f"acknowledged by 64 readers sending back to back; p99 {figures['p99_ms']:.1f} ms",
        flush=True,
    )
