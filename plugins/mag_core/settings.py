"""Read a plugin's settings dict over its defaults, in one place per plugin."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import SettingsError

STRICT_SETTING = "MAG_STRICT"


def plugin_settings(
    settings: Mapping[str, Any], name: str, defaults: Mapping[str, Any]
) -> dict[str, Any]:
    """Return ``settings[name]`` merged over ``defaults``; unknown keys are an error.

    Typos in a settings dict would otherwise be ignored silently, so they are
    rejected with the list of the keys the plugin knows.
    """
    given = settings.get(name) or {}
    if not isinstance(given, Mapping):
        raise SettingsError(f"{name} must be a dict, not {type(given).__name__}")
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        known = ", ".join(sorted(defaults))
        raise SettingsError(f"{name}: unknown key(s) {', '.join(unknown)}; known keys: {known}")
    return {**defaults, **given}


def is_strict(settings: Mapping[str, Any]) -> bool:
    """Strict builds (publishconf) turn content warnings into errors."""
    return bool(settings.get(STRICT_SETTING, False))
