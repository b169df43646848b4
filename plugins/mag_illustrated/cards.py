"""Share cards: a 1200×630 Open Graph image per article, with its Japanese title."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from mag_core import SettingsError

from .images import ImageMaker, safe_stem
from .linebreak import wrap

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
TITLE_SIZES = (68, 60, 52, 46)  # the largest that fits in MAX_LINES wins
MAX_LINES = 3


@dataclass(frozen=True)
class ShareCard:
    url: str  # site-relative
    width: int
    height: int
    alt: str


def font_path(config: Mapping[str, Any]) -> Path:
    path = Path(config["font"])
    if not path.is_file():
        raise SettingsError(
            f"mag_illustrated: the Japanese font for share cards is missing: {path}. "
            "Install Debian's fonts-noto-cjk (make site does), or point "
            "MAG_ILLUSTRATED['font'] at a font with Japanese glyphs."
        )
    return path


def share_card(maker: ImageMaker, article, site_name: str) -> ShareCard:
    """The card of ``article`` from the cache, drawn if its text or the font changed."""
    config = maker.config
    font = font_path(config)
    texts = {
        "title": str(article.title),
        "site": site_name,
        "meta": " ・ ".join(filter(None, [str(getattr(article, "category", "") or ""),
                                         getattr(article, "locale_date", "")])),
    }  # fmt: skip
    colours = {k: config[k] for k in ("card_background", "card_foreground", "card_accent")}
    key = maker.key(
        [font, json.dumps(texts, ensure_ascii=False).encode()],
        op="card", index=config["font_index"], size=[WIDTH, HEIGHT], **colours,
    )  # fmt: skip
    url = f"{config['output_dir']}/share/{safe_stem(Path(article.slug))}.{key[:10]}.png"

    def draw(target: Path) -> None:
        draw_card(texts, config, font).save(target, "PNG", optimize=True)

    maker.store(key, ".png", url, draw)
    return ShareCard(url, WIDTH, HEIGHT, texts["title"])


def draw_card(texts: Mapping[str, str], config: Mapping[str, Any], font: Path) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), config["card_background"])
    canvas = ImageDraw.Draw(image)
    foreground, accent = config["card_foreground"], config["card_accent"]
    canvas.rectangle((0, 0, 20, HEIGHT), fill=accent)
    for radius in (150, 230, 310):  # quiet rings in a corner, away from the text
        box = (WIDTH - radius, HEIGHT - radius, WIDTH + radius, HEIGHT + radius)
        canvas.ellipse(box, outline=accent, width=6)
    small = _font(font, config, 32)
    canvas.text((MARGIN, 60), texts["site"], font=small, fill=foreground)
    size, lines = _fit_title(texts["title"], font, config)
    title_font = _font(font, config, size)
    y = 150 + (MAX_LINES - len(lines)) * size * 0.35  # short titles sit a little lower
    for line in lines:
        canvas.text((MARGIN, y), line, font=title_font, fill=foreground)
        y += size * 1.4
    if texts["meta"]:
        canvas.text((MARGIN, HEIGHT - 60 - 32), texts["meta"], font=small, fill=foreground)
    return image


def _font(path: Path, config: Mapping[str, Any], size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size, index=config["font_index"])


def _fit_title(title: str, font: Path, config: Mapping[str, Any]) -> tuple[int, list[str]]:
    max_width = WIDTH - 2 * MARGIN - 80
    for size in TITLE_SIZES:
        face = _font(font, config, size)
        lines = wrap(title, face.getlength, max_width)
        if len(lines) <= MAX_LINES:
            return size, lines
    lines = lines[:MAX_LINES]
    while lines[-1] and face.getlength(lines[-1] + "…") > max_width:
        lines[-1] = lines[-1][:-1]
    lines[-1] += "…"
    return size, lines
