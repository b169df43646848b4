"""MAG_ILLUSTRATED settings and their defaults, read in one place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mag_core import plugin_settings

DEFAULTS = {
    # WebP widths made for every content image; never wider than the original.
    "widths": [480, 960, 1440],
    "webp_quality": 80,
    # Quality of re-encoded JPEG originals (re-encoded to drop EXIF and apply rotation).
    "jpeg_quality": 88,
    # Encoders running side by side (0: one per CPU core).
    "workers": 0,
    # Bigger images are refused: a tiny file can claim billions of pixels.
    "max_pixels": 40_000_000,
    # Output folder for derivatives (WebP sizes, animation stills, share cards).
    "output_dir": "img",
    # <img sizes>: how wide images show in the article column and on the variant page.
    "content_sizes": "(min-width: 42rem) 40rem, 100vw",
    "panel_sizes": "(min-width: 62rem) 60rem, 100vw",
    # Milliseconds per frame for a folder of animation frames (a panel may override it).
    "frame_duration": 160,
    # The panel list inside an `Illustrated:` folder.
    "panel_file": "panels.md",
    # The variant page lives under its article: <article url>illustrated/.
    "variant_path": "illustrated/",
    "template": "illustrated",
    # Share cards (Open Graph images) drawn for every article.
    "share_cards": True,
    # Debian's fonts-noto-cjk; index 0 of the collection is the Japanese face.
    "font": "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "font_index": 0,
    "card_background": "#0b5cad",
    "card_foreground": "#ffffff",
    "card_accent": "#f5a100",
    # Title covers for articles without a Cover: (lists show no empty holes).
    # One background per category, in the order of the categories' names (white text on each).
    "title_covers": True,
    "cover_palette": ["#0b5cad", "#0f6e6e", "#6b3fa0", "#9c3d2e", "#2f4858", "#1d6b3a"],
}


def read(settings: Mapping[str, Any]) -> dict[str, Any]:
    return plugin_settings(settings, "MAG_ILLUSTRATED", DEFAULTS)
