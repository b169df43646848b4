"""Responsive derivatives of one image: WebP widths and a clean original.

Every published raster image goes through here, so each one has its EXIF
orientation applied and all of its metadata (GPS above all) dropped. Outputs
live in the project's one content-addressed cache; a rebuild with nothing
changed finds them all and encodes nothing.
"""

from __future__ import annotations

import functools
import os
import re
import struct
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import PIL
from PIL import Image, ImageOps, UnidentifiedImageError

from mag_core import ContentError
from mag_core.cache import Cache, cache_key

from .state import BuildState

RASTER_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}
MIME_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
SUFFIXES = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}
# Bump when the encoding below changes, so cached files made the old way are not reused.
RECIPE_VERSION = 1
_ROTATED = {5, 6, 7, 8}  # EXIF orientations that swap width and height
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Variant:
    url: str  # site-relative
    width: int
    height: int


@dataclass(frozen=True)
class ImageSet:
    """What a <picture> needs: WebP widths, the original-format fallback, its size."""

    src: str  # site-relative URL of the fallback
    width: int
    height: int
    mime: str
    webp: tuple[Variant, ...] = ()
    # For animations: the first frame, which reduced-motion readers see.
    still: tuple[Variant, ...] = ()

    def srcset(self, prefix: str, variants: Iterable[Variant] | None = None) -> str:
        chosen = self.webp if variants is None else variants
        return ", ".join(f"{prefix}/{v.url} {v.width}w" for v in chosen)


def is_raster(path: str | Path) -> bool:
    return Path(path).suffix.lower() in RASTER_FORMATS


def open_image(path: Path, max_pixels: int) -> Image.Image:
    """Open ``path`` lazily (header only), refusing unreadable and oversized images."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except FileNotFoundError:
        raise ContentError(path, "image not found") from None
    except Image.DecompressionBombError:
        raise _too_big(path, None, max_pixels) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ContentError(
            path, f"cannot read the image ({error})", hint="save it again as PNG, JPEG or WebP"
        ) from None
    width, height = image.size
    if width * height > max_pixels:
        image.close()
        raise _too_big(path, (width, height), max_pixels)
    return image


_DAMAGE = (OSError, SyntaxError, ValueError, struct.error)


def _damaged(path: Path, error: Exception) -> ContentError:
    return ContentError(path, f"the image is damaged ({error})", hint="export it again")


def _too_big(path: Path, size: tuple[int, int] | None, max_pixels: int) -> ContentError:
    shown = f"{size[0]}×{size[1]} pixels" if size else "too many pixels"
    return ContentError(
        path,
        f"image has {shown}, over the limit of {max_pixels:,}",
        hint="scale it down, or raise MAG_ILLUSTRATED['max_pixels'] if it is really meant",
    )


def upright_size(image: Image.Image, path: Path) -> tuple[int, int]:
    """Width and height once the EXIF orientation is applied."""
    width, height = image.size
    try:
        orientation = image.getexif().get(0x0112, 1)  # may read past the pixels (PNG eXIf)
    except _DAMAGE as error:
        raise _damaged(path, error) from None
    return (height, width) if orientation in _ROTATED else (width, height)


def decoded(image: Image.Image, path: Path) -> Image.Image:
    """Pixels upright, with no metadata left but the colour profile."""
    try:
        image.load()
        upright = ImageOps.exif_transpose(image)
    except _DAMAGE as error:
        raise _damaged(path, error) from None
    icc = upright.info.get("icc_profile")
    upright.info = {"icc_profile": icc} if icc else {}
    return upright


def widths_for(original: int, configured: Iterable[int]) -> list[int]:
    """Configured widths below the original, plus the largest size allowed; never upscaled."""
    configured = sorted(set(configured))
    chosen = [width for width in configured if width < original]
    top = min(original, configured[-1])
    if top not in chosen:
        chosen.append(top)
    return chosen


def resized(image: Image.Image, width: int) -> Image.Image:
    if width >= image.width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)


def save_as(
    image: Image.Image, target: Path, fmt: str, config: Mapping[str, Any], **extra: Any
) -> None:
    """Encode without metadata (no exif= is passed, and decoded() emptied info)."""
    if fmt == "JPEG":
        image = image.convert("RGB") if image.mode not in ("RGB", "L") else image
        image.save(target, "JPEG", quality=config["jpeg_quality"], optimize=True, progressive=True)
    elif fmt == "WEBP":
        image = _for_webp(image)
        image.save(target, "WEBP", quality=config["webp_quality"], method=4, **extra)
    else:
        image = image.convert("RGBA") if image.mode in ("CMYK", "YCbCr", "LAB", "HSV") else image
        image.save(target, "PNG", **extra)


def _for_webp(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "RGBA"):
        return image
    has_alpha = image.mode in ("LA", "PA", "La") or "transparency" in image.info
    return image.convert("RGBA" if has_alpha or image.mode == "P" else "RGB")


def safe_stem(path: Path) -> str:
    return _UNSAFE_NAME.sub("-", path.stem).strip("-")[:60] or "image"


class ImageMaker:
    """Makes (or finds in the cache) every derivative of the images it is given."""

    def __init__(self, config: Mapping[str, Any], cache: Cache, state: BuildState) -> None:
        self.config = config
        self.cache = cache
        self.state = state  # this build's record: what to publish, how many were made

    def key(self, inputs: Iterable[Path | bytes], **recipe: Any) -> str:
        return cache_key(inputs, {"v": RECIPE_VERSION, "pillow": PIL.__version__, **recipe})

    def derivative_url(self, path: Path, key: str, label: str, suffix: str) -> str:
        return f"{self.config['output_dir']}/{safe_stem(path)}-{label}.{key[:10]}{suffix}"

    def image_set(
        self, path: Path, original_url: str | None = None, name: Path | None = None
    ) -> ImageSet:
        """WebP widths and the clean original of ``path``.

        The clean original is published at ``original_url`` (where Pelican
        would have copied the file), or beside the derivatives when None.
        Derivatives are named after ``name`` (default: ``path``).
        """
        name = name or path
        with self.open(path) as image:
            fmt = source_format(image, path)
            width, height = upright_size(image, path)
            source = _Decoder(image, path)
            original_key = self.key([path], op="clean", format=fmt)
            url = original_url or self.derivative_url(name, original_key, "original", SUFFIXES[fmt])
            jobs = [(original_key, fmt, url, source.full)]
            variants = []
            for size in widths_for(width, self.config["widths"]):
                key = self.key([path], op="webp", width=size, q=self.config["webp_quality"])
                webp_url = self.derivative_url(name, key, f"{size}w", ".webp")
                jobs.append((key, "WEBP", webp_url, functools.partial(source.at, size)))
                variants.append(Variant(webp_url, size, max(1, round(height * size / width))))
            self.make_all(jobs)
        return ImageSet(url, width, height, MIME_TYPES[fmt], tuple(variants))

    def clean_original(self, path: Path) -> Path:
        """The cached copy of ``path`` upright and without metadata (published by the caller)."""
        with self.open(path) as image:
            fmt = source_format(image, path)
            key = self.key([path], op="clean", format=fmt)
            return self.make(key, fmt, None, _Decoder(image, path).full)

    def make_all(self, jobs: list[tuple]) -> None:
        """``make(*job)`` for each job, side by side: Pillow lets go of the GIL to encode."""
        workers = min(len(jobs), self.config["workers"] or os.cpu_count() or 1)
        if workers <= 1:
            for job in jobs:
                self.make(*job)
            return
        with ThreadPoolExecutor(workers) as pool:
            for future in [pool.submit(self.make, *job) for job in jobs]:
                future.result()  # re-raises a ContentError from any of them

    def open(self, path: Path) -> Image.Image:
        return open_image(path, self.config["max_pixels"])

    def make(self, key: str, fmt: str, url: str | None, pixels: Callable[[], Image.Image]) -> Path:
        """The cached file for ``key`` (encoded from ``pixels()`` if missing), published at url."""

        def encode(target: Path) -> None:
            save_as(pixels(), target, fmt, self.config)

        return self.store(key, SUFFIXES[fmt], url, encode)

    def store(self, key: str, suffix: str, url: str | None, encode: Callable[[Path], None]) -> Path:
        """The cached file for ``key`` (``encode(path)`` writes it if missing), published at url."""
        cached, made = self.cache.get_or_make(key, suffix, encode)
        self.state.count(made)
        if url is not None:
            self.state.publish(url, cached)
        return cached


class _Decoder:
    """Decodes an opened image once, and only if some output is missing from the cache."""

    def __init__(self, image: Image.Image, path: Path) -> None:
        self.image = image
        self.path = path
        self._upright: Image.Image | None = None
        self._lock = threading.Lock()

    def full(self) -> Image.Image:
        with self._lock:  # encoders of several widths ask at once
            if self._upright is None:
                self._upright = decoded(self.image, self.path)
        return self._upright

    def at(self, width: int) -> Image.Image:
        return resized(self.full(), width)


def source_format(image: Image.Image, path: Path) -> str:
    """PNG, JPEG or WEBP; still images only (animations are folders of frames)."""
    fmt = "JPEG" if image.format == "MPO" else image.format
    if fmt not in MIME_TYPES:
        raise ContentError(path, f"{fmt} images are not supported", hint="use PNG, JPEG or WebP")
    if getattr(image, "is_animated", False) and image.format != "MPO":
        raise ContentError(
            path,
            "animated images are not supported here",
            hint="make it a panel: a folder of frames in an Illustrated: folder",
        )
    return fmt
