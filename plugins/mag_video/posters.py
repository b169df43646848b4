"""Poster images (JPEG and WebP) from a video frame or an editor's image.

Pillow writes them without the source's metadata: no EXIF (and so no GPS
position) reaches the published site.
"""

from __future__ import annotations

from pathlib import Path

import PIL
from PIL import Image, ImageOps

from mag_core import ContentError
from mag_core.cache import Cache, cache_key

FORMATS = {".jpg": "JPEG", ".webp": "WEBP"}


def poster_files(
    image: Path, width: int, quality: int, cache: Cache, *, owner: Path | None = None
) -> dict[str, Path]:
    """{'.jpg': path, '.webp': path} in the cache, ``width`` pixels wide at most."""
    results = {}
    for suffix, kind in FORMATS.items():
        recipe = {"step": "poster", "format": kind, "width": width, "quality": quality}
        recipe["pillow"] = PIL.__version__
        key = cache_key([image], recipe)

        def make(temporary: Path, kind: str = kind) -> None:
            _convert(image, temporary, kind=kind, width=width, quality=quality, owner=owner)

        results[suffix], _made = cache.get_or_make(key, suffix, make)
    return results


def _convert(source: Path, target: Path, *, kind: str, width: int, quality: int, owner) -> None:
    try:
        with Image.open(source) as opened:
            picture = ImageOps.exif_transpose(opened).convert("RGB")
    except (OSError, SyntaxError) as error:
        message = f"cannot read the poster image {source.name}: {error}"
        raise ContentError(owner or source, message) from None
    if picture.width > width:
        height = round(picture.height * width / picture.width)
        picture = picture.resize((width, height), Image.Resampling.LANCZOS)
    options = {"quality": quality}
    if kind == "JPEG":
        options.update(optimize=True, progressive=True)
    else:
        options.update(method=5)
    picture.save(target, kind, **options)
