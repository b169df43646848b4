"""Timing helpers shared by the benchmark suites."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path


def median_seconds(
    action: Callable[[], object], runs: int, prepare: Callable[[], object] | None = None
) -> float:
    """Median wall time of ``action`` over ``runs`` runs; ``prepare`` runs untimed before each."""
    times = []
    for _ in range(runs):
        if prepare:
            prepare()
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired_median_seconds(
    ours: Callable[[], object],
    baseline: Callable[[], object],
    runs: int,
    prepare: Callable[[], object] | None = None,
) -> tuple[float, float]:
    """Medians of ``ours`` and ``baseline`` timed in alternation.

    Alternating puts both under the same drift of a shared or virtual machine,
    so their ratio is steadier than two medians measured one after the other.
    """
    ours_times, baseline_times = [], []
    for _ in range(runs):
        for action, times in ((ours, ours_times), (baseline, baseline_times)):
            if prepare:
                prepare()
            start = time.perf_counter()
            action()
            times.append(time.perf_counter() - start)
    return statistics.median(ours_times), statistics.median(baseline_times)


def report(
    label: str, ours: float, baseline: float, target: float | None = None, unit: str = "s"
) -> None:
    """One line: our median, the baseline's, the ratio, and the target if one is set."""
    ratio = ours / baseline if baseline else float("inf")
    verdict = ""
    if target is not None:
        verdict = f"  target <= {target:.2f}: {'met' if ratio <= target else 'MISSED'}"
    figures = f"ours {ours:.3f}{unit}, baseline {baseline:.3f}{unit}, ratio {ratio:.2f}"
    print(f"{label}: {figures}{verdict}", flush=True)


def pelican_process(content: Path, settings: Path, output: Path, cwd: Path) -> None:
    """A whole quiet Pelican build in a process of its own (what a benchmark times)."""
    command = [sys.executable, "-m", "pelican", str(content), "-s", str(settings)]
    command += ["-o", str(output), "-q"]
    subprocess.run(command, check=True, cwd=cwd, stdout=subprocess.DEVNULL)
