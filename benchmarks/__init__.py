"""`invoke bench`: each suite prints ratios against a baseline measured in the same run."""

from __future__ import annotations

import importlib
from pathlib import Path

# Each module has run(root: Path, options: dict) -> None and prints its own figures.
SUITES = ["build", "images", "video", "collector", "report", "preview"]


def run_all(root: Path, *, only: str = "", **options) -> None:
    for name in SUITES:
        if only and name not in only.split(","):
            continue
        print(f"\n== {name} ==", flush=True)
        importlib.import_module(f"benchmarks.{name}").run(root, options)
