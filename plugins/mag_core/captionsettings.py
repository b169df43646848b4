"""MAG_CAPTIONS settings and their defaults (read in one place: ``read``).

Caption rules are the site's, not one plugin's: the video plugin writes the
published captions and runs the timing checks, the transcript reads the same
cues, so the settings live beside the one caption parser.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import SettingsError
from .settings import plugin_settings
from .speakers import LABEL_MODES, speaker_list

DEFAULTS: dict[str, Any] = {
    # Names a 'Name:' prefix may give on every article (each article adds its
    # own with 'Speakers:'); any other word before a colon stays text.
    "speakers": [],
    # The published web captions name the speaker: "change" (when someone else
    # spoke last, as the burned-in captions do), "always" or "never".
    "speaker_names": "change",
    # How the name is written in front of the text.
    "speaker_label": "{name}：",
    # A cue on screen for less than this many seconds gets a warning.
    "min_seconds": 0.7,
    # A cue on screen for more than this many seconds gets a warning.
    "max_seconds": 7.0,
    # More characters a second than this gets a warning (Japanese subtitles aim
    # at about 4; 20 is past what anyone reads). Spaces and ruby readings do not count.
    "max_chars_per_second": 20,
}


def read(settings: Mapping[str, Any]) -> dict[str, Any]:
    config = plugin_settings(settings, "MAG_CAPTIONS", DEFAULTS)
    if config["speaker_names"] not in LABEL_MODES:
        raise SettingsError(f"MAG_CAPTIONS speaker_names must be one of {', '.join(LABEL_MODES)}")
    if "{name}" not in str(config["speaker_label"]):
        raise SettingsError("MAG_CAPTIONS speaker_label must contain {name}")
    config["speakers"] = speaker_list(config["speakers"])
    return config
