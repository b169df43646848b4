"""Share cards and title covers: the article's Japanese title set as a picture.

A share card (1200×630) is the Open Graph image of every article. A title cover
(16:9, the shape of a list card) stands in for the cover of an article that has
none, so the front page has no holes; it is the same drawing in one of a few
colours, one per category, so a row of covers does not read as one blue block.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from mag_core import SettingsError

from .images import ImageMaker, ImageSet, safe_stem
from .linebreak import wrap

WIDTH, HEIGHT = 1200, 630
COVER_HEIGHT = 675  # 16:9, the shape of every card's picture
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


def card_texts(article, site_name: str) -> dict[str, str]:
    category = str(getattr(article, "category", "") or "")
    meta = " ・ ".join(filter(None, [category, getattr(article, "locale_date", "")]))
    return {"title": str(article.title), "site": site_name, "meta": meta}


def share_card(maker: ImageMaker, article, site_name: str) -> ShareCard:
    """The card of ``article`` from the cache, drawn if its text or the font changed."""
    config = maker.config
    texts = card_texts(article, site_name)
    colours = {k: config[k] for k in ("card_background", "card_foreground", "card_accent")}
    drawing = _Drawing(maker, texts, colours, HEIGHT)
    url = f"{config['output_dir']}/share/{safe_stem(Path(article.slug))}.{drawing.key[:10]}.png"
    drawing.cached(url)
    return ShareCard(url, WIDTH, HEIGHT, texts["title"])


def title_cover(maker: ImageMaker, article, site_name: str, shade: int) -> ImageSet:
    """A 16:9 cover with the title, for an article without a ``Cover:``.

    ``shade`` picks the background from the palette: the generator numbers the
    categories, so up to as many categories as colours never share one.
    Drawn once into the cache as PNG, then made into WebP widths like any
    cover, so a phone downloads a 480 px WebP of a few kilobytes.
    """
    config = maker.config
    palette = config["cover_palette"]
    colours = {
        "card_background": palette[shade % len(palette)],
        "card_foreground": config["card_foreground"],
        "card_accent": config["card_accent"],
    }
    texts = card_texts(article, site_name)
    drawn = _Drawing(maker, texts, colours, COVER_HEIGHT).cached(None)
    return maker.image_set(drawn, name=Path(f"cover-{safe_stem(Path(article.slug))}"))


class _Drawing:
    """One card drawing: its cache key, and the cached PNG (drawn only when missing)."""

    def __init__(self, maker: ImageMaker, texts: Mapping[str, str], colours, height: int) -> None:
        self.maker, self.texts, self.colours, self.height = maker, texts, colours, height
        self.font = font_path(maker.config)
        self.key = maker.key(
            [self.font, json.dumps(texts, ensure_ascii=False).encode()],
            op="card",
            index=maker.config["font_index"],
            size=[WIDTH, height],
            **colours,
        )

    def cached(self, url: str | None) -> Path:
        """The PNG in the cache, also published at ``url`` unless None."""
        config = {**self.maker.config, **self.colours}

        def draw(target: Path) -> None:
            image = draw_card(self.texts, config, self.font, self.height)
            image.save(target, "PNG", optimize=True)

        return self.maker.store(self.key, ".png", url, draw)


def draw_card(
    texts: Mapping[str, str], config: Mapping[str, Any], font: Path, height: int = HEIGHT
) -> Image.Image:
    image = Image.new("RGB", (WIDTH, height), config["card_background"])
    canvas = ImageDraw.Draw(image)
    foreground, accent = config["card_foreground"], config["card_accent"]
    canvas.rectangle((0, 0, 20, height), fill=accent)
    for radius in (150, 230, 310):  # quiet rings in a corner, away from the text
        box = (WIDTH - radius, height - radius, WIDTH + radius, height + radius)
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
        canvas.text((MARGIN, height - 60 - 32), texts["meta"], font=small, fill=foreground)
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
