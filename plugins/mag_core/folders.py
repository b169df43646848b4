"""Replace a whole output folder only once its replacement is complete."""

from __future__ import annotations

import shutil
from pathlib import Path


def swap_in(new: Path, target: Path) -> None:
    """Replace ``target`` with the finished folder ``new`` by two renames.

    Readers of ``target`` see the old folder or the new one, never a
    half-written mix; the old copy is removed afterwards.
    """
    new, target = Path(new), Path(target)
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)
