"""The Japanese font for burned-in captions, and the glyph check.

libass draws a box (or nothing) for a character its font lacks, warns, and
exits 0; so every character of the captions to burn in is checked against the
font's character map first, and a missing one fails with the character and cue.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from mag_core import ContentError
from mag_core.captions import Cue

# Where Debian's fonts-noto-cjk and fonts-ipaexfont put their fonts (the
# project's set-up installs the first); bold reads better over video.
CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
)


class FontMissing(LookupError):
    """No font with Japanese glyphs is installed (a set-up problem, not content)."""


@dataclass(frozen=True)
class CaptionFont:
    path: Path
    index: int
    family: str
    bold: bool
    units_per_em: int
    line_height: int  # ascender + descender in font units: libass sizes by this

    def em_for(self, ass_size: float) -> float:
        """Pixel em size for an ASS font size (libass: size = ascender + descender)."""
        return ass_size * self.units_per_em / self.line_height


def find_font(configured: str | None) -> Path:
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise FontMissing(f"MAG_VIDEO font_file {configured} does not exist")
        return path
    for candidate in CANDIDATES:
        if os.path.isfile(candidate):
            return Path(candidate)
    raise FontMissing(
        "no Japanese font for burned-in captions: install fonts-noto-cjk "
        "(make site does) or set MAG_VIDEO font_file"
    )


@functools.lru_cache(maxsize=4)
def load_font(path: Path, index: int | None) -> CaptionFont:
    face = _face(path, index)
    names = face["name"]
    family = names.getBestFamilyName() or names.getDebugName(1) or path.stem
    hhea = face["hhea"]
    return CaptionFont(
        path=path,
        index=_face_index(path, index),
        family=str(family),
        bold=face["OS/2"].usWeightClass >= 600,
        units_per_em=face["head"].unitsPerEm,
        line_height=hhea.ascent - hhea.descent,
    )


@functools.lru_cache(maxsize=4)
def character_map(path: Path, index: int | None) -> frozenset[int]:
    return frozenset(_face(path, index).getBestCmap())


def check_glyphs(cues: list[Cue], font: CaptionFont, captions_path: Path, extra: str = "") -> None:
    """ContentError naming the character and the cue when the font cannot draw it."""
    known = character_map(font.path, font.index)
    for cue in cues:
        for char in cue.text + "".join(cue.voices):
            if char.isspace() or ord(char) in known:
                continue
            label = repr(cue.id) if cue.id else f"at {cue.start:.2f} s"
            raise ContentError(
                captions_path,
                f"the caption font {font.family} has no glyph for {char!r} "
                f"(U+{ord(char):04X}) in cue {label}",
                line=cue.line,
                hint="replace the character, or set MAG_VIDEO font_file to a font that has it",
            )
    for char in extra:
        if not char.isspace() and ord(char) not in known:
            raise ContentError(captions_path, f"the caption font lacks {char!r}")


def _face(path: Path, index: int | None):
    from fontTools.ttLib import TTCollection, TTFont

    if path.suffix.lower() in {".ttc", ".otc"}:
        collection = TTCollection(str(path), lazy=True)
        return collection.fonts[_face_index(path, index)]
    return TTFont(str(path), lazy=True)


@functools.lru_cache(maxsize=4)
def _face_index(path: Path, index: int | None) -> int:
    """The configured face, else the Japanese (non-monospaced) face of a collection."""
    if index is not None or path.suffix.lower() not in {".ttc", ".otc"}:
        return index or 0
    from fontTools.ttLib import TTCollection

    for number, face in enumerate(TTCollection(str(path), lazy=True).fonts):
        family = face["name"].getDebugName(1) or ""
        if family.endswith(" JP") and "Mono" not in family:
            return number
    return 0
