"""A folder of frames becomes an animated WebP (every width) and a still first frame."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PIL import Image

from mag_core import ContentError

from .images import ImageMaker, ImageSet, decoded, is_raster, resized, upright_size

# Beyond this a panel is a video, not a light animation.
MAX_FRAMES = 240
# WCAG 2.2.2: motion that starts by itself must stop within 5 s or offer a pause
# button. An animation loops only as often as fits in that time, then rests on its
# last frame (the theme adds a pause button for one whose single run is longer).
MOTION_LIMIT_MS = 5000


def play_count(frames: int, duration: int) -> int:
    """How many times the animation plays: as often as fits in MOTION_LIMIT_MS, at least once."""
    return max(1, MOTION_LIMIT_MS // max(1, frames * duration))


def frame_files(folder: Path) -> list[Path]:
    """The frames of ``folder`` in name order (001.png, 002.png, ...)."""
    frames = sorted(path for path in folder.iterdir() if path.is_file() and is_raster(path))
    if len(frames) < 2:
        raise ContentError(
            folder,
            f"an animation needs at least 2 frames, found {len(frames)}",
            hint="put the frames in the folder as 001.png, 002.png, ...",
        )
    if len(frames) > MAX_FRAMES:
        raise ContentError(folder, f"{len(frames)} frames; at most {MAX_FRAMES} are allowed")
    return frames


def animation_set(maker: ImageMaker, folder: Path, duration: int) -> ImageSet:
    """Animated WebP widths, with the first frame as the still and the fallback."""
    frames = frame_files(folder)
    _check_same_size(maker, frames)
    still = maker.image_set(frames[0], name=folder.with_name(f"{folder.name}-still"))
    loader = _Frames(maker, frames)
    animated = []
    for variant in still.webp:
        key = maker.key(
            frames,
            op="animation",
            width=variant.width,
            duration=duration,
            q=maker.config["webp_quality"],
            plays=play_count(len(frames), duration),
        )
        url = maker.derivative_url(folder, key, f"anim-{variant.width}w", ".webp")
        maker.store(key, ".webp", url, loader.encoder(variant.width, duration))
        animated.append(dataclasses.replace(variant, url=url))
    return dataclasses.replace(still, webp=tuple(animated), still=still.webp)


def _check_same_size(maker: ImageMaker, frames: list[Path]) -> None:
    first = None
    for frame in frames:
        with maker.open(frame) as image:
            size = upright_size(image, frame)
        if first is None:
            first = size
        elif size != first:
            raise ContentError(
                frame,
                f"frame is {size[0]}×{size[1]}, the first frame is {first[0]}×{first[1]}",
                hint="all frames of an animation must be the same size",
            )


class _Frames:
    """Decodes the frames once, only when some width is missing from the cache."""

    def __init__(self, maker: ImageMaker, frames: list[Path]) -> None:
        self.maker = maker
        self.frames = frames
        self._decoded: list[Image.Image] = []

    def all(self) -> list[Image.Image]:
        if not self._decoded:
            for frame in self.frames:
                with self.maker.open(frame) as image:
                    self._decoded.append(decoded(image, frame).convert("RGBA"))
        return self._decoded

    def encoder(self, width: int, duration: int):
        def encode(target: Path) -> None:
            images = [resized(image, width) for image in self.all()]
            images[0].save(
                target,
                "WEBP",
                save_all=True,
                append_images=images[1:],
                duration=duration,
                loop=play_count(len(images), duration),
                quality=self.maker.config["webp_quality"],
                method=4,
            )

        return encode
