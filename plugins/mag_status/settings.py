"""MAG_STATUS settings and their defaults (read in one place: ``read``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mag_core import plugin_settings

DEFAULTS: dict[str, Any] = {
    # Write `Status: draft` articles and pages at their own address, for editors to
    # preview. publishconf turns this off: a published release holds no draft at all.
    "write_drafts": True,
}


def read(settings: Mapping[str, Any]) -> dict[str, Any]:
    return plugin_settings(settings, "MAG_STATUS", DEFAULTS)
