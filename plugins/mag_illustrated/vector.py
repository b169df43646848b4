"""SVG panels: published as they are (scripts never run from <img>), sized from the file."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from mag_core import ContentError

from .images import ImageSet

_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$")


def svg_set(path: Path, url: str) -> ImageSet:
    width, height = svg_size(path)
    return ImageSet(url, width, height, "image/svg+xml")


def svg_size(path: Path) -> tuple[int, int]:
    """Pixel size from width/height, else from the viewBox."""
    try:
        root = ET.parse(path).getroot()  # noqa: S314 - expat refuses entity expansion bombs
    except (ET.ParseError, OSError) as error:
        raise ContentError(path, f"cannot read the SVG ({error})") from None
    width, height = _length(root.get("width")), _length(root.get("height"))
    if width and height:
        return round(width), round(height)
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        try:
            return round(float(box[2])), round(float(box[3]))
        except ValueError:
            pass
    raise ContentError(path, "the SVG has no size", hint="give it a viewBox or width and height")


def _length(value: str | None) -> float | None:
    match = _LENGTH.match(value or "")
    return float(match[1]) if match else None
