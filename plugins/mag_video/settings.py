"""MAG_VIDEO settings and their defaults (read in one place: ``read``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mag_core import plugin_settings

DEFAULTS: dict[str, Any] = {
    # The ffmpeg binary; None means the one the imageio-ffmpeg wheel carries.
    "ffmpeg": None,
    # Web rendition: fits inside this box, never upscaled.
    "max_width": 1280,
    "max_height": 720,
    # x264 quality (lower is better and bigger); 23 is x264's own default.
    "crf": 23,
    "preset": "medium",
    "audio_bitrate": "128k",
    # Highest frame rate published; faster sources are reduced to it.
    "max_fps": 30,
    # The short cut: "16:9" or "9:16" (phone first); ShortAspect: overrides it per article.
    "short_aspect": "16:9",
    # Seconds added before and after a highlight given as cue ids, so the
    # first and last syllables are not cut off.
    "highlight_padding": 0.25,
    # Audio fade in and out at each join of the short cut, in seconds.
    "join_fade": 0.08,
    # Caption remnants shorter than this after clipping to a segment are dropped.
    "min_cue_seconds": 0.6,
    # A short cut longer than this gets a warning (ショート動画 tells the story in under a minute).
    "short_max_seconds": 60,
    # Burned-in captions: a font file with Japanese glyphs; None looks for Debian's
    # fonts-noto-cjk or fonts-ipaexfont. font_index picks a face of a .ttc collection
    # (None: the Japanese one).
    "font_file": None,
    "font_index": None,
    # Caption text height as a share of the short side of the frame.
    "caption_size": 0.062,
    # Safe area: caption margins as shares of the frame width / height.
    "safe_margin_x": 0.06,
    "safe_margin_bottom": 0.08,
    "safe_margin_bottom_portrait": 0.16,
    # Burned-in captions also stay above a player's control bar while the short
    # is paused: the bar covers a fixed height in CSS pixels (Chromium's buttons
    # and timeline: 56, measured; 64 leaves a gap), which is the largest share of
    # the picture when the short is shown at its narrowest (a 360-px phone less
    # the page's margins).
    "player_controls_height": 64,
    "player_min_width": 328,
    # Poster width in pixels (never wider than the rendition).
    "poster_width": 1280,
    "poster_quality": 82,
    # Encoding progress: "auto" (a live percent on a terminal, one line per file
    # otherwise), "lines" or "off".
    "progress": "auto",
    # Muted looping preview of the short cut on lists and the home page.
    "list_preview": True,
}

ASPECTS = {"16:9": (16, 9), "9:16": (9, 16)}
PROGRESS_MODES = {"auto", "lines", "off"}


def read(settings: Mapping[str, Any]) -> dict[str, Any]:
    config = plugin_settings(settings, "MAG_VIDEO", DEFAULTS)
    if config["short_aspect"] not in ASPECTS:
        from mag_core import SettingsError

        raise SettingsError(f"MAG_VIDEO short_aspect must be one of {', '.join(ASPECTS)}")
    if config["progress"] not in PROGRESS_MODES:
        from mag_core import SettingsError

        raise SettingsError(f"MAG_VIDEO progress must be one of {', '.join(PROGRESS_MODES)}")
    return config
